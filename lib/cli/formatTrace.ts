/**
 * `task-graph trace`: an execution's stored spans as a tree (the execution, then each task attempt
 * in start order) with their durations, and a waterfall: one bar per span on a common time axis,
 * so retries, backoffs (the gaps between a task's attempts) and parallel branches show at a glance.
 *
 *   span                     status     duration  0 ms                              1.20 s
 *   execution etl            succeeded  1.20 s    |################################|
 *     task extract #1        ok         120 ms    |###                             |
 *     task load #1           error      30 ms     |   #                            |
 *     task load #2           ok         400 ms    |       ##########               |
 *
 * An unfinished execution has no execution span yet: its row stands in, up to now.
 */
import type { ExecutionStatus, SpanRecord } from '../store/records.js';
import { displayWidth } from './displayWidth.js';
import { oneLine } from './format.js';

const BAR_WIDTH = 40;

interface Row {
  label: string;
  status: string;
  start: number;
  end: number;
}

/** What the trace needs of the execution (an `ExecutionRecord` or `engine.getExecution`'s result). */
export interface TracedExecution {
  workflowId: string;
  status: ExecutionStatus;
  createdAt: Date;
  startedAt?: Date | null;
  finishedAt?: Date | null;
}

/**
 * The tree and waterfall of an execution's spans; `now` ends the bar of an unfinished execution.
 * At most `limit` attempts are drawn (the first to start; 0: all), with a line saying how many more.
 */
export function formatTrace(execution: TracedExecution, spans: readonly SpanRecord[], { now = Date.now(), limit = 0 }: { now?: number; limit?: number } = {}): string {
  const root = spans.find((span) => span.taskId === null);
  const attempts = spans
    .filter((span) => span.taskId !== null)
    .sort((a, b) => a.startedAt.getTime() - b.startedAt.getTime() || compare(a.taskId!, b.taskId!) || (a.attempt ?? 0) - (b.attempt ?? 0));
  const rows: Row[] = [];
  const rootStart = Math.min(root?.startedAt.getTime() ?? (execution.startedAt ?? execution.createdAt).getTime(), ...attempts.map((span) => span.startedAt.getTime()));
  const rootEnd = Math.max(root?.finishedAt.getTime() ?? execution.finishedAt?.getTime() ?? now, ...attempts.map((span) => span.finishedAt.getTime()));
  rows.push({ label: `execution ${oneLine(execution.workflowId)}`, status: root?.status ?? execution.status, start: rootStart, end: rootEnd });
  const shown = limit > 0 ? attempts.slice(0, limit) : attempts;
  for (const span of shown) {
    rows.push({ label: `  task ${oneLine(span.taskId!)} #${span.attempt ?? '?'}`, status: span.status, start: span.startedAt.getTime(), end: span.finishedAt.getTime() });
  }
  const total = Math.max(1, rootEnd - rootStart);
  const labelWidth = Math.min(48, Math.max(4, ...rows.map((row) => displayWidth(row.label))));
  const statusWidth = Math.max(6, ...rows.map((row) => row.status.length));
  const durations = rows.map((row) => milliseconds(row.end - row.start));
  const durationWidth = Math.max(8, ...durations.map((text) => text.length));
  const pad = (text: string, width: number) => text + ' '.repeat(Math.max(0, width - displayWidth(text)));
  const axis = `0 ms${' '.repeat(Math.max(1, BAR_WIDTH + 2 - 4 - milliseconds(total).length))}${milliseconds(total)}`;
  const lines = [`${pad('span', labelWidth)}  ${pad('status', statusWidth)}  ${pad('duration', durationWidth)}  ${axis}`];
  rows.forEach((row, i) => {
    const from = Math.min(BAR_WIDTH - 1, Math.floor(((row.start - rootStart) / total) * BAR_WIDTH));
    const to = Math.max(from + 1, Math.min(BAR_WIDTH, Math.ceil(((row.end - rootStart) / total) * BAR_WIDTH)));
    const bar = `|${' '.repeat(from)}${'#'.repeat(to - from)}${' '.repeat(BAR_WIDTH - to)}|`;
    lines.push(`${pad(row.label, labelWidth)}  ${pad(row.status, statusWidth)}  ${pad(durations[i]!, durationWidth)}  ${bar}`);
  });
  if (shown.length < attempts.length) lines.push(`… ${attempts.length - shown.length} more attempts (--limit 0 shows all)`);
  if (!root) lines.push('', `(no execution span yet: the execution is ${execution.status}; its bar ends now)`);
  return lines.join('\n');
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function milliseconds(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(2)} s`;
}
