/**
 * Plain-text rendering for the CLI: tables and durations.
 *
 * Ids are the user's strings: a cell is kept on one line (control characters such as a newline
 * are written as escapes, `\n`), widths are counted in terminal columns (a CJK character or an
 * emoji takes two), and a column is padded to its widest cell only up to
 * {@link MAX_COLUMN_WIDTH}: a longer cell is shown whole and pushes the rest of its own row
 * right, instead of padding every row to it.
 */
import type { ExecutionDetails } from '../engine/Engine.js';
import { DEFAULT_OWNER_STALE_AFTER_MS } from '../defaults.js';
import { hasStaleOwner } from '../store/records.js';
import type { ExecutionRecord, TransitionRecord } from '../store/records.js';
import { displayWidth } from './displayWidth.js';

/** Widest a column is padded to, in terminal columns. */
export const MAX_COLUMN_WIDTH = 40;

/**
 * Rows under a header, columns two spaces apart.
 * @example table(['id', 'status'], [['a', 'succeeded']]);
 */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const cells = [header, ...rows].map((row) => row.map(oneLine));
  const widths = cells[0]!.map((_, i) => Math.min(MAX_COLUMN_WIDTH, Math.max(...cells.map((row) => displayWidth(row[i] ?? '')))));
  const line = (row: readonly string[]) =>
    row
      .map((cell, i) => cell + ' '.repeat(Math.max(0, (widths[i] ?? 0) - displayWidth(cell))))
      .join('  ')
      .trimEnd();
  return [line(cells[0]!), line(widths.map((columnWidth) => '-'.repeat(columnWidth))), ...cells.slice(1).map(line)].join('\n');
}

const NAMED_ESCAPES: Readonly<Record<string, string>> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/**
 * The text on one line: control characters (C0, DEL, C1, and the Unicode line and paragraph
 * separators) written as escapes, so that an id holding a newline or a terminal escape sequence
 * can neither break a table nor drive the terminal.
 * @example oneLine('two\nlines'); // 'two\\nlines'
 */
export function oneLine(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, (char) => NAMED_ESCAPES[char] ?? `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

export function time(date: Date | null | undefined): string {
  return date ? date.toISOString().replace('T', ' ').replace('Z', '') : '-';
}

export function duration(from: Date | null | undefined, to: Date | null | undefined): string {
  if (!from || !to) return '-';
  const ms = to.getTime() - from.getTime();
  return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(2)} s`;
}

/**
 * The table of `task-graph list`. An unfinished execution that no live engine owns (no owner, or
 * a heartbeat older than `ownerStaleAfterMs`: its process died or closed) shows as
 * `running (orphaned, resumable)`, since nothing will move it until someone resumes it.
 * @example formatExecutionList(await engine.listExecutions({ limit: 20 }));
 */
export function formatExecutionList(
  records: readonly ExecutionRecord[],
  { now = Date.now(), ownerStaleAfterMs = DEFAULT_OWNER_STALE_AFTER_MS }: { now?: number; ownerStaleAfterMs?: number } = {},
): string {
  if (records.length === 0) return 'No executions.';
  const status = (record: ExecutionRecord) => (hasStaleOwner(record, now - ownerStaleAfterMs) ? `${record.status} (orphaned, resumable)` : record.status);
  return table(
    ['id', 'workflow', 'status', 'created', 'duration'],
    records.map((record) => [record.id, record.workflowId, status(record), time(record.createdAt), duration(record.startedAt, record.finishedAt)]),
  );
}

/** The retry delays chosen for each task, in order, from its transitions into `retrying`. */
export function retryDelaysOf(transitions: readonly TransitionRecord[]): Map<string, number[]> {
  const delays = new Map<string, number[]>();
  for (const transition of transitions) {
    if (transition.taskId === null || transition.to !== 'retrying' || typeof transition.data?.delayMs !== 'number') continue;
    delays.set(transition.taskId, [...(delays.get(transition.taskId) ?? []), transition.data.delayMs]);
  }
  return delays;
}

/**
 * `task-graph show`: the execution, then a row per task: status, attempts, duration (first start
 * to end), the retry delays chosen, and its output or error.
 */
export function formatExecution(execution: ExecutionDetails, retryDelays: ReadonlyMap<string, readonly number[]> = new Map()): string {
  const lines = [
    `Execution ${execution.id}`,
    `  workflow  ${oneLine(execution.workflowId)} (version ${execution.workflowVersion})`,
    `  status    ${execution.status}`,
    `  created   ${time(execution.createdAt)}`,
    `  started   ${time(execution.startedAt)}`,
    `  finished  ${time(execution.finishedAt)}  (${duration(execution.startedAt, execution.finishedAt)})`,
  ];
  if (execution.error) lines.push(`  error     ${oneLine(`${execution.error.name}: ${execution.error.message}`)}`);
  lines.push('', table(
    ['task', 'status', 'attempts', 'duration', 'retry delays', 'output or error'],
    Object.entries(execution.tasks).map(([id, task]) => [
      id,
      task.status,
      String(task.attempts),
      duration(task.startedAt, task.finishedAt),
      (retryDelays.get(id) ?? []).map((ms) => (ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(2)} s`)).join(', '),
      task.error ? `${task.error.name}: ${task.error.message}` : task.status === 'succeeded' ? preview(task.output) : '',
    ]),
  ));
  return lines.join('\n');
}

/** A value as one line of JSON, cut to `max` characters. */
function preview(value: unknown, max = 60): string {
  const json = JSON.stringify(value) ?? 'null';
  return json.length > max ? `${json.slice(0, max - 1)}…` : json;
}
