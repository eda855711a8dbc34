/**
 * engine.submit / engine.waitFor and the recovery scan, in one process on every store: a
 * submitted execution is recorded with no owner and run by whichever engine's scan claims it;
 * waitFor follows it from any engine; maxExecutions bounds what a scan takes; an engine never
 * claims executions of workflows it has not published.
 */
import { expect } from 'chai';
import { InvalidOptionsError, WorkflowNotFoundError } from '../lib/index.js';
import type { Engine, Workflow } from '../lib/index.js';
import { createWorkflow } from '../lib/index.js';
import { deferred, forEachStore, sleep, waitUntil } from './support/engines.js';

const FAST = { recover: true, recoveryIntervalMs: 20, leaseMs: 5_000 } as const;

function doubling(ran: string[] = []): Workflow {
  return createWorkflow('double', { version: '1' })
    .addTask('a', 'A', (input: { n: number }, ctx) => {
      ran.push(ctx.executionId);
      return input.n * 2;
    })
    .build();
}

forEachStore('submit and waitFor', (ctx) => {
  it('records a submitted execution with no owner; an engine with recovery on runs it; waitFor resolves with its result', async () => {
    const web = await ctx.openEngine({ recover: false, workflows: [doubling()] });
    const worker = await ctx.openEngine({ ...FAST, workflows: [doubling()] });
    try {
      const { id } = await web.submit('double', { n: 21 });
      const recorded = await ctx.target.store.getExecution(id);
      expect(recorded?.status).to.be.oneOf(['pending', 'running', 'succeeded']);
      const result = await web.waitFor(id, { pollIntervalMs: 10 });
      expect(result.status).to.equal('succeeded');
      expect(result.outputs['a']).to.equal(42);
      const stored = await ctx.target.store.getExecution(id);
      expect(stored?.fencingToken, 'claimed once').to.equal(1);
      expect(worker.stats().recovered).to.equal(1);
      expect(web.stats().recovered).to.equal(0);
      expect((await worker.waitFor(id)).outputs['a']).to.equal(42);
    } finally {
      await web.close();
      await worker.close();
    }
  });

  it('runs 40 submitted executions, each exactly once, with two engines scanning', async () => {
    const ran: string[] = [];
    const one = await ctx.openEngine({ ...FAST, workflows: [doubling(ran)] });
    const two = await ctx.openEngine({ ...FAST, workflows: [doubling(ran)] });
    try {
      const ids = await Promise.all(Array.from({ length: 40 }, (_, n) => one.submit('double', { n }).then(({ id }) => id)));
      const results = await Promise.all(ids.map((id) => two.waitFor(id, { pollIntervalMs: 10 })));
      expect(results.map((result) => result.status)).to.deep.equal(ids.map(() => 'succeeded'));
      expect(results.map((result) => result.outputs['a'])).to.deep.equal(ids.map((_, n) => n * 2));
      expect([...ran].sort()).to.deep.equal([...ids].sort());
      expect(one.stats().recovered + two.stats().recovered).to.equal(40);
    } finally {
      await one.close();
      await two.close();
    }
  });

  it('claims no more than maxExecutions at once', async () => {
    const gate = deferred();
    let running = 0;
    let most = 0;
    const held = createWorkflow('held', { version: '1' })
      .addTask('a', 'A', async () => {
        most = Math.max(most, ++running);
        await gate.promise;
        running -= 1;
      })
      .build();
    const engine = await ctx.openEngine({ ...FAST, maxExecutions: 2, workflows: [held] });
    try {
      const ids = await Promise.all(Array.from({ length: 6 }, () => engine.submit('held').then(({ id }) => id)));
      await waitUntil(() => engine.stats().activeExecutions === 2 && running === 2, 'two executions run');
      await new Promise((resolve) => setTimeout(resolve, 200)); // several scans go by
      expect(engine.stats().activeExecutions).to.equal(2);
      const pending = (await Promise.all(ids.map((id) => ctx.target.store.getExecution(id)))).filter((record) => record?.ownerId === null);
      expect(pending).to.have.length(4);
      gate.resolve();
      const results = await Promise.all(ids.map((id) => engine.waitFor(id, { pollIntervalMs: 10 })));
      expect(results.every((result) => result.status === 'succeeded')).to.equal(true);
      expect(most).to.equal(2);
    } finally {
      await engine.close();
    }
  });

  it('never claims an execution of a workflow it has not published', async () => {
    const web = await ctx.openEngine({ recover: false, workflows: [doubling()] });
    const other = await ctx.openEngine({ ...FAST, workflows: [createWorkflow('other').addTask('x', 'X', () => 1).build()] });
    try {
      const { id } = await web.submit('double', { n: 1 });
      await new Promise((resolve) => setTimeout(resolve, 200)); // several scans go by
      expect(other.stats().recovered).to.equal(0);
      expect((await web.getExecution(id)).status).to.equal('pending');
      const aborted = new AbortController();
      aborted.abort(new Error('stop waiting'));
      const error = await web.waitFor(id, { signal: aborted.signal }).then(() => null, (caught: Error) => caught);
      expect(error?.message).to.equal('stop waiting');
    } finally {
      await web.close();
      await other.close();
    }
  });

  it('never claims an execution of a version it does not hold, and leaves it to an engine that does', async () => {
    const v1 = doubling();
    const v2 = createWorkflow('double', { version: '2' }).addTask('a', 'A', (input: { n: number }) => input.n * 3).build();
    const web = await ctx.openEngine({ recover: false, workflows: [v1] });
    const newer = await ctx.openEngine({ ...FAST, workflows: [v2] });
    let older: Engine | null = null;
    try {
      const { id } = await web.submit('double', { n: 5 });
      await sleep(200); // several scans of the engine holding only version 2 go by
      expect(newer.stats().recovered).to.equal(0);
      const record = await ctx.target.store.getExecution(id);
      expect(record?.status).to.equal('pending');
      expect(record?.fencingToken, 'never claimed (each claim increments it)').to.equal(0);
      older = await ctx.openEngine({ ...FAST, workflows: [v1] });
      const result = await web.waitFor(id, { pollIntervalMs: 10 });
      expect(result.outputs['a']).to.equal(10);
      expect(older.stats().recovered).to.equal(1);
      expect(newer.stats().recovered).to.equal(0);
    } finally {
      await web.close();
      await newer.close();
      await older?.close();
    }
  });

  it('refuses an unknown workflow, a bad option, and a heartbeat interval not shorter than the lease', async () => {
    const engine: Engine = ctx.engine;
    const unknown = await engine.submit('nope').then(() => null, (caught: Error) => caught);
    expect(unknown).to.be.instanceOf(WorkflowNotFoundError);
    engine.publishWorkflow(doubling());
    const bad = await engine.submit('double', {}, { concurency: 2 } as never).then(() => null, (caught: Error) => caught);
    expect(bad).to.be.instanceOf(InvalidOptionsError);
    expect(bad?.message).to.contain('concurency');
    const tight = await ctx.openEngine({ leaseMs: 1_000, heartbeatIntervalMs: 1_000 }).then(() => null, (caught: Error) => caught);
    expect(tight).to.be.instanceOf(InvalidOptionsError);
    expect(tight?.message).to.contain('heartbeatIntervalMs');
  });
});
