/**
 * A store that forwards to another one and can be made to fail, the ways a database fails:
 * - `down`: every commit fails as a lost connection does (a StorageError whose driver error is
 *   mysql2's PROTOCOL_CONNECTION_LOST: transient) and writes nothing;
 * - `refuse(batch)`: returns the error a batch is refused with (nothing of it written), as a
 *   constraint or a trigger refuses a row; see `refusedWith` for one shaped like a driver's;
 * - `loseAcknowledgements`: the next n commits are written, then fail as a lost connection
 *   (the client cannot tell whether its commit landed);
 * - `hold()`: commits wait until the returned function is called (to gather a batch);
 * - `commitDelayMs`: every commit takes that long (a slow disk, a distant server).
 * The wrapped store is open already; closing this one leaves it open (so a later engine can use
 * it) unless `closeInner`.
 */
import { StorageError } from '../../lib/errors.js';
import type { Store } from '../../lib/store/Store.js';
import type { ClaimExpiredOptions, CommitBatch, ExecutionRecord, ListExecutionsFilter, LogRecord, PruneCriteria, SpanRecord, TaskRunRecord } from '../../lib/store/records.js';

/** A StorageError wrapping an error shaped like the driver's (`code`, and mysql2's `fatal` when given). */
export function refusedWith(message: string, driver: { code: string; fatal?: boolean }): StorageError {
  return new StorageError(`Cannot commit (test): ${message}`, { cause: Object.assign(new Error(message), driver) });
}

export class FlakyStore implements Store {
  down = false;
  commitDelayMs = 0;
  /** The error a batch is refused with, or undefined to commit it. */
  refuse: (batch: CommitBatch) => StorageError | undefined = () => undefined;
  /** How many of the next commits are written and then reported failed. */
  loseAcknowledgements = 0;
  /** Called after each successful commit, with the batch. */
  afterCommit: (batch: CommitBatch) => void = () => undefined;
  /** Every batch refused through `refuse`, in order. */
  readonly refused: CommitBatch[] = [];
  /** How many commits wait in `hold()` now. */
  waiting = 0;
  private held: Promise<void> | null = null;

  constructor(
    private readonly inner: Store,
    private readonly closeInner = false,
  ) {}

  /** Makes commits wait until the returned function is called. */
  hold(): () => void {
    let release!: () => void;
    this.held = new Promise((resolve) => (release = resolve));
    return () => {
      this.held = null;
      release();
    };
  }

  get kind() {
    return this.inner.kind;
  }
  get location() {
    return this.inner.location;
  }
  open = async () => undefined;
  close = async () => {
    if (this.closeInner) await this.inner.close();
  };
  createExecution = (execution: ExecutionRecord, tasks: readonly TaskRunRecord[]) => this.inner.createExecution(execution, tasks);
  commit = async (batch: CommitBatch) => {
    if (this.commitDelayMs > 0) await new Promise((resolve) => setTimeout(resolve, this.commitDelayMs));
    while (this.held) {
      this.waiting += 1;
      await this.held.finally(() => (this.waiting -= 1));
    }
    if (this.down) throw refusedWith('the store is down', { code: 'PROTOCOL_CONNECTION_LOST', fatal: true });
    const refusal = this.refuse(batch);
    if (refusal) {
      this.refused.push(batch);
      throw refusal;
    }
    await this.inner.commit(batch);
    if (this.loseAcknowledgements > 0) {
      this.loseAcknowledgements -= 1;
      throw refusedWith('the connection was lost after the commit', { code: 'PROTOCOL_CONNECTION_LOST', fatal: true });
    }
    this.afterCommit(batch);
  };
  writeLogs = (records: readonly LogRecord[]) => this.inner.writeLogs(records);
  writeSpans = (records: readonly SpanRecord[]) => this.inner.writeSpans(records);
  getExecution = (id: string) => this.inner.getExecution(id);
  listExecutions = (filter?: ListExecutionsFilter) => this.inner.listExecutions(filter);
  listTaskRuns = (id: string) => this.inner.listTaskRuns(id);
  listLastTransitions = (id: string, taskIds: readonly string[]) => this.inner.listLastTransitions(id, taskIds);
  listTransitions = (id: string, afterSeq?: number) => this.inner.listTransitions(id, afterSeq);
  listLogs = (id: string) => this.inner.listLogs(id);
  listSpans = (id: string) => this.inner.listSpans(id);
  now = () => this.inner.now();
  claimExecution = (id: string, ownerId: string, leaseMs: number, force: boolean) => this.inner.claimExecution(id, ownerId, leaseMs, force);
  claimExpired = (ownerId: string, options: ClaimExpiredOptions) => this.inner.claimExpired(ownerId, options);
  heartbeat = (ownerId: string, leaseMs: number) => this.inner.heartbeat(ownerId, leaseMs);
  releaseOwnership = (ownerId: string, executionIds?: readonly string[]) => this.inner.releaseOwnership(ownerId, executionIds);
  pruneExecutions = (criteria: PruneCriteria) => this.inner.pruneExecutions(criteria);
}
