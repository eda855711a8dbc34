// One execution: its DAG coloured by state (dagView.js), a replay slider over the transition log (the DAG,
// the task table and the timeline cursor show the state after transition k, as engine.replay()
// computes it; arrow keys step), a Gantt timeline of attempts and backoffs, the selected task's
// details, and the actions. While the execution runs, its new transitions arrive as server-sent
// events and the view follows them (unless the slider was moved back).
import { BASE, badge, duration, el, executionHref, getJson, json, postJson, readEvents, showError, time } from './common.js';
import { createDagView } from './dagView.js';
import { createReplay } from './replayState.js';
import { drawStatechart, highlightStatechart } from './statechartView.js';
import { buildTimeline, moveTimelineCursor, renderTimeline } from './timeline.js';

const main = document.getElementById('main');
const id = decodeURIComponent(location.pathname.slice(`${BASE}/executions/`.length));
const api = `/api/executions/${encodeURIComponent(id)}`;
const TERMINAL = ['succeeded', 'failed', 'cancelled'];
const MAX_TABLE_ROWS = 1000;

let details;
let graph;
let statechart;
/** When the execution was resumed, and after which seq: `[{ at, afterSeq }]` (GET …/resumes). */
let resumes = [];
let info = { actions: false, engine: false };
const transitions = [];
let replay;
let step = -1;
let live = true;
let selected = null;
/** The DAG (dagView.js). */
let dag;
/** Task id → its table row, and the state shown for it, to recolour only what changed. */
const rows = new Map();
const shown = new Map();

const slider = el('input', { type: 'range', id: 'step', min: '-1', max: '-1', value: '-1', 'aria-label': 'Replay step' });
const liveBox = el('input', { type: 'checkbox', id: 'live', checked: true });
const stepInfo = el('div', { class: 'step-info', id: 'step-info' });
const summary = el('section', { class: 'summary', id: 'summary' });
const dagBox = el('div', { class: 'dag-box', id: 'dag-box' });
const timelineBox = el('div', { class: 'timeline-box', id: 'timeline-box' });
const tableBody = el('tbody');
const panel = el('aside', { class: 'task-panel', id: 'task-panel' }, el('p', { class: 'muted' }, 'Select a task in the graph or the table.'));
const actionsBox = el('div', { class: 'actions', id: 'actions' });
const message = el('div', { class: 'message', id: 'message', role: 'status' });
let zoom = 1;

/** The nodes among `children` (replaceChildren would show a null as the text "null"). */
function present(...children) {
  return children.filter((child) => child !== null && child !== undefined);
}

async function start() {
  document.title = `Execution ${id} · task-graph`;
  try {
    [details, graph, info, statechart] = await Promise.all([getJson(api), getJson(`${api}/graph`), getJson('/api/info'), getJson('/api/statechart')]);
  } catch (error) {
    showError(main, error);
    return;
  }
  // The transition log (the slider's, the timeline's: 6 MB for 10,000 tasks) is read while the
  // page draws the execution as its task rows say, which is the state after the log's last step.
  const log = Promise.all([getJson(`${api}/transitions`), getJson(`${api}/resumes`)]);
  log.catch(() => undefined);
  const taskIds = Object.keys(details.tasks);
  const known = new Set(taskIds);
  for (const node of graph.nodes) if (!known.has(node.id)) taskIds.push(node.id);
  document.getElementById('where').textContent = ` / ${details.workflowId} / ${id}`;
  main.replaceChildren(
    summary,
    el('section', { class: 'replay' },
      el('label', { class: 'slider' }, 'Step ', slider),
      el('label', {}, liveBox, ' live'),
      stepInfo),
    el('div', { class: 'columns' },
      el('section', { class: 'graph' }, el('h2', {}, 'Graph'), graphTools(), dagBox, ...graph.notes.map((note) => el('p', { class: 'note' }, note))),
      panel),
    el('section', {}, el('h2', {}, 'Timeline'), timelineBox),
    el('section', {}, el('h2', {}, 'Tasks'),
      el('table', { class: 'tasks' },
        el('thead', {}, el('tr', {}, ['Task', 'Name', 'Status', 'Attempt', 'Duration'].map((name) => el('th', {}, name)))),
        tableBody)),
  );
  renderSummary();
  renderDag();
  renderTable(taskIds);
  paint(new Map(taskIds.map((taskId) => [taskId, { status: details.tasks[taskId]?.status ?? 'pending', attempt: details.tasks[taskId]?.attempts ?? 0 }])));
  slider.disabled = true;
  stepInfo.replaceChildren(el('span', { class: 'muted' }, 'reading the transition log…'));
  timelineBox.replaceChildren(el('p', { class: 'muted' }, 'reading the transition log…'));
  try {
    const [{ transitions: all }, recorded] = await log;
    for (const transition of all) transitions.push(transition);
    resumes = recorded.resumes;
  } catch (error) {
    showError(stepInfo, error);
    return;
  }
  replay = createReplay(taskIds, transitions);
  slider.disabled = false;
  drawTimeline();
  goTo(transitions.length - 1);
  if (!TERMINAL.includes(details.status)) void follow();
}

function renderSummary() {
  const error = details.error ? el('p', { class: 'error' }, `${details.error.name}: ${details.error.message}`) : null;
  summary.replaceChildren(...present(
    el('h1', {}, 'Execution ', el('span', { class: 'execution-id' }, id)),
    el('p', {},
      el('span', { class: 'muted' }, 'workflow '), details.workflowId, el('span', { class: 'muted' }, ` @${details.workflowVersion}`), ' ',
      badge(details.status), ' ',
      el('span', { class: 'muted' }, `created ${time(details.createdAt)} · started ${time(details.startedAt)} · finished ${time(details.finishedAt)}`)),
    error,
    el('details', {}, el('summary', {}, 'Input'), el('pre', {}, json(details.input))),
    actionsBox,
    message,
  ));
  renderActions();
}

function renderActions() {
  actionsBox.replaceChildren();
  if (!info.actions) return;
  const act = async (name, body) => {
    try {
      const result = await postJson(`${api}/${name}`, body);
      if (name === 'fork') {
        message.replaceChildren('Forked as ', el('a', { href: executionHref(result.id) }, result.id));
      } else {
        message.textContent = `${name}: requested`;
        void refreshDetails();
        if (name === 'resume') void follow();
      }
    } catch (error) {
      showError(message, error);
    }
  };
  if (!TERMINAL.includes(details.status)) {
    actionsBox.append(el('button', { type: 'button', id: 'action-cancel', onclick: () => act('cancel', { reason: 'cancelled from the dashboard' }) }, 'Cancel'));
    actionsBox.append(el('button', { type: 'button', id: 'action-resume', onclick: () => act('resume', {}) }, 'Resume'));
  } else {
    actionsBox.append(el('button', { type: 'button', id: 'action-fork', disabled: selected === null, onclick: () => act('fork', { fromTask: selected }) },
      selected === null ? 'Fork from a task (select one)' : `Fork from ${selected}`));
  }
}

function graphTools() {
  const search = el('input', { type: 'search', id: 'search', placeholder: 'find a task', 'aria-label': 'Find a task' });
  search.addEventListener('input', () => dag.search(search.value));
  const setZoom = (value) => {
    zoom = Math.min(4, Math.max(0.1, value));
    const svgNode = dagBox.querySelector('svg');
    svgNode.setAttribute('width', String(Math.ceil(graph.width * zoom)));
    svgNode.setAttribute('height', String(Math.ceil(graph.height * zoom)));
  };
  return el('div', { class: 'graph-tools' },
    search,
    el('button', { type: 'button', onclick: () => setZoom(zoom * 1.25), 'aria-label': 'Zoom in' }, '+'),
    el('button', { type: 'button', onclick: () => setZoom(zoom / 1.25), 'aria-label': 'Zoom out' }, '−'),
    el('button', { type: 'button', onclick: () => setZoom(Math.min(1, dagBox.clientWidth / Math.max(1, graph.width))), 'aria-label': 'Fit' }, 'fit'),
    graph.groups.length > 0 ? el('button', { type: 'button', id: 'collapse-all', onclick: () => dag.collapseAll() }, 'collapse columns') : null,
    graph.groups.length > 0 ? el('button', { type: 'button', id: 'expand-all', onclick: () => dag.expandAll() }, 'expand all') : null,
    el('span', { class: 'muted' }, ` ${graph.nodes.length} tasks · ${graph.layout} layout`));
}

function renderDag() {
  dag = createDagView(graph, { stateOf: (taskId) => shown.get(taskId), onSelect: select });
  dagBox.replaceChildren(dag.root);
}

function renderTable(taskIds) {
  const shownIds = taskIds.slice(0, MAX_TABLE_ROWS);
  const names = new Map(graph.nodes.map((node) => [node.id, node.name]));
  for (const taskId of shownIds) {
    const row = el('tr', { 'data-task-id': taskId, 'data-status': 'pending', class: 'task-row' },
      el('td', {}, el('button', { type: 'button', class: 'link', onclick: () => select(taskId) }, taskId)),
      el('td', {}, names.get(taskId) ?? ''),
      el('td', { class: 'status-cell' }, badge('pending')),
      el('td', { class: 'attempt-cell' }, '0'),
      el('td', { class: 'duration-cell' }, taskDuration(taskId)));
    rows.set(taskId, row);
  }
  tableBody.replaceChildren(...rows.values());
  if (taskIds.length > shownIds.length) {
    tableBody.append(el('tr', {}, el('td', { colspan: '5', class: 'muted' }, `${taskIds.length - shownIds.length} more tasks: find them with the graph's search.`)));
  }
}

function taskDuration(taskId) {
  const task = details.tasks[taskId];
  if (!task || !task.startedAt) return '—';
  return duration(new Date(task.finishedAt ?? Date.now()).getTime() - new Date(task.startedAt).getTime());
}

async function loadResumes() {
  resumes = (await getJson(`${api}/resumes`)).resumes;
}

function timeline() {
  return buildTimeline(transitions, resumes, TERMINAL.includes(details.status));
}

function drawTimeline() {
  renderTimeline(timelineBox, timeline(), resumes);
}

/** Colours the DAG and the table rows of the tasks whose state differs from what they show. */
function paint(tasks) {
  for (const [taskId, task] of tasks) {
    const before = shown.get(taskId);
    if (before && before.status === task.status && before.attempt === task.attempt) continue;
    dag.show(taskId, before, task);
    shown.set(taskId, task);
    const row = rows.get(taskId);
    if (row) {
      row.dataset.status = task.status;
      row.querySelector('.status-cell').replaceChildren(badge(task.status));
      row.querySelector('.attempt-cell').textContent = String(task.attempt);
    }
  }
  dag.refresh();
}

/** Shows the state after transition k (-1: before the first). */
function goTo(k) {
  if (!replay) return;
  step = Math.max(-1, Math.min(k, transitions.length - 1));
  slider.max = String(transitions.length - 1);
  slider.value = String(step);
  const state = replay.stateAt(step);
  paint(state.tasks);
  const transition = transitions[step];
  stepInfo.replaceChildren(
    el('span', { id: 'step-number' }, `${step + 1} / ${transitions.length}`), ' · execution ', badge(state.status),
    transition
      ? el('span', { class: 'transition' }, ` · seq ${transition.seq} · ${time(transition.at)} · `, el('strong', {}, transition.taskId ?? '(execution)'), ` ${transition.from ?? '∅'} → ${transition.to} (${transition.event})`)
      : ' · before the first transition');
  stepInfo.dataset.status = state.status;
  if (selected !== null) highlightStatechart(state.tasks.get(selected)?.status);
  if (transition) moveTimelineCursor(new Date(transition.at).getTime());
}

async function select(taskId) {
  dag.select(taskId);
  selected = taskId;
  renderActions();
  const task = details.tasks[taskId] ?? { status: 'pending', attempts: 0 };
  const attempts = timeline().bars.filter((bar) => bar.taskId === taskId && bar.kind === 'attempt');
  // an attempt split by a resume shows as its interrupted run, then its run again
  const upstream = graph.edges.filter((edge) => edge.to === taskId).map((edge) => edge.from);
  // as the engine builds it (attemptInput.ts): the execution input, shallow-merged with each upstream output that is a plain object
  let input = details.input;
  const plain = (value) => value !== null && typeof value === 'object' && !Array.isArray(value);
  for (const from of upstream) if (plain(details.outputs[from])) input = { ...(plain(input) ? input : {}), ...details.outputs[from] };
  const logsList = el('ul', { class: 'logs' }, el('li', { class: 'muted' }, 'loading…'));
  const spansList = el('ul', { class: 'spans' }, el('li', { class: 'muted' }, 'loading…'));
  panel.replaceChildren(...present(
    el('h2', {}, 'Task ', el('span', { class: 'task-id' }, taskId)),
    el('p', {}, badge(task.status), ` attempts: ${task.attempts} · started ${time(task.startedAt)} · finished ${time(task.finishedAt)}`),
    task.nextRetryAt ? el('p', {}, `next retry at ${time(task.nextRetryAt)}`) : null,
    el('h3', {}, 'Attempts'),
    el('table', { class: 'attempts' },
      el('thead', {}, el('tr', {}, ['#', 'Started', 'Duration', 'Outcome', 'Error'].map((name) => el('th', {}, name)))),
      el('tbody', {}, attempts.map((bar) => el('tr', { 'data-attempt': String(bar.attempt) },
        el('td', {}, String(bar.attempt)), el('td', {}, time(bar.start)), el('td', {}, duration(bar.end - bar.start)),
        el('td', {}, bar.interrupted ? 'interrupted (resumed)' : bar.open ? 'running' : bar.outcome), el('td', { class: 'error-cell' }, bar.error ? errorWithStack(bar.error) : ''))))),
    el('h3', {}, upstream.length === 0 ? 'Input (the execution input)' : 'Input (the execution input merged with upstream outputs)'), el('pre', { class: 'input' }, json(input)),
    el('h3', {}, 'Output'), el('pre', { class: 'output' }, task.status === 'succeeded' ? json(task.output) : '—'),
    task.error ? el('div', {}, el('h3', {}, 'Error'), el('pre', { class: 'error' }, [task.error.name, task.error.code ? ` [${task.error.code}]` : '', `: ${task.error.message}`].join('')),
      task.error.stack ? el('pre', { class: 'stack' }, task.error.stack) : null) : null,
    el('h3', {}, 'Statechart ', el('span', { class: 'muted' }, '(its state at this step)')), drawStatechart(statechart),
    el('h3', {}, 'Logs'), logsList,
    el('h3', {}, 'Spans'), spansList,
  ));
  highlightStatechart(replay ? replay.stateAt(step).tasks.get(taskId)?.status : task.status);
  try {
    const [{ logs }, { spans }] = await Promise.all([
      getJson(`${api}/logs?taskId=${encodeURIComponent(taskId)}`),
      getJson(`${api}/spans?taskId=${encodeURIComponent(taskId)}`),
    ]);
    if (selected !== taskId) return;
    logsList.replaceChildren(...(logs.length ? logs.map((log) => el('li', { class: `log level-${log.level}` },
      el('span', { class: 'muted' }, `${time(log.at)} #${log.attempt ?? '-'} ${log.level} `), log.message,
      Object.keys(log.attributes ?? {}).length ? el('code', {}, ` ${JSON.stringify(log.attributes)}`) : null)) : [el('li', { class: 'muted' }, 'none')]));
    spansList.replaceChildren(...(spans.length ? spans.map((span) => el('li', {},
      `${span.name} #${span.attempt ?? '-'} ${span.status} · ${duration(new Date(span.finishedAt).getTime() - new Date(span.startedAt).getTime())}`)) : [el('li', { class: 'muted' }, 'none')]));
  } catch (error) {
    showError(logsList, error);
  }
}

/** An attempt's error: its name and message, and its stack (when recorded) folded under them. */
function errorWithStack(error) {
  const line = `${error.name}: ${error.message}`;
  return error.stack ? el('details', { class: 'stack' }, el('summary', {}, line), el('pre', { class: 'stack' }, error.stack)) : line;
}

async function refreshDetails() {
  try {
    details = await getJson(api);
    renderSummary();
    for (const taskId of rows.keys()) rows.get(taskId).querySelector('.duration-cell').textContent = taskDuration(taskId);
  } catch (error) {
    showError(message, error);
  }
}

let following = false;
/** Follows the run: new transitions as server-sent events, until it finishes; reconnects on a lost stream. */
async function follow() {
  if (following) return;
  following = true;
  let finished = false;
  let timelineDue = false;
  const timelineTimer = setInterval(() => {
    if (timelineDue) drawTimeline();
    timelineDue = false;
    if (live) goTo(transitions.length - 1);
  }, 1000);
  try {
    while (!finished) {
      const afterSeq = transitions.length === 0 ? 0 : transitions[transitions.length - 1].seq;
      try {
        await readEvents(`${api}/events?afterSeq=${afterSeq}`, (name, data) => {
          if (name === 'transitions') {
            for (const transition of data) if (transition.seq > (transitions.at(-1)?.seq ?? 0)) transitions.push(transition);
            timelineDue = true;
            if (live) goTo(transitions.length - 1);
            else slider.max = String(transitions.length - 1);
          } else if (name === 'finished') finished = true;
        });
      } catch (error) {
        showError(message, error);
      }
      if (!finished) await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  } finally {
    clearInterval(timelineTimer);
    following = false;
  }
  await refreshDetails();
  await loadResumes().catch(() => undefined);
  drawTimeline();
  if (live) goTo(transitions.length - 1);
}

slider.addEventListener('input', () => {
  live = Number(slider.value) === transitions.length - 1 && liveBox.checked;
  if (Number(slider.value) < transitions.length - 1) liveBox.checked = false;
  goTo(Number(slider.value));
});
liveBox.addEventListener('change', () => {
  live = liveBox.checked;
  if (live) goTo(transitions.length - 1);
});
document.addEventListener('keydown', (event) => {
  if (event.target === slider || (event.target instanceof HTMLElement && /^(INPUT|TEXTAREA|SELECT)$/.test(event.target.tagName))) return;
  const moves = { ArrowLeft: -1, ArrowRight: 1, Home: -Infinity, End: Infinity };
  if (!(event.key in moves) || !replay) return;
  event.preventDefault();
  const target = event.key === 'Home' ? -1 : event.key === 'End' ? transitions.length - 1 : step + moves[event.key];
  liveBox.checked = live = target >= transitions.length - 1;
  goTo(target);
});

void start();
