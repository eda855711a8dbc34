/**
 * Deletes finished executions with every row they own (`Store.pruneExecutions`), in steps that
 * each fit one short transaction. `SequelizeStore` drives them:
 *
 * 1. With `keepNewest`, `findPruneBoundary` finds once the newest execution to delete: the one
 *    after the `keepNewest` most recently finished (by finished_at, then id). Only it and older
 *    ones are deleted, so executions finishing during the prune are kept, as in the memory store.
 * 2. `selectPrunableIds` picks a batch: up to `batchSize` matching executions, in no particular
 *    order, through the index on (status, finished_at) (migration 003): a range of it per status,
 *    so a batch reads its own rows and few more. (Ordered batches would make the database sort
 *    every matching execution for every batch.) Unfinished executions have no finished_at and
 *    never match.
 * 3. `deletePrunedRows`, once per transaction, deletes up to `rowBatchSize` rows of the batch from
 *    each of tg_transitions, tg_task_runs, tg_logs and tg_spans; when none is left, it deletes the
 *    execution rows themselves in the same transaction and says how many. A batch of small
 *    executions takes one transaction; one of 100,000 tasks takes many short ones.
 * 4. Again, until a batch comes back short.
 *
 * An execution's rows go before it, so a prune interrupted between two transactions (a crash, the
 * engine closing) leaves executions that still match, with part of their rows gone, and never a
 * row whose execution is gone: the next prune finishes them.
 */
import { Op } from 'sequelize';
import type { Transaction, WhereOptions } from 'sequelize';
import type { ExecutionStatus } from '../records.js';
import type { ResolvedPruneCriteria } from '../resolvePruneCriteria.js';
import { fromDate } from './columnCodecs.js';
import type { ExecutionRow, RawRow, StoreModels } from './defineModels.js';

/** The newest execution a prune deletes: it and every matching execution finished before it go. */
export interface PruneBoundary {
  finishedAt: Date;
  id: string;
}

/** The execution after the `keepNewest` most recently finished matching ones, or null if there is none. */
export async function findPruneBoundary(models: StoreModels, criteria: ResolvedPruneCriteria, transaction: Transaction | undefined): Promise<PruneBoundary | null> {
  const rows = await models.executions.findAll({
    attributes: ['finished_at', 'id'],
    where: matching(criteria, null),
    order: [
      ['finished_at', 'DESC'],
      ['id', 'DESC'],
    ],
    limit: 1,
    offset: criteria.keepNewest,
    raw: true,
    transaction,
  });
  const row = (rows as unknown as Array<Pick<RawRow<ExecutionRow>, 'finished_at' | 'id'>>)[0];
  return row ? { finishedAt: fromDate(row.finished_at), id: String(row.id) } : null;
}

export async function selectPrunableIds(
  models: StoreModels,
  criteria: ResolvedPruneCriteria,
  boundary: PruneBoundary | null,
  transaction: Transaction | undefined,
): Promise<string[]> {
  const rows = await models.executions.findAll({ attributes: ['id'], where: matching(criteria, boundary), limit: criteria.batchSize, raw: true, transaction });
  return (rows as unknown as Array<Pick<RawRow<ExecutionRow>, 'id'>>).map((row) => String(row.id));
}

/**
 * One transaction's worth of a batch: up to `rowBatchSize` rows of each child table, then, once
 * the batch has none left, its execution rows (only those still finished, in `statuses`).
 * Returns how many executions it deleted, or null when child rows remain.
 */
export async function deletePrunedRows(
  models: StoreModels,
  ids: readonly string[],
  statuses: readonly ExecutionStatus[],
  rowBatchSize: number,
  transaction: Transaction | undefined,
): Promise<number | null> {
  const ofBatch = { where: { execution_id: { [Op.in]: [...ids] } }, limit: rowBatchSize, transaction };
  let remaining = false;
  // Each child table has an execution_id column; destroy() is typed per model, hence the cast.
  for (const table of [models.transitions, models.taskRuns, models.logs, models.spans] as unknown as StoreModels['logs'][]) {
    const deleted = await table.destroy(ofBatch);
    if (deleted >= rowBatchSize) remaining = true;
  }
  if (remaining) return null;
  return models.executions.destroy({ where: { id: { [Op.in]: [...ids] }, status: { [Op.in]: [...statuses] } }, transaction });
}

function matching(criteria: ResolvedPruneCriteria, boundary: PruneBoundary | null): WhereOptions<ExecutionRow> {
  const where: WhereOptions<ExecutionRow> = {
    status: { [Op.in]: criteria.statuses },
    finished_at: criteria.finishedBefore === null ? { [Op.ne]: null } : { [Op.lt]: criteria.finishedBefore },
  };
  if (boundary === null) return where;
  // finished_at <= the boundary's, less the ties after it: a range the index serves, and a filter.
  return {
    ...where,
    [Op.and]: [{ finished_at: { [Op.lte]: boundary.finishedAt } }, { [Op.not]: { finished_at: boundary.finishedAt, id: { [Op.gt]: boundary.id } } }],
  };
}
