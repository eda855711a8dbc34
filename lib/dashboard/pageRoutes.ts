/**
 * The dashboard's pages: `/` (executions) and `/executions/:id` (one execution). Each is a fixed
 * HTML shell holding no data; its script (a plain ES module from ./public, served as it is: no
 * build step, no CDN) reads the JSON API and builds the page with DOM text nodes and attributes,
 * never HTML strings, so no id, output or log line can become markup. A Content-Security-Policy
 * allows scripts, styles and requests from this server only, and no inline script at all.
 */
import { readFile } from 'node:fs/promises';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { DashboardRequestError } from '../errors.js';
import { TASK_STATE_COLORS } from '../inspect/taskStateColors.js';

const PUBLIC = new URL('./public/', import.meta.url);
const ASSETS: Record<string, string> = {
  'dashboard.css': 'text/css; charset=utf-8',
  'common.js': 'text/javascript; charset=utf-8',
  'executions.js': 'text/javascript; charset=utf-8',
  'execution.js': 'text/javascript; charset=utf-8',
  'dagView.js': 'text/javascript; charset=utf-8',
  'groupView.js': 'text/javascript; charset=utf-8',
  'replayState.js': 'text/javascript; charset=utf-8',
  'statechartView.js': 'text/javascript; charset=utf-8',
  'timeline.js': 'text/javascript; charset=utf-8',
};

export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
};

/** One CSS rule per task state, from the colours every rendering shares. */
function stateColorsCss(): string {
  return Object.entries(TASK_STATE_COLORS)
    .map(([state, color]) =>
      [
        `.state-${state} rect.node-box, .state-${state}.swatch, .bar.state-${state} { fill: ${color.fill}; stroke: ${color.stroke}; background: ${color.fill}; }`,
        `.state-${state} text.node-label { fill: ${color.text}; }`,
        `.badge.state-${state} { background: ${color.fill}; color: ${color.text}; border-color: ${color.stroke}; }`,
      ].join('\n'),
    )
    .join('\n');
}

function shell(base: string, page: 'executions' | 'execution', title: string): string {
  // `base` is checked by createDashboard (path characters only); nothing else here varies.
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<title>${title}</title>
<link rel="stylesheet" href="${base}/assets/dashboard.css">
<link rel="stylesheet" href="${base}/assets/colors.css">
<script type="module" src="${base}/assets/${page}.js"></script>
</head>
<body data-base="${base}" data-page="${page}">
<header class="top"><a class="brand" href="${base}/">task-graph</a><span id="where"></span><span id="auth"></span></header>
<main id="main"><p class="loading">Loading…</p></main>
</body>
</html>
`;
}

export function registerPageRoutes(app: FastifyInstance, base: () => string): void {
  const cache = new Map<string, Buffer>();
  const send = (reply: FastifyReply, type: string, body: string | Buffer): FastifyReply =>
    reply.headers(SECURITY_HEADERS).header('content-type', type).header('cache-control', 'no-cache').send(body);

  app.get('/', async (_request, reply) => send(reply, 'text/html; charset=utf-8', shell(base(), 'executions', 'Executions · task-graph')));
  app.get('/executions/:id', async (_request, reply) => send(reply, 'text/html; charset=utf-8', shell(base(), 'execution', 'Execution · task-graph')));
  app.get('/assets/colors.css', async (_request, reply) => send(reply, 'text/css; charset=utf-8', stateColorsCss()));
  app.get<{ Params: { file: string } }>('/assets/:file', async (request, reply) => {
    const { file } = request.params;
    const type = Object.hasOwn(ASSETS, file) ? ASSETS[file] : undefined;
    if (!type) throw new DashboardRequestError('NOT_FOUND', 404, `No asset ${JSON.stringify(file)}.`);
    let body = cache.get(file);
    if (!body) cache.set(file, (body = await readFile(new URL(file, PUBLIC))));
    return send(reply, type, body);
  });
}
