/**
 * Starting an execution of one workflow version: check the options and the input, write the
 * execution row and one `pending` row per task with the next group commit (many executions
 * started at once share it), and begin the run once they are in the store.
 * `engine.start`, `engine.execute` and `engine.fork` all come here.
 */
import { randomUUID } from 'node:crypto';
import { context as otelContext } from '@opentelemetry/api';
import { InvalidOptionsError } from '../errors.js';
import { ExecutionTrace } from '../telemetry/otel/ExecutionTrace.js';
import type { ExecutionRecord, TaskRunRecord } from '../store/records.js';
import type { Workflow } from '../workflow/Workflow.js';
import type { EngineContext } from './EngineContext.js';
import { validateConcurrency, validateFailurePolicy, validateParentContext, validateSignal } from './engineOptions.js';
import type { ExecuteOptions } from './engineOptions.js';
import { ExecutionHandle } from './ExecutionHandle.js';
import { ExecutionRun } from './ExecutionRun.js';
import type { AdoptedOutputs } from './ExecutionRun.js';
import { toStorableInput } from './executeAttempt.js';

/**
 * Starts an execution of this very workflow version and returns its handle at once.
 * @throws InvalidOptionsError for a bad option or an input that is not JSON
 */
export function startExecution(context: EngineContext, workflow: Workflow, input: unknown, options: ExecuteOptions, adopted?: AdoptedOutputs): ExecutionHandle {
  const { runtime, defaults } = context;
  if (options === null || typeof options !== 'object') throw new InvalidOptionsError('options', options, 'an object');
  const concurrency = validateConcurrency('concurrency', options.concurrency ?? defaults.concurrency);
  const failurePolicy = validateFailurePolicy('failurePolicy', options.failurePolicy ?? defaults.failurePolicy);
  const signal = validateSignal(options.signal);
  const parent = validateParentContext(options.parentContext) ?? otelContext.active();
  const storableInput = toStorableInput(input);
  const now = new Date();
  const id = randomUUID();
  const trace = ExecutionTrace.start(runtime.tracer, {
    workflowId: workflow.id,
    workflowVersion: workflow.version,
    executionId: id,
    taskCount: workflow.tasks.size,
    parent,
    ...(adopted ? { forkedFrom: { executionId: adopted.fromExecutionId, traceparent: adopted.fromTraceparent } } : {}),
  });
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
    ownerId: runtime.ownerId,
    heartbeatAt: now,
    graph: workflow.graph,
    traceparent: trace.traceparent,
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
  const run = new ExecutionRun(runtime, workflow, record, rows, 0, trace);
  runtime.runs.set(record.id, run);
  if (signal) cancelOnAbort(run, signal);
  run.beginAfter(runtime.writer.create({ execution: record, tasks: rows }), adopted);
  return new ExecutionHandle(run);
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
