/**
 * The public API of task-graph, by name. Anything not exported here is internal.
 */
export { createEngine } from './engine/createEngine.js';
export { createWorkflow } from './workflow/createWorkflow.js';
export type { Engine, ExecutionDetails } from './engine/Engine.js';
export type { ForkOptions } from './engine/forkExecution.js';
export type { ResumeOptions, ResumeAllResult } from './engine/resumeExecution.js';
export type { PublishedWorkflow } from './engine/WorkflowRegistry.js';
export type { EngineOptions, ExecuteOptions, SubmitOptions, WaitForOptions } from './engine/engineOptions.js';
export type { RedisConnection } from './remote/RedisConnection.js';
export type { FinishedExecutionStatus, PruneOptions, PruneResult } from './engine/pruneOptions.js';
export type { RetentionOptions } from './engine/Retention.js';
export type { ExecutionHandle } from './engine/ExecutionHandle.js';
export type { ExecutionResult, TaskResult } from './engine/executionResult.js';
export type { ProgressCounts } from './engine/TransitionRecorder.js';
export type { ExecutionProgress } from './engine/ProgressReporter.js';
export { backoffDelay } from './engine/retryPolicy.js';
export { MAX_ID_LENGTH } from './defaults.js';
export {
  TaskGraphError,
  DashboardRequestError,
  WorkflowValidationError,
  WorkflowNotFoundError,
  ExecutionNotFoundError,
  NonRetryableError,
  TaskTimeoutError,
  TaskOutputError,
  EngineClosedError,
  InvalidOptionsError,
  StorageError,
  OwnershipLostError,
  ResumeError,
  toError,
  isNonRetryableError,
} from './errors.js';
export type { SerializedError } from './errors.js';
export type { Store } from './store/Store.js';
export type {
  CommitBatch,
  CountExecutionsFilter,
  ExecutionCounts,
  CreatedExecution,
  ExecutionUpdate,
  TransitionData,
  WorkflowGraph,
  ExecutionRecord,
  ExecutionStatus,
  FailurePolicy,
  ListExecutionsFilter,
  ListTransitionsOptions,
  GetExecutionOptions,
  LogRecord,
  PruneCriteria,
  SpanRecord,
  TaskRunRecord,
  TaskStatus,
  TransitionRecord,
} from './store/records.js';
export type { EngineEvent, EngineEventEmitter, EngineEventListener, ExecutionEventName, TaskEventName } from './telemetry/EngineEvents.js';
export type { EngineMetricsSnapshot, MetricSummary } from './telemetry/otel/EngineMetrics.js';
export type { WorkflowBuilder } from './workflow/WorkflowBuilder.js';
export type { Workflow } from './workflow/Workflow.js';
export type { Jitter, RetryPolicy, TaskContext, TaskFunction, TaskOptions, WorkflowOptions } from './workflow/types.js';
export { exportStatechart } from './inspect/exportStatechart.js';
export { createDashboard } from './dashboard/createDashboard.js';
export type { Dashboard, DashboardOptions } from './dashboard/createDashboard.js';
export type { DashboardSourceInput } from './dashboard/DashboardSource.js';
export type { StatechartFormat } from './inspect/exportStatechart.js';
export type { InspectFormat } from './inspect/inspectExecution.js';
export type { ReplayState, ReplayStep, ReplayTaskState } from './inspect/replay.js';
export type { ReplayDivergence, ReplayMachines, VerifyReplayResult } from './inspect/verifyReplay.js';
export { taskMachine } from '../machines/task.js';
export { executionMachine } from '../machines/execution.js';
