/**
 * `replayExecution`: the state of an execution after each of its recorded transitions, folded
 * from the transition log alone.
 *
 * The fold starts where every execution starts: the execution `pending`, every task (the task
 * rows of the execution) `pending` with attempt 0. Each transition then sets the state of the one
 * actor it belongs to: a task transition sets that task's status to `to` and its attempt to the
 * recorded attempt; an execution transition sets the execution's status to `to`, with the
 * supervisor's transient states `cancelling` and `aborting` reported as `running` (as the
 * execution row does). Since the engine writes each task row from the same transition that it
 * logs, the last step equals what `getExecution` reports.
 */
import { ExecutionNotFoundError } from '../errors.js';
import type { ExecutionStatus, TaskStatus, TransitionRecord } from '../store/records.js';
import type { Store } from '../store/Store.js';

export interface ReplayTaskState {
  readonly status: TaskStatus;
  readonly attempt: number;
}

export interface ReplayState {
  status: ExecutionStatus;
  tasks: Record<string, ReplayTaskState>;
}

export interface ReplayStep {
  seq: number;
  transition: TransitionRecord;
  /** The state after this transition: its own `state` and `tasks` objects; the (frozen) task entries are shared between steps. */
  state: ReplayState;
}

/**
 * The execution's state after each recorded transition, in `seq` order.
 *
 * Each step holds a full copy of the task map, so memory grows with tasks × transitions: for a
 * very large execution, fold `store.listTransitions` yourself.
 * @throws ExecutionNotFoundError when the store has no such execution
 * @example
 * const steps = await replayExecution(store, executionId);
 * for (const { seq, transition, state } of steps) {
 *   console.log(seq, transition.taskId ?? '(execution)', transition.to, state.tasks);
 * }
 */
export async function replayExecution(store: Store, executionId: string): Promise<ReplayStep[]> {
  const execution = await store.getExecution(executionId);
  if (!execution) throw new ExecutionNotFoundError(executionId);
  const [taskRuns, transitions] = await Promise.all([store.listTaskRuns(executionId), store.listTransitions(executionId)]);
  let state: ReplayState = { status: 'pending', tasks: {} };
  for (const run of taskRuns) state.tasks[run.taskId] = Object.freeze({ status: 'pending', attempt: 0 });
  const steps: ReplayStep[] = [];
  for (const transition of [...transitions].sort((a, b) => a.seq - b.seq)) {
    state = applyTransition(state, transition);
    steps.push({ seq: transition.seq, transition, state });
  }
  return steps;
}

/** The state after one transition; `state` is left as it was. */
export function applyTransition(state: ReplayState, transition: TransitionRecord): ReplayState {
  if (transition.taskId === null) return { status: toExecutionStatus(transition.to), tasks: { ...state.tasks } };
  return {
    status: state.status,
    tasks: { ...state.tasks, [transition.taskId]: Object.freeze({ status: transition.to as TaskStatus, attempt: transition.attempt }) },
  };
}

/** The supervisor's state value as an execution status: `cancelling` and `aborting` are `running`. */
export function toExecutionStatus(value: string): ExecutionStatus {
  return value === 'cancelling' || value === 'aborting' ? 'running' : (value as ExecutionStatus);
}
