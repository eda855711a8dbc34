/**
 * createEngine({ workflowConcurrency }): at most N executions of a workflow held at once by all
 * the engines on one store. Two engines in one process on every store; and, on the SQL stores, an
 * engine process SIGKILLed while it holds the limit: its executions keep their room until their
 * leases end, then another engine takes them over, still within the limit.
 */
import { expect } from 'chai';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createEngine, createWorkflow, InvalidOptionsError } from '../lib/index.js';
import type { Engine, Workflow } from '../lib/index.js';
import { clusterWorkflow } from './fixtures/clusterEngine.js';
import { killAll, spawnEngine } from './support/clusterProcesses.js';
import { deferred, forEachStore, sleep, waitUntil } from './support/engines.js';
import type { Deferred } from './support/engines.js';
import { storeFactories } from './support/stores.js';
import type { StoreUnderTest } from './support/stores.js';

const FAST = { recover: true, recoveryIntervalMs: 20, leaseMs: 5_000 } as const;

/** A workflow of one task that waits for `gate`, counting how many run at once. */
function gated(gate: Deferred, counts: { running: number; most: number }): Workflow {
  return createWorkflow('limited', { version: '1' })
    .addTask('a', 'A', async (_input: unknown, ctx) => {
      counts.most = Math.max(counts.most, ++counts.running);
      try {
        await gate.promise;
        return ctx.executionId;
      } finally {
        counts.running -= 1;
      }
    })
    .build();
}

forEachStore('workflowConcurrency', (ctx) => {
  it('two engines with a limit of 2 run 10 submitted executions never more than 2 at once, and all succeed', async () => {
    const gate = deferred();
    const counts = { running: 0, most: 0 };
    const options = { ...FAST, workflowConcurrency: { limited: 2 }, workflows: [gated(gate, counts)] };
    const one = await ctx.openEngine(options);
    const two = await ctx.openEngine(options);
    try {
      const ids = await Promise.all(Array.from({ length: 10 }, (_, n) => (n % 2 ? one : two).submit('limited').then(({ id }) => id)));
      await waitUntil(() => counts.running === 2, 'two executions run');
      await sleep(200); // many scans of both engines go by
      expect(counts.running).to.equal(2);
      expect(one.stats().recovered + two.stats().recovered).to.equal(2);
      const unclaimed = (await Promise.all(ids.map((id) => ctx.target.store.getExecution(id)))).filter((record) => record?.ownerId === null);
      expect(unclaimed).to.have.length(8);
      gate.resolve();
      const results = await Promise.all(ids.map((id) => one.waitFor(id, { pollIntervalMs: 10 })));
      expect(results.map((result) => result.status)).to.deep.equal(ids.map(() => 'succeeded'));
      expect(counts.most).to.equal(2);
      expect(one.stats().recovered + two.stats().recovered).to.equal(10);
    } finally {
      gate.resolve();
      await one.close();
      await two.close();
    }
  });

  it('counts executions started here against the limit, but never refuses or queues a start', async () => {
    const gate = deferred();
    const counts = { running: 0, most: 0 };
    const engine = await ctx.openEngine({ ...FAST, workflowConcurrency: { limited: 2 }, workflows: [gated(gate, counts)] });
    try {
      const started = [engine.start('limited'), engine.start('limited'), engine.start('limited')];
      // They count once their rows are written (by the next group commit), not before.
      await Promise.all(started.map((handle) => engine.getExecution(handle.id)));
      const { id } = await engine.submit('limited');
      await waitUntil(() => counts.running === 3, 'the three started executions run');
      await sleep(200);
      expect(engine.stats().recovered, 'no room for the submitted one').to.equal(0);
      expect((await engine.getExecution(id)).status).to.equal('pending');
      gate.resolve();
      await Promise.all(started.map((handle) => handle.result));
      expect((await engine.waitFor(id, { pollIntervalMs: 10 })).status).to.equal('succeeded');
      expect(engine.stats().recovered).to.equal(1);
    } finally {
      gate.resolve();
      await engine.close();
    }
  });

  it('refuses a limit that is not an integer >= 1, naming it', async () => {
    for (const [value, shown] of [
      [0, '0'],
      [-1, '-1'],
      [1.5, '1.5'],
      ['2', '"2"'],
    ] as const) {
      const error = await ctx.openEngine({ workflowConcurrency: { etl: value as number } }).then(() => null, (caught: unknown) => caught);
      expect(error, String(value)).to.be.instanceOf(InvalidOptionsError);
      expect((error as InvalidOptionsError).option).to.equal('workflowConcurrency["etl"]');
      expect((error as Error).message).to.contain(shown).and.to.contain('an integer >= 1');
    }
    const notObject = await ctx.openEngine({ workflowConcurrency: 2 as never }).then(() => null, (caught: unknown) => caught);
    expect(notObject).to.be.instanceOf(InvalidOptionsError);
    expect((notObject as Error).message).to.contain('workflowConcurrency');
  });
});

for (const factory of storeFactories().filter((f) => f.name !== 'memory')) {
  describe(`workflowConcurrency across a SIGKILLed engine on ${factory.name}`, function () {
    this.timeout(120_000);
    let target: StoreUnderTest;
    let dir: string;
    const engines: Engine[] = [];

    beforeEach(async () => {
      target = await factory.create();
      dir = mkdtempSync(path.join(os.tmpdir(), 'tg-limit-'));
    });
    afterEach(async () => {
      await killAll();
      for (const engine of engines.splice(0)) await engine.close();
      await target.cleanup();
      rmSync(dir, { recursive: true, force: true });
    });

    it("a killed engine's executions hold their room until their leases end; the survivor then takes them over within the limit", async () => {
      const logFile = path.join(dir, 'tasks.log');
      const gateFile = path.join(dir, 'gate');
      const leaseMs = 2_000;
      const workflow = clusterWorkflow(logFile, 5, gateFile);
      const web = await createEngine({ storage: target.url, logLevel: 'error', recover: false, leaseMs, workflows: [workflow] });
      engines.push(web);
      const ids: string[] = [];
      for (let n = 0; n < 6; n++) ids.push((await web.submit('cluster', { n })).id);

      const doomed = spawnEngine({ storage: target.url, logFile, gateFile, leaseMs, heartbeatIntervalMs: 300, recover: true, recoveryIntervalMs: 50, workflowConcurrency: { cluster: 2 } });
      await doomed.ready();
      await waitUntil(() => doomed.claimed() === 2, 'the doomed engine claims two');
      const survivor = await createEngine({ storage: target.url, logLevel: 'error', leaseMs, heartbeatIntervalMs: 300, recover: true, recoveryIntervalMs: 50, workflowConcurrency: { cluster: 2 }, workflows: [workflow] });
      engines.push(survivor);
      await sleep(300); // several scans of the survivor go by while the doomed engine is alive
      expect(survivor.stats().recovered, 'no room while the doomed engine holds two').to.equal(0);

      doomed.child.kill('SIGKILL');
      await doomed.exited;
      const held = (await Promise.all(ids.map((id) => target.store.getExecution(id)))).filter((record) => record?.ownerId === doomed.ownerId());
      expect(held).to.have.length(2);
      const leaseEnd = Math.min(...held.map((record) => record!.leaseUntil!.getTime()));
      let checkedWhileLive = 0;
      for (;;) {
        const recovered = survivor.stats().recovered;
        const now = (await target.store.now()).getTime();
        if (now >= leaseEnd) break;
        expect(recovered, 'claimed while the killed engine still held its room').to.equal(0);
        checkedWhileLive += 1;
        await sleep(50);
      }
      expect(checkedWhileLive).to.be.greaterThan(0);

      writeFileSync(gateFile, '');
      let mostHeld = 0;
      await waitUntil(async () => {
        const records = await Promise.all(ids.map((id) => target.store.getExecution(id)));
        const now = (await target.store.now()).getTime();
        mostHeld = Math.max(mostHeld, records.filter((r) => r!.status !== 'succeeded' && r!.ownerId !== null && r!.leaseUntil!.getTime() >= now).length);
        return records.every((r) => r!.status === 'succeeded');
      }, 'every execution succeeds', 60_000);
      expect(mostHeld, 'executions held at once').to.be.within(1, 2);
      expect(survivor.stats().recovered).to.equal(6);
      for (const id of ids) {
        const transitions = await target.store.listTransitions(id);
        expect(transitions.map((t) => t.seq), `seq of ${id}`).to.deep.equal(transitions.map((_, i) => i + 1));
      }
    });
  });
}
