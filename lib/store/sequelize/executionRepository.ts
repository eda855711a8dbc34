/**
 * Reads and writes of `tg_executions`. Writes take the caller's transaction. Ownership changes
 * (claim, heartbeat, release) are in leaseRepository.ts.
 */
import { Op, fn, literal } from 'sequelize';
import type { Transaction, WhereOptions } from 'sequelize';
import { OwnershipLostError, StorageError } from '../../errors.js';
import { chunkRows, textSize } from './chunkRows.js';
import { execute, insertStatement, quoteIdentifier, selectRows, sqlValue } from './rawStatements.js';
import type { Dialect, RowInsert, Statement } from './rawStatements.js';
import type { SerializedError } from '../../errors.js';
import type {
  CountExecutionsFilter,
  ExecutionCounts,
  ExecutionRecord,
  ExecutionStatus,
  ExecutionUpdate,
  FailurePolicy,
  ListExecutionsFilter,
  CommitBatch,
  WorkflowGraph,
} from '../records.js';
import { fromDate, fromJson, fromNullableDate, fromNullableJson, fromNullableString, toJson, toNullableJson } from './columnCodecs.js';
import type { ExecutionRow, RawRow, StoreModels } from './defineModels.js';

/**
 * Inserts execution rows: multi-row INSERTs with positional parameters (a chunk per few MB of
 * graph JSON). `existing: 'keep'` skips rows already stored (a retried batch).
 */
export async function insertExecutions(
  models: StoreModels,
  records: readonly ExecutionRecord[],
  transaction: Transaction | undefined,
  existing: 'fail' | 'keep' = 'fail',
): Promise<void> {
  const sequelize = models.executions.sequelize!;
  for (const { sql, params } of executionInsertStatements(records, sequelize.getDialect() as Dialect, existing)) await execute(sequelize, transaction, sql, params);
}

const EXECUTION_COLUMNS: readonly (keyof ExecutionRow)[] = [
  'id',
  'workflow_id',
  'workflow_version',
  'status',
  'input',
  'output',
  'error',
  'concurrency',
  'failure_policy',
  'created_at',
  'started_at',
  'finished_at',
  'owner_id',
  'heartbeat_at',
  'graph',
  'traceparent',
  'fencing_token',
];
const EXECUTION_INSERT: RowInsert = { table: 'tg_executions', columns: EXECUTION_COLUMNS, onConflict: 'fail' };

function executionRowSize(row: ExecutionRow): number {
  return textSize(row.id, row.workflow_id, row.workflow_version, row.input, row.output, row.error, row.owner_id, row.graph, row.traceparent) + 200;
}

/**
 * Applies the updates of one commit, one UPDATE per update, in execution id order (so that two
 * commits lock the rows in the same order). An update of an execution that does not exist fails
 * the commit, as it does in the memory store.
 */
/**
 * The UPDATEs of one commit as statements, in execution id order (see `updateExecutions`), for a
 * caller that checks the executions exist itself (MySQL's commit, which locks them first).
 */
export function executionUpdateStatements(updates: readonly ExecutionUpdate[], dialect: Dialect): Statement[] {
  const statements: Statement[] = [];
  for (const update of [...updates].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))) {
    const values = updatedColumns(update);
    const columns = Object.keys(values) as (keyof ExecutionRow)[];
    if (columns.length === 0) continue;
    statements.push({
      sql: `UPDATE tg_executions SET ${columns.map((column) => `${quoteIdentifier(column, dialect)}=?`).join(',')} WHERE id=?`,
      params: [...columns.map((column) => sqlValue(values[column], dialect)), update.id],
    });
  }
  return statements;
}

function updatedColumns(update: ExecutionUpdate): Partial<ExecutionRow> {
  const values: Partial<ExecutionRow> = {};
  if (update.status !== undefined) values.status = update.status;
  if (update.output !== undefined) values.output = toNullableJson(update.output);
  if (update.error !== undefined) values.error = toNullableJson(update.error);
  if (update.startedAt !== undefined) values.started_at = update.startedAt;
  if (update.finishedAt !== undefined) values.finished_at = update.finishedAt;
  return values;
}

/** The INSERTs of new execution rows as statements (`existing: 'keep'` skips rows already stored). */
export function executionInsertStatements(records: readonly ExecutionRecord[], dialect: Dialect, existing: 'fail' | 'keep'): Statement[] {
  const insert = existing === 'keep' ? { ...EXECUTION_INSERT, onConflict: 'keep' as const } : EXECUTION_INSERT;
  return chunkRows(records.map(toExecutionRow), executionRowSize).map((chunk) => insertStatement(insert, chunk.map((row) => EXECUTION_COLUMNS.map((column) => row[column])), dialect));
}

export async function updateExecutions(
  models: StoreModels,
  updates: readonly ExecutionUpdate[],
  transaction: Transaction | undefined,
): Promise<void> {
  const ordered = [...updates].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  for (const update of ordered) {
    const values = updatedColumns(update);
    const found =
      Object.keys(values).length === 0
        ? (await models.executions.count({ where: { id: update.id }, transaction })) > 0
        : (await models.executions.update(values, { where: { id: update.id }, transaction }))[0] > 0;
    if (!found) {
      throw new StorageError(`Cannot update execution ${JSON.stringify(update.id)}: it does not exist in the store.`, {
        executionId: update.id,
      });
    }
  }
}

/**
 * Fencing: throws `OwnershipLostError` when an execution of the batch is owned by another engine.
 * The rows are locked (FOR UPDATE on MySQL and PostgreSQL; SQLite's BEGIN IMMEDIATE already holds
 * the write lock), so a take-over (`claimExecution`) waits for this commit, and the engine taking over
 * reads the transition log after it.
 */
export async function checkOwnership(models: StoreModels, batch: CommitBatch, ownerId: string, transaction: Transaction | undefined): Promise<void> {
  const ids = [...new Set([...batch.transitions.map((t) => t.executionId), ...batch.taskRuns.map((t) => t.executionId), ...batch.executions.map((e) => e.id)])];
  if (ids.length === 0) return;
  const sequelize = models.executions.sequelize!;
  const lock = sequelize.getDialect() === 'sqlite' ? '' : ' FOR UPDATE';
  const rows = await selectRows(sequelize, transaction, `SELECT id, owner_id, fencing_token FROM tg_executions WHERE id IN (${ids.map(() => '?').join(',')})${lock}`, ids);
  const lost = lostExecutions(ids, rows, ownerId, batch.fencingTokens);
  if (lost.length > 0) throw new OwnershipLostError(lost, ownerId);
}

/**
 * The executions of `ids` (found in `rows`: id, owner_id, fencing_token) that `ownerId` does not
 * hold under the token it commits with. An id missing from `rows` is not counted here.
 */
export function lostExecutions(ids: readonly string[], rows: readonly Record<string, unknown>[], ownerId: string, tokens: Readonly<Record<string, number>> | undefined): string[] {
  const found = new Map(rows.map((row) => [String(row['id']), row]));
  return ids.filter((id) => {
    const row = found.get(id);
    if (!row) return false;
    if (row['owner_id'] === null || String(row['owner_id']) !== ownerId) return true;
    const token = tokens?.[id];
    return token !== undefined && Number(row['fencing_token']) !== token;
  });
}

/** Runs one SELECT on a commit's own connection and gives its rows. */
export type GuardSelect = (sql: string, params: unknown[]) => Promise<Record<string, unknown>[]>;

/**
 * Throws what a refused commit's guard found wrong, if anything: an execution missing from the
 * store (StorageError), or one the batch's engine does not hold under the token it commits with
 * (OwnershipLostError). The SQLite and MySQL one-trip commits read it after their rollback.
 */
export async function explainRefusal(select: GuardSelect, touched: readonly string[], batch: CommitBatch): Promise<void> {
  const rows = await select(`SELECT id, owner_id, fencing_token FROM tg_executions WHERE id IN (${touched.map(() => '?').join(',')})`, [...touched]);
  const found = new Set(rows.map((row) => String(row['id'])));
  const missing = touched.find((id) => !found.has(id));
  if (missing !== undefined) throw new StorageError(`Cannot commit to execution ${JSON.stringify(missing)}: it does not exist in the store.`, { executionId: missing });
  if (batch.ownerId === undefined) return;
  const lost = lostExecutions(touched, rows, batch.ownerId, batch.fencingTokens);
  if (lost.length > 0) throw new OwnershipLostError(lost, batch.ownerId);
}

/** The execution's row; without its graph (left null) when `graph` is false. */
export async function findExecution(models: StoreModels, id: string, graph = true): Promise<ExecutionRecord | null> {
  const row = await models.executions.findOne({ where: { id }, raw: true, ...(graph ? {} : { attributes: { exclude: ['graph'] } }) });
  return row ? fromExecutionRow(row as unknown as RawRow<ExecutionRow>) : null;
}

/** Newest first (ties by id, descending, like the memory store), then the cursor, offset and limit. */
export async function listExecutionRecords(models: StoreModels, filter: ListExecutionsFilter): Promise<ExecutionRecord[]> {
  const rows = await models.executions.findAll({
    where: executionsWhere(filter),
    order: [
      ['created_at', 'DESC'],
      ['id', 'DESC'],
    ],
    ...(filter.limit === undefined ? {} : { limit: filter.limit }),
    ...(filter.offset === undefined || filter.offset === 0 ? {} : { offset: filter.offset }),
    raw: true,
  });
  return (rows as unknown as Array<RawRow<ExecutionRow>>).map(fromExecutionRow);
}

/** One GROUP BY status over the executions matching the filter. */
export async function countExecutionRecords(models: StoreModels, filter: CountExecutionsFilter): Promise<ExecutionCounts> {
  const rows = (await models.executions.findAll({
    attributes: ['status', [fn('COUNT', literal('*')), 'n']],
    where: executionsWhere(filter),
    group: ['status'],
    raw: true,
  })) as unknown as Array<{ status: ExecutionStatus; n: number | string }>;
  const counts: ExecutionCounts = { pending: 0, running: 0, succeeded: 0, failed: 0, cancelled: 0 };
  for (const row of rows) if (Object.hasOwn(counts, row.status)) counts[row.status] = Number(row.n);
  return counts;
}

/** The conditions of a listing filter (its paging aside). */
function executionsWhere(filter: ListExecutionsFilter): WhereOptions<ExecutionRow> {
  const conditions: WhereOptions<ExecutionRow>[] = [];
  if (filter.workflowId !== undefined) conditions.push({ workflow_id: filter.workflowId });
  if (filter.status !== undefined) conditions.push({ status: { [Op.in]: ([] as string[]).concat(filter.status) } });
  if (filter.createdFrom !== undefined) conditions.push({ created_at: { [Op.gte]: filter.createdFrom } });
  if (filter.createdBefore !== undefined) conditions.push({ created_at: { [Op.lt]: filter.createdBefore } });
  if (filter.after !== undefined) {
    const { createdAt, id } = filter.after;
    // the redundant `created_at <= ?` gives every database an index range to start from
    conditions.push({ created_at: { [Op.lte]: createdAt } });
    conditions.push({ [Op.or]: [{ created_at: { [Op.lt]: createdAt } }, { id: { [Op.lt]: id } }] });
  }
  return conditions.length === 0 ? {} : { [Op.and]: conditions };
}

function toExecutionRow(record: ExecutionRecord): ExecutionRow {
  return {
    id: record.id,
    workflow_id: record.workflowId,
    workflow_version: record.workflowVersion,
    status: record.status,
    input: toJson(record.input),
    output: toNullableJson(record.output),
    error: toNullableJson(record.error),
    concurrency: record.concurrency,
    failure_policy: record.failurePolicy,
    created_at: record.createdAt,
    started_at: record.startedAt,
    finished_at: record.finishedAt,
    owner_id: record.ownerId,
    heartbeat_at: record.heartbeatAt,
    graph: toNullableJson(record.graph),
    traceparent: record.traceparent ?? null,
    lease_until: record.leaseUntil ?? null,
    fencing_token: record.fencingToken ?? 0,
  };
}

function fromExecutionRow(row: RawRow<ExecutionRow>): ExecutionRecord {
  return {
    id: String(row.id),
    workflowId: String(row.workflow_id),
    workflowVersion: String(row.workflow_version),
    status: String(row.status) as ExecutionStatus,
    input: fromJson(row.input),
    output: fromNullableJson<Record<string, unknown>>(row.output),
    error: fromNullableJson<SerializedError>(row.error),
    concurrency: Number(row.concurrency),
    failurePolicy: String(row.failure_policy) as FailurePolicy,
    createdAt: fromDate(row.created_at),
    startedAt: fromNullableDate(row.started_at),
    finishedAt: fromNullableDate(row.finished_at),
    ownerId: fromNullableString(row.owner_id),
    heartbeatAt: fromNullableDate(row.heartbeat_at),
    graph: fromNullableJson<WorkflowGraph>(row.graph),
    traceparent: fromNullableString(row.traceparent),
    leaseUntil: fromNullableDate(row.lease_until),
    fencingToken: Number(row.fencing_token ?? 0),
  };
}
