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
import type { LastTransitions, TransitionData, TransitionRecord } from '../records.js';
import { chunkRows, textSize } from './chunkRows.js';
import { execute, insertStatement } from './rawStatements.js';
import type { Dialect, RowInsert, Statement } from './rawStatements.js';
import { fromDate, fromJson, fromNullableJson, fromNullableString, toJson, toNullableJson } from './columnCodecs.js';
import type { RawRow, StoreModels, TransitionRow } from './defineModels.js';
import { readExecutionRows } from './executionRows.js';

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
const TRANSITION_READ_COLUMNS = TRANSITION_COLUMNS.filter((column) => column !== 'execution_id');
const TRANSITION_INSERT: RowInsert = { table: 'tg_transitions', columns: TRANSITION_COLUMNS, onConflict: 'keep' };

/**
 * In seq order (executionRows.ts); without their snapshots when `snapshots` is false.
 * `execution_id` is not read back (the caller knows it), nor the snapshots unless asked for: they
 * are most of a row's bytes, and what verifying or drawing a log needs is its states and events.
 */
export async function listTransitionRecords(models: StoreModels, executionId: string, afterSeq = 0, snapshots = true): Promise<TransitionRecord[]> {
  const columns = snapshots ? TRANSITION_READ_COLUMNS : TRANSITION_READ_COLUMNS.filter((column) => column !== 'snapshot');
  const rows = await readExecutionRows(models.transitions.sequelize!, { table: 'tg_transitions', columns, key: 'seq', executionId, after: afterSeq });
  return rows.map((row) => fromTransitionRow(executionId, row as RawRow<TransitionRow>));
}

/** Task ids per query of `listLastTransitionRecords` (each is a placeholder). */
const LAST_OF_CHUNK = 500;

/**
 * The highest seq, the last transition of the supervisor and of each of `taskIds` (what a resume
 * restores), and the log's distinct formats (what it checks). The database finds each actor's last seq (GROUP BY over the execution's
 * rows, nothing decoded); only those rows come back. A 100,000-task execution's resume read its
 * whole log (200,000 rows with their snapshots) for these few.
 */
export async function listLastTransitionRecords(models: StoreModels, executionId: string, taskIds: readonly string[]): Promise<LastTransitions> {
  const sequelize = models.transitions.sequelize!;
  const table = sequelize.getQueryInterface().quoteIdentifier('tg_transitions');
  const select = <T>(sql: string, replacements: unknown[]) => sequelize.query(sql, { replacements, type: QueryTypes.SELECT, raw: true }) as unknown as Promise<T[]>;
  const [highest] = await select<{ max_seq: unknown }>(`SELECT MAX(seq) AS max_seq FROM ${table} WHERE execution_id = ?`, [executionId]);
  const transitions: TransitionRecord[] = [];
  for (let start = 0; start === 0 || start < taskIds.length; start += LAST_OF_CHUNK) {
    const chunk = taskIds.slice(start, start + LAST_OF_CHUNK);
    const actors = [...(start === 0 ? ['task_id IS NULL'] : []), ...(chunk.length > 0 ? [`task_id IN (${chunk.map(() => '?').join(',')})`] : [])].join(' OR ');
    const rows = await select<RawRow<TransitionRow>>(
      `SELECT t.* FROM ${table} t JOIN (SELECT task_id, MAX(seq) AS max_seq FROM ${table} WHERE execution_id = ? AND (${actors}) GROUP BY task_id) latest ` +
        'ON t.seq = latest.max_seq WHERE t.execution_id = ?',
      [executionId, ...chunk, executionId],
    );
    for (const row of rows) transitions.push(fromTransitionRow(executionId, row));
  }
  const formats = await select<{ snapshot_format: unknown; machine_version: unknown }>(
    `SELECT DISTINCT snapshot_format, machine_version FROM ${table} WHERE execution_id = ?`,
    [executionId],
  );
  return {
    lastSeq: highest?.max_seq === null || highest?.max_seq === undefined ? 0 : Number(highest.max_seq),
    transitions: transitions.sort((a, b) => a.seq - b.seq),
    formats: formats.map((row) => ({ snapshotFormat: Number(row.snapshot_format), machineVersion: String(row.machine_version) })),
  };
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

function fromTransitionRow(executionId: string, row: RawRow<TransitionRow>): TransitionRecord {
  return {
    executionId,
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
