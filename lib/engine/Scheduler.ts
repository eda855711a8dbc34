/**
 * The DAG bookkeeping of one execution, in plain mutable structures (never in machine context,
 * which XState copies on every event): typed arrays indexed by the workflow's task numbers
 * (WorkflowTopology.ts), so a million-task execution costs a few megabytes and no map entries.
 *
 * Each task is in one slot state:
 *   waiting ──(last upstream success committed)──▶ ready ──take()──▶ live ──settle()──▶ done
 *   waiting | ready ──close()──▶ closing ──settle()──▶ done      (skipped or cancelled unstarted)
 *
 * `live` counts the tasks started and not yet settled: the concurrency limit applies to it.
 * A success only counts once the store has committed it (the engine calls `settle` from the
 * commit callback), so no task is ever released on an upstream result the store could lose.
 */
import type { TaskStatus } from '../store/records.js';
import type { Workflow } from '../workflow/Workflow.js';
import { topologyOf } from './WorkflowTopology.js';
import type { WorkflowTopology } from './WorkflowTopology.js';

const WAITING = 0;
const READY = 1;
const LIVE = 2;
const CLOSING = 3;
const DONE = 4;

export class Scheduler {
  private readonly topology: WorkflowTopology;
  private readonly slot: Uint8Array;
  private readonly unmet: Int32Array;
  /** Tasks in the order they became ready; each becomes ready at most once. */
  private readonly readyQueue: Int32Array;
  private readyHead = 0;
  private readyTail = 0;
  live = 0;
  settled = 0;
  /** Tasks waiting or ready: `closeUnstarted` has nothing to scan for once it is 0. */
  private unstarted = 0;
  readonly total: number;

  /**
   * @param known the status of tasks already past `pending` (on resume): terminal ones are done,
   *   the others are live.
   */
  constructor(workflow: Workflow, known: ReadonlyMap<string, TaskStatus> = new Map()) {
    const topology = (this.topology = topologyOf(workflow));
    const count = topology.ids.length;
    this.total = count;
    this.slot = new Uint8Array(count);
    this.unmet = Int32Array.from(topology.inDegree);
    this.readyQueue = new Int32Array(count);
    if (known.size > 0) {
      for (let i = 0; i < count; i++) {
        const status = known.get(topology.ids[i]!) ?? 'pending';
        if (status === 'succeeded') this.forEachDownstream(i, (next) => void (this.unmet[next]! -= 1));
      }
    }
    for (let i = 0; i < count; i++) {
      const status = known.size === 0 ? 'pending' : known.get(topology.ids[i]!) ?? 'pending';
      if (status === 'pending') {
        this.unstarted += 1;
        if (this.unmet[i] === 0) this.makeReady(i);
      } else if (status === 'running' || status === 'retrying') {
        this.slot[i] = LIVE;
        this.live += 1;
      } else {
        this.slot[i] = DONE;
        this.settled += 1;
      }
    }
  }

  get isSettled(): boolean {
    return this.settled === this.total;
  }

  /** The next ready task, now live; undefined when none is ready. */
  take(): string | undefined {
    while (this.readyHead < this.readyTail) {
      const i = this.readyQueue[this.readyHead++]!;
      if (this.slot[i] === READY) {
        this.slot[i] = LIVE;
        this.live += 1;
        this.unstarted -= 1;
        return this.topology.ids[i];
      }
    }
    return undefined;
  }

  get hasReady(): boolean {
    for (let at = this.readyHead; at < this.readyTail; at++) if (this.slot[this.readyQueue[at]!] === READY) return true;
    return false;
  }

  /** A task reached a committed final status. A success may make its dependents ready. */
  settle(id: string, status: TaskStatus): void {
    const i = this.topology.indexOf.get(id);
    if (i === undefined) return;
    const before = this.slot[i];
    if (before === DONE) return;
    if (before === LIVE) this.live -= 1;
    this.slot[i] = DONE;
    this.settled += 1;
    if (status !== 'succeeded') return;
    const { downstreamStart, downstream } = this.topology;
    for (let at = downstreamStart[i]!, end = downstreamStart[i + 1]!; at < end; at++) {
      const next = downstream[at]!;
      if ((this.unmet[next]! -= 1) === 0 && this.slot[next] === WAITING) this.makeReady(next);
    }
  }

  /**
   * Every task downstream of `id` that has not started, each with the upstream that blocks it,
   * now closing (to be skipped). Breadth-first, so each reason names the nearest blocked upstream.
   */
  closeDownstream(id: string): { taskId: string; blockedBy: string }[] {
    const start = this.topology.indexOf.get(id);
    const closed: { taskId: string; blockedBy: string }[] = [];
    if (start === undefined) return closed;
    const queue = [start];
    for (let q = 0; q < queue.length; q++) {
      const from = queue[q]!;
      this.forEachDownstream(from, (next) => {
        if (this.slot[next] !== WAITING && this.slot[next] !== READY) return;
        this.slot[next] = CLOSING;
        this.unstarted -= 1;
        closed.push({ taskId: this.topology.ids[next]!, blockedBy: this.topology.ids[from]! });
        queue.push(next);
      });
    }
    return closed;
  }

  /** A task that has not started, now closing (a fork adopts its recorded success). */
  close(id: string): void {
    const i = this.topology.indexOf.get(id);
    if (i !== undefined && (this.slot[i] === WAITING || this.slot[i] === READY)) {
      this.slot[i] = CLOSING;
      this.unstarted -= 1;
    }
  }

  /** Every task that has not started, now closing (to be cancelled). */
  closeUnstarted(): string[] {
    const closed: string[] = [];
    if (this.unstarted === 0) return closed; // pumped again while cancelling: nothing left to scan
    for (let i = 0; i < this.total; i++) {
      if (this.slot[i] !== WAITING && this.slot[i] !== READY) continue;
      this.slot[i] = CLOSING;
      closed.push(this.topology.ids[i]!);
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

  private makeReady(i: number): void {
    this.slot[i] = READY;
    this.readyQueue[this.readyTail++] = i;
  }

  private forEachDownstream(i: number, visit: (next: number) => void): void {
    const { downstreamStart, downstream } = this.topology;
    for (let at = downstreamStart[i]!, end = downstreamStart[i + 1]!; at < end; at++) visit(downstream[at]!);
  }
}
