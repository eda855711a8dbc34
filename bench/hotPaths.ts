/**
 * Two hot paths measured in isolation, in one process, with no database and no peer: what a
 * change to one of them gains shows here without the noise of a whole run.
 *
 * - `task actor`: creating and starting one task actor, from the engine's `taskActorLogic` (its
 *   first snapshot built by `resolveState`) and from the task machine itself (XState's generic
 *   initial transition).
 * - `sqlite commit SQL`: building the SQL text of one SQLite group commit of 64 finished tasks
 *   (128 transitions with their snapshots, 64 task rows), as sqliteCommit.ts does, without
 *   running it.
 *
 *   npx tsx bench/hotPaths.ts [--rounds 12]
 *
 * Each line is the best of `rounds` rounds (the least disturbed by other work on the machine),
 * in µs per operation. Unlike the rest of bench/ (taskGraphApi.ts: the public API only), this
 * file imports internals on purpose: it times them alone.
 */
import { createActor } from 'xstate';
import { taskMachine } from '../machines/task.js';
import { taskActorLogic } from '../lib/engine/taskActorLogic.js';
import type { TaskRunRecord, TransitionRecord } from '../lib/store/records.js';
import { inlineParameters } from '../lib/store/sequelize/sqliteLiteral.js';
import { taskRunUpsertStatements } from '../lib/store/sequelize/taskRunRepository.js';
import { transitionInsertStatements } from '../lib/store/sequelize/transitionRepository.js';

const EXECUTION_ID = '5c43f287-6980-4da8-9297-ffda0b0417c5';

/** The best time per operation, in µs, over `rounds` rounds of `count` operations. */
function best(rounds: number, count: number, operation: (i: number) => void): number {
  let fastest = Number.POSITIVE_INFINITY;
  for (let round = 0; round < rounds; round++) {
    const started = performance.now();
    for (let i = 0; i < count; i++) operation(i);
    fastest = Math.min(fastest, ((performance.now() - started) * 1000) / count);
  }
  return fastest;
}

function startActor(logic: typeof taskMachine, i: number): void {
  createActor(logic, { input: { executionId: EXECUTION_ID, taskId: `n${i}` } }).start();
}

/** What the engine commits for 64 no-op tasks that ran within a few milliseconds. */
function commitOf64(k: number): { transitions: TransitionRecord[]; rows: TaskRunRecord[] } {
  const transitions: TransitionRecord[] = [];
  const rows: TaskRunRecord[] = [];
  const base = Date.UTC(2026, 10, 28) + k * 7;
  for (let i = 0; i < 64; i++) {
    const taskId = `n${k * 64 + i}`;
    const startedAt = new Date(base + (i >> 4));
    const finishedAt = new Date(base + ((i + 3) >> 4));
    const context = { executionId: EXECUTION_ID, taskId, attempt: 1, retryAt: null, retryDelayMs: null, output: undefined, error: null };
    const common = { executionId: EXECUTION_ID, taskId, attempt: 1, snapshotFormat: 2, machineVersion: 'task@4' };
    transitions.push({ ...common, seq: 2 * i + 1, from: 'pending', to: 'running', event: 'task.start', at: startedAt, data: { event: { type: 'task.start' } }, snapshot: { status: 'active', value: 'running', context } });
    transitions.push({
      ...common,
      seq: 2 * i + 2,
      from: 'running',
      to: 'succeeded',
      event: 'attempt.done',
      at: finishedAt,
      data: { event: { type: 'attempt.done', outcome: { kind: 'succeeded', output: null } } },
      snapshot: { status: 'done', value: 'succeeded', context: { ...context, output: null } },
    });
    rows.push({ executionId: EXECUTION_ID, taskId, status: 'succeeded', attempt: 1, output: null, error: null, startedAt, finishedAt, nextRetryAt: null });
  }
  return { transitions, rows };
}

function buildCommitSql({ transitions, rows }: ReturnType<typeof commitOf64>): string {
  const parts: string[] = [];
  for (const { sql, params } of transitionInsertStatements(transitions, 'sqlite')) parts.push(inlineParameters(sql, params));
  for (const { sql, params } of taskRunUpsertStatements(rows, 'sqlite')) parts.push(inlineParameters(sql, params));
  return parts.join(';\n');
}

const roundsIndex = process.argv.indexOf('--rounds');
const rounds = roundsIndex < 0 ? 12 : Number(process.argv[roundsIndex + 1]);
if (!Number.isInteger(rounds) || rounds < 1) throw new Error(`--rounds must be an integer >= 1, got ${JSON.stringify(process.argv[roundsIndex + 1])}`);
const commits = Array.from({ length: 50 }, (_, k) => commitOf64(k));
console.log(`| hot path | µs per operation (best of ${rounds} rounds) |`);
console.log('| --- | ---: |');
console.log(`| task actor created and started, taskActorLogic | ${best(rounds, 20_000, (i) => startActor(taskActorLogic, i)).toFixed(1)} |`);
console.log(`| task actor created and started, taskMachine | ${best(rounds, 20_000, (i) => startActor(taskMachine, i)).toFixed(1)} |`);
console.log(`| SQL of one SQLite commit of 64 tasks | ${best(rounds, 2_000, (i) => void buildCommitSql(commits[i % commits.length]!)).toFixed(1)} |`);
