/**
 * Several engine processes on one database (SQLite file, MySQL/MariaDB, PostgreSQL), never a
 * mock: child engines (test/fixtures/clusterEngine.ts) killed with SIGKILL, leases on the
 * database's clock, recovery racing for orphans, submitted executions run by whichever engine
 * has room.
 */
import { expect } from 'chai';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
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
      await waitUntil(async () => (await records(target.store, ids)).every((record) => record.status === 'running'), 'all nine executions run');

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
  });
}
