/**
 * Logs written by older versions of the machines, checked in as fixtures (test/fixtures/logs,
 * recorded by recordLog.ts at the commits it names), loaded into every store, then replayed and
 * verified by the current machines, as Temporal replays old histories. The claim under test:
 * this version reads task@1 and task@2 logs. An altered log must diverge, or the check proves
 * nothing.
 */
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { replayExecution } from '../lib/inspect/replay.js';
import { verifyReplay } from '../lib/inspect/verifyReplay.js';
import type { ExecutionRecord, TaskRunRecord, TransitionRecord } from '../lib/index.js';
import type { Store } from '../lib/store/Store.js';
import { storeFactories } from './support/stores.js';
import type { StoreUnderTest } from './support/stores.js';

const LOGS = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures', 'logs');

interface Fixture {
  record: ExecutionRecord;
  execution: { tasks: Record<string, { status: TaskRunRecord['status']; attempts: number }> };
  transitions: TransitionRecord[];
}

/** The fixture with its dates revived. */
function readFixture(version: string): Fixture {
  const fixture = JSON.parse(readFileSync(path.join(LOGS, `${version}.json`), 'utf8')) as Fixture;
  const { record } = fixture;
  for (const key of ['createdAt', 'startedAt', 'finishedAt', 'heartbeatAt'] as const) if (record[key] !== null) record[key] = new Date(record[key]!);
  for (const transition of fixture.transitions) transition.at = new Date(transition.at);
  return fixture;
}

/** Writes the recorded execution into a store as the engine would have: rows, then the log. */
async function load(store: Store, fixture: Fixture, transitions = fixture.transitions): Promise<string> {
  const record = { ...fixture.record, ownerId: null };
  const rows: TaskRunRecord[] = record.graph!.tasks.map(({ id }) => ({
    executionId: record.id,
    taskId: id,
    status: 'pending',
    attempt: 0,
    output: null,
    error: null,
    startedAt: null,
    finishedAt: null,
    nextRetryAt: null,
  }));
  await store.createExecution({ ...record, status: 'pending', startedAt: null, finishedAt: null }, rows);
  const finalRows = rows.map((row) => ({ ...row, status: fixture.execution.tasks[row.taskId]!.status, attempt: fixture.execution.tasks[row.taskId]!.attempts }));
  await store.commit({ transitions, taskRuns: finalRows, executions: [{ id: record.id, status: record.status }] });
  return record.id;
}

for (const factory of storeFactories()) {
  describe(`old logs [${factory.name}]`, () => {
    let target: StoreUnderTest;
    beforeEach(async () => (target = await factory.create()));
    afterEach(() => target.cleanup());

    for (const version of ['task@1', 'task@2']) {
      it(`replays and verifies a ${version} log with the current machines`, async () => {
        const fixture = readFixture(version);
        expect(new Set(fixture.transitions.filter((t) => t.taskId !== null).map((t) => t.machineVersion))).to.deep.equal(new Set([version]));
        const id = await load(target.store, fixture);

        expect(await verifyReplay(target.store, id)).to.deep.equal({ ok: true, steps: fixture.transitions.length });
        const steps = await replayExecution(target.store, id);
        const last = steps.at(-1)!.state;
        expect(last.status).to.equal('failed');
        for (const [taskId, task] of Object.entries(fixture.execution.tasks)) {
          expect(last.tasks[taskId], taskId).to.deep.equal({ status: task.status, attempt: task.attempts });
        }
        // The paths the fixture was recorded to cover.
        const paths = new Set(fixture.transitions.map((t) => `${t.taskId}:${t.from}→${t.to}`));
        for (const path of ['extract:running→retrying', 'slow:running→retrying', 'broken:running→failed', 'after-broken:pending→skipped', 'null:running→failed']) {
          expect(paths, path).to.include(path);
        }
      });

      it(`finds the divergence in an altered ${version} log`, async () => {
        const fixture = readFixture(version);
        const altered = fixture.transitions.map((t) => (t.taskId === 'extract' && t.to === 'retrying' ? { ...t, to: 'failed' } : t));
        const seq = altered.find((t) => t.taskId === 'extract' && t.to === 'failed')!.seq;
        const id = await load(target.store, fixture, altered);
        const verdict = await verifyReplay(target.store, id);
        expect(verdict.ok).to.equal(false);
        if (!verdict.ok) expect(verdict.firstDivergence).to.deep.include({ seq, taskId: 'extract', expected: 'running → failed (attempt 1)', actual: 'running → retrying (attempt 1)' });
      });
    }
  });
}
