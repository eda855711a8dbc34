/**
 * The append-only transition log, `tg_transitions`, keyed by (execution_id, seq).
 *
 * Appends are idempotent: a transition whose (execution_id, seq) is already stored is skipped
 * and the stored row is kept as it is, so a batch re-committed after a lost connection (its first
 * commit may or may not have landed) writes nothing twice and raises no error. The database does
 * the skipping, in the same multi-row INSERT: `ON CONFLICT DO NOTHING` on SQLite, a no-op
 * `ON DUPLICATE KEY UPDATE` on MySQL/MariaDB (the table's only unique key is its primary key).
 * Nothing is read back first, so a duplicate written by a concurrent commit is skipped the same
 * way. Only exact (execution_id, seq) matches are skipped: a batch that arrives out of seq order
 * is stored whole, never dropped.
 * Not INSERT IGNORE: MySQL's IGNORE would also turn other errors (a value too long for its
 * column) into warnings and silently truncated rows; with a no-op update they still fail the
 * commit.
 */
import { QueryTypes } from 'sequelize';
import type { Transaction } from 'sequelize';
import type { TransitionData, TransitionRecord } from '../records.js';
import { chunkRows, textSize } from './chunkRows.js';
import { execute, insertStatement } from './rawStatements.js';
import type { Dialect, RowInsert, Statement } from './rawStatements.js';
import { fromDate, fromJson, fromNullableJson, fromNullableString, toJson, toNullableJson } from './columnCodecs.js';
import type { RawRow, StoreModels, TransitionRow } from './defineModels.js';

/** Inserts the transitions not stored yet; one already stored (same execution and seq) is kept as it is. */
export async function appendTransitions(
  models: StoreModels,
  records: readonly TransitionRecord[],
  transaction: Transaction | undefined,
): Promise<void> {
  const sequelize = models.transitions.sequelize!;
  for (const { sql, params } of transitionInsertStatements(records, sequelize.getDialect() as Dialect)) await execute(sequelize, transaction, sql, params);
}

/** `appendTransitions` as statements, not run. */
export function transitionInsertStatements(records: readonly TransitionRecord[], dialect: Dialect): Statement[] {
  return chunkRows(records.map(toTransitionRow), sizeOf).map((chunk) => insertStatement(TRANSITION_INSERT, chunk.map((row) => TRANSITION_COLUMNS.map((column) => row[column])), dialect));
}

const TRANSITION_COLUMNS: readonly (keyof TransitionRow)[] = [
  'execution_id',
  'seq',
  'task_id',
  'from_state',
  'to_state',
  'event',
  'attempt',
  'at',
  'data',
  'snapshot',
  'snapshot_format',
  'machine_version',
];
const TRANSITION_INSERT: RowInsert = { table: 'tg_transitions', columns: TRANSITION_COLUMNS, onConflict: 'keep' };

/** In seq order. */
/**
 * In seq order. A plain SELECT through `sequelize.query`, not the model's `findAll`: a 100,000-task
 * execution's log is 200,000 rows, and building them through the model cost most of a replay.
 */
export async function listTransitionRecords(models: StoreModels, executionId: string, afterSeq = 0): Promise<TransitionRecord[]> {
  const sequelize = models.transitions.sequelize!;
  const table = sequelize.getQueryInterface().quoteIdentifier('tg_transitions');
  const rows = await sequelize.query(`SELECT * FROM ${table} WHERE execution_id = ? AND seq > ? ORDER BY seq ASC`, {
    replacements: [executionId, afterSeq],
    type: QueryTypes.SELECT,
    raw: true,
  });
  return (rows as unknown as Array<RawRow<TransitionRow>>).map(fromTransitionRow);
}

/** A row's share of a statement's size, for chunkRows. */
function sizeOf(row: TransitionRow): number {
  return textSize(row.task_id, row.from_state, row.to_state, row.event, row.data, row.snapshot, row.machine_version) + 100;
}

function toTransitionRow(record: TransitionRecord): TransitionRow {
  return {
    execution_id: record.executionId,
    seq: record.seq,
    task_id: record.taskId,
    from_state: record.from,
    to_state: record.to,
    event: record.event,
    attempt: record.attempt,
    at: record.at,
    data: toNullableJson(record.data),
    snapshot: toJson(record.snapshot),
    snapshot_format: record.snapshotFormat,
    machine_version: record.machineVersion,
  };
}

function fromTransitionRow(row: RawRow<TransitionRow>): TransitionRecord {
  return {
    executionId: String(row.execution_id),
    seq: Number(row.seq),
    taskId: fromNullableString(row.task_id),
    from: fromNullableString(row.from_state),
    to: String(row.to_state),
    event: String(row.event),
    attempt: Number(row.attempt),
    at: fromDate(row.at),
    data: fromNullableJson<TransitionData>(row.data),
    snapshot: fromJson(row.snapshot),
    snapshotFormat: Number(row.snapshot_format),
    machineVersion: String(row.machine_version),
  };
}
