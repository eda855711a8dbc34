/**
 * The public API's types, exactly as the README uses them. `npm run typecheck` (tsc --noEmit over
 * test/) checks this file: the type assertions below fail the typecheck, not a test. Mocha also
 * runs the README snippet once, on the memory store, so the snippet is known to work.
 */
import { context } from '@opentelemetry/api';
import type { Span } from '@opentelemetry/api';
import { expect } from 'chai';
import { createEngine, NonRetryableError, WorkflowNotFoundError, WorkflowValidationError } from '../lib/index.js';
import type {
  Engine,
  EngineEvent,
  EngineMetricsSnapshot,
  ExecutionRecord,
  ExecutionHandle,
  ExecutionResult,
  ExecutionStatus,
  ProgressCounts,
  ExecutionProgress,
  RetryPolicy,
  SerializedError,
  TaskContext,
  TaskResult,
  TaskStatus,
  Workflow,
  WorkflowBuilder,
} from '../lib/index.js';

/** Compiles only when A and B are the same type. */
type Equals<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
function assertType<T extends true>(): T | void {}

/** The README snippet, with its free variables as parameters. */
async function readme(input: { source: string }, signal: AbortSignal): Promise<ExecutionResult> {
  const engine = await createEngine({ storage: 'memory', concurrency: 8, logLevel: 'error' });
  const workflow = engine
    .createWorkflow('etl')
    .setDescription('extract then load')
    .addTask('extract', 'Extract rows', async (input, ctx) => ({ rows: 3 }))
    .addTask('load', 'Load rows', async (input, ctx) => ({ loaded: input.rows }), {
      retry: { maxAttempts: 3, initialDelayMs: 100, backoffFactor: 2, maxDelayMs: 10_000, jitter: 'full' },
      timeoutMs: 30_000,
    })
    .addDependency('extract', 'load')
    .build();
  engine.publishWorkflow(workflow);
  const result = await engine.execute('etl', { source: 'a.csv' }, { concurrency: 4, failurePolicy: 'continue', signal });
  result.status;
  result.tasks.load;
  result.outputs;
  const options = { concurrency: 4, failurePolicy: 'fail-fast' as const };
  const handle = engine.start('etl', input, options);
  handle.id;
  handle.status;
  handle.progress();
  await handle.result;
  handle.cancel('reason');
  engine.events.on('task.*', (e: EngineEvent) => void e.taskId);
  await engine.close();

  // The types the snippet relies on.
  assertType<Equals<typeof engine, Engine>>();
  assertType<Equals<typeof workflow, Workflow>>();
  assertType<Equals<ReturnType<Engine['createWorkflow']>, WorkflowBuilder>>();
  assertType<Equals<typeof result.status, ExecutionStatus>>();
  assertType<Equals<typeof result.tasks.load, TaskResult | undefined>>();
  assertType<Equals<typeof result.outputs, Record<string, unknown>>>();
  assertType<Equals<typeof handle, ExecutionHandle>>();
  assertType<Equals<typeof handle.id, string>>();
  assertType<Equals<typeof handle.status, ExecutionStatus>>();
  assertType<Equals<ReturnType<typeof handle.progress>, ExecutionProgress>>();
  assertType<Equals<ExecutionProgress['remainingMs'], number | null>>();
  assertType<Equals<ProgressCounts[TaskStatus], number>>();
  assertType<Equals<typeof handle.result, Promise<ExecutionResult>>>();
  assertType<Equals<NonNullable<TaskResult['error']>, SerializedError>>();
  assertType<Equals<RetryPolicy['jitter'], 'full' | 'none'>>();
  assertType<Equals<TaskContext['attempt'], number>>();
  assertType<Equals<TaskContext['signal'], AbortSignal>>();
  assertType<Equals<EngineEvent['taskId'], string | null>>();
  return result;
}

/** Misuse the types refuse. Never called. */
async function refused(engine: Engine): Promise<void> {
  // @ts-expect-error: the workflow id is a string
  await engine.execute(42);
  // @ts-expect-error: failurePolicy is 'continue' or 'fail-fast'
  await engine.execute('etl', {}, { failurePolicy: 'stop' });
  // @ts-expect-error: jitter is 'full' or 'none'
  engine.createWorkflow('x').addTask('a', 'A', () => 1, { retry: { jitter: 'half' } });
  // @ts-expect-error: an unknown task option
  engine.createWorkflow('x').addTask('a', 'A', () => 1, { timeout: 5 });
  // @ts-expect-error: storage is a URL or a Store
  await createEngine({ storage: 42 });
  // @ts-expect-error: a handle has no status setter
  engine.start('etl').status = 'succeeded';
  // @ts-expect-error: only finished executions are pruned
  await engine.prune({ olderThan: 0, status: 'running' });
  // @ts-expect-error: olderThan is a Date or a number of milliseconds
  await engine.prune({ olderThan: '30d' });
  // @ts-expect-error: olderThan is required
  await engine.prune({ status: 'failed' });
  assertType<Equals<Awaited<ReturnType<typeof engine.prune>>, { deleted: number }>>();
  // @ts-expect-error: parentContext is an OpenTelemetry Context, not a traceparent string
  engine.start('etl', {}, { parentContext: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' });
  engine.start('etl', {}, { parentContext: context.active() });
  assertType<Equals<TaskContext['span'], Span>>();
  assertType<Equals<ReturnType<Engine['metrics']>, EngineMetricsSnapshot>>();
  assertType<Equals<EngineMetricsSnapshot['tasks']['attempts']['timed_out'], number>>();
  assertType<Equals<ExecutionRecord['traceparent'], string | null>>();
  // @ts-expect-error: retention's maxAge is a number of milliseconds
  await createEngine({ retention: { maxAge: '7d' } });
}

/** The errors a caller catches, with their typed fields. */
function handleErrors(error: unknown): string {
  if (error instanceof WorkflowValidationError) {
    assertType<Equals<typeof error.ids, readonly string[]>>();
    return `${error.reason}: ${error.ids.join(' → ')}`;
  }
  if (error instanceof WorkflowNotFoundError) return `${error.code} ${error.workflowId ?? ''}`;
  if (error instanceof NonRetryableError) return error.code;
  return 'other';
}

describe('public API types', () => {
  it('runs the README snippet', async function () {
    this.timeout(10_000);
    void refused;
    const result = await readme({ source: 'a.csv' }, new AbortController().signal);
    expect(result.status).to.equal('succeeded');
    expect(result.outputs).to.deep.equal({ extract: { rows: 3 }, load: { loaded: 3 } });
    expect(handleErrors(new NonRetryableError('x'))).to.equal('NON_RETRYABLE');
  });
});
