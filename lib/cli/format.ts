/** Plain-text rendering for the CLI: tables and durations. */
import type { ExecutionDetails } from '../engine/Engine.js';
import type { ExecutionRecord } from '../store/records.js';

export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((title, i) => Math.max(title.length, ...rows.map((row) => (row[i] ?? '').length)));
  const line = (cells: readonly string[]) => cells.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join('  ').trimEnd();
  return [line(header), line(widths.map((width) => '-'.repeat(width))), ...rows.map(line)].join('\n');
}

export function time(date: Date | null | undefined): string {
  return date ? date.toISOString().replace('T', ' ').replace('Z', '') : '-';
}

export function duration(from: Date | null | undefined, to: Date | null | undefined): string {
  if (!from || !to) return '-';
  const ms = to.getTime() - from.getTime();
  return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(2)} s`;
}

export function formatExecutionList(records: readonly ExecutionRecord[]): string {
  if (records.length === 0) return 'No executions.';
  return table(
    ['id', 'workflow', 'status', 'created', 'duration'],
    records.map((record) => [record.id, record.workflowId, record.status, time(record.createdAt), duration(record.startedAt, record.finishedAt)]),
  );
}

export function formatExecution(execution: ExecutionDetails): string {
  const lines = [
    `Execution ${execution.id}`,
    `  workflow  ${execution.workflowId} (version ${execution.workflowVersion})`,
    `  status    ${execution.status}`,
    `  created   ${time(execution.createdAt)}`,
    `  started   ${time(execution.startedAt)}`,
    `  finished  ${time(execution.finishedAt)}  (${duration(execution.startedAt, execution.finishedAt)})`,
  ];
  if (execution.error) lines.push(`  error     ${execution.error.name}: ${execution.error.message}`);
  lines.push('', table(
    ['task', 'status', 'attempts', 'duration', 'output or error'],
    Object.entries(execution.tasks).map(([id, task]) => [
      id,
      task.status,
      String(task.attempts),
      duration(task.startedAt, task.finishedAt),
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
