import type { ExecutionRecord, ListExecutionsFilter } from './records.js';

/** Applies a `listExecutions` filter in memory: newest first, then offset and limit. */
export function filterExecutions(all: readonly ExecutionRecord[], filter: ListExecutionsFilter): ExecutionRecord[] {
  const statuses = filter.status === undefined ? undefined : ([] as string[]).concat(filter.status);
  const matching = all
    .filter((record) => filter.workflowId === undefined || record.workflowId === filter.workflowId)
    .filter((record) => statuses === undefined || statuses.includes(record.status))
    .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime() || (a.id < b.id ? 1 : -1));
  const offset = filter.offset ?? 0;
  return matching.slice(offset, filter.limit === undefined ? undefined : offset + filter.limit);
}
