// What every page of the dashboard shares: where the API is, the bearer token, requests, and
// building DOM nodes. Text always goes in as text nodes and attribute values, never as HTML, so
// an id, an output or a log line is shown as it is and never runs.

export const BASE = document.body.dataset.base ?? '';
const TOKEN_KEY = 'task-graph-dashboard-token';

// A token given in the URL fragment (#token=…: the server never sees it) is kept for this tab
// and taken out of the address bar.
(function adoptTokenFromFragment() {
  const match = /(?:^#|&)token=([^&]*)/.exec(location.hash);
  if (!match) return;
  sessionStorage.setItem(TOKEN_KEY, decodeURIComponent(match[1]));
  history.replaceState(null, '', location.pathname + location.search);
})();

export function token() {
  return sessionStorage.getItem(TOKEN_KEY);
}

/** An error answered by the API: its code and message. */
export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

function headers(extra = {}) {
  const value = token();
  return value ? { ...extra, authorization: `Bearer ${value}` } : extra;
}

async function parse(response) {
  const body = await response.json().catch(() => null);
  if (!response.ok) {
    const error = body && body.error ? body.error : { code: 'HTTP_' + response.status, message: response.statusText };
    if (response.status === 401) askForToken(error.message);
    throw new ApiError(response.status, error.code, error.message);
  }
  return body;
}

export async function getJson(path) {
  return parse(await fetch(BASE + path, { headers: headers(), cache: 'no-store' }));
}

export async function postJson(path, body) {
  return parse(await fetch(BASE + path, { method: 'POST', headers: headers({ 'content-type': 'application/json' }), body: JSON.stringify(body ?? {}) }));
}

/**
 * Reads the server-sent events at `path` (fetch, not EventSource, so that the token goes in a
 * header) and calls `onEvent(name, data)` for each; resolves when the stream ends.
 */
export async function readEvents(path, onEvent, signal) {
  const response = await fetch(BASE + path, { headers: headers({ accept: 'text/event-stream' }), signal, cache: 'no-store' });
  if (!response.ok || !response.body) return parse(response);
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += decoder.decode(value, { stream: true });
    let end;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      let name = 'message';
      const data = [];
      for (const line of block.split('\n')) {
        if (line.startsWith('event: ')) name = line.slice(7);
        else if (line.startsWith('data: ')) data.push(line.slice(6));
      }
      if (data.length > 0) onEvent(name, JSON.parse(data.join('\n')));
    }
  }
}

/** `el('td', { class: 'x', 'data-id': id }, 'text', child)`: attributes set one by one, strings as text. */
export function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  setAttributes(node, attributes);
  append(node, children);
  return node;
}

const SVG = 'http://www.w3.org/2000/svg';
export function svg(tag, attributes = {}, ...children) {
  const node = document.createElementNS(SVG, tag);
  setAttributes(node, attributes);
  append(node, children);
  return node;
}

function setAttributes(node, attributes) {
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith('on') && typeof value === 'function') node.addEventListener(name.slice(2), value);
    else node.setAttribute(name, value === true ? '' : String(value));
  }
}

function append(node, children) {
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    node.append(typeof child === 'string' || typeof child === 'number' ? document.createTextNode(String(child)) : child);
  }
}

export function time(value) {
  if (!value) return '—';
  const date = new Date(value);
  return date.toISOString().replace('T', ' ').replace('Z', '');
}

export function duration(ms) {
  if (ms === undefined || ms === null || !Number.isFinite(ms)) return '—';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
  const minutes = Math.floor(ms / 60_000);
  return `${minutes} min ${Math.round((ms % 60_000) / 1000)} s`;
}

export function badge(status) {
  return el('span', { class: `badge state-${status}`, 'data-status': status }, status);
}

/** Pretty JSON for a <pre> (as text). */
export function json(value) {
  return value === undefined ? '—' : JSON.stringify(value, null, 2);
}

export function executionHref(id) {
  return `${BASE}/executions/${encodeURIComponent(id)}`;
}

/** Shows a small form asking for the token (after a 401), once. */
export function askForToken(message) {
  const slot = document.getElementById('auth');
  if (!slot || slot.querySelector('form')) return;
  const input = el('input', { type: 'password', name: 'token', placeholder: 'token', autocomplete: 'off', 'aria-label': 'Dashboard token' });
  const form = el('form', { class: 'token-form' }, el('span', { class: 'auth-message' }, message), input, el('button', { type: 'submit' }, 'Use token'));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    sessionStorage.setItem(TOKEN_KEY, input.value);
    location.reload();
  });
  slot.replaceChildren(form);
}

export function showError(container, error) {
  container.replaceChildren(el('p', { class: 'error' }, error instanceof ApiError ? `${error.code}: ${error.message}` : String(error)));
}
