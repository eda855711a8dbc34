// The execution page's timeline (a Gantt chart): one bar per attempt and per backoff, read from
// the transition log as the HTML report's timeline is (lib/inspect/attemptTimeline.ts), with the
// attempts a resume interrupted shown as such (the resumes: GET …/resumes), and a cursor at the
// replay step's time.
import { duration, el, svg, time } from './common.js';

const MAX_ROWS = 300;
const LABEL = 180;
const WIDTH = 900;
const ROW = 18;

/**
 * One bar per attempt (into running → out of it) and per backoff (retrying → running), like the
 * report's timeline. An attempt that was running when its process died and ran again after a
 * resume is split at the resume: `interrupted` before it, the re-run after it.
 */
export function buildTimeline(transitions, resumes, finished) {
  const bars = [];
  const open = new Map();
  let first = Infinity;
  let last = -Infinity;
  for (const transition of transitions) {
    const at = new Date(transition.at).getTime();
    first = Math.min(first, at);
    last = Math.max(last, at);
    if (transition.taskId === null) continue;
    const current = open.get(transition.taskId);
    if (current) {
      current.end = at;
      current.outcome = transition.to;
      current.open = false;
      current.error = transition.data && transition.data.error ? transition.data.error : null;
      current.endSeq = transition.seq;
      open.delete(transition.taskId);
    }
    if (transition.to === 'running' || transition.to === 'retrying') {
      const bar = { taskId: transition.taskId, kind: transition.to === 'running' ? 'attempt' : 'backoff', attempt: transition.attempt, start: at, end: at,
        startSeq: transition.seq, endSeq: Infinity, outcome: transition.to, open: true, error: null };
      bars.push(bar);
      open.set(transition.taskId, bar);
    }
  }
  const end = finished ? last : Math.max(last, Date.now());
  for (const bar of open.values()) bar.end = Math.max(bar.start, end);
  const split = [];
  for (const bar of bars) {
    // running when the log was read back at a resume (opened at or before its seq, closed after it)
    const resumedAt = bar.kind === 'attempt'
      ? resumes.filter((resume) => bar.startSeq <= resume.afterSeq && bar.endSeq > resume.afterSeq).map((resume) => Math.min(Math.max(resume.at, bar.start), bar.end))
      : [];
    if (resumedAt.length === 0) {
      split.push(bar);
      continue;
    }
    let from = bar.start;
    for (const at of resumedAt) {
      split.push({ ...bar, start: from, end: at, outcome: 'interrupted', open: false, interrupted: true });
      from = at;
    }
    split.push({ ...bar, start: from, resumed: true });
  }
  return { start: first, end: Math.max(end, ...resumes.map((resume) => resume.at)), bars: split };
}

/** Draws `timeline` into `box`: one row per task (the first `MAX_ROWS`), a mark per resume, a cursor. */
export function renderTimeline(box, timeline, resumes) {
  if (!Number.isFinite(timeline.start) || timeline.bars.length === 0) {
    box.replaceChildren(el('p', { class: 'muted' }, 'No attempt yet.'));
    return;
  }
  const barsOf = new Map();
  for (const bar of timeline.bars) {
    if (!barsOf.has(bar.taskId)) barsOf.set(bar.taskId, []);
    barsOf.get(bar.taskId).push(bar);
  }
  const order = [...barsOf.keys()];
  const visible = order.slice(0, MAX_ROWS);
  const span = Math.max(1, timeline.end - timeline.start);
  const x = (at) => LABEL + ((at - timeline.start) / span) * (WIDTH - LABEL - 10);
  const root = svg('svg', { class: 'timeline', width: WIDTH, height: visible.length * ROW + 24, viewBox: `0 0 ${WIDTH} ${visible.length * ROW + 24}` });
  visible.forEach((taskId, index) => {
    const y = index * ROW + 4;
    root.append(svg('text', { class: 'timeline-label', x: '4', y: String(y + 12) }, [...taskId].length > 24 ? `${[...taskId].slice(0, 23).join('')}…` : taskId));
    for (const bar of barsOf.get(taskId)) {
      const width = Math.max(2, x(bar.end) - x(bar.start));
      const status = bar.kind === 'backoff' ? 'retrying' : bar.interrupted ? 'running' : bar.open ? 'running' : bar.outcome;
      const kind = bar.kind === 'backoff' ? 'backoff-bar' : bar.interrupted ? 'interrupted-bar' : 'attempt-bar';
      root.append(svg('rect', { class: `bar ${kind} state-${status}`, x: String(x(bar.start)), y: String(y), width: String(width), height: String(ROW - 6),
        'data-task-id': taskId, 'data-attempt': String(bar.attempt), 'data-outcome': bar.outcome, 'data-open': String(bar.open) },
        svg('title', {}, `${taskId} attempt ${bar.attempt}${bar.kind === 'backoff' ? ' backoff' : ''}${bar.resumed ? ' (run again after a resume)' : ''}: ${duration(bar.end - bar.start)}` +
          (bar.interrupted ? ' (its process stopped; interrupted)' : bar.open ? ' (still open)' : ` → ${bar.outcome}`))));
    }
  });
  for (const { at, afterSeq } of resumes) {
    root.append(svg('line', { class: 'resume-mark', x1: String(x(at)), x2: String(x(at)), y1: '0', y2: String(visible.length * ROW + 24) },
      svg('title', {}, `resumed at ${time(at)}, after seq ${afterSeq}`)));
  }
  root.append(svg('line', { class: 'timeline-cursor', id: 'timeline-cursor', x1: String(LABEL), x2: String(LABEL), y1: '0', y2: String(visible.length * ROW + 24) }));
  root.dataset.start = String(timeline.start);
  root.dataset.span = String(span);
  box.replaceChildren(root);
  if (order.length > visible.length) box.append(el('p', { class: 'muted' }, `${order.length - visible.length} more tasks not drawn.`));
}

/** Moves the cursor of the timeline drawn in the page to the time `at` (ms). */
export function moveTimelineCursor(at) {
  const cursor = document.getElementById('timeline-cursor');
  if (!cursor) return;
  const root = cursor.ownerSVGElement;
  const x = LABEL + ((at - Number(root.dataset.start)) / Number(root.dataset.span)) * (WIDTH - LABEL - 10);
  cursor.setAttribute('x1', String(x));
  cursor.setAttribute('x2', String(x));
}
