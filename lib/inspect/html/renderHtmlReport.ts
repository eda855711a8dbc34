/**
 * The HTML report of one execution: ONE self-contained UTF-8 file that works offline. Everything
 * is rendered here, in TypeScript: the DAG and the timeline are inline SVG, styles are inline,
 * and the page has no script at all. A Content-Security-Policy forbids scripts and every external
 * load, so even a value that slipped past escaping could not run or fetch anything.
 *
 * Sections: summary (status, workflow, times, counts, error, notes), the DAG coloured by task
 * state with a legend, the timeline of attempts (crashes and resumes marked), the tasks, the logs,
 * and the transition table. A large
 * execution's report is summarised (summarizeReport.ts); the summary's counts stay whole.
 */
import type { SerializedError } from '../../errors.js';
import { buildTimeline, resumesFromLogs } from '../attemptTimeline.js';
import type { InspectionData } from '../inspectionData.js';
import { colorOf, TASK_STATE_COLORS, TASK_STATES } from '../taskStateColors.js';
import { escapeHtml, formatDuration } from './escapeHtml.js';
import { renderDagSvg } from './renderDagSvg.js';
import { renderTimelineSvg } from './renderTimelineSvg.js';
import { renderLogTable } from './renderLogTable.js';
import { renderTransitionTable } from './renderTransitionTable.js';
import { DETAIL_LIMIT, selectReportDetail, TRANSITION_ENDS } from './summarizeReport.js';
import { REPORT_CSS } from './reportCss.js';

export function renderHtmlReport(data: InspectionData): string {
  const { execution, transitions } = data;
  const selection = selectReportDetail(data.tasks, transitions);
  const taskIds = selection.tasks.map((task) => task.taskId);
  const full = buildTimeline(transitions, { start: execution.startedAt, end: execution.finishedAt }, resumesFromLogs(data.logs));
  const shown = new Set(taskIds);
  const timeline = selection.summarised
    ? { ...full, bars: full.bars.filter((bar) => shown.has(bar.taskId)), marks: full.marks.filter((mark) => shown.has(mark.taskId)) }
    : full;
  const left = data.tasks.length - selection.tasks.length;
  const leftOut = left > 0 ? `<p class="note">${left} more tasks are not shown here (the report keeps ${selection.tasks.length}, unusual ones first): open the execution in the dashboard (task-graph serve) to see them all.</p>` : '';
  const attempts = full.bars.filter((bar) => bar.kind === 'attempt' && !bar.interrupted).length;
  const title = `Execution ${execution.id} · ${execution.workflowId} · ${execution.status}`;
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>${REPORT_CSS}</style>
</head>
<body>
<header>
<h1>Execution <code>${escapeHtml(execution.id)}</code> <span class="badge state-${escapeHtml(execution.status)}" id="execution-status">${escapeHtml(execution.status)}</span></h1>
${renderSummary(data)}
${data.notes.map((note) => `<p class="note">${escapeHtml(note)}</p>`).join('\n')}
</header>
<section id="dag"><h2>Task graph</h2>
${renderLegend()}
${
  selection.summarised
    ? `<p class="note">${data.tasks.length} tasks: the graph is not drawn above ${DETAIL_LIMIT} tasks; the dashboard (task-graph serve) draws it with search and zoom.</p>`
    : `<div class="scroll">${renderDagSvg(data)}</div>`
}
</section>
<section id="timeline"><h2>Timeline <span class="muted">(${attempts} attempt${attempts === 1 ? '' : 's'}; yellow: backoff before a retry; ◆: settled without running; dashed: interrupted by a stop, red line: resumed)</span></h2>
${leftOut}<div class="scroll">${renderTimelineSvg(taskIds, timeline)}</div>
</section>
<section id="tasks"><h2>Tasks</h2>
${leftOut}${renderTaskTable(selection.tasks)}
</section>
<section id="logs"><h2>Logs <span class="muted">(${data.logs.length})</span></h2>
${renderLogTable(data.logs)}
</section>
<section id="log"><h2>Transitions <span class="muted">(${transitions.length})</span></h2>
${
  selection.transitionsOmitted > 0
    ? `<p class="note">The first and last ${TRANSITION_ENDS} of ${transitions.length} transitions; the ${selection.transitionsOmitted} between are left out (task-graph replay lists them all).</p>`
    : ''
}<div class="scroll">${renderTransitionTable(selection.transitionsHead)}${selection.transitionsTail.length > 0 ? renderTransitionTable(selection.transitionsTail) : ''}</div>
</section>
<footer class="muted">task-graph inspection report · generated ${escapeHtml(new Date().toISOString())}</footer>
</body>
</html>
`;
}

function renderSummary({ execution, tasks }: InspectionData): string {
  const counts = new Map<string, number>();
  for (const task of tasks) counts.set(task.status, (counts.get(task.status) ?? 0) + 1);
  const time = (date: Date | null): string => (date ? escapeHtml(new Date(date).toISOString()) : '—');
  const duration =
    execution.startedAt && execution.finishedAt ? formatDuration(new Date(execution.finishedAt).getTime() - new Date(execution.startedAt).getTime()) : '—';
  const rows: [string, string][] = [
    ['workflow', `<code>${escapeHtml(execution.workflowId)}</code> @ <code>${escapeHtml(execution.workflowVersion)}</code>`],
    ['created', time(execution.createdAt)],
    ['started', time(execution.startedAt)],
    ['finished', time(execution.finishedAt)],
    ['duration', escapeHtml(duration)],
    ['policy', `concurrency ${execution.concurrency}, ${escapeHtml(execution.failurePolicy)}`],
    [
      'tasks',
      [...counts].map(([status, n]) => `<span class="badge state-${escapeHtml(status)}">${n} ${escapeHtml(status)}</span>`).join(' ') || '—',
    ],
  ];
  if (execution.error) rows.push(['error', `<span class="error">${escapeHtml(`${execution.error.name}: ${execution.error.message}`)}</span>`]);
  return `<table class="summary">${rows.map(([key, value]) => `<tr><th>${key}</th><td>${value}</td></tr>`).join('')}</table>`;
}

function renderLegend(): string {
  return `<p class="legend">${TASK_STATES.map(
    (state) => `<span class="badge state-${state}" style="background:${TASK_STATE_COLORS[state].fill};color:${TASK_STATE_COLORS[state].text}">${state}</span>`,
  ).join(' ')} <span class="muted">dashed edge: recovered from a skip reason</span></p>`;
}

const OUTPUT_PREVIEW_CHARS = 200;

/** A succeeded task's output as JSON, cut to a preview. */
function outputPreview(task: InspectionData['tasks'][number]): string {
  if (task.status !== 'succeeded') return '';
  const json = JSON.stringify(task.output) ?? 'null';
  const shown = json.length > OUTPUT_PREVIEW_CHARS ? `${json.slice(0, OUTPUT_PREVIEW_CHARS)}…` : json;
  return `<code class="output">${escapeHtml(shown)}</code>`;
}

/** An error's name and message, and its recorded stack folded under them (closed: a stack is long). */
function renderError(error: SerializedError): string {
  const line = `<span class="error">${escapeHtml(`${error.name}: ${error.message}`)}</span>`;
  return error.stack === undefined ? line : `${line}<details class="stack"><summary>stack</summary><pre>${escapeHtml(error.stack)}</pre></details>`;
}

function renderTaskTable(tasks: InspectionData['tasks']): string {
  const rows = tasks.map((task) => {
    const color = colorOf(task.status);
    const detail = task.error ? renderError(task.error) : outputPreview(task);
    return (
      `<tr data-task-id="${escapeHtml(task.taskId)}"><td><code>${escapeHtml(task.taskId)}</code></td>` +
      `<td><span class="badge" style="background:${color.fill};color:${color.text}">${escapeHtml(task.status)}</span></td>` +
      `<td class="num">${task.attempt}</td><td>${task.startedAt ? escapeHtml(new Date(task.startedAt).toISOString()) : '—'}</td>` +
      `<td>${task.finishedAt ? escapeHtml(new Date(task.finishedAt).toISOString()) : '—'}</td>` +
      `<td class="num">${task.startedAt && task.finishedAt ? escapeHtml(formatDuration(new Date(task.finishedAt).getTime() - new Date(task.startedAt).getTime())) : '—'}</td><td>${detail}</td></tr>`
    );
  });
  return (
    '<table class="tasks"><thead><tr><th>task</th><th>status</th><th>attempts</th><th>started</th><th>finished</th><th>duration</th><th>output or error</th></tr></thead>' +
    `<tbody>${rows.join('')}</tbody></table>`
  );
}
