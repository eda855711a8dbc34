/**
 * The OpenTelemetry names task-graph uses, pinned: users' dashboards and alerts depend on them, so
 * they change only with a major version. README's "OpenTelemetry" section lists them in one table.
 */

/** The tracer's and the meter's instrumentation scope: `trace.getTracer('task-graph')`, `metrics.getMeter('task-graph')`. */
export const INSTRUMENTATION_SCOPE = 'task-graph';

/** Span names: `execution <workflowId>` and `task <taskId>`. */
export function executionSpanName(workflowId: string): string {
  return `execution ${workflowId}`;
}
export function taskSpanName(taskId: string): string {
  return `task ${taskId}`;
}
/** The span a remote worker runs a task's attempt in: `remote task <taskId>`, a child of the engine's `task <taskId>`. */
export function remoteTaskSpanName(taskId: string): string {
  return `remote task ${taskId}`;
}

/** Span and metric attributes. Values are ids, numbers and outcomes: never inputs, outputs or secrets. */
export const ATTR_WORKFLOW_ID = 'task_graph.workflow.id';
export const ATTR_WORKFLOW_VERSION = 'task_graph.workflow.version';
export const ATTR_EXECUTION_ID = 'task_graph.execution.id';
export const ATTR_TASK_ID = 'task_graph.task.id';
export const ATTR_TASK_ATTEMPT = 'task_graph.task.attempt';
export const ATTR_OUTCOME = 'task_graph.outcome';
/** On a task span: ms from the task being ready (upstream done, or its retry deadline) to its attempt starting. */
export const ATTR_QUEUE_WAIT_MS = 'task_graph.task.queue_wait_ms';
/** On a task span that will be retried: the backoff chosen before the next attempt. */
export const ATTR_RETRY_DELAY_MS = 'task_graph.task.retry_delay_ms';
/** On an execution span: true when this span continues an execution in a new run (resume after a crash or close). */
export const ATTR_RESUMED = 'task_graph.execution.resumed';
/** On a forked execution's span: the execution it was forked from. */
export const ATTR_FORKED_FROM = 'task_graph.execution.forked_from';
/** On an execution span: how many tasks the workflow has. */
export const ATTR_TASK_COUNT = 'task_graph.execution.tasks';

/** On a remote worker's span: the queue it took the job from. */
export const ATTR_TASK_QUEUE = 'task_graph.task.queue';

/** What an attempt came to (`task_graph.outcome` of a task span and of `task_graph.task.attempts`). */
export type AttemptOutcomeLabel = 'succeeded' | 'failed' | 'retrying' | 'timed_out' | 'cancelled';
export const ATTEMPT_OUTCOMES: readonly AttemptOutcomeLabel[] = ['succeeded', 'failed', 'retrying', 'timed_out', 'cancelled'];

/**
 * What an execution span's run came to: a final status, or `detached` (this process stopped running
 * it without finishing it: the engine closed, another engine took it over, the store refused it).
 */
export type ExecutionOutcomeLabel = 'succeeded' | 'failed' | 'cancelled' | 'detached';

/** Instrument names. Durations are in seconds (OpenTelemetry's convention). */
export const METRIC_EXECUTIONS = 'task_graph.executions';
export const METRIC_EXECUTIONS_STARTED = 'task_graph.executions.started';
export const METRIC_EXECUTIONS_RUNNING = 'task_graph.executions.running';
export const METRIC_EXECUTION_DURATION = 'task_graph.execution.duration';
export const METRIC_TASK_ATTEMPTS = 'task_graph.task.attempts';
export const METRIC_TASK_RETRIES = 'task_graph.task.retries';
export const METRIC_TASK_DURATION = 'task_graph.task.duration';
export const METRIC_TASK_QUEUE_WAIT = 'task_graph.task.queue_wait';
export const METRIC_TASKS_RUNNING = 'task_graph.tasks.running';
export const METRIC_STORE_COMMIT_DURATION = 'task_graph.store.commit.duration';
export const METRIC_STORE_COMMIT_SIZE = 'task_graph.store.commit.size';
export const METRIC_TELEMETRY_BUFFER_DEPTH = 'task_graph.telemetry.buffer.depth';
