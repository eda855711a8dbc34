/**
 * The options of `engine.prune`, checked and turned into the criteria a store prunes by. Only
 * finished executions can be pruned: asking for 'running' or 'pending' is refused here, before
 * anything is deleted.
 */
import { InvalidOptionsError } from '../errors.js';
import type { ExecutionStatus, PruneCriteria } from '../store/records.js';
import { TERMINAL_EXECUTION_STATUSES } from '../store/records.js';
import { optionKeys, rejectUnknownOptions } from '../unknownOption.js';

/** The statuses of a finished execution: the ones `prune` deletes. */
export type FinishedExecutionStatus = Exclude<ExecutionStatus, 'pending' | 'running'>;

export interface PruneOptions {
  /**
   * Delete executions that finished before this instant (a `Date`), or at least this many
   * milliseconds ago (a number: `30 * 24 * 60 * 60 * 1000` for 30 days; `0` for every finished
   * execution).
   */
  olderThan: Date | number;
  /** Only executions that ended in this status, or in one of these. @defaultValue every finished status: 'succeeded', 'failed', 'cancelled' */
  status?: FinishedExecutionStatus | readonly FinishedExecutionStatus[];
}

export interface PruneResult {
  /** How many executions were deleted, each with everything recorded of it. */
  deleted: number;
}

const KNOWN_OPTIONS = optionKeys<PruneOptions>({ olderThan: true, status: true });
const FINISHED = TERMINAL_EXECUTION_STATUSES.map((status) => `'${status}'`).join(', ');

/**
 * @param now the instant a duration is counted back from (epoch ms)
 * @throws InvalidOptionsError naming the option and the value, for a missing or bad `olderThan`,
 *   a status that is not a finished one, or an option `prune` does not have.
 * @example
 * toPruneCriteria({ olderThan: 3_600_000, status: 'failed' }, Date.now());
 * // { statuses: ['failed'], finishedBefore: <an hour ago, plus 1 ms> }
 */
export function toPruneCriteria(options: PruneOptions, now: number): PruneCriteria {
  if (options === null || typeof options !== 'object') {
    throw new InvalidOptionsError('options', options, 'an object such as { olderThan: 30 * 24 * 60 * 60 * 1000 }');
  }
  rejectUnknownOptions(options, KNOWN_OPTIONS, 'prune');
  return { statuses: finishedStatuses(options.status), finishedBefore: cutoff(options.olderThan, now) };
}

function cutoff(olderThan: unknown, now: number): Date {
  if (olderThan instanceof Date && Number.isFinite(olderThan.getTime())) return olderThan;
  // At least `olderThan` ms ago: finishedAt <= now - olderThan, so before the millisecond after it.
  if (typeof olderThan === 'number' && Number.isFinite(olderThan) && olderThan >= 0) return new Date(now - olderThan + 1);
  throw new InvalidOptionsError('olderThan', olderThan, 'a Date, or a duration in milliseconds (a number >= 0) counted back from now');
}

function finishedStatuses(status: unknown): ExecutionStatus[] {
  if (status === undefined) return [...TERMINAL_EXECUTION_STATUSES];
  const statuses = Array.isArray(status) ? (status as unknown[]) : [status];
  if (statuses.length === 0) throw new InvalidOptionsError('status', status, `at least one of ${FINISHED}`);
  for (const each of statuses) {
    if (each === 'running' || each === 'pending') {
      throw new InvalidOptionsError('status', each, `${FINISHED}: only finished executions are pruned (cancel a running one first)`);
    }
    if (!TERMINAL_EXECUTION_STATUSES.includes(each as ExecutionStatus)) throw new InvalidOptionsError('status', each, FINISHED);
  }
  return statuses as ExecutionStatus[];
}
