/**
 * The storage-neutral contract between the engine and a store. The engine never imports a
 * database library: it talks to this interface. Implementations: `MemoryStore` and
 * `SequelizeStore` (SQLite, MySQL/MariaDB and PostgreSQL). One contract suite (test/store-contract.test.ts)
 * runs against each.
 *
 * Rules every implementation keeps:
 * - `commit` writes a whole batch in one transaction or nothing. Re-committing a batch whose
 *   transitions are already stored (same executionId and seq) is a no-op, so a batch retried
 *   after a lost connection is never written twice.
 * - Reads return what was committed, in order: transitions by seq, logs in insertion order.
 * - `pruneExecutions` deletes finished executions only, each with every row it owns, and holds no
 *   lock for long: it works in bounded batches, and other writes go on between them.
 */
import type {
  ClaimedExecution,
  ClaimExpiredOptions,
  CommitBatch,
  CountExecutionsFilter,
  ExecutionCounts,
  ExecutionRecord,
  GetExecutionOptions,
  LastTransitions,
  ListExecutionsFilter,
  ListTransitionsOptions,
  LogRecord,
  PruneCriteria,
  SpanRecord,
  TaskRunRecord,
  TransitionRecord,
} from './records.js';

export interface Store {
  /** 'memory', 'sqlite', 'mysql' (MySQL or MariaDB) or 'postgres'. */
  readonly kind: 'memory' | 'sqlite' | 'mysql' | 'postgres';
  /** Where the data lives, with any password redacted. */
  readonly location: string;

  /** Connects and runs the migrations (unless disabled). Fails with a `StorageError`. */
  open(): Promise<void>;
  /** Flushes nothing (the engine does), closes the connection pool. */
  close(): Promise<void>;

  /** Inserts the execution row and one `pending` task row per task, in one transaction. */
  createExecution(execution: ExecutionRecord, tasks: readonly TaskRunRecord[]): Promise<void>;
  /**
   * Writes one group commit in one transaction: the executions it creates first (an execution
   * already stored is kept as it is: a retried batch), then its transitions (idempotent for
   * transitions already stored), task rows and execution updates.
   */
  commit(batch: CommitBatch): Promise<void>;
  writeLogs(records: readonly LogRecord[]): Promise<void>;
  writeSpans(records: readonly SpanRecord[]): Promise<void>;

  getExecution(id: string, options?: GetExecutionOptions): Promise<ExecutionRecord | null>;
  /** Newest first (by `createdAt`, then by id, descending), then the filter's cursor, offset and limit. */
  listExecutions(filter?: ListExecutionsFilter): Promise<ExecutionRecord[]>;
  /**
   * How many executions match, per status (every status present, 0 when none). Optional: a store
   * without it still runs executions; the dashboard then shows no counts.
   */
  countExecutions?(filter?: CountExecutionsFilter): Promise<ExecutionCounts>;
  listTaskRuns(executionId: string): Promise<TaskRunRecord[]>;
  /**
   * In seq order; with `afterSeq`, only the transitions whose seq is greater (what is new since).
   * With `{ snapshots: false }` a store may leave each record's `snapshot` undefined (not read):
   * snapshots are most of a log's bytes, and verifying or drawing a log needs only its states
   * and events.
   */
  listTransitions(executionId: string, afterSeq?: number, options?: ListTransitionsOptions): Promise<TransitionRecord[]>;
  /**
   * What a resume needs of the log, without reading all of it: the highest committed seq, the
   * last transition of the supervisor and of each of `taskIds` that has one (in seq order), and the
   * snapshot formats and machine versions the log holds.
   */
  listLastTransitions(executionId: string, taskIds: readonly string[]): Promise<LastTransitions>;
  listLogs(executionId: string): Promise<LogRecord[]>;
  listSpans(executionId: string): Promise<SpanRecord[]>;

  /**
   * The store's clock: the database server's time (SQLite and memory: this host's). Leases are
   * computed and compared on it, never on an engine's clock.
   */
  now(): Promise<Date>;
  /**
   * Makes `ownerId` the owner of an unfinished execution, atomically, when it has no owner, it is
   * already `ownerId`'s, its lease has ended (on the store's clock), or `force` is set. The claim
   * increments the execution's fencing token and gives it a lease of `leaseMs` from the store's
   * now. Returns the new fencing token, or null when it did not claim.
   */
  claimExecution(id: string, ownerId: string, leaseMs: number, force: boolean): Promise<number | null>;
  /**
   * Claims up to `limit` unfinished executions of `workflowIds` that nobody holds (no owner, no
   * lease, or a lease ended on the store's clock), oldest first, as `claimExecution` would. Two
   * engines calling it at once never claim the same execution, and neither waits for the rows the
   * other is claiming (`FOR UPDATE SKIP LOCKED` on MySQL/MariaDB and PostgreSQL).
   */
  claimExpired(ownerId: string, options: ClaimExpiredOptions): Promise<ClaimedExecution[]>;
  /** Extends to the store's now + `leaseMs` the lease (and heartbeat) of every unfinished execution owned by `ownerId`. */
  heartbeat(ownerId: string, leaseMs: number): Promise<void>;
  /** Clears the owner and the lease of every execution owned by `ownerId` (on close), or of those of `executionIds` it owns. */
  releaseOwnership(ownerId: string, executionIds?: readonly string[]): Promise<void>;

  /**
   * Deletes the finished executions matching `criteria`, each with its task runs, transitions,
   * logs and spans, in batches of `criteria.batchSize` executions until none matches (or
   * `criteria.signal` aborts), and returns how many executions it deleted. An execution's own rows
   * go before it, so a prune interrupted half-way leaves no orphan rows: the executions it had
   * begun still match, and the next prune finishes them.
   */
  pruneExecutions(criteria: PruneCriteria): Promise<number>;
}
