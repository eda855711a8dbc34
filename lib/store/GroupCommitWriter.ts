/**
 * Group commit: the one path by which transitions reach the store.
 *
 * Entries are queued. An urgent entry (one the scheduler waits for: a task or execution reaching
 * a final state) starts a flush of an idle writer on the next microtask. Other entries (a task
 * starting or backing off) start one only on the next turn of the event loop (setImmediate), so
 * a fast task's `running` and `succeeded` share a commit: a lone chain pays one commit per step.
 * Entries that arrive while a commit is in flight wait and go together into the next one: one
 * transaction, one multi-row insert, however many executions and tasks they come from. After a
 * commit, each entry's `onCommitted` runs in queue order (within an execution; see below for
 * a batch committed apart); only then does the engine act on the transition (release
 * dependents, emit events).
 *
 * A failed commit is sorted by `isTransientStoreError`:
 * - Transient (the connection, a lock): the same batch is retried with capped exponential
 *   backoff until it succeeds (or the writer is abandoned on close). While it fails, `isHealthy`
 *   is false and the engine starts no new task. A retried batch is idempotent in every store:
 *   transitions are keyed by (executionId, seq).
 * - Permanent (a row the database refuses, an execution that does not exist): retrying would
 *   stall every execution of the batch for ever. The batch is committed apart, one transaction
 *   per execution, each with the same rules; an execution whose own batch is still refused
 *   permanently is stopped: its entries (and any queued later) are dropped, nothing of them is
 *   marked committed, and the engine is told to stop its run with a `StorageError`
 *   (code `COMMIT_REFUSED`) naming the cause. The others commit on.
 *
 * New executions go the same way (`create`): their rows are written by the commit that follows, in
 * the same transaction as other executions' transitions, so starting a thousand executions at
 * once costs a few commits, not a thousand; each run begins once its rows are committed.
 *
 * Fencing: every batch names its engine (`ownerId`) and the fencing token it holds each execution
 * under. When another engine has taken an execution over (its lease ended, or a forced resume),
 * the claim moved the token on and the store refuses the batch with `OwnershipLostError`; the
 * writer stops those executions the same way and commits the rest.
 */
import { COMMIT_RETRY_INITIAL_DELAY_MS, COMMIT_RETRY_MAX_DELAY_MS } from '../defaults.js';
import { OwnershipLostError, StorageError, toError } from '../errors.js';
import { isTransientStoreError } from './isTransientStoreError.js';
import type { Store } from './Store.js';
import type { CommitBatch, CreatedExecution, ExecutionUpdate, TaskRunRecord, TransitionRecord } from './records.js';

export interface CommitEntry {
  transition: TransitionRecord;
  taskRun: TaskRunRecord | null;
  execution: ExecutionUpdate | null;
  /** Something waits for this entry: commit it without waiting for the next event-loop turn. */
  urgent: boolean;
  /** Called with the entry's transition once it is committed. */
  onCommitted: (transition: TransitionRecord) => void;
}

/** A new execution waiting for the commit that writes its rows. */
interface CreationEntry {
  created: CreatedExecution;
  resolve: () => void;
  reject: (error: StorageError) => void;
}

type QueuedEntry = CommitEntry | CreationEntry;

export interface GroupCommitWriterOptions {
  /** Called on each transient commit failure, before the retry. */
  onCommitError: (error: unknown, failures: number, retryInMs: number, executionIds: readonly string[]) => void;
  /** Called when entries' callbacks throw (they never should). */
  onCallbackError: (error: unknown) => void;
  /** The engine whose commits these are: the store refuses executions another engine owns. */
  ownerId?: string;
  /**
   * The fencing token the engine holds an execution under (undefined: check the owner only); the
   * store refuses executions claimed since under a newer token.
   */
  fencingTokenOf?: (executionId: string) => number | undefined;
  /** The lease (ms of the store's clock) new executions are created under. */
  leaseMs?: number;
  /**
   * The store will not take this execution's transitions: another engine took it over
   * (`OwnershipLostError`), or it refused them permanently (`StorageError`, code
   * `COMMIT_REFUSED`). Its entries were dropped; stop running it, with `error`.
   */
  onExecutionStopped: (executionId: string, error: StorageError) => void;
  /** Called after each successful store commit: how long it took and how many transitions it wrote. */
  onCommitted?: (durationMs: number, transitions: number) => void;
}

export class GroupCommitWriter {
  private queue: QueuedEntry[] = [];
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

  /**
   * Writes a new execution's rows with the next commit. Resolves once they are committed; rejects
   * if the store refuses them for good (the execution is then stopped like any other).
   */
  create(created: CreatedExecution): Promise<void> {
    return new Promise((resolve, reject) => {
      this.queue.push({ created, resolve, reject });
      this.urgentQueued = true;
      if (!this.flushing) this.startFlush();
    });
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
      const transitions = entries.filter((entry) => !('created' in entry)).length;
      this.stats.entries += transitions;
      this.stats.largestBatch = Math.max(this.stats.largestBatch, transitions);
      for (const entry of entries) {
        try {
          if ('created' in entry) entry.resolve();
          else entry.onCommitted(entry.transition);
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
   * Commits the entries: retries a transient failure until the store takes them, commits them
   * apart after a permanent one, and drops the entries of executions the store will not take.
   * Returns the entries committed.
   */
  private async commitWithRetry(queued: QueuedEntry[]): Promise<QueuedEntry[]> {
    let entries = queued;
    for (;;) {
      try {
        if (entries.length > 0) {
          const batch = toBatch(entries, this.options);
          const began = performance.now();
          await this.store.commit(batch);
          this.options.onCommitted?.(performance.now() - began, batch.transitions.length);
        }
        if (this.failures > 0) {
          this.failures = 0;
          for (const resolve of this.healthyWaiters.splice(0)) resolve();
        }
        return entries;
      } catch (error) {
        if (this.abandoned) return entries;
        if (error instanceof OwnershipLostError) {
          entries = this.stop(entries, error.executionIds, () => error);
          continue;
        }
        if (!isTransientStoreError(error)) return this.commitApart(entries, error);
        this.failures += 1;
        const delay = Math.min(COMMIT_RETRY_MAX_DELAY_MS, COMMIT_RETRY_INITIAL_DELAY_MS * 2 ** (this.failures - 1));
        this.options.onCommitError(error, this.failures, delay, executionIdsOf(entries));
        await new Promise((resolve) => setTimeout(resolve, delay));
      }
    }
  }

  /**
   * After a permanent failure: one commit per execution, so that only the execution the store
   * refuses is stopped. A batch of one execution that failed permanently is that execution's.
   */
  private async commitApart(entries: QueuedEntry[], error: unknown): Promise<QueuedEntry[]> {
    const executionIds = executionIdsOf(entries);
    if (executionIds.length === 1) {
      const executionId = executionIds[0]!;
      this.stop(entries, executionIds, () => commitRefused(executionId, error));
      return [];
    }
    const committed: QueuedEntry[] = [];
    for (const executionId of executionIds) {
      if (this.abandoned) break;
      committed.push(...(await this.commitWithRetry(entries.filter((entry) => executionIdOf(entry) === executionId))));
    }
    return committed;
  }

  /** Drops every entry of these executions, queued or in `entries`, and tells the engine; returns the rest of `entries`. */
  private stop(entries: QueuedEntry[], executionIds: readonly string[], errorFor: (executionId: string) => StorageError): QueuedEntry[] {
    const stopped = new Set(executionIds);
    const isStopped = (entry: QueuedEntry) => stopped.has(executionIdOf(entry));
    for (const entry of [...entries, ...this.queue]) if ('created' in entry && isStopped(entry)) entry.reject(errorFor(executionIdOf(entry)));
    this.queue = this.queue.filter((entry) => !isStopped(entry));
    for (const executionId of executionIds) this.options.onExecutionStopped(executionId, errorFor(executionId));
    return entries.filter((entry) => !isStopped(entry));
  }
}

/** The error an execution's run stops with when the store refuses its commit for good. */
function commitRefused(executionId: string, cause: unknown): StorageError {
  return new StorageError(
    `Execution ${JSON.stringify(executionId)} stopped: the store refused its commit with an error that retrying does not mend` +
      ` (${toError(cause).message}). Nothing of that commit was written; other executions go on. The execution stays as last` +
      ' committed: fix the cause, then resume it.',
    { cause, executionId, code: 'COMMIT_REFUSED' },
  );
}

function executionIdOf(entry: QueuedEntry): string {
  return 'created' in entry ? entry.created.execution.id : entry.transition.executionId;
}

function executionIdsOf(entries: readonly QueuedEntry[]): string[] {
  return [...new Set(entries.map(executionIdOf))];
}

/** One batch from queued entries: all transitions in order, the last row of each task, merged execution updates. */
function toBatch(entries: readonly QueuedEntry[], options: GroupCommitWriterOptions): CommitBatch {
  const { ownerId, fencingTokenOf, leaseMs } = options;
  const created: CreatedExecution[] = [];
  const transitions: TransitionRecord[] = [];
  const taskRuns = new Map<string, TaskRunRecord>();
  const executions = new Map<string, ExecutionUpdate>();
  for (const entry of entries) {
    if ('created' in entry) {
      created.push(entry.created);
      continue;
    }
    transitions.push(entry.transition);
    if (entry.taskRun) taskRuns.set(`${entry.taskRun.executionId}\u0000${entry.taskRun.taskId}`, entry.taskRun);
    if (entry.execution) executions.set(entry.execution.id, { ...executions.get(entry.execution.id), ...entry.execution });
  }
  const batch: CommitBatch = { transitions, taskRuns: [...taskRuns.values()], executions: [...executions.values()] };
  if (created.length > 0) batch.created = created;
  if (ownerId !== undefined) batch.ownerId = ownerId;
  if (leaseMs !== undefined) batch.leaseMs = leaseMs;
  if (fencingTokenOf) {
    const tokens: Record<string, number> = {};
    for (const executionId of executionIdsOf(entries)) {
      const token = fencingTokenOf(executionId);
      if (token !== undefined) tokens[executionId] = token;
    }
    batch.fencingTokens = tokens;
  }
  return batch;
}
