/**
 * `task-graph serve`: the dashboard on its own server. It opens an engine on the storage (reads
 * go to the store, so executions of every process writing there show; actions go through this
 * engine, which can resume and fork the workflows of `--module`), listens, and says where, to
 * whom it is reachable, and how to open it. Ctrl-C (or SIGTERM) closes it.
 *
 * With `--allow-actions` and no token (`--token` or TASK_GRAPH_DASHBOARD_TOKEN) it makes a random
 * one and prints it: actions are never open without one.
 */
import { randomBytes } from 'node:crypto';
import Fastify from 'fastify';
import { createDashboard, errorResponse } from '../dashboard/createDashboard.js';
import { DashboardRequestError } from '../errors.js';
import { createEngine } from '../engine/createEngine.js';
import { defaultDashboardToken } from '../defaults.js';
import { loadWorkflowModule } from './loadWorkflowModule.js';

export interface ServeOptions {
  storage?: string;
  port: number;
  host: string;
  token?: string;
  allowActions?: boolean;
  module?: string;
}

export interface RunningDashboard {
  /** The URL to open (with `#token=` when a token is set: the page keeps it, the server never sees the fragment). */
  readonly url: string;
  close(): Promise<void>;
}

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|localhost)$/;

export async function serveDashboard(options: ServeOptions, print: (line: string) => void = console.log): Promise<RunningDashboard> {
  const engine = await createEngine({ storage: options.storage, logLevel: 'warn' });
  try {
    if (options.module) await loadWorkflowModule(options.module, engine);
    let token = options.token ?? defaultDashboardToken();
    let generated = false;
    if (options.allowActions && token === undefined) {
      token = randomBytes(18).toString('base64url');
      generated = true;
    }
    const loopback = LOOPBACK.test(options.host);
    const dashboard = createDashboard(engine, { ...(token === undefined ? {} : { token }), allowActions: options.allowActions ?? false });
    const app = Fastify({ routerOptions: { maxParamLength: 4096 } });
    // On a loopback address, answer only to the names of this machine (DNS rebinding): the port,
    // and so the Host headers, are known once listening.
    const allowedHosts = new Set<string>();
    if (loopback) {
      app.addHook('onRequest', async (request, reply) => {
        const host = request.headers.host?.toLowerCase() ?? '';
        if (allowedHosts.has(host)) return;
        const { status, body } = errorResponse(new DashboardRequestError('FORBIDDEN_HOST', 403, `This dashboard does not answer for host ${JSON.stringify(host)}.`));
        return reply.code(status).send(body);
      });
    }
    await app.register(dashboard.plugin);
    await app.listen({ port: options.port, host: options.host });
    const address = app.server.address();
    const port = typeof address === 'object' && address ? address.port : options.port;
    for (const name of ['127.0.0.1', 'localhost', '[::1]', options.host.includes(':') ? `[${options.host}]` : options.host]) allowedHosts.add(`${name}:${port}`);
    const shownHost = options.host.includes(':') ? `[${options.host}]` : options.host;
    const base = `http://${shownHost === '0.0.0.0' || shownHost === '[::]' ? '127.0.0.1' : shownHost}:${port}/`;
    const url = token === undefined ? base : `${base}#token=${encodeURIComponent(token)}`;
    print(`task-graph dashboard: ${url}`);
    print(
      `Listening on ${shownHost}:${port}` +
        (loopback
          ? ' (this machine only; --host 0.0.0.0 to open it to others)'
          : ` (reachable from other machines${token === undefined ? ': set --token' : ''})`),
    );
    print(`Storage: ${engine.storage}`);
    print(
      `Actions (cancel, resume, fork): ${options.allowActions ? 'on' : 'off (--allow-actions)'}` +
        (token === undefined ? '; no token: the API is open to whoever reaches it' : `; token required${generated ? ` (generated: ${token})` : ''}`),
    );
    return {
      url,
      close: async () => {
        await app.close();
        await dashboard.close();
        await engine.close();
      },
    };
  } catch (error) {
    await engine.close();
    throw error;
  }
}
