/**
 * The append-only transition log, `tg_transitions`, keyed by (execution_id, seq).
 *
 * Appends are idempotent the way the memory store's are: a transition whose seq is not above the
 * highest seq already stored for its execution is skipped. So a batch re-committed after a lost
 * connection (its first commit may or may not have landed) writes nothing twice and raises no
 * error. The highest stored seq is read inside the commit's transaction, and the primary key
 * still refuses a duplicate written by a concurrent commit, which then fails and is retried.
 * Plain multi-row INSERTs are used, not INSERT IGNORE: MySQL's IGNORE would also turn other
 * errors (a value too long for its column) into silent truncations.
 */
import { Op, col, fn } from 'sequelize';
import type { Transaction } from 'sequelize';
import type { TransitionData, TransitionRecord } from '../records.js';
import { chunkRows, textSize } from './chunkRows.js';
import { fromDate, fromJson, fromNullableJson, fromNullableNumber, fromNullableString, toJson, toNullableJson } from './columnCodecs.js';
import type { RawRow, StoreModels, TransitionRow } from './defineModels.js';

export async function appendTransitions(
  models: StoreModels,
  records: readonly TransitionRecord[],
  transaction: Transaction,
): Promise<number> {
  if (records.length === 0) return 0;
  const lastSeq = await lastStoredSeqs(models, [...new Set(records.map((record) => record.executionId))], transaction);
  const fresh: TransitionRow[] = [];
  for (const record of records) {
    const last = lastSeq.get(record.executionId);
    if (last !== undefined && last >= record.seq) continue;
    lastSeq.set(record.executionId, record.seq);
    fresh.push(toTransitionRow(record));
  }
  for (const chunk of chunkRows(fresh, sizeOf)) {
    await models.transitions.bulkCreate(chunk, { transaction, validate: false });
  }
  return fresh.length;
}

/** In seq order. */
export async function listTransitionRecords(models: StoreModels, executionId: string): Promise<TransitionRecord[]> {
  const rows = await models.transitions.findAll({ where: { execution_id: executionId }, order: [['seq', 'ASC']], raw: true });
  return (rows as unknown as Array<RawRow<TransitionRow>>).map(fromTransitionRow);
}

async function lastStoredSeqs(
  models: StoreModels,
  executionIds: readonly string[],
  transaction: Transaction,
): Promise<Map<string, number>> {
  const rows = await models.transitions.findAll({
    attributes: ['execution_id', [fn('MAX', col('seq')), 'last_seq']],
    where: { execution_id: { [Op.in]: [...executionIds] } },
    group: ['execution_id'],
    raw: true,
    transaction,
  });
  const lastSeq = new Map<string, number>();
  for (const row of rows as unknown as Array<{ execution_id: unknown; last_seq: unknown }>) {
    const last = fromNullableNumber(row.last_seq);
    if (last !== null) lastSeq.set(String(row.execution_id), last);
  }
  return lastSeq;
}

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
