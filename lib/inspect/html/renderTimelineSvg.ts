/**
 * The Gantt timeline of the HTML report as inline SVG: one row per task, one bar per attempt
 * (`rect.attempt-bar`, coloured by how the attempt ended: green succeeded, light red failed and
 * retried, red failed, orange cancelled, blue still running), a thinner yellow bar for each
 * backoff between attempts (`rect.backoff-bar`), and a diamond for tasks that settled without
 * running (skipped, or cancelled while pending). Time runs left to right from the first recorded
 * transition, with a tick axis on top. The part of an attempt its process stopped during is a
 * dashed `rect.interrupted-bar`, and each resume a dashed red line.
 */
import type { Timeline, TimelineBar } from '../attemptTimeline.js';
import { colorOf, TASK_STATE_COLORS } from '../taskStateColors.js';
import { escapeHtml, formatDuration, num, truncate } from './escapeHtml.js';

const LABEL_WIDTH = 200;
const CHART_WIDTH = 760;
const ROW_HEIGHT = 24;
const AXIS_HEIGHT = 26;
const MIN_BAR_WIDTH = 2;

/** Fill of an attempt bar by how it ended. */
const ATTEMPT_FILL: Record<string, string> = {
  succeeded: TASK_STATE_COLORS.succeeded.fill,
  retrying: '#ef9a9a',
  failed: TASK_STATE_COLORS.failed.fill,
  cancelled: TASK_STATE_COLORS.cancelled.fill,
  running: TASK_STATE_COLORS.running.fill,
};

export function renderTimelineSvg(taskIds: readonly string[], timeline: Timeline): string {
  const row = new Map(taskIds.map((id, index) => [id, index]));
  const span = Math.max(1, timeline.end - timeline.start);
  const xOf = (t: number): number => LABEL_WIDTH + ((t - timeline.start) / span) * CHART_WIDTH;
  const width = LABEL_WIDTH + CHART_WIDTH + 20;
  const height = AXIS_HEIGHT + Math.max(1, taskIds.length) * ROW_HEIGHT + 8;
  const parts: string[] = [];

  for (const tick of ticks(span)) {
    const x = xOf(timeline.start + tick);
    parts.push(
      `<line class="tick" x1="${num(x)}" y1="${AXIS_HEIGHT - 6}" x2="${num(x)}" y2="${height}"/>` +
        `<text class="tick-label" x="${num(x)}" y="${AXIS_HEIGHT - 10}">+${escapeHtml(formatDuration(tick))}</text>`,
    );
  }
  taskIds.forEach((id, index) => {
    const y = AXIS_HEIGHT + index * ROW_HEIGHT;
    parts.push(
      `<g class="timeline-row" data-task-id="${escapeHtml(id)}">` +
        `<rect class="row-bg" x="0" y="${y}" width="${width}" height="${ROW_HEIGHT}"/>` +
        `<text class="row-label" x="8" y="${y + 16}"><title>${escapeHtml(id)}</title>${escapeHtml(truncate(id, 26))}</text></g>`,
    );
  });
  for (const bar of timeline.bars) {
    const index = row.get(bar.taskId);
    if (index !== undefined) parts.push(renderBar(bar, xOf, AXIS_HEIGHT + index * ROW_HEIGHT, timeline.start));
  }
  for (const resume of timeline.resumes) {
    const x = xOf(resume.at);
    parts.push(
      `<line class="resume-mark" x1="${num(x)}" y1="${AXIS_HEIGHT - 6}" x2="${num(x)}" y2="${height}" stroke="#b71c1c" stroke-width="1.5" stroke-dasharray="4 3">` +
        `<title>${escapeHtml(`resumed at +${formatDuration(resume.at - timeline.start)}, after seq ${resume.afterSeq}`)}</title></line>`,
    );
  }
  for (const mark of timeline.marks) {
    const index = row.get(mark.taskId);
    if (index === undefined) continue;
    const x = xOf(mark.at);
    const y = AXIS_HEIGHT + index * ROW_HEIGHT + ROW_HEIGHT / 2;
    const color = colorOf(mark.status);
    parts.push(
      `<path class="mark state-${escapeHtml(mark.status)}" data-task-id="${escapeHtml(mark.taskId)}" ` +
        `d="M${num(x)},${num(y - 6)} L${num(x + 6)},${num(y)} L${num(x)},${num(y + 6)} L${num(x - 6)},${num(y)} z" fill="${color.fill}" stroke="${color.stroke}">` +
        `<title>${escapeHtml(`${mark.taskId}: ${mark.status} at +${formatDuration(mark.at - timeline.start)}`)}</title></path>`,
    );
  }
  return (
    `<svg class="timeline" xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="Timeline of attempts">` +
    `${parts.join('')}</svg>`
  );
}

function renderBar(bar: TimelineBar, xOf: (t: number) => number, rowY: number, origin: number): string {
  const x = xOf(bar.start);
  const barWidth = Math.max(MIN_BAR_WIDTH, xOf(bar.end) - x);
  const duration = formatDuration(bar.end - bar.start);
  const common = `data-task-id="${escapeHtml(bar.taskId)}" data-attempt="${bar.attempt}" data-outcome="${escapeHtml(bar.outcome)}"`;
  if (bar.kind === 'backoff') {
    const tooltip = `${bar.taskId}: backoff after attempt ${bar.attempt}, ${duration}${bar.open ? ' (still waiting)' : ''}`;
    return (
      `<rect class="backoff-bar" ${common} x="${num(x)}" y="${rowY + 9}" width="${num(barWidth)}" height="6" fill="${TASK_STATE_COLORS.retrying.fill}" ` +
      `stroke="${TASK_STATE_COLORS.retrying.stroke}" stroke-width="0.5"><title>${escapeHtml(tooltip)}</title></rect>`
    );
  }
  if (bar.interrupted) {
    const tooltip = `${bar.taskId}: attempt ${bar.attempt}, interrupted (its process stopped), ${duration}; run again after the resume`;
    return (
      `<rect class="interrupted-bar" ${common} x="${num(x)}" y="${rowY + 4}" width="${num(barWidth)}" height="${ROW_HEIGHT - 8}" rx="3" ` +
      `fill="${TASK_STATE_COLORS.running.fill}" fill-opacity="0.35" stroke="#b71c1c" stroke-dasharray="3 2"><title>${escapeHtml(tooltip)}</title></rect>`
    );
  }
  const fill = ATTEMPT_FILL[bar.open ? 'running' : bar.outcome] ?? colorOf(bar.outcome).fill;
  const ended = bar.open ? 'still running' : bar.outcome === 'retrying' ? 'failed, retried' : bar.outcome;
  const tooltip = `${bar.taskId}: attempt ${bar.attempt}, ${ended}, ${duration} (from +${formatDuration(bar.start - origin)})`;
  const label = barWidth >= 26 ? `<text class="bar-label" x="${num(x + 4)}" y="${rowY + 16}">#${bar.attempt}</text>` : '';
  return (
    `<g class="attempt"><rect class="attempt-bar outcome-${escapeHtml(bar.outcome)}${bar.open ? ' open' : ''}" ${common} x="${num(x)}" y="${rowY + 4}" ` +
    `width="${num(barWidth)}" height="${ROW_HEIGHT - 8}" rx="3" fill="${fill}"><title>${escapeHtml(tooltip)}</title></rect>${label}</g>`
  );
}

/** Tick offsets (ms from the start) at a round step: 1, 2 or 5 × 10^k ms, about six of them. */
function ticks(span: number): number[] {
  const raw = span / 6;
  const power = 10 ** Math.floor(Math.log10(Math.max(raw, 1)));
  const step = [1, 2, 5, 10].map((m) => m * power).find((candidate) => candidate >= raw) ?? power * 10;
  const result: number[] = [];
  for (let t = 0; t <= span + 1e-9; t += step) result.push(t);
  return result;
}
