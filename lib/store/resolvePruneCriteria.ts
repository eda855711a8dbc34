/**
 * The criteria of `Store.pruneExecutions` with their defaults filled in and their numbers checked,
 * shared by every store so that they all read a criteria object the same way. The statuses are
 * narrowed to the finished ones: a store never deletes an unfinished execution, whatever it is
 * asked (`engine.prune` refuses such a request before it gets here).
 */
import { DEFAULT_PRUNE_BATCH_SIZE, DEFAULT_PRUNE_ROW_BATCH_SIZE } from '../defaults.js';
import { InvalidOptionsError } from '../errors.js';
import type { ExecutionStatus, PruneCriteria } from './records.js';
import { TERMINAL_EXECUTION_STATUSES } from './records.js';

export interface ResolvedPruneCriteria {
  /** Finished statuses only; empty when none was asked for (then nothing matches). */
  statuses: ExecutionStatus[];
  finishedBefore: Date | null;
  keepNewest: number;
  batchSize: number;
  rowBatchSize: number;
  signal: AbortSignal | null;
}

/**
 * @throws InvalidOptionsError for a count that is not a non-negative integer (batch sizes: >= 1)
 *   or a `finishedBefore` that is not a valid Date.
 * @example
 * resolvePruneCriteria({ statuses: ['failed', 'running'] }).statuses; // ['failed']
 */
export function resolvePruneCriteria(criteria: PruneCriteria): ResolvedPruneCriteria {
  const { finishedBefore, keepNewest = 0, batchSize = DEFAULT_PRUNE_BATCH_SIZE, rowBatchSize = DEFAULT_PRUNE_ROW_BATCH_SIZE } = criteria;
  if (finishedBefore !== undefined && !(finishedBefore instanceof Date && Number.isFinite(finishedBefore.getTime()))) {
    throw new InvalidOptionsError('finishedBefore', finishedBefore, 'a valid Date');
  }
  checkCount('keepNewest', keepNewest, 0);
  checkCount('batchSize', batchSize, 1);
  checkCount('rowBatchSize', rowBatchSize, 1);
  const asked = new Set<unknown>(criteria.statuses);
  return {
    statuses: TERMINAL_EXECUTION_STATUSES.filter((status) => asked.has(status)),
    finishedBefore: finishedBefore ?? null,
    keepNewest,
    batchSize,
    rowBatchSize,
    signal: criteria.signal ?? null,
  };
}

function checkCount(option: string, value: unknown, least: number): void {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < least) throw new InvalidOptionsError(option, value, `an integer >= ${least}`);
}
