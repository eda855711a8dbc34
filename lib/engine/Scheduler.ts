/**
 * The DAG bookkeeping of one execution, in plain mutable structures (never in machine context,
 * which XState copies on every event).
 *
 * Each task is in one slot state:
 *   waiting ──(last upstream success committed)──▶ ready ──take()──▶ live ──settle()──▶ done
 *   waiting | ready ──close()──▶ closing ──settle()──▶ done      (skipped or cancelled unstarted)
 *
 * `live` counts the tasks started and not yet settled: the concurrency limit applies to it.
 * A success only counts once the store has committed it (the engine calls `settle` from the
 * commit callback), so no task is ever released on an upstream result the store could lose.
 */
import type { Workflow } from '../workflow/Workflow.js';
import type { TaskStatus } from '../store/records.js';

type Slot = 'waiting' | 'ready' | 'live' | 'closing' | 'done';

export class Scheduler {
  private readonly slot = new Map<string, Slot>();
  private readonly unmet = new Map<string, number>();
  private readonly readyQueue: string[] = [];
  private readyHead = 0;
  live = 0;
  settled = 0;
  /** Tasks waiting or ready: `closeUnstarted` has nothing to scan for once it is 0. */
  private unstarted = 0;
  readonly total: number;

  /**
   * @param known the status of tasks already past `pending` (on resume): terminal ones are done,
   *   the others are live.
   */
  constructor(
    private readonly workflow: Workflow,
    known: ReadonlyMap<string, TaskStatus> = new Map(),
  ) {
    this.total = workflow.tasks.size;
    for (const id of workflow.topologicalOrder) {
      const status = known.get(id) ?? 'pending';
      if (status === 'pending') {
        const unmet = workflow.upstream.get(id)!.filter((up) => known.get(up) !== 'succeeded').length;
        this.unmet.set(id, unmet);
        this.slot.set(id, unmet === 0 ? 'ready' : 'waiting');
        this.unstarted += 1;
        if (unmet === 0) this.readyQueue.push(id);
      } else if (status === 'running' || status === 'retrying') {
        this.slot.set(id, 'live');
        this.live += 1;
      } else {
        this.slot.set(id, 'done');
        this.settled += 1;
      }
    }
  }

  get isSettled(): boolean {
    return this.settled === this.total;
  }

  /** The next ready task, now live; undefined when none is ready. */
  take(): string | undefined {
    while (this.readyHead < this.readyQueue.length) {
      const id = this.readyQueue[this.readyHead++]!;
      if (this.slot.get(id) === 'ready') {
        this.slot.set(id, 'live');
        this.live += 1;
        this.unstarted -= 1;
        return id;
      }
    }
    return undefined;
  }

  get hasReady(): boolean {
    for (let i = this.readyHead; i < this.readyQueue.length; i++) if (this.slot.get(this.readyQueue[i]!) === 'ready') return true;
    return false;
  }

  /** A task reached a committed final status. A success may make its dependents ready. */
  settle(id: string, status: TaskStatus): void {
    const before = this.slot.get(id);
    if (before === 'done' || before === undefined) return;
    if (before === 'live') this.live -= 1;
    this.slot.set(id, 'done');
    this.settled += 1;
    if (status !== 'succeeded') return;
    for (const next of this.workflow.downstream.get(id)!) {
      const remaining = this.unmet.get(next)! - 1;
      this.unmet.set(next, remaining);
      if (remaining === 0 && this.slot.get(next) === 'waiting') {
        this.slot.set(next, 'ready');
        this.readyQueue.push(next);
      }
    }
  }

  /**
   * Every task downstream of `id` that has not started, each with the upstream that blocks it,
   * now closing (to be skipped). Breadth-first, so each reason names the nearest blocked upstream.
   */
  closeDownstream(id: string): { taskId: string; blockedBy: string }[] {
    const closed: { taskId: string; blockedBy: string }[] = [];
    const queue = [id];
    for (let i = 0; i < queue.length; i++) {
      const from = queue[i]!;
      for (const next of this.workflow.downstream.get(from)!) {
        const slot = this.slot.get(next);
        if (slot !== 'waiting' && slot !== 'ready') continue;
        this.slot.set(next, 'closing');
        this.unstarted -= 1;
        closed.push({ taskId: next, blockedBy: from });
        queue.push(next);
      }
    }
    return closed;
  }

  /** A task that has not started, now closing (a fork adopts its recorded success). */
  close(id: string): void {
    const slot = this.slot.get(id);
    if (slot === 'waiting' || slot === 'ready') {
      this.slot.set(id, 'closing');
      this.unstarted -= 1;
    }
  }

  /** Every task that has not started, now closing (to be cancelled). */
  closeUnstarted(): string[] {
    const closed: string[] = [];
    if (this.unstarted === 0) return closed; // pumped again while cancelling: nothing left to scan
    for (const [id, slot] of this.slot) {
      if (slot !== 'waiting' && slot !== 'ready') continue;
      this.slot.set(id, 'closing');
      closed.push(id);
    }
    this.unstarted = 0;
    return closed;
  }

  /**
   * On resume: pending tasks that can never run because an upstream is already failed, skipped or
   * cancelled (the crash came between the failure and the skips), now closing.
   */
  closeBlocked(known: ReadonlyMap<string, TaskStatus>): { taskId: string; blockedBy: string }[] {
    const closed: { taskId: string; blockedBy: string }[] = [];
    for (const [id, status] of known) {
      if (status === 'failed' || status === 'skipped' || status === 'cancelled') closed.push(...this.closeDownstream(id));
    }
    return closed;
  }
}
