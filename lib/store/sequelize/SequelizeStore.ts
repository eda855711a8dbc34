/**
 * The `Store` on SQLite (a file, or in memory), MySQL/MariaDB and PostgreSQL, through Sequelize.
 *
 * Lifecycle: `new SequelizeStore({ url })` only parses the URL; `open()` connects (creating a
 * missing MySQL or PostgreSQL database, or SQLite directory), refuses a server too old
 * (checkServerVersion.ts) and runs the pending migrations; `close()` closes
 * the connections. Every other method needs an open store.
 *
 * Each write is one transaction: `createExecution` (execution row and task rows), `commit` (the
 * transitions, task rows and execution updates of one group commit), `writeLogs`, `writeSpans`.
 * `pruneExecutions` is many short ones, so that commits go on between them (see
 * pruneRepository.ts). The SQL of each table lives in its repository module, which receives the
 * transaction.
 *
 * On SQLite the store runs one operation at a time (SQLite has one writer anyway, and its
 * in-memory database is a single connection that two transactions cannot share).
 *
 * Every failure surfaces as a `StorageError` with the driver's error as `cause` (what
 * `isTransientStoreError` reads); the engine retries a commit that failed for a transient reason,
 * which is safe because commits are idempotent for transitions.
 */
import { Transaction } from 'sequelize';
import type { Sequelize } from 'sequelize';
import { StorageError } from '../../errors.js';
import type { Store } from '../Store.js';
import type {
  ClaimedExecution,
  ClaimExpiredOptions,
  CountExecutionsFilter,
  ExecutionCounts,
  CommitBatch,
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
} from '../records.js';
import { checkServerVersion } from './checkServerVersion.js';
import { connectDatabase, describeCause } from './connectDatabase.js';
import { execute } from './rawStatements.js';
import type { SqlLogger } from './createSequelize.js';
import { defineModels } from './defineModels.js';
import type { StoreModels } from './defineModels.js';
import { checkOwnership, countExecutionRecords, findExecution, insertExecutions, listExecutionRecords, updateExecutions } from './executionRepository.js';
import { claimExpiredBatch, claimOne, createdLeaseStatement, databaseNow, extendLeases, releaseLeases } from './leaseRepository.js';
import { insertLogs, listLogRecords } from './logRepository.js';
import { Mutex } from './Mutex.js';
import { commitOnMysql } from './mysqlCommit.js';
import { commitOnSqlite } from './sqliteCommit.js';
import { parseStorageUrl } from './parseStorageUrl.js';
import { deletePrunedRows, findPruneBoundary, selectPrunableIds } from './pruneRepository.js';
import type { PruneBoundary } from './pruneRepository.js';
import { resolvePruneCriteria } from '../resolvePruneCriteria.js';
import type { SqlDialect, StorageTarget } from './parseStorageUrl.js';
import { runMigrations } from './runMigrations.js';
import { listSpanRecords, upsertSpans } from './spanRepository.js';
import { insertTaskRuns, listTaskRunRecords, upsertTaskRuns } from './taskRunRepository.js';
import { appendTransitions, listLastTransitionRecords, listTransitionRecords } from './transitionRepository.js';

export interface SequelizeStoreOptions {
  /** `sqlite::memory:`, `sqlite:<path>`, `mysql://user:password@host:port/database` or `postgres://…` (same form). */
  url: string;
  /**
   * Bring the schema up to date on `open()`.
   * @defaultValue true
   */
  runMigrations?: boolean;
  /**
   * Where Sequelize logs each SQL statement (with its duration in ms).
   * @defaultValue false
   */
  logging?: false | SqlLogger;
}

/**
 * Claims, heartbeats and releases run under READ COMMITTED (PostgreSQL's default; on MySQL/MariaDB
 * instead of REPEATABLE READ): their locking reads and UPDATEs then lock the rows they take, not
 * the gaps of the index ranges they scan, which new executions inserted at the same moment would
 * otherwise deadlock with (measured: 100 submits racing three engines' recovery scans on MariaDB).
 */
const OWNERSHIP_ISOLATION = 'read committed' as const;

interface Connection {
  sequelize: Sequelize;
  models: StoreModels;
}

/**
 * @example
 * const store = new SequelizeStore({ url: 'sqlite:./.task-graph/task-graph.db' });
 * await store.open();
 * const runs = await store.listExecutions({ status: 'running' });
 * await store.close();
 */
export class SequelizeStore implements Store {
  readonly kind: SqlDialect;
  readonly location: string;
  // The target holds the password, and so does the Sequelize instance (its config, and every
  // pooled connection's): #private fields, which util.inspect never shows, keep it out of
  // anything that prints the store or an engine holding it.
  readonly #target: StorageTarget;
  #connection: Connection | null = null;
  private readonly runMigrations: boolean;
  private readonly logging: false | SqlLogger;
  private readonly mutex: Mutex | null;
  private opening: Promise<void> | null = null;

  constructor(options: SequelizeStoreOptions) {
    this.#target = parseStorageUrl(options.url);
    this.kind = this.#target.dialect;
    this.location = this.#target.location;
    this.runMigrations = options.runMigrations ?? true;
    this.logging = options.logging ?? false;
    this.mutex = this.kind === 'sqlite' ? new Mutex() : null;
  }

  async open(): Promise<void> {
    if (this.#connection) return;
    this.opening ??= this.connect().finally(() => {
      this.opening = null;
    });
    return this.opening;
  }

  async close(): Promise<void> {
    await this.opening?.catch(() => undefined);
    const connection = this.#connection;
    if (!connection) return;
    this.#connection = null;
    const close = () => connection.sequelize.close();
    await (this.mutex ? this.mutex.run(close) : close());
  }

  async createExecution(execution: ExecutionRecord, tasks: readonly TaskRunRecord[]): Promise<void> {
    await this.transaction('create execution', execution.id, async (models, transaction) => {
      await insertExecutions(models, [execution], transaction);
      await insertTaskRuns(models, tasks, transaction);
    });
  }

  async commit(batch: CommitBatch): Promise<void> {
    const created = batch.created ?? [];
    if (created.length === 0 && batch.transitions.length === 0 && batch.taskRuns.length === 0 && batch.executions.length === 0) return;
    if (this.kind === 'mysql') return this.run('commit', soleExecutionId(batch), (_, sequelize) => commitOnMysql(sequelize, batch));
    if (this.kind === 'sqlite') return this.run('commit', soleExecutionId(batch), (_, sequelize) => commitOnSqlite(sequelize, batch));
    await this.transaction('commit', soleExecutionId(batch), async (models, transaction) => {
      if (created.length > 0) {
        // 'keep': a batch retried after a lost acknowledgement finds its executions already there.
        await insertExecutions(models, created.map(({ execution }) => execution), transaction, 'keep');
        await insertTaskRuns(models, created.flatMap(({ tasks }) => tasks), transaction, 'keep');
        if (batch.ownerId !== undefined && batch.leaseMs !== undefined) {
          const lease = createdLeaseStatement(created.map(({ execution }) => execution.id), batch.ownerId, batch.leaseMs, this.kind);
          await execute(models.executions.sequelize!, transaction, lease.sql, lease.params);
        }
      }
      // Executions first: their UPDATE takes the row lock that the other inserts' foreign key
      // checks would otherwise take in shared mode, so two commits of one execution queue up on
      // MySQL instead of deadlocking (and the second then sees what the first stored).
      if (batch.ownerId !== undefined) await checkOwnership(models, batch, batch.ownerId, transaction);
      await updateExecutions(models, batch.executions, transaction);
      await appendTransitions(models, batch.transitions, transaction);
      await upsertTaskRuns(models, batch.taskRuns, transaction);
    });
  }

  async writeLogs(records: readonly LogRecord[]): Promise<void> {
    if (records.length === 0) return;
    await this.transaction('write logs', undefined, (models, transaction) => insertLogs(models, records, transaction));
  }

  async writeSpans(records: readonly SpanRecord[]): Promise<void> {
    if (records.length === 0) return;
    await this.transaction('write spans', undefined, (models, transaction) => upsertSpans(models, records, transaction));
  }

  getExecution(id: string, options: GetExecutionOptions = {}): Promise<ExecutionRecord | null> {
    return this.run('read execution', id, (models) => findExecution(models, id, options.graph !== false));
  }

  listExecutions(filter: ListExecutionsFilter = {}): Promise<ExecutionRecord[]> {
    return this.run('list executions', undefined, (models) => listExecutionRecords(models, filter));
  }

  listTaskRuns(executionId: string): Promise<TaskRunRecord[]> {
    return this.run('list task runs', executionId, (models) => listTaskRunRecords(models, executionId));
  }

  countExecutions(filter: CountExecutionsFilter = {}): Promise<ExecutionCounts> {
    return this.run('count executions', undefined, (models) => countExecutionRecords(models, filter));
  }

  listTransitions(executionId: string, afterSeq?: number, options: ListTransitionsOptions = {}): Promise<TransitionRecord[]> {
    return this.run('list transitions', executionId, (models) => listTransitionRecords(models, executionId, afterSeq, options.snapshots !== false));
  }

  listLastTransitions(executionId: string, taskIds: readonly string[]): Promise<LastTransitions> {
    return this.run('list last transitions', executionId, (models) => listLastTransitionRecords(models, executionId, taskIds));
  }

  listLogs(executionId: string): Promise<LogRecord[]> {
    return this.run('list logs', executionId, (models) => listLogRecords(models, executionId));
  }

  listSpans(executionId: string): Promise<SpanRecord[]> {
    return this.run('list spans', executionId, (models) => listSpanRecords(models, executionId));
  }

  now(): Promise<Date> {
    return this.transaction('read the clock', undefined, (models, transaction) => databaseNow(models.executions.sequelize!, transaction));
  }

  claimExecution(id: string, ownerId: string, leaseMs: number, force: boolean): Promise<number | null> {
    return this.transaction('claim execution', id, (models, transaction) => claimOne(models.executions.sequelize!, transaction, id, ownerId, leaseMs, force), OWNERSHIP_ISOLATION);
  }

  claimExpired(ownerId: string, options: ClaimExpiredOptions): Promise<ClaimedExecution[]> {
    return this.transaction('claim expired executions', undefined, (models, transaction) => claimExpiredBatch(models.executions.sequelize!, transaction, ownerId, options), OWNERSHIP_ISOLATION);
  }

  heartbeat(ownerId: string, leaseMs: number): Promise<void> {
    return this.transaction('heartbeat', undefined, (models, transaction) => extendLeases(models.executions.sequelize!, transaction, ownerId, leaseMs), OWNERSHIP_ISOLATION);
  }

  releaseOwnership(ownerId: string, executionIds?: readonly string[]): Promise<void> {
    return this.transaction('release ownership', undefined, (models, transaction) => releaseLeases(models.executions.sequelize!, transaction, ownerId, executionIds), OWNERSHIP_ISOLATION);
  }

  async pruneExecutions(criteria: PruneCriteria): Promise<number> {
    const resolved = resolvePruneCriteria(criteria);
    const stopped = () => resolved.signal?.aborted === true;
    if (resolved.statuses.length === 0 || stopped()) return 0;
    let boundary: PruneBoundary | null = null;
    if (resolved.keepNewest > 0) {
      boundary = await this.run('select executions to prune', undefined, (models) => findPruneBoundary(models, resolved, undefined));
      if (boundary === null) return 0;
    }
    let deleted = 0;
    while (!stopped()) {
      const ids = await this.run('select executions to prune', undefined, (models) => selectPrunableIds(models, resolved, boundary, undefined));
      if (ids.length === 0) break;
      let step: number | null = null;
      while (step === null && !stopped()) {
        step = await this.transaction('prune executions', undefined, (models, transaction) =>
          deletePrunedRows(models, ids, resolved.statuses, resolved.rowBatchSize, transaction),
        );
      }
      deleted += step ?? 0;
      if (ids.length < resolved.batchSize) break;
    }
    return deleted;
  }

  private async connect(): Promise<void> {
    const sequelize = await connectDatabase(this.#target, this.logging);
    try {
      if (this.#target.dialect !== 'sqlite') await checkServerVersion(sequelize, this.#target);
      if (this.runMigrations) await runMigrations(sequelize, this.kind, this.location);
    } catch (error) {
      await sequelize.close().catch(() => undefined);
      if (error instanceof StorageError) throw error; // OwnershipLostError included
      throw new StorageError(`Cannot migrate the database at ${this.location}: ${describeCause(error)}.`, { cause: error });
    }
    this.#connection = { sequelize, models: defineModels(sequelize) };
  }

  /**
   * Runs `work` in one transaction. On MySQL and PostgreSQL: a Sequelize transaction on a pooled connection. On
   * SQLite, where Sequelize would open a new connection (file open and PRAGMAs) for every
   * transaction, the work runs between BEGIN IMMEDIATE and COMMIT on the store's one connection:
   * the mutex already runs one operation at a time, and a commit costs about a sixth.
   */
  private transaction<T>(
    operation: string,
    executionId: string | undefined,
    work: (models: StoreModels, transaction: Transaction | undefined) => Promise<T>,
    isolation?: 'read committed',
  ): Promise<T> {
    if (this.kind !== 'sqlite') {
      const options = isolation ? { isolationLevel: Transaction.ISOLATION_LEVELS.READ_COMMITTED } : {};
      return this.run(operation, executionId, (models, sequelize) => sequelize.transaction(options, (transaction) => work(models, transaction)));
    }
    return this.run(operation, executionId, async (models, sequelize) => {
      await execute(sequelize, undefined, 'BEGIN IMMEDIATE');
      try {
        const result = await work(models, undefined);
        await execute(sequelize, undefined, 'COMMIT');
        return result;
      } catch (error) {
        await execute(sequelize, undefined, 'ROLLBACK').catch(() => undefined);
        throw error;
      }
    });
  }

  /** Runs one operation (one at a time on SQLite) and turns any failure into a StorageError. */
  private async run<T>(
    operation: string,
    executionId: string | undefined,
    work: (models: StoreModels, sequelize: Sequelize) => Promise<T>,
  ): Promise<T> {
    const connection = this.#connection;
    if (!connection) {
      throw new StorageError(`Cannot ${operation}: the store at ${this.location} is not open. Call open() first.`, {
        ...(executionId === undefined ? {} : { executionId }),
      });
    }
    const task = () => work(connection.models, connection.sequelize);
    try {
      return await (this.mutex ? this.mutex.run(task) : task());
    } catch (error) {
      if (error instanceof StorageError) throw error; // OwnershipLostError included
      throw new StorageError(`Cannot ${operation} in ${this.location}: ${describeCause(error)}`, {
        cause: error,
        ...(executionId === undefined ? {} : { executionId }),
      });
    }
  }
}

function soleExecutionId(batch: CommitBatch): string | undefined {
  const ids = new Set([
    ...(batch.created ?? []).map(({ execution }) => execution.id),
    ...batch.transitions.map((transition) => transition.executionId),
    ...batch.taskRuns.map((task) => task.executionId),
    ...batch.executions.map((update) => update.id),
  ]);
  return ids.size === 1 ? [...ids][0] : undefined;
}
