/**
 * The transition table of the HTML report: one `<tr>` per recorded transition, in `seq` order,
 * with its time, actor, `from → to`, event type, attempt and data (the XState event and the
 * facts recorded with it, as JSON; long values fold into a `<details>`).
 */
import type { TransitionRecord } from '../../store/records.js';
import { escapeHtml, formatDuration, truncate } from './escapeHtml.js';

const INLINE_DATA_CHARS = 160;

export function renderTransitionTable(transitions: readonly TransitionRecord[]): string {
  const origin = transitions.length > 0 ? new Date(transitions[0]!.at).getTime() : 0;
  const rows = transitions.map((transition) => {
    const at = new Date(transition.at);
    const actor =
      transition.taskId === null ? '<span class="actor-execution">(execution)</span>' : `<span class="actor-task">${escapeHtml(transition.taskId)}</span>`;
    return (
      `<tr data-seq="${transition.seq}" class="to-${escapeHtml(transition.to)}">` +
      `<td class="num">${transition.seq}</td>` +
      `<td><time datetime="${at.toISOString()}">${at.toISOString().slice(11, 23)}</time><br><span class="muted">+${formatDuration(at.getTime() - origin)}</span></td>` +
      `<td>${actor}</td>` +
      `<td>${escapeHtml(transition.from ?? '—')} → <span class="state state-${escapeHtml(transition.to)}">${escapeHtml(transition.to)}</span></td>` +
      `<td><code>${escapeHtml(transition.event)}</code></td>` +
      `<td class="num">${transition.taskId === null ? '' : transition.attempt}</td>` +
      `<td>${renderData(transition.data)}</td>` +
      `</tr>`
    );
  });
  return (
    '<table class="transitions"><thead><tr><th>seq</th><th>at</th><th>task</th><th>from → to</th><th>event</th><th>attempt</th><th>data</th></tr></thead>' +
    `<tbody>${rows.join('')}</tbody></table>`
  );
}

function renderData(data: unknown): string {
  if (data === null || data === undefined) return '';
  let json: string;
  try {
    json = JSON.stringify(data) ?? '';
  } catch {
    json = String(data);
  }
  if (json.length <= INLINE_DATA_CHARS) return `<code class="data">${escapeHtml(json)}</code>`;
  return `<details><summary><code class="data">${escapeHtml(truncate(json, INLINE_DATA_CHARS))}</code></summary><pre>${escapeHtml(JSON.stringify(data, null, 2))}</pre></details>`;
}
