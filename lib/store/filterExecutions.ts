import type { ExecutionCounts, ExecutionRecord, ListExecutionsFilter } from './records.js';

/** Applies a `listExecutions` filter in memory: newest first, then the cursor, offset and limit. */
export function filterExecutions(all: readonly ExecutionRecord[], filter: ListExecutionsFilter): ExecutionRecord[] {
  const statuses = filter.status === undefined ? undefined : ([] as string[]).concat(filter.status);
  const from = filter.createdFrom?.getTime();
  const before = filter.createdBefore?.getTime();
  const after = filter.after;
  const matching = all
    .filter((record) => filter.workflowId === undefined || record.workflowId === filter.workflowId)
    .filter((record) => statuses === undefined || statuses.includes(record.status))
    .filter((record) => from === undefined || record.createdAt.getTime() >= from)
    .filter((record) => before === undefined || record.createdAt.getTime() < before)
    .filter((record) => after === undefined || compareNewestFirst(record, after) > 0)
    .sort(compareNewestFirst);
  const offset = filter.offset ?? 0;
  return matching.slice(offset, filter.limit === undefined ? undefined : offset + filter.limit);
}

/** Newest first, then by id descending: negative when `a` is listed before `b`. */
function compareNewestFirst(a: Pick<ExecutionRecord, 'createdAt' | 'id'>, b: Pick<ExecutionRecord, 'createdAt' | 'id'>): number {
  return b.createdAt.getTime() - a.createdAt.getTime() || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0);
}

/** How many of `records` are in each status. */
export function countByStatus(records: readonly Pick<ExecutionRecord, 'status'>[]): ExecutionCounts {
  const counts: ExecutionCounts = { pending: 0, running: 0, succeeded: 0, failed: 0, cancelled: 0 };
  for (const record of records) counts[record.status] += 1;
  return counts;
}
