/**
 * What a recorded transition says to the outside: the event it is emitted as, the facts stored
 * with it (`data`), and the execution row's outcome fields when the execution ends.
 */
import type { EventObject } from 'xstate';
import type { TaskMachineContext } from '../../machines/task.js';
import type { SerializedError } from '../errors.js';
import type { ExecutionStatus, TaskRunRecord, TransitionData, TransitionRecord } from '../store/records.js';
import type { EngineEvent, ExecutionEventName, TaskEventName } from '../telemetry/EngineEvents.js';
import type { Workflow } from '../workflow/Workflow.js';

/** The engine event a committed transition is emitted as. */
export function toEngineEvent(transition: TransitionRecord, workflowId: string, type: EngineEvent['type']): EngineEvent {
  return {
    type,
    executionId: transition.executionId,
    workflowId,
    taskId: transition.taskId,
    attempt: transition.attempt,
    seq: transition.seq,
    timestamp: transition.at,
    data: transition.data as Record<string, unknown> | null,
  };
}

/** The type of the engine event a transition is emitted as, or null (internal states). */
export function engineEventType({ taskId, to }: TransitionRecord): ExecutionEventName | TaskEventName | null {
  if (taskId === null) {
    if (to === 'running') return 'execution.started';
    if (to === 'succeeded' || to === 'failed' || to === 'cancelled') return `execution.${to}`;
    return null;
  }
  if (to === 'pending') return null;
  return `task.${to}` as TaskEventName;
}

/**
 * The event as stored in `data.event`. A successful attempt's event drops the task's output: the
 * snapshot recorded with the same transition holds it, and replaying only needs the outcome's
 * kind (so a 1 MiB output is not stored a third time). A failed attempt's event drops its error's
 * stack, which `data.error` holds beside it (replaying needs none of it).
 */
export function recordableEvent(event: EventObject): EventObject {
  const outcome = (event as { outcome?: { kind?: unknown; error?: SerializedError } }).outcome;
  if (event.type === 'attempt.done' && outcome?.kind === 'succeeded') return SUCCEEDED_ATTEMPT;
  if (event.type === 'attempt.done' && outcome?.error?.stack !== undefined) {
    const { stack: _stack, ...error } = outcome.error;
    return { ...event, outcome: { ...outcome, error } } as EventObject;
  }
  return event;
}

const SUCCEEDED_ATTEMPT = Object.freeze({ type: 'attempt.done', outcome: Object.freeze({ kind: 'succeeded', output: '(stored in the snapshot)' }) });

/** The facts recorded with a task's transition: the retry delay chosen, the error, the reason. */
export function taskTransitionData(to: string, task: TaskMachineContext): TransitionData | null {
  if (to === 'retrying' && task.retryAt !== null) {
    return { delayMs: task.retryDelayMs ?? 0, retryAt: new Date(task.retryAt).toISOString(), ...(task.error ? { error: task.error } : {}) };
  }
  if ((to === 'failed' || to === 'skipped' || to === 'cancelled') && task.error) {
    return to === 'failed' ? { error: task.error } : { reason: task.error.message };
  }
  return null;
}

/** Why an execution failed or was cancelled, as stored on its row. */
export function executionError(status: ExecutionStatus, reason: string | null, rows: Iterable<TaskRunRecord>): SerializedError | null {
  if (status === 'cancelled') return { name: 'ExecutionCancelled', message: reason ?? 'cancelled', code: 'EXECUTION_CANCELLED' };
  if (status !== 'failed') return null;
  const failed = [...rows].filter((row) => row.status === 'failed');
  const first = failed[0];
  const detail = first?.error ? `: ${first.error.name}: ${first.error.message}` : '';
  const message = `${failed.length} task(s) failed (${failed.map((row) => JSON.stringify(row.taskId)).join(', ')})${detail}`;
  return { name: 'ExecutionFailed', message, code: 'EXECUTION_FAILED' };
}

/** The execution row's `output`: the outputs of the succeeded leaf tasks (those nothing depends on). */
export function leafOutputs(workflow: Workflow, rowOf: (taskId: string) => TaskRunRecord): Record<string, unknown> {
  const output: Record<string, unknown> = {};
  for (const [taskId, downstream] of workflow.downstream) {
    const row = rowOf(taskId);
    if (downstream.length === 0 && row.status === 'succeeded') output[taskId] = row.output;
  }
  return output;
}
