/**
 * Writes and reads `tg_spans`. A span written again (same span id, e.g. a retried write) replaces
 * the stored one instead of failing.
 */
import type { Transaction } from 'sequelize';
import type { SpanRecord } from '../records.js';
import { chunkRows, textSize } from './chunkRows.js';
import { insertRows } from './rawStatements.js';
import type { RowInsert } from './rawStatements.js';
import { fromDate, fromNullableJson, fromNullableNumber, fromNullableString, toJson, toText } from './columnCodecs.js';
import type { RawRow, SpanRow, StoreModels } from './defineModels.js';
import type { SqlDialect } from './parseStorageUrl.js';

const UPDATED_COLUMNS: Array<keyof SpanRow> = [
  'parent_span_id',
  'execution_id',
  'task_id',
  'attempt',
  'name',
  'status',
  'started_at',
  'finished_at',
  'attributes',
];

const SPAN_COLUMNS: readonly (keyof SpanRow)[] = ['span_id', ...UPDATED_COLUMNS];
const SPAN_UPSERT: RowInsert = { table: 'tg_spans', columns: SPAN_COLUMNS, onConflict: { key: ['span_id'], update: UPDATED_COLUMNS } };

export async function upsertSpans(models: StoreModels, records: readonly SpanRecord[], transaction: Transaction | undefined): Promise<void> {
  const dialect = models.spans.sequelize!.getDialect() as SqlDialect;
  for (const chunk of chunkRows(records.map((record) => toSpanRow(record, dialect)), sizeOf)) {
    await insertRows(models.spans.sequelize!, transaction, SPAN_UPSERT, chunk.map((row) => SPAN_COLUMNS.map((column) => row[column])));
  }
}

/** By start time, then span id. */
export async function listSpanRecords(models: StoreModels, executionId: string): Promise<SpanRecord[]> {
  const rows = await models.spans.findAll({
    where: { execution_id: executionId },
    order: [
      ['started_at', 'ASC'],
      ['span_id', 'ASC'],
    ],
    raw: true,
  });
  return (rows as unknown as Array<RawRow<SpanRow>>).map(fromSpanRow);
}

function sizeOf(row: SpanRow): number {
  return textSize(row.span_id, row.parent_span_id, row.task_id, row.name, row.status, row.attributes) + 100;
}

function toSpanRow(record: SpanRecord, dialect: SqlDialect): SpanRow {
  return {
    span_id: record.spanId,
    parent_span_id: record.parentSpanId,
    execution_id: record.executionId,
    task_id: record.taskId,
    attempt: record.attempt,
    name: toText(record.name, dialect),
    status: record.status,
    started_at: record.startedAt,
    finished_at: record.finishedAt,
    attributes: toJson(record.attributes ?? {}) ?? '{}',
  };
}

function fromSpanRow(row: RawRow<SpanRow>): SpanRecord {
  return {
    spanId: String(row.span_id),
    parentSpanId: fromNullableString(row.parent_span_id),
    executionId: String(row.execution_id),
    taskId: fromNullableString(row.task_id),
    attempt: fromNullableNumber(row.attempt),
    name: String(row.name),
    status: String(row.status),
    startedAt: fromDate(row.started_at),
    finishedAt: fromDate(row.finished_at),
    attributes: fromNullableJson<Record<string, unknown>>(row.attributes) ?? {},
  };
}
