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
  /**
   * The whole execution's state after this transition. Computed when read (from per-task
   * histories, O(tasks · log transitions)), so a replay of a large execution holds only the log:
   * a copy of every task's state at every step would be tasks × transitions (200 million entries
   * for 10,000 tasks, measured out of memory). Each read returns a new object.
   */
  readonly state: ReplayState;
}

/**
 * The execution's state after each recorded transition, in `seq` order.
 * @throws ExecutionNotFoundError when the store has no such execution
 * @example
 * const steps = await replayExecution(store, executionId);
 * for (const { seq, transition, state } of steps) {
 *   console.log(seq, transition.taskId ?? '(execution)', transition.to, state.status);
 * }
 */
export async function replayExecution(store: Store, executionId: string): Promise<ReplayStep[]> {
  const execution = await store.getExecution(executionId, { graph: false });
  if (!execution) throw new ExecutionNotFoundError(executionId);
  const [taskRuns, transitions] = await Promise.all([store.listTaskRuns(executionId), store.listTransitions(executionId)]);
  const ordered = [...transitions].sort((a, b) => a.seq - b.seq);
  const histories = new Map<string, TaskHistory>(taskRuns.map((run) => [run.taskId, { seqs: [], states: [] }]));
  const executionStatuses: ExecutionStatus[] = [];
  let status: ExecutionStatus = 'pending';
  for (const transition of ordered) {
    if (transition.taskId === null) status = toExecutionStatus(transition.to);
    else {
      let history = histories.get(transition.taskId);
      if (!history) histories.set(transition.taskId, (history = { seqs: [], states: [] }));
      history.seqs.push(transition.seq);
      history.states.push(Object.freeze({ status: transition.to as TaskStatus, attempt: transition.attempt }));
    }
    executionStatuses.push(status);
  }
  return ordered.map((transition, index) => {
    const step = { seq: transition.seq, transition } as ReplayStep;
    Object.defineProperty(step, 'state', {
      enumerable: true,
      get: () => stateAt(histories, executionStatuses[index]!, transition.seq),
    });
    return step;
  });
}

interface TaskHistory {
  seqs: number[];
  states: ReplayTaskState[];
}

const PENDING: ReplayTaskState = Object.freeze({ status: 'pending', attempt: 0 });

function stateAt(histories: ReadonlyMap<string, TaskHistory>, status: ExecutionStatus, seq: number): ReplayState {
  const tasks: Record<string, ReplayTaskState> = {};
  for (const [taskId, { seqs, states }] of histories) {
    const index = lastIndexAtOrBefore(seqs, seq);
    tasks[taskId] = index < 0 ? PENDING : states[index]!;
  }
  return { status, tasks };
}

/** Binary search: the index of the last element <= `seq`, or -1. */
function lastIndexAtOrBefore(sorted: readonly number[], seq: number): number {
  let low = 0;
  let high = sorted.length - 1;
  let found = -1;
  while (low <= high) {
    const middle = (low + high) >> 1;
    if (sorted[middle]! <= seq) {
      found = middle;
      low = middle + 1;
    } else high = middle - 1;
  }
  return found;
}

/** The supervisor's state value as an execution status: `cancelling` and `aborting` are `running`. */
export function toExecutionStatus(value: string): ExecutionStatus {
  return value === 'cancelling' || value === 'aborting' ? 'running' : (value as ExecutionStatus);
}
