/** Reads and writes of `tg_task_runs`: the latest state of each task of an execution. */
import type { Transaction } from 'sequelize';
import type { SerializedError } from '../../errors.js';
import type { TaskRunRecord, TaskStatus } from '../records.js';
import { chunkRows, textSize } from './chunkRows.js';
import { execute, insertStatement } from './rawStatements.js';
import type { Dialect, RowInsert, Statement } from './rawStatements.js';
import { fromJson, fromNullableDate, fromNullableJson, toJson, toNullableJson } from './columnCodecs.js';
import type { RawRow, StoreModels, TaskRunRow } from './defineModels.js';
import { readExecutionRows } from './executionRows.js';

const UPDATED_COLUMNS: Array<keyof TaskRunRow> = [
  'status',
  'attempt',
  'output',
  'error',
  'started_at',
  'finished_at',
  'next_retry_at',
];

const TASK_RUN_COLUMNS: readonly (keyof TaskRunRow)[] = ['execution_id', 'task_id', ...UPDATED_COLUMNS];
const TASK_RUN_INSERT: RowInsert = { table: 'tg_task_runs', columns: TASK_RUN_COLUMNS, onConflict: 'fail' };
const TASK_RUN_UPSERT: RowInsert = {
  table: 'tg_task_runs',
  columns: TASK_RUN_COLUMNS,
  onConflict: { key: ['execution_id', 'task_id'], update: UPDATED_COLUMNS },
};

/** Inserts the rows of a new execution's tasks. */
/** Inserts new task rows; `existing: 'keep'` skips rows already stored (a retried batch). */
export async function insertTaskRuns(
  models: StoreModels,
  records: readonly TaskRunRecord[],
  transaction: Transaction | undefined,
  existing: 'fail' | 'keep' = 'fail',
): Promise<void> {
  const sequelize = models.taskRuns.sequelize!;
  for (const { sql, params } of taskRunInsertStatements(records, sequelize.getDialect() as Dialect, existing)) await execute(sequelize, transaction, sql, params);
}

/** `insertTaskRuns` as statements, not run. */
export function taskRunInsertStatements(records: readonly TaskRunRecord[], dialect: Dialect, existing: 'fail' | 'keep'): Statement[] {
  const insert = existing === 'keep' ? { ...TASK_RUN_INSERT, onConflict: 'keep' as const } : TASK_RUN_INSERT;
  return chunkRows(records.map(toTaskRunRow), sizeOf).map((chunk) => insertStatement(insert, chunk.map((row) => TASK_RUN_COLUMNS.map((column) => row[column])), dialect));
}

/**
 * Writes the whole row of every task a commit touched: INSERT ... ON DUPLICATE KEY UPDATE on
 * MySQL, INSERT ... ON CONFLICT DO UPDATE on SQLite.
 */
export async function upsertTaskRuns(
  models: StoreModels,
  records: readonly TaskRunRecord[],
  transaction: Transaction | undefined,
): Promise<void> {
  const sequelize = models.taskRuns.sequelize!;
  for (const { sql, params } of taskRunUpsertStatements(records, sequelize.getDialect() as Dialect)) await execute(sequelize, transaction, sql, params);
}

/** `upsertTaskRuns` as statements, not run. */
export function taskRunUpsertStatements(records: readonly TaskRunRecord[], dialect: Dialect): Statement[] {
  return chunkRows(records.map(toTaskRunRow), sizeOf).map((chunk) => insertStatement(TASK_RUN_UPSERT, chunk.map((row) => TASK_RUN_COLUMNS.map((column) => row[column])), dialect));
}

/**
 * By task id (executionRows.ts). `execution_id` is not read back: the caller knows it, and
 * 100,000 copies of it were a fifth of the read on SQLite.
 */
export async function listTaskRunRecords(models: StoreModels, executionId: string): Promise<TaskRunRecord[]> {
  const rows = await readExecutionRows(models.taskRuns.sequelize!, { table: 'tg_task_runs', columns: TASK_RUN_READ_COLUMNS, key: 'task_id', executionId });
  return rows.map((row) => fromTaskRunRow(executionId, row as RawRow<TaskRunRow>));
}

const TASK_RUN_READ_COLUMNS = TASK_RUN_COLUMNS.filter((column) => column !== 'execution_id');

function sizeOf(row: TaskRunRow): number {
  return textSize(row.task_id, row.output, row.error) + 100;
}

function toTaskRunRow(record: TaskRunRecord): TaskRunRow {
  return {
    execution_id: record.executionId,
    task_id: record.taskId,
    status: record.status,
    attempt: record.attempt,
    output: toJson(record.output),
    error: toNullableJson(record.error),
    started_at: record.startedAt,
    finished_at: record.finishedAt,
    next_retry_at: record.nextRetryAt,
  };
}

function fromTaskRunRow(executionId: string, row: RawRow<TaskRunRow>): TaskRunRecord {
  return {
    executionId,
    taskId: String(row.task_id),
    status: String(row.status) as TaskStatus,
    attempt: Number(row.attempt),
    output: fromJson(row.output),
    error: fromNullableJson<SerializedError>(row.error),
    startedAt: fromNullableDate(row.started_at),
    finishedAt: fromNullableDate(row.finished_at),
    nextRetryAt: fromNullableDate(row.next_retry_at),
  };
}
