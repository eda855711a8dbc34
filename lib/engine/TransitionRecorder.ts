/**
 * The persistence listener of one execution: every transition of its actors passes here on its
 * way to the store. It numbers it (the execution's `seq`, gap-free), keeps each task's row as it
 * will be stored and the counts per state (what `progress()` reports), and hands the transition,
 * the row and any change to the execution row to the group-commit writer, with the callback the
 * run acts on once the store has committed it.
 *
 * What is stored with each transition: the actor's snapshot after it (format 2, see
 * snapshotFormat.ts), the event that caused it (as JSON, what `verifyReplay` feeds back), and the
 * facts a reader needs without the snapshot (the retry delay, the error, the skip reason).
 */
import type { EventObject } from 'xstate';
import { EXECUTION_MACHINE_VERSION } from '../../machines/execution.js';
import { TASK_MACHINE_VERSION } from '../../machines/task.js';
import type { TaskMachineContext } from '../../machines/task.js';
import type { GroupCommitWriter } from '../store/GroupCommitWriter.js';
import type { ExecutionStatus, ExecutionUpdate, TaskRunRecord, TaskStatus, TransitionData, TransitionRecord } from '../store/records.js';
import { isTerminalExecutionStatus, isTerminalTaskStatus } from '../store/records.js';
import { compactSnapshot, SNAPSHOT_FORMAT } from './snapshotFormat.js';
import { recordableEvent, taskTransitionData } from './transitionFacts.js';

export type ProgressCounts = Record<TaskStatus, number> & { total: number };

/** An actor's snapshot, as the recorder reads it. */
export interface ActorState {
  status: string;
  value: unknown;
  context: unknown;
}

export class TransitionRecorder {
  private seq: number;
  private readonly rows = new Map<string, TaskRunRecord>();
  private readonly counts: ProgressCounts = { pending: 0, running: 0, retrying: 0, succeeded: 0, failed: 0, skipped: 0, cancelled: 0, total: 0 };

  constructor(
    private readonly executionId: string,
    private readonly writer: GroupCommitWriter,
    rows: readonly TaskRunRecord[],
    lastSeq: number,
  ) {
    this.seq = lastSeq;
    for (const row of rows) {
      this.rows.set(row.taskId, row);
      this.counts[row.status] += 1;
      this.counts.total += 1;
    }
  }

  /** Tasks per state, as recorded (not all of it committed yet). */
  progress(): ProgressCounts {
    return { ...this.counts };
  }

  /** The seq of the last transition recorded. */
  get lastSeq(): number {
    return this.seq;
  }

  /** How many tasks are in `status` now. */
  count(status: TaskStatus): number {
    return this.counts[status];
  }

  row(taskId: string): TaskRunRecord | undefined {
    return this.rows.get(taskId);
  }

  allRows(): IterableIterator<TaskRunRecord> {
    return this.rows.values();
  }

  /** Records a task actor's transition `from → snapshot.value`, caused by `cause`, at `at`. */
  recordTask(
    taskId: string,
    from: string,
    snapshot: ActorState,
    cause: EventObject,
    onCommitted: (transition: TransitionRecord) => void,
    at: Date = new Date(),
  ): TransitionRecord {
    const to = snapshot.value as TaskStatus;
    const task = snapshot.context as TaskMachineContext;
    const transition = this.transition(taskId, from, to, cause, at, snapshot, TASK_MACHINE_VERSION, task.attempt);
    const data = taskTransitionData(to, task);
    if (data) transition.data = { ...transition.data, ...data };
    const row = this.updateRow(taskId, to, task, at);
    this.writer.enqueue({ transition, taskRun: row, execution: null, urgent: isTerminalTaskStatus(to), onCommitted });
    return transition;
  }

  /** Records the supervisor's transition, with the change it makes to the execution row. */
  recordExecution(
    from: string,
    snapshot: ActorState,
    cause: EventObject,
    at: Date,
    update: ExecutionUpdate | null,
    onCommitted: (transition: TransitionRecord) => void,
  ): void {
    const to = String(snapshot.value);
    const transition = this.transition(null, from, to, cause, at, snapshot, EXECUTION_MACHINE_VERSION, 0);
    const urgent = isTerminalExecutionStatus(to as ExecutionStatus);
    this.writer.enqueue({ transition, taskRun: null, execution: update, urgent, onCommitted });
  }

  private transition(
    taskId: string | null,
    from: string,
    to: string,
    cause: EventObject,
    at: Date,
    snapshot: ActorState,
    machineVersion: string,
    attempt: number,
  ): TransitionRecord {
    return {
      executionId: this.executionId,
      seq: ++this.seq,
      taskId,
      from,
      to,
      event: cause.type,
      attempt,
      at,
      data: dataOf(recordableEvent(cause)),
      snapshot: compactSnapshot(snapshot),
      snapshotFormat: SNAPSHOT_FORMAT,
      machineVersion,
    };
  }

  private updateRow(taskId: string, status: TaskStatus, task: TaskMachineContext, at: Date): TaskRunRecord {
    const previous = this.rows.get(taskId)!;
    this.counts[previous.status] -= 1;
    this.counts[status] += 1;
    const row: TaskRunRecord = {
      executionId: previous.executionId,
      taskId,
      status,
      attempt: task.attempt,
      output: status === 'succeeded' ? task.output : null,
      error: status === 'succeeded' ? null : task.error,
      startedAt: previous.startedAt ?? (status === 'running' ? at : null),
      finishedAt: isTerminalTaskStatus(status) ? at : null,
      nextRetryAt: status === 'retrying' && task.retryAt !== null ? new Date(task.retryAt) : null,
    };
    this.rows.set(taskId, row);
    return row;
  }
}

/**
 * `{ event }`, the data every transition stores. The engine's constant events (`task.start`, a
 * succeeded attempt's event) are frozen: their data object is made once and shared, so a large
 * execution in the memory store holds one, not one per transition.
 */
function dataOf(event: EventObject): TransitionData {
  if (!Object.isFrozen(event)) return { event };
  let data = SHARED_DATA.get(event);
  if (!data) SHARED_DATA.set(event, (data = Object.freeze({ event }) as TransitionData));
  return data;
}

const SHARED_DATA = new WeakMap<EventObject, TransitionData>();
