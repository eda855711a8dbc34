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
  CommitBatch,
  CountExecutionsFilter,
  ExecutionCounts,
  ExecutionRecord,
  ListExecutionsFilter,
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

  getExecution(id: string): Promise<ExecutionRecord | null>;
  /** Newest first (by `createdAt`, then by id, descending), then the filter's cursor, offset and limit. */
  listExecutions(filter?: ListExecutionsFilter): Promise<ExecutionRecord[]>;
  /**
   * How many executions match, per status (every status present, 0 when none). Optional: a store
   * without it still runs executions; the dashboard then shows no counts.
   */
  countExecutions?(filter?: CountExecutionsFilter): Promise<ExecutionCounts>;
  listTaskRuns(executionId: string): Promise<TaskRunRecord[]>;
  /** In seq order; with `afterSeq`, only the transitions whose seq is greater (what is new since). */
  listTransitions(executionId: string, afterSeq?: number): Promise<TransitionRecord[]>;
  listLogs(executionId: string): Promise<LogRecord[]>;
  listSpans(executionId: string): Promise<SpanRecord[]>;

  /**
   * Makes `ownerId` the owner of an unfinished execution, atomically, when it has no owner, its
   * owner's heartbeat is older than `staleBefore`, or `force` is set. Returns whether it did.
   */
  claimExecution(id: string, ownerId: string, staleBefore: Date, force: boolean): Promise<boolean>;
  /** Refreshes `heartbeatAt` of every unfinished execution owned by `ownerId`. */
  heartbeat(ownerId: string, at: Date): Promise<void>;
  /** Clears the owner of every execution owned by `ownerId` (on close). */
  releaseOwnership(ownerId: string): Promise<void>;

  /**
   * Deletes the finished executions matching `criteria`, each with its task runs, transitions,
   * logs and spans, in batches of `criteria.batchSize` executions until none matches (or
   * `criteria.signal` aborts), and returns how many executions it deleted. An execution's own rows
   * go before it, so a prune interrupted half-way leaves no orphan rows: the executions it had
   * begun still match, and the next prune finishes them.
   */
  pruneExecutions(criteria: PruneCriteria): Promise<number>;
}
