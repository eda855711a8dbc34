// The executions page: filters (workflow, status, created from / before), counts per status,
// pages by cursor, and a refresh every second while the first page is shown (new executions
// and status changes appear within a second of their commit).
import { badge, duration, el, executionHref, getJson, showError, time } from './common.js';

const STATUSES = ['pending', 'running', 'succeeded', 'failed', 'cancelled'];
const REFRESH_MS = 1000;
const main = document.getElementById('main');
const params = new URLSearchParams(location.search);

const filters = {
  workflow: params.get('workflow') ?? '',
  status: params.get('status') ?? '',
  from: params.get('from') ?? '',
  before: params.get('before') ?? '',
};
/** Cursors of the pages before the current one (for "Newer"), and the current page's cursor. */
const cursors = [];
let cursor = null;
let timer = null;

const countsBar = el('div', { class: 'counts', id: 'counts' });
const table = el('table', { class: 'executions' },
  el('thead', {}, el('tr', {}, ['Execution', 'Workflow', 'Status', 'Created', 'Duration', 'Tasks', 'Error'].map((name) => el('th', {}, name)))),
  el('tbody'));
const newer = el('button', { type: 'button', id: 'newer' }, '← Newer');
const older = el('button', { type: 'button', id: 'older' }, 'Older →');
const pageInfo = el('span', { class: 'page-info' });
const updated = el('span', { class: 'updated', id: 'updated' });

function filterForm() {
  const workflow = el('input', { name: 'workflow', value: filters.workflow, placeholder: 'workflow id', 'aria-label': 'Workflow' });
  const status = el('select', { name: 'status', 'aria-label': 'Status' }, el('option', { value: '' }, 'any status'),
    STATUSES.map((name) => el('option', { value: name, selected: filters.status === name }, name)));
  const from = el('input', { name: 'from', type: 'datetime-local', step: '1', value: filters.from, 'aria-label': 'Created from' });
  const before = el('input', { name: 'before', type: 'datetime-local', step: '1', value: filters.before, 'aria-label': 'Created before' });
  const form = el('form', { class: 'filters', id: 'filters' },
    el('label', {}, 'Workflow ', workflow), el('label', {}, 'Status ', status),
    el('label', {}, 'Created from ', from), el('label', {}, 'before ', before),
    el('button', { type: 'submit' }, 'Filter'));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    filters.workflow = workflow.value.trim();
    filters.status = status.value;
    filters.from = from.value;
    filters.before = before.value;
    const search = new URLSearchParams(Object.entries(filters).filter(([, value]) => value !== ''));
    history.replaceState(null, '', location.pathname + (search.size ? `?${search}` : ''));
    cursors.length = 0;
    cursor = null;
    void load();
  });
  return form;
}

function query() {
  const search = new URLSearchParams();
  if (filters.workflow) search.set('workflow', filters.workflow);
  if (filters.status) search.set('status', filters.status);
  // datetime-local is local time: sent as an ISO instant
  if (filters.from) search.set('from', new Date(filters.from).toISOString());
  if (filters.before) search.set('before', new Date(filters.before).toISOString());
  if (cursor) search.set('cursor', cursor);
  return `/api/executions?${search}`;
}

let lastPage = null;

async function load() {
  clearTimeout(timer);
  try {
    const page = await getJson(query());
    lastPage = page;
    render(page);
    updated.textContent = `updated ${new Date().toLocaleTimeString()}`;
  } catch (error) {
    showError(countsBar, error);
  } finally {
    // live while on the first page; deeper pages stay still (their cursor does not move)
    if (cursor === null) timer = setTimeout(load, REFRESH_MS);
  }
}

function render(page) {
  countsBar.replaceChildren(
    ...(page.counts
      ? STATUSES.map((name) => el('span', { class: `count`, 'data-status': name }, badge(name), ' ', String(page.counts[name])))
      : [el('span', {}, 'counts unavailable on this store')]),
  );
  const rows = page.executions.map((execution) => {
    const end = execution.finishedAt ? new Date(execution.finishedAt).getTime() : Date.now();
    const start = execution.startedAt ? new Date(execution.startedAt).getTime() : null;
    return el('tr', { 'data-id': execution.id, 'data-status': execution.status },
      el('td', {}, el('a', { href: executionHref(execution.id), class: 'execution-link' }, execution.id)),
      el('td', {}, execution.workflowId, el('span', { class: 'muted' }, ` @${execution.workflowVersion}`)),
      el('td', {}, badge(execution.status)),
      el('td', {}, time(execution.createdAt)),
      el('td', {}, start === null ? '—' : duration(end - start)),
      el('td', {}, execution.taskCount === null ? '—' : String(execution.taskCount)),
      el('td', { class: 'error-cell' }, execution.error ? `${execution.error.name}: ${execution.error.message}` : ''));
  });
  table.tBodies[0].replaceChildren(...(rows.length ? rows : [el('tr', {}, el('td', { colspan: '7', class: 'muted' }, 'No executions match.'))]));
  newer.disabled = cursors.length === 0;
  older.disabled = page.nextCursor === null;
  pageInfo.textContent = `page ${cursors.length + 1}`;
}

newer.addEventListener('click', () => {
  cursor = cursors.pop() ?? null;
  void load();
});
older.addEventListener('click', () => {
  if (!lastPage || !lastPage.nextCursor) return;
  cursors.push(cursor);
  cursor = lastPage.nextCursor;
  void load();
});

main.replaceChildren(
  el('h1', {}, 'Executions'),
  filterForm(),
  countsBar,
  table,
  el('div', { class: 'pager' }, newer, pageInfo, older, updated),
);
void load();
