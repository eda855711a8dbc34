/**
 * `task-graph logs`: which stored log records to show (`--task`, `--level`) and one line each:
 * time, level, where (the task and attempt, or `execution`), the message and its metadata as
 * compact JSON.
 */
import type { LogRecord } from '../store/records.js';
import { oneLine, time } from './format.js';

/** winston's npm levels, most severe first: `--level warn` shows error and warn. */
export const LOG_LEVELS = ['error', 'warn', 'info', 'http', 'verbose', 'debug', 'silly'] as const;
export type LogLevelName = (typeof LOG_LEVELS)[number];

export interface LogFilter {
  taskId?: string;
  /** The least severe level shown. */
  level?: LogLevelName;
}

/** Whether a record passes the filter (a level winston does not know passes any level filter). */
export function matchesLogFilter(record: LogRecord, filter: LogFilter): boolean {
  if (filter.taskId !== undefined && record.taskId !== filter.taskId) return false;
  if (filter.level === undefined) return true;
  const rank = LOG_LEVELS.indexOf(record.level as LogLevelName);
  return rank === -1 || rank <= LOG_LEVELS.indexOf(filter.level);
}

/**
 * One record as a line.
 * @example formatLogRecord(record); // '2025-06-01 10:00:00.000  warn   [load #2]  slow insert {"rows":3}'
 */
export function formatLogRecord(record: LogRecord): string {
  const where = record.taskId === null ? 'execution' : `${record.taskId}${record.attempt === null ? '' : ` #${record.attempt}`}`;
  const attributes = Object.keys(record.attributes).length > 0 ? ` ${JSON.stringify(record.attributes)}` : '';
  return `${time(record.at)}  ${record.level.padEnd(5)}  [${oneLine(where)}]  ${oneLine(record.message)}${oneLine(attributes)}`;
}
