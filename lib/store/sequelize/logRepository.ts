/** Appends to and reads `tg_logs`, in insertion order (the auto-increment id). */
import type { Transaction } from 'sequelize';
import type { LogRecord } from '../records.js';
import { chunkRows, textSize } from './chunkRows.js';
import { insertRows } from './rawStatements.js';
import type { RowInsert } from './rawStatements.js';
import { fromDate, fromNullableJson, fromNullableNumber, fromNullableString, toJson, toText } from './columnCodecs.js';
import type { LogRow, RawRow, StoreModels } from './defineModels.js';
import type { SqlDialect } from './parseStorageUrl.js';

const LOG_COLUMNS: readonly (keyof LogRow)[] = ['execution_id', 'task_id', 'attempt', 'level', 'message', 'attributes', 'at'];
const LOG_INSERT: RowInsert = { table: 'tg_logs', columns: LOG_COLUMNS, onConflict: 'fail' };

export async function insertLogs(models: StoreModels, records: readonly LogRecord[], transaction: Transaction | undefined): Promise<void> {
  const dialect = models.logs.sequelize!.getDialect() as SqlDialect;
  for (const chunk of chunkRows(records.map((record) => toLogRow(record, dialect)), sizeOf)) {
    await insertRows(models.logs.sequelize!, transaction, LOG_INSERT, chunk.map((row) => LOG_COLUMNS.map((column) => row[column])));
  }
}

export async function listLogRecords(models: StoreModels, executionId: string): Promise<LogRecord[]> {
  const rows = await models.logs.findAll({ where: { execution_id: executionId }, order: [['id', 'ASC']], raw: true });
  return (rows as unknown as Array<RawRow<LogRow>>).map(fromLogRow);
}

function sizeOf(row: LogRow): number {
  return textSize(row.task_id, row.level, row.message, row.attributes) + 100;
}

function toLogRow(record: LogRecord, dialect: SqlDialect): LogRow {
  return {
    execution_id: record.executionId,
    task_id: record.taskId,
    attempt: record.attempt,
    level: record.level,
    message: toText(record.message, dialect),
    attributes: toJson(record.attributes ?? {}) ?? '{}',
    at: record.at,
  };
}

function fromLogRow(row: RawRow<LogRow>): LogRecord {
  return {
    executionId: String(row.execution_id),
    taskId: fromNullableString(row.task_id),
    attempt: fromNullableNumber(row.attempt),
    level: String(row.level),
    message: String(row.message),
    attributes: fromNullableJson<Record<string, unknown>>(row.attributes) ?? {},
    at: fromDate(row.at),
  };
}
