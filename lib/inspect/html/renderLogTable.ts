/**
 * The log table of the HTML report: one row per record (`ctx.logger`'s and the engine's about the
 * execution), with its time, task, attempt, level, message and attributes; at most `MAX_ROWS`,
 * the errors and warnings first when there are more, and a line saying how many were left out.
 */
import type { LogRecord } from '../../store/records.js';
import { escapeHtml, truncate } from './escapeHtml.js';

export const MAX_LOG_ROWS = 2_000;
const ATTRIBUTES_CHARS = 200;

export function renderLogTable(logs: readonly LogRecord[]): string {
  if (logs.length === 0) return '<p class="muted">No log records.</p>';
  const severe = (log: LogRecord) => log.level === 'error' || log.level === 'warn';
  const kept = logs.length <= MAX_LOG_ROWS ? logs : [...logs.filter(severe), ...logs.filter((log) => !severe(log))].slice(0, MAX_LOG_ROWS);
  const rows = kept.map((log) => {
    const attributes = Object.keys(log.attributes ?? {}).length === 0 ? '' : truncate(JSON.stringify(log.attributes), ATTRIBUTES_CHARS);
    return (
      `<tr class="log level-${escapeHtml(log.level)}"><td><time datetime="${new Date(log.at).toISOString()}">${new Date(log.at).toISOString().slice(11, 23)}</time></td>` +
      `<td>${log.taskId === null ? '<span class="actor-execution">(execution)</span>' : `<code>${escapeHtml(log.taskId)}</code>`}</td>` +
      `<td class="num">${log.attempt ?? ''}</td><td>${escapeHtml(log.level)}</td><td>${escapeHtml(log.message)}</td>` +
      `<td><code class="data">${escapeHtml(attributes)}</code></td></tr>`
    );
  });
  const left = logs.length - kept.length;
  return (
    (left > 0 ? `<p class="note">${kept.length} of ${logs.length} log records (errors and warnings first); ${left} left out.</p>` : '') +
    '<div class="scroll"><table class="logs"><thead><tr><th>at</th><th>task</th><th>attempt</th><th>level</th><th>message</th><th>attributes</th></tr></thead>' +
    `<tbody>${rows.join('')}</tbody></table></div>`
  );
}
