import type { TaskRunRecord } from '../store/records.js';

/**
 * When a task about to run became ready (epoch ms), read before its `running` transition is
 * recorded: its retry deadline after a backoff, else the latest of its upstream tasks' ends and
 * `begunAt` (when this run began in this process). Its queue wait is the time from this to its
 * start. It reads rows the run already holds and allocates nothing: no timestamp is kept per task.
 * @example startedAt - readyAt(row, ['extract'], rowOf, begunAt) // the queue wait, in ms
 */
export function readyAt(
  row: TaskRunRecord | undefined,
  upstreamIds: readonly string[],
  rowOf: (taskId: string) => TaskRunRecord | undefined,
  begunAt: number,
): number {
  if (row?.status === 'retrying' && row.nextRetryAt) return row.nextRetryAt.getTime();
  let ready = begunAt;
  for (const upstreamId of upstreamIds) {
    const finished = rowOf(upstreamId)?.finishedAt?.getTime() ?? 0;
    if (finished > ready) ready = finished;
  }
  return ready;
}
