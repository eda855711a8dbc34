/**
 * Group commit: the one path by which transitions reach the store.
 *
 * Entries are queued. An urgent entry (one the scheduler waits for: a task or execution reaching
 * a final state) starts a flush of an idle writer on the next microtask. Other entries (a task
 * starting or backing off) start one only on the next turn of the event loop (setImmediate), so
 * a fast task's `running` and `succeeded` share a commit: a lone chain pays one commit per step.
 * Entries that arrive while a commit is in flight wait and go together into the next one: one
 * transaction, one multi-row insert, however many executions and tasks they come from. After a
 * commit, each entry's `onCommitted` runs in queue order; only then does the engine act on the
 * transition (release dependents, emit events).
 *
 * A failed commit is retried with capped exponential backoff until it succeeds (or the writer is
 * abandoned on close). While it fails, `isHealthy` is false and the engine starts no new task.
 * A retried batch is idempotent in every store: transitions are keyed by (executionId, seq).
 *
 * Fencing: every batch names its engine (`ownerId`). When another engine has taken an execution
 * over (resume after this one was presumed dead), the store refuses the batch; the writer drops
 * that execution's entries, tells the engine to stop running it, and commits the rest.
 */
import { COMMIT_RETRY_INITIAL_DELAY_MS, COMMIT_RETRY_MAX_DELAY_MS } from '../defaults.js';
import { OwnershipLostError } from '../errors.js';
import type { Store } from './Store.js';
import type { CommitBatch, ExecutionUpdate, TaskRunRecord, TransitionRecord } from './records.js';

export interface CommitEntry {
  transition: TransitionRecord;
  taskRun: TaskRunRecord | null;
  execution: ExecutionUpdate | null;
  /** Something waits for this entry: commit it without waiting for the next event-loop turn. */
  urgent: boolean;
  onCommitted: () => void;
}

export interface GroupCommitWriterOptions {
  /** Called on each failed commit before the retry. */
  onCommitError: (error: unknown, failures: number, retryInMs: number, executionIds: readonly string[]) => void;
  /** Called when entries' callbacks throw (they never should). */
  onCallbackError: (error: unknown) => void;
  /** The engine whose commits these are: the store refuses executions another engine owns. */
  ownerId?: string;
  /** Executions taken over by another engine: their entries were dropped; stop running them. */
  onOwnershipLost: (error: OwnershipLostError) => void;
}

export class GroupCommitWriter {
  private queue: CommitEntry[] = [];
  private flushing: Promise<void> | null = null;
  private lazyFlush: NodeJS.Immediate | null = null;
  private urgentQueued = false;
  private failures = 0;
  private abandoned = false;
  private healthyWaiters: (() => void)[] = [];
  /** Commits done and entries written, for stats and benchmarks. */
  readonly stats = { commits: 0, entries: 0, largestBatch: 0 };

  constructor(
    private readonly store: Store,
    private readonly options: GroupCommitWriterOptions,
  ) {}

  /** False while the store cannot commit. */
  get isHealthy(): boolean {
    return this.failures === 0;
  }

  enqueue(entry: CommitEntry): void {
    this.queue.push(entry);
    if (entry.urgent) this.urgentQueued = true;
    if (this.flushing) return;
    if (entry.urgent) this.startFlush();
    else this.lazyFlush ??= setImmediate(() => this.startFlush());
  }

  /** Resolves once every entry queued so far is committed. */
  async flush(): Promise<void> {
    if (this.queue.length > 0) this.startFlush();
    while (this.flushing) await this.flushing;
  }

  private startFlush(): void {
    if (this.lazyFlush) clearImmediate(this.lazyFlush);
    this.lazyFlush = null;
    this.flushing ??= this.flushLoop();
  }

  /** Resolves when the store commits again (at once if it does now). */
  whenHealthy(): Promise<void> {
    if (this.isHealthy) return Promise.resolve();
    return new Promise((resolve) => this.healthyWaiters.push(resolve));
  }

  /** Stops retrying a failing commit (used by close after its grace period). */
  abandon(): void {
    this.abandoned = true;
  }

  private async flushLoop(): Promise<void> {
    await Promise.resolve(); // let the current synchronous burst join this commit
    while (this.queue.length > 0 && !this.abandoned) {
      const queued = this.queue;
      this.queue = [];
      this.urgentQueued = false;
      const entries = await this.commitWithRetry(queued);
      if (this.abandoned) break;
      this.stats.commits += 1;
      this.stats.entries += entries.length;
      this.stats.largestBatch = Math.max(this.stats.largestBatch, entries.length);
      for (const entry of entries) {
        try {
          entry.onCommitted();
        } catch (error) {
          this.options.onCallbackError(error);
        }
      }
      if (!this.urgentQueued) break; // what is left can wait for the next turn (and company)
    }
    this.flushing = null;
    if (this.queue.length > 0 && !this.abandoned) this.lazyFlush ??= setImmediate(() => this.startFlush());
  }

  /**
   * Commits the entries, retrying until the store takes them. Entries of executions another
   * engine has taken over are dropped (and reported): the rest is committed without them.
   * Returns the entries committed.
   */
  private async commitWithRetry(queued: CommitEntry[]): Promise<CommitEntry[]> {
    let entries = queued;
    for (;;) {
      try {
        if (entries.length > 0) await this.store.commit(toBatch(entries, this.options.ownerId));
        if (this.failures > 0) {
          this.failures = 0;
          for (const resolve of this.healthyWaiters.splice(0)) resolve();
        }
        return entries;
      } catch (error) {
        if (this.abandoned) return entries;
        if (error instanceof OwnershipLostError) {
          const lost = new Set(error.executionIds);
          entries = entries.filter((entry) => !lost.has(entry.transition.executionId));
          this.queue = this.queue.filter((entry) => !lost.has(entry.transition.executionId));
          this.options.onOwnershipLost(error);
          continue;
        }
        this.failures += 1;
        const delay = Math.min(COMMIT_RETRY_MAX_DELAY_MS, COMMIT_RETRY_INITIAL_DELAY_MS * 2 ** (this.failures - 1));
        this.options.onCommitError(error, this.failures, delay, [...new Set(entries.map((entry) => entry.transition.executionId))]);
        await new Promise((resolve) => setTimeout(resolve, delay));
      }
    }
  }
}

/** One batch from queued entries: all transitions in order, the last row of each task, merged execution updates. */
function toBatch(entries: readonly CommitEntry[], ownerId: string | undefined): CommitBatch {
  const taskRuns = new Map<string, TaskRunRecord>();
  const executions = new Map<string, ExecutionUpdate>();
  for (const { taskRun, execution } of entries) {
    if (taskRun) taskRuns.set(`${taskRun.executionId}\u0000${taskRun.taskId}`, taskRun);
    if (execution) executions.set(execution.id, { ...executions.get(execution.id), ...execution });
  }
  const batch: CommitBatch = { transitions: entries.map((entry) => entry.transition), taskRuns: [...taskRuns.values()], executions: [...executions.values()] };
  if (ownerId !== undefined) batch.ownerId = ownerId;
  return batch;
}
