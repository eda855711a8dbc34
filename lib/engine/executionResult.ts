/**
 * The shape an execution is reported in, by `execute`, `handle.result` and `getExecution`, built
 * from the execution row and its task rows.
 */
import type { SerializedError } from '../errors.js';
import type { ExecutionRecord, ExecutionStatus, TaskRunRecord, TaskStatus } from '../store/records.js';

export interface TaskResult {
  status: TaskStatus;
  /** Attempts started (0 for a task that never ran). */
  attempts: number;
  output?: unknown;
  error?: SerializedError;
  startedAt?: Date;
  finishedAt?: Date;
  /** Absolute deadline of the pending retry, while `retrying`. */
  nextRetryAt?: Date;
}

export interface ExecutionResult {
  id: string;
  workflowId: string;
  workflowVersion: string;
  status: ExecutionStatus;
  input: unknown;
  tasks: Record<string, TaskResult>;
  /** Outputs of the succeeded tasks, by task id. */
  outputs: Record<string, unknown>;
  /** Why the execution failed or was cancelled. */
  error?: SerializedError;
  createdAt: Date;
  startedAt?: Date;
  finishedAt?: Date;
}

export function toTaskResult(row: TaskRunRecord): TaskResult {
  const result: TaskResult = { status: row.status, attempts: row.attempt };
  if (row.status === 'succeeded') result.output = row.output;
  if (row.error) result.error = row.error;
  if (row.startedAt) result.startedAt = row.startedAt;
  if (row.finishedAt) result.finishedAt = row.finishedAt;
  if (row.nextRetryAt) result.nextRetryAt = row.nextRetryAt;
  return result;
}

export function buildExecutionResult(record: ExecutionRecord, rows: Iterable<TaskRunRecord>, order?: readonly string[]): ExecutionResult {
  const byId = new Map<string, TaskRunRecord>();
  for (const row of rows) byId.set(row.taskId, row);
  const ids = order ?? [...byId.keys()];
  const tasks: Record<string, TaskResult> = {};
  const outputs: Record<string, unknown> = {};
  for (const id of ids) {
    const row = byId.get(id);
    if (!row) continue;
    tasks[id] = toTaskResult(row);
    if (row.status === 'succeeded') outputs[id] = row.output;
  }
  const result: ExecutionResult = {
    id: record.id,
    workflowId: record.workflowId,
    workflowVersion: record.workflowVersion,
    status: record.status,
    input: record.input,
    tasks,
    outputs,
    createdAt: record.createdAt,
  };
  if (record.error) result.error = record.error;
  if (record.startedAt) result.startedAt = record.startedAt;
  if (record.finishedAt) result.finishedAt = record.finishedAt;
  return result;
}
