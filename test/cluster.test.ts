/**
 * Several engine processes on one database (SQLite file, MySQL/MariaDB, PostgreSQL), never a
 * mock: child engines (test/fixtures/clusterEngine.ts) killed with SIGKILL, leases on the
 * database's clock, recovery racing for orphans, submitted executions run by whichever engine
 * has room.
 */
import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Queue } from 'bullmq';
import os from 'node:os';
import path from 'node:path';
import { createEngine } from '../lib/index.js';
import type { Engine, ExecutionRecord } from '../lib/index.js';
import type { Store } from '../lib/store/Store.js';
import { CLUSTER_TASKS, clusterWorkflow } from './fixtures/clusterEngine.js';
import { killAll, readTaskLog, spawnEngine, stopEngine } from './support/clusterProcesses.js';
import { storeFactories } from './support/stores.js';
import type { StoreUnderTest } from './support/stores.js';
import { waitUntil } from './support/waitUntil.js';
import { REDIS, REDIS_ENV } from './fixtures/remoteWorkflow.js';

const LEASE_MS = 1_500;
const HEARTBEAT_MS = 300;
const HOUR = 3_600_000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function records(store: Store, ids: readonly string[]): Promise<ExecutionRecord[]> {
  return Promise.all(ids.map(async (id) => (await store.getExecution(id))!));
}

/** Every execution's seq is 1..n, and each task's success is recorded exactly once. */
async function expectCleanLogs(store: Store, ids: readonly string[]): Promise<void> {
  for (const id of ids) {
    const transitions = await store.listTransitions(id);
    expect(transitions.map((t) => t.seq), `seq of ${id}`).to.deep.equal(transitions.map((_, i) => i + 1));
    const successes = transitions.filter((t) => t.taskId !== null && t.to === 'succeeded').map((t) => t.taskId);
    expect(successes.sort(), `successes of ${id}`).to.deep.equal([...CLUSTER_TASKS]);
  }
}

for (const factory of storeFactories().filter((f) => f.name !== 'memory')) {
  describe(`cluster of engine processes on ${factory.name}`, function () {
    this.timeout(240_000);
    let target: StoreUnderTest;
    let dir: string;
    let local: Engine | null = null;

    beforeEach(async () => {
      target = await factory.create();
      dir = mkdtempSync(path.join(os.tmpdir(), 'tg-cluster-'));
    });
    afterEach(async () => {
      await killAll();
      await local?.close();
      local = null;
      await target.cleanup();
      rmSync(dir, { recursive: true, force: true });
    });

    it('clock skew: engines whose clocks are an hour ahead or behind neither steal live leases nor lose their own', async () => {
      const logFile = path.join(dir, 'ran.log');
      const gateFile = path.join(dir, 'gate');
      const common = { storage: target.url, logFile, gateFile, leaseMs: LEASE_MS, heartbeatIntervalMs: HEARTBEAT_MS, recover: true, recoveryIntervalMs: 100, start: 3 };
      const ahead = spawnEngine(common, HOUR);
      const behind = spawnEngine(common, -HOUR);
      local = await createEngine({
        storage: target.url,
        logLevel: 'error',
        workflows: [clusterWorkflow(logFile, 5, gateFile)],
        leaseMs: LEASE_MS,
        heartbeatIntervalMs: HEARTBEAT_MS,
        recover: true,
        recoveryIntervalMs: 100,
      });
      const mine = Array.from({ length: 3 }, () => local!.start('cluster', {}).id);
      await ahead.ready();
      await behind.ready();
      expect(ahead.clock() - Date.now(), 'the child clock is ahead').to.be.greaterThan(HOUR - 60_000);
      expect(Date.now() - behind.clock(), 'the child clock is behind').to.be.greaterThan(HOUR - 60_000);
      await waitUntil(() => ahead.started().length === 3 && behind.started().length === 3, 'both children started their executions');
      const owners = new Map<string, string>([
        ...mine.map((id) => [id, local!.id] as const),
        ...ahead.started().map((id) => [id, ahead.ownerId()] as const),
        ...behind.started().map((id) => [id, behind.ownerId()] as const),
      ]);
      const ids = [...owners.keys()];
      await waitUntil(async () => (await Promise.all(ids.map((id) => target.store.getExecution(id)))).every((record) => record?.status === 'running'), 'all nine executions run');

      await sleep(LEASE_MS * 3); // three leases go by: every engine scans many times and heartbeats on
      for (const record of await records(target.store, ids)) {
        expect(record.ownerId, `owner of ${record.id}`).to.equal(owners.get(record.id));
        expect(record.fencingToken, `token of ${record.id}`).to.equal(1);
      }
      expect(local.stats().recovered + ahead.claimed() + behind.claimed()).to.equal(0);

      writeFileSync(gateFile, '');
      const results = await Promise.all(ids.map((id) => local!.waitFor(id, { pollIntervalMs: 20 })));
      expect(results.map((result) => result.status)).to.deep.equal(ids.map(() => 'succeeded'));
      for (const record of await records(target.store, ids)) expect(record.fencingToken, `token of ${record.id}`).to.equal(1);
      const runs = readTaskLog(logFile);
      expect(runs).to.have.length(ids.length * CLUSTER_TASKS.length); // each task ran once
      const pidOf = new Map([[local.id, process.pid], [ahead.ownerId(), ahead.child.pid], [behind.ownerId(), behind.child.pid]]);
      for (const run of runs) expect(run.pid, `${run.executionId} ${run.taskId}`).to.equal(pidOf.get(owners.get(run.executionId)!));
      await expectCleanLogs(target.store, ids);
      await stopEngine(ahead);
      await stopEngine(behind);
    });

    it('two engines racing to recover the same 200 orphans: each is taken over by exactly one, after its owner is SIGKILLed', async () => {
      const logFile = path.join(dir, 'ran.log');
      const gateFile = path.join(dir, 'gate');
      const config = { storage: target.url, logFile, gateFile, leaseMs: LEASE_MS, heartbeatIntervalMs: HEARTBEAT_MS, recoveryIntervalMs: 200 };
      const doomed = spawnEngine({ ...config, recover: false, start: 200 });
      await doomed.ready();
      await waitUntil(() => doomed.started().length === 200, 'the doomed engine started 200 executions');
      const ids = doomed.started();
      await waitUntil(async () => (await target.store.listExecutions({ status: 'running' })).length === 200, 'all 200 run', 120_000);

      // Two rescuers, each with room for 120: neither can take all 200.
      const rescuers = [spawnEngine({ ...config, recover: true, maxExecutions: 120 }), spawnEngine({ ...config, recover: true, maxExecutions: 120 })];
      for (const rescuer of rescuers) await rescuer.ready();
      await sleep(LEASE_MS * 2); // the owner is alive: its leases hold
      expect(rescuers.map((rescuer) => rescuer.claimed())).to.deep.equal([0, 0]);

      doomed.child.kill('SIGKILL');
      await doomed.exited;
      const killedAt = Date.now();
      let firstMs = -1;
      await waitUntil(
        async () => {
          const tokens = (await records(target.store, ids)).map((record) => record.fencingToken);
          if (firstMs < 0 && tokens.includes(2)) firstMs = Date.now() - killedAt;
          return tokens.every((token) => token === 2);
        },
        'every orphan is claimed',
        120_000,
      );
      const allMs = Date.now() - killedAt;
      process.stdout.write(`      take-over after SIGKILL: first orphan ${firstMs} ms, all 200 ${allMs} ms (lease ${LEASE_MS} ms, heartbeat ${HEARTBEAT_MS} ms, recovery every 200 ms ± 25 %)\n`);
      const claimedBy = new Map((await records(target.store, ids)).map((record) => [record.id, record.ownerId]));
      const counts = rescuers.map((rescuer) => [...claimedBy.values()].filter((owner) => owner === rescuer.ownerId()).length);
      expect(counts[0]! + counts[1]!).to.equal(200);
      expect(counts[0], 'the first rescuer took some').to.be.greaterThan(0);
      expect(counts[1], 'the second rescuer took some').to.be.greaterThan(0);

      writeFileSync(gateFile, '');
      await waitUntil(async () => (await target.store.listExecutions({ status: 'succeeded' })).length === 200, 'all 200 succeed', 120_000);
      const finals = await records(target.store, ids);
      expect(finals.every((record) => record.fencingToken === 2), 'claimed once each').to.equal(true);
      const pidOf = new Map(rescuers.map((rescuer) => [rescuer.ownerId(), rescuer.child.pid]));
      const runs = readTaskLog(logFile);
      expect(runs).to.have.length(200 * CLUSTER_TASKS.length); // the gate held the doomed engine's tasks: they ran after the take-over only
      for (const run of runs) expect(run.pid, `${run.executionId} ${run.taskId}`).to.equal(pidOf.get(claimedBy.get(run.executionId)!));
      await expectCleanLogs(target.store, ids);
      expect(rescuers[0]!.claimed() + rescuers[1]!.claimed()).to.equal(200);
      for (const rescuer of rescuers) await stopEngine(rescuer);
    });

    it('100 submitted executions on three engine processes, one SIGKILLed mid-run: every one succeeds, no committed success runs again', async () => {
      const logFile = path.join(dir, 'ran.log');
      const config = { storage: target.url, logFile, taskMs: 40, leaseMs: LEASE_MS, heartbeatIntervalMs: HEARTBEAT_MS, recover: true, recoveryIntervalMs: 100, maxExecutions: 8 };
      const engines = [spawnEngine(config), spawnEngine(config), spawnEngine(config)];
      for (const engine of engines) await engine.ready();
      // The web replica: records executions, runs none.
      local = await createEngine({ storage: target.url, logLevel: 'error', workflows: [clusterWorkflow(logFile, 40)], recover: false });
      const ids: string[] = [];
      for (let n = 0; n < 100; n++) ids.push((await local.submit('cluster', { n })).id);

      const [victim] = engines;
      await waitUntil(async () => {
        const held = (await target.store.listExecutions({ status: 'running' })).filter((record) => record.ownerId === victim!.ownerId());
        return held.length >= 3 && (await target.store.listExecutions({ status: 'succeeded' })).length >= 20;
      }, 'the victim runs executions, and 20 have succeeded', 120_000);
      victim!.child.kill('SIGKILL');
      await victim!.exited;
      // What the victim held, and which of their tasks' successes it had committed: read at once,
      // before its leases (extended at most one heartbeat ago) end and a survivor takes them over.
      const heldByVictim = new Set((await target.store.listExecutions({ status: ['pending', 'running'] })).filter((record) => record.ownerId === victim!.ownerId()).map((record) => record.id));
      const committed = new Set<string>();
      for (const id of heldByVictim) for (const row of await target.store.listTaskRuns(id)) if (row.status === 'succeeded') committed.add(`${id} ${row.taskId}`);
      expect(heldByVictim.size).to.be.greaterThan(0);
      expect((await records(target.store, [...heldByVictim])).every((record) => record.fencingToken === 1), 'not yet taken over').to.equal(true);

      const results = await Promise.all(ids.map((id) => local!.waitFor(id, { pollIntervalMs: 50 })));
      expect(results.filter((result) => result.status !== 'succeeded')).to.deep.equal([]);
      const runsOf = new Map<string, number>();
      for (const run of readTaskLog(logFile)) runsOf.set(`${run.executionId} ${run.taskId}`, (runsOf.get(`${run.executionId} ${run.taskId}`) ?? 0) + 1);
      for (const id of ids) {
        for (const taskId of CLUSTER_TASKS) {
          const key = `${id} ${taskId}`;
          // Only a task the victim was running (not committed) may have run twice: once there, once after the take-over.
          const most = heldByVictim.has(id) && !committed.has(key) ? 2 : 1;
          expect(runsOf.get(key), `runs of ${key}${committed.has(key) ? ' (success committed before the kill)' : ''}`).to.be.within(1, most);
        }
      }
      await expectCleanLogs(target.store, ids);
      for (const record of await records(target.store, ids)) {
        expect(record.fencingToken, `token of ${record.id}`).to.equal(heldByVictim.has(record.id) ? 2 : 1);
        expect(record.ownerId === victim!.ownerId() && record.status !== 'succeeded').to.equal(false);
      }
      const survivors = engines.slice(1);
      expect(survivors.every((engine) => engine.claimed() > 0), 'both survivors ran executions').to.equal(true);
      for (const engine of survivors) await stopEngine(engine);
    });

    (process.env[REDIS_ENV] ? it : it.skip)('three engines and two remote workers, 100 submitted, one engine and one worker SIGKILLed mid-run: every execution succeeds, no committed success runs again', async () => {
      const logFile = path.join(dir, 'ran.log');
      const queue = `cluster${randomBytes(4).toString('hex')}`;
      const config = { storage: target.url, logFile, taskMs: 40, leaseMs: LEASE_MS, heartbeatIntervalMs: HEARTBEAT_MS, recover: true, recoveryIntervalMs: 100, maxExecutions: 8, queue, redis: REDIS };
      try {
        const engines = [spawnEngine(config), spawnEngine(config), spawnEngine(config)];
        const workers = [spawnEngine({ ...config, worker: true }), spawnEngine({ ...config, worker: true })];
        for (const child of [...engines, ...workers]) await child.ready();
        local = await createEngine({ storage: target.url, logLevel: 'error', workflows: [clusterWorkflow(logFile, 40, undefined, queue)], recover: false, redis: REDIS });
        const ids: string[] = [];
        for (let n = 0; n < 100; n++) ids.push((await local.submit('cluster', { n })).id);

        const [victim] = engines;
        const [victimWorker] = workers;
        await waitUntil(async () => {
          const held = (await target.store.listExecutions({ status: 'running' })).filter((record) => record.ownerId === victim!.ownerId());
          const workerRan = readTaskLog(logFile).some((run) => run.pid === victimWorker!.child.pid);
          return held.length >= 3 && workerRan && (await target.store.listExecutions({ status: 'succeeded' })).length >= 20;
        }, 'the victims run work, and 20 executions have succeeded', 120_000);
        victim!.child.kill('SIGKILL');
        victimWorker!.child.kill('SIGKILL');
        await Promise.all([victim!.exited, victimWorker!.exited]);
        const heldByVictim = new Set((await target.store.listExecutions({ status: ['pending', 'running'] })).filter((record) => record.ownerId === victim!.ownerId()).map((record) => record.id));
        const committed = new Set<string>();
        for (const id of heldByVictim) for (const row of await target.store.listTaskRuns(id)) if (row.status === 'succeeded') committed.add(`${id} ${row.taskId}`);

        const results = await Promise.all(ids.map((id) => local!.waitFor(id, { pollIntervalMs: 50 })));
        expect(results.filter((result) => result.status !== 'succeeded')).to.deep.equal([]);
        const runs = readTaskLog(logFile);
        const runsOf = new Map<string, number>();
        for (const run of runs) runsOf.set(`${run.executionId} ${run.taskId}`, (runsOf.get(`${run.executionId} ${run.taskId}`) ?? 0) + 1);
        for (const key of committed) expect(runsOf.get(key), `runs of ${key} (success committed before the kill)`).to.equal(1);
        for (const [key, count] of runsOf) expect(count, `runs of ${key}`).to.be.at.most(2);
        const survivorWorker = workers[1]!.child.pid;
        for (const result of results) {
          for (const taskId of ['b', 'c']) expect([victimWorker!.child.pid, survivorWorker], `${result.id} ${taskId} ran on a worker`).to.include((result.outputs[taskId] as { pid: number }).pid);
        }
        await expectCleanLogs(target.store, ids);
        for (const engine of [...engines.slice(1), workers[1]!]) await stopEngine(engine);
      } finally {
        const bull = new Queue(`tg-${queue}`, { connection: REDIS });
        await bull.obliterate({ force: true });
        await bull.close();
      }
    });
  });
}
