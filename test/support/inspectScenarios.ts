/**
 * Executions that exercise every task state, run through the real engine, for the inspection
 * tests (replay, verifyReplay, inspect, the HTML report):
 * - `runMixed`: retries that end in success, retries that end in failure, tasks skipped
 *   downstream of the failure, independent successes, and a task whose id is hostile text;
 * - `runCancelled`: `handle.cancel()` while one task awaits its signal and another waits its turn;
 * - `runFailFast`: a failure under fail-fast, which aborts a task still running.
 */
import type { ExecutionResult, Workflow } from '../../lib/index.js';
import { deferred, waitUntil, whenAborted } from './engines.js';
import type { EngineTestContext } from './engines.js';

/** A task id with markup, quotes, an ampersand, unicode and an emoji. */
export const HOSTILE_ID = `<script>alert("x")</script> 'q' & ünïcødé 🚀`;

export const RETRY = { maxAttempts: 3, initialDelayMs: 1, jitter: 'none' } as const;

export interface Scenario {
  workflow: Workflow;
  result: ExecutionResult;
}

/**
 * extract (fails twice, succeeds on attempt 3) → transform (fails both of its 2 attempts)
 * → load (skipped) → report (skipped); extract → HOSTILE_ID (succeeds); side (succeeds).
 */
export async function runMixed(ctx: EngineTestContext, id = 'mixed'): Promise<Scenario> {
  let extractCalls = 0;
  const workflow = ctx.publish(id, (wf) =>
    wf
      .addTask('extract', 'Extract', () => {
        extractCalls += 1;
        if (extractCalls < 3) throw new Error(`flaky ${extractCalls}`);
        return { rows: 3 };
      }, { retry: RETRY })
      .addTask('transform', 'Transform', () => {
        throw new Error('transform is broken');
      }, { retry: { ...RETRY, maxAttempts: 2 } })
      .addTask('load', 'Load', () => 'loaded')
      .addTask('report', 'Report', () => 'reported')
      .addTask(HOSTILE_ID, 'Hostile', () => ({ note: '</td><b>bold?</b>' }))
      .addTask('side', 'Side', () => 'side')
      .addDependency('extract', 'transform')
      .addDependency('transform', 'load')
      .addDependency('load', 'report')
      .addDependency('extract', HOSTILE_ID),
  );
  const result = await ctx.engine.execute(id, { source: 'a.csv' });
  return { workflow, result };
}

/** 'slow' awaits its signal, 'after' depends on it; cancelled once 'slow' runs and 'quick' succeeded. */
export async function runCancelled(ctx: EngineTestContext, id = 'cancelled'): Promise<Scenario> {
  const started = deferred();
  const workflow = ctx.publish(id, (wf) =>
    wf
      .addTask('slow', 'Slow', async (_input: unknown, task: { signal: AbortSignal }) => {
        started.resolve();
        await whenAborted(task.signal);
        throw new Error('stopped');
      })
      .addTask('quick', 'Quick', () => 'done')
      .addTask('after', 'After', () => 'never')
      .addDependency('slow', 'after'),
  );
  const handle = ctx.engine.start(id);
  await started.promise;
  await waitUntil(() => handle.progress().succeeded === 1, "'quick' succeeded");
  handle.cancel('the user pressed stop');
  return { workflow, result: await handle.result };
}

/** Under fail-fast: 'bad' fails while 'hold' awaits its signal, so the run aborts and cancels it. */
export async function runFailFast(ctx: EngineTestContext, id = 'fail-fast'): Promise<Scenario> {
  const holding = deferred();
  const workflow = ctx.publish(id, (wf) =>
    wf
      .addTask('hold', 'Hold', async (_input: unknown, task: { signal: AbortSignal }) => {
        holding.resolve();
        await whenAborted(task.signal);
        throw new Error('aborted');
      })
      .addTask('bad', 'Bad', async () => {
        await holding.promise;
        throw new Error('bad');
      })
      .addTask('next', 'Next', () => 'never')
      .addDependency('hold', 'next'),
  );
  const result = await ctx.engine.execute(id, {}, { failurePolicy: 'fail-fast' });
  return { workflow, result };
}
