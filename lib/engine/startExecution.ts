/**
 * Starting an execution of one workflow version: check the options and the input, write the
 * execution row and one `pending` row per task with the next group commit (many executions
 * started at once share it), and begin the run once they are in the store.
 * `engine.start`, `engine.execute` and `engine.fork` all come here.
 */
import { randomUUID } from 'node:crypto';
import { context as otelContext } from '@opentelemetry/api';
import { COMMIT_RETRY_INITIAL_DELAY_MS } from '../defaults.js';
import { InvalidOptionsError } from '../errors.js';
import { isTransientStoreError } from '../store/isTransientStoreError.js';
import type { ExecutionRecord, TaskRunRecord } from '../store/records.js';
import { ExecutionTrace } from '../telemetry/otel/ExecutionTrace.js';
import type { Workflow } from '../workflow/Workflow.js';
import type { EngineContext } from './EngineContext.js';
import { validateConcurrency, validateFailurePolicy, validateParentContext, validateSignal } from './engineOptions.js';
import type { ExecuteOptions, SubmitOptions } from './engineOptions.js';
import { ExecutionHandle } from './ExecutionHandle.js';
import { ExecutionRun } from './ExecutionRun.js';
import type { AdoptedOutputs } from './ExecutionRun.js';
import { toStorableInput } from './executeAttempt.js';

/**
 * Starts an execution of this very workflow version and returns its handle at once.
 * @throws InvalidOptionsError for a bad option or an input that is not JSON
 */
export function startExecution(context: EngineContext, workflow: Workflow, input: unknown, options: ExecuteOptions, adopted?: AdoptedOutputs): ExecutionHandle {
  const { runtime } = context;
  const signal = validateSignal(options?.signal);
  const parent = validateParentContext(options?.parentContext) ?? otelContext.active();
  let trace: ExecutionTrace | undefined;
  const { record, rows } = newExecutionRows(context, workflow, input, options, runtime.ownerId, (id) => {
    trace = ExecutionTrace.start(runtime.tracer, {
      workflowId: workflow.id,
      workflowVersion: workflow.version,
      executionId: id,
      taskCount: workflow.tasks.size,
      parent,
      ...(adopted ? { forkedFrom: { executionId: adopted.fromExecutionId, traceparent: adopted.fromTraceparent } } : {}),
    });
    return trace.traceparent;
  });
  const run = new ExecutionRun(runtime, workflow, record, rows, 0, trace!);
  runtime.runs.set(record.id, run);
  if (signal) cancelOnAbort(run, signal);
  run.beginAfter(runtime.writer.create({ execution: record, tasks: rows }), adopted);
  return new ExecutionHandle(run);
}

/**
 * Records an execution that no engine holds yet (status `pending`, no owner, fencing token 0) for
 * any engine's recovery scan to claim and run; resolves with its id once it is stored.
 * @throws InvalidOptionsError for a bad option or an input that is not JSON; StorageError
 */
export async function submitExecution(context: EngineContext, workflow: Workflow, input: unknown, options: SubmitOptions): Promise<string> {
  const { record, rows } = newExecutionRows(context, workflow, input, options, null, () => null); // its trace begins where it runs
  const { store } = context.runtime;
  // A transient failure (a deadlock with another engine's claim, a dropped connection) is retried
  // a few times; a retry that finds the row stored (the first try did commit) is done.
  for (let attempt = 1; ; attempt++) {
    try {
      await store.createExecution(record, rows);
      return record.id;
    } catch (error) {
      if (attempt > 1 && (await store.getExecution(record.id, { graph: false }).catch(() => null))) return record.id;
      if (!isTransientStoreError(error) || attempt >= SUBMIT_ATTEMPTS) throw error;
      await new Promise((resolve) => setTimeout(resolve, COMMIT_RETRY_INITIAL_DELAY_MS * 2 ** (attempt - 1)));
    }
  }
}

/** Tries of `submit` to record its execution when the store fails for a transient reason. */
const SUBMIT_ATTEMPTS = 5;

/**
 * A new execution's row (owned by `ownerId`, or by nobody) and its `pending` task rows.
 * `traceparentOf` is called once the options and the input are checked (it may start a span).
 */
function newExecutionRows(
  context: EngineContext,
  workflow: Workflow,
  input: unknown,
  options: SubmitOptions,
  ownerId: string | null,
  traceparentOf: (executionId: string) => string | null,
): { record: ExecutionRecord; rows: TaskRunRecord[] } {
  const { defaults } = context;
  if (options === null || typeof options !== 'object') throw new InvalidOptionsError('options', options, 'an object');
  const concurrency = validateConcurrency('concurrency', options.concurrency ?? defaults.concurrency);
  const failurePolicy = validateFailurePolicy('failurePolicy', options.failurePolicy ?? defaults.failurePolicy);
  const storableInput = toStorableInput(input);
  const now = new Date();
  const id = randomUUID();
  const traceparent = traceparentOf(id);
  const record: ExecutionRecord = {
    id,
    workflowId: workflow.id,
    workflowVersion: workflow.version,
    status: 'pending',
    input: storableInput,
    output: null,
    error: null,
    concurrency,
    failurePolicy,
    createdAt: now,
    startedAt: null,
    finishedAt: null,
    ownerId,
    heartbeatAt: ownerId === null ? null : now,
    leaseUntil: null, // set by the commit that creates an owned row, on the store's clock
    fencingToken: ownerId === null ? 0 : 1,
    graph: workflow.graph,
    traceparent,
  };
  const rows: TaskRunRecord[] = workflow.topologicalOrder.map((taskId) => ({
    executionId: record.id,
    taskId,
    status: 'pending',
    attempt: 0,
    output: null,
    error: null,
    startedAt: null,
    finishedAt: null,
    nextRetryAt: null,
  }));
  return { record, rows };
}

/** Cancels the run when the caller's signal aborts; lets go of the signal once the run ends. */
function cancelOnAbort(run: ExecutionRun, signal: AbortSignal): void {
  const onAbort = () => run.cancel(abortReason(signal));
  if (signal.aborted) return onAbort();
  signal.addEventListener('abort', onAbort, { once: true });
  const release = () => signal.removeEventListener('abort', onAbort);
  run.result.then(release, release);
}

function abortReason(signal: AbortSignal): string {
  const reason: unknown = signal.reason;
  if (reason instanceof Error) return reason.message;
  return typeof reason === 'string' ? reason : 'aborted by the caller';
}
