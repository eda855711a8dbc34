/**
 * A dashboard on a real HTTP server (node:http on a free port of 127.0.0.1), and small clients of
 * its API for the dashboard tests: JSON requests, and a reader of its server-sent events.
 * `useDashboardServer()` gives a suite one server per test, closed after it.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createDashboard } from '../../lib/dashboard/createDashboard.js';
import type { Dashboard, DashboardOptions } from '../../lib/dashboard/createDashboard.js';
import type { DashboardSourceInput } from '../../lib/dashboard/DashboardSource.js';

export interface DashboardServer {
  readonly url: string;
  readonly dashboard: Dashboard;
  close(): Promise<void>;
}

export async function serveDashboard(source: DashboardSourceInput, options: DashboardOptions = {}): Promise<DashboardServer> {
  const dashboard = createDashboard(source, options);
  const server = http.createServer(dashboard.handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    dashboard,
    close: async () => {
      await dashboard.close();
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
    },
  };
}

export interface DashboardServerHooks {
  /** Serves a dashboard for this test (closing the one served before, if any). */
  serve(source: DashboardSourceInput, options?: DashboardOptions): Promise<DashboardServer>;
  /** A JSON request to the dashboard served: `api('/api/executions')`. */
  api(path: string, init?: RequestInit): Promise<JsonResponse>;
  /** The dashboard served's base URL. */
  readonly url: string;
}

/**
 * Registers an `afterEach` hook that closes the dashboard a test served, and returns how to serve
 * and request one.
 * @example
 * const dashboard = useDashboardServer();
 * it('lists', async () => {
 *   await dashboard.serve(ctx.engine);
 *   expect((await dashboard.api('/api/executions')).status).to.equal(200);
 * });
 */
export function useDashboardServer(): DashboardServerHooks {
  let server: DashboardServer | null = null;
  afterEach(async () => {
    await server?.close();
    server = null;
  });
  const current = (): DashboardServer => {
    if (!server) throw new Error('No dashboard: call serve() first');
    return server;
  };
  return {
    async serve(source, options) {
      await server?.close();
      server = null;
      server = await serveDashboard(source, options);
      return server;
    },
    api: (path, init) => requestJson(`${current().url}${path}`, init),
    get url() {
      return current().url;
    },
  };
}

export interface JsonResponse {
  status: number;
  /** The JSON as it came. */
  body: any;
  headers: Headers;
}

export async function requestJson(url: string, init: RequestInit = {}): Promise<JsonResponse> {
  const response = await fetch(url, init);
  const text = await response.text();
  return { status: response.status, body: text === '' ? null : (JSON.parse(text) as unknown), headers: response.headers };
}

export interface ServerSentEvent {
  event: string;
  data: string;
  id: string | undefined;
}

/** Reads server-sent events until `until` says stop (or the stream ends); returns them all. */
export async function readEvents(url: string, until: (events: ServerSentEvent[]) => boolean, init: RequestInit = {}): Promise<ServerSentEvent[]> {
  const controller = new AbortController();
  const response = await fetch(url, { ...init, signal: controller.signal });
  if (!response.ok || !response.body) throw new Error(`events: HTTP ${response.status}: ${await response.text()}`);
  const events: ServerSentEvent[] = [];
  const decoder = new TextDecoder();
  let buffer = '';
  const reader = response.body.getReader();
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += decoder.decode(value, { stream: true });
      let end: number;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const event: ServerSentEvent = { event: 'message', data: '', id: undefined };
        let hasData = false;
        for (const line of block.split('\n')) {
          if (line.startsWith('event: ')) event.event = line.slice(7);
          else if (line.startsWith('data: ')) {
            event.data += (hasData ? '\n' : '') + line.slice(6);
            hasData = true;
          } else if (line.startsWith('id: ')) event.id = line.slice(4);
        }
        if (hasData) events.push(event);
      }
      if (until(events)) break;
    }
  } finally {
    controller.abort();
  }
  return events;
}
