/**
 * `createDashboard`: the live web dashboard, to mount in an application's own server (a Fastify
 * plugin, or a plain Node `(req, res)` handler for node:http, Express or Koa), or to run alone
 * with `task-graph serve`. It serves the pages (pageRoutes.ts), the JSON API (apiRoutes.ts) and
 * the actions (actionRoutes.ts), reading whatever it was given (DashboardSource.ts).
 *
 * Errors answer as JSON `{ error: { code, message, executionId? } }` with the engine's error code
 * (EXECUTION_NOT_FOUND 404, INVALID_OPTIONS 400, NOT_RUNNING_HERE and RESUME_* 409, ...).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import Fastify from 'fastify';
import type { FastifyError, FastifyInstance, FastifyPluginAsync } from 'fastify';
import { defaultDashboardToken, DEFAULT_DASHBOARD_POLL_INTERVAL_MS } from '../defaults.js';
import { DashboardRequestError, InvalidOptionsError, TaskGraphError } from '../errors.js';
import { optionKeys, rejectUnknownOptions } from '../unknownOption.js';
import { registerActionRoutes } from './actionRoutes.js';
import { registerApiRoutes } from './apiRoutes.js';
import { openDashboardSource } from './DashboardSource.js';
import type { DashboardSource, DashboardSourceInput } from './DashboardSource.js';
import { registerPageRoutes, SECURITY_HEADERS } from './pageRoutes.js';
import { checkActionRequest, checkToken } from './requestGuards.js';
import { createEventStreams } from './transitionEvents.js';

export interface DashboardOptions {
  /**
   * The bearer token every API request must carry (`Authorization: Bearer <token>`). The page
   * shells and their scripts hold no data and are served without it; the pages ask for it once.
   * @defaultValue TASK_GRAPH_DASHBOARD_TOKEN, else none (the API is open to whoever reaches it)
   */
  token?: string;
  /**
   * Allow cancel, resume and fork. Requires a token, and an engine to act with.
   * @defaultValue false
   */
  allowActions?: boolean;
  /** How often an event stream reads the store for new transitions. @defaultValue 250 */
  pollIntervalMs?: number;
  /**
   * Where `handler` is mounted (`'/dashboard'`), so that its pages link to the right paths; the
   * Fastify plugin takes its prefix from `register(..., { prefix })` instead.
   * @defaultValue '' (the root)
   */
  basePath?: string;
  /**
   * The `Host` headers to answer (`'127.0.0.1:4480'`, `'localhost:4480'`); any other gets 403
   * FORBIDDEN_HOST. A dashboard on a loopback address should list its own: a page of another site
   * whose name an attacker points at 127.0.0.1 (DNS rebinding) then reads nothing. `task-graph
   * serve` sets it when it binds a loopback address.
   * @defaultValue any host
   */
  allowedHosts?: readonly string[];
}

const DASHBOARD_OPTION_KEYS = optionKeys<DashboardOptions>({ token: true, allowActions: true, pollIntervalMs: true, basePath: true, allowedHosts: true });

export interface Dashboard {
  /** A Fastify plugin: `app.register(dashboard.plugin, { prefix: '/dashboard' })`. Give that app `routerOptions: { maxParamLength: 4096 }` for long ids. */
  readonly plugin: FastifyPluginAsync;
  /** A Node request handler: `http.createServer(dashboard.handler)`, or `expressApp.use('/dashboard', dashboard.handler)` with `basePath`. */
  readonly handler: (request: IncomingMessage, response: ServerResponse) => void;
  /** Whether API requests need the token. */
  readonly requiresToken: boolean;
  /** Ends the event streams and closes what the dashboard opened (its store, its handler's app); never the engine. */
  close(): Promise<void>;
}

/**
 * @throws InvalidOptionsError for an unknown option, `allowActions` without a token, or a bad `basePath`
 * @example
 * import http from 'node:http';
 * const dashboard = createDashboard(engine, { token: process.env.DASHBOARD_TOKEN, allowActions: true });
 * http.createServer(dashboard.handler).listen(4480, '127.0.0.1');
 * // or, in a Fastify app: await app.register(dashboard.plugin, { prefix: '/dashboard' });
 */
export function createDashboard(input: DashboardSourceInput, options: DashboardOptions = {}): Dashboard {
  rejectUnknownOptions(options, DASHBOARD_OPTION_KEYS, 'createDashboard');
  const token = options.token ?? defaultDashboardToken();
  if (token !== undefined && (typeof token !== 'string' || !/^[\x21-\x7e]+$/.test(token))) {
    throw new InvalidOptionsError('token', token, 'a non-empty string of printable ASCII without spaces (it travels in an HTTP header)');
  }
  const allowActions = options.allowActions ?? false;
  if (allowActions && token === undefined) {
    throw new InvalidOptionsError('allowActions', allowActions, 'a token with it', {
      message: 'Dashboard actions need a token: pass { token } (or set TASK_GRAPH_DASHBOARD_TOKEN) with { allowActions: true }.',
    });
  }
  const pollIntervalMs = options.pollIntervalMs ?? DEFAULT_DASHBOARD_POLL_INTERVAL_MS;
  if (!Number.isInteger(pollIntervalMs) || pollIntervalMs < 10) throw new InvalidOptionsError('pollIntervalMs', pollIntervalMs, 'an integer >= 10');
  const basePath = options.basePath ?? '';
  if (typeof basePath !== 'string' || !/^(\/[A-Za-z0-9._~-]+)*$/.test(basePath)) {
    throw new InvalidOptionsError('basePath', basePath, "'' or a path such as '/dashboard' (letters, digits, . _ ~ -)");
  }

  const allowedHosts = options.allowedHosts === undefined ? undefined : new Set(options.allowedHosts.map((host) => host.toLowerCase()));

  let opened: Promise<DashboardSource> | undefined;
  const source = (): Promise<DashboardSource> => (opened ??= openDashboardSource(input));
  const streams = createEventStreams();

  /** `linkBase`: where the pages are reached from outside, when not the app's prefix (the handler's). */
  const buildPlugin = (linkBase?: string): FastifyPluginAsync => async (app) => {
    const prefix = app.prefix;
    app.addHook('onRequest', async (request) => {
      const host = request.headers.host?.toLowerCase();
      if (allowedHosts && (host === undefined || !allowedHosts.has(host))) {
        throw new DashboardRequestError('FORBIDDEN_HOST', 403, `This dashboard does not answer for host ${JSON.stringify(host ?? '')}.`);
      }
      const path = request.url.slice(prefix.length);
      if (!path.startsWith('/api/')) return;
      checkToken(request, token);
      if (request.method === 'POST') checkActionRequest(request);
    });
    app.setErrorHandler((error: FastifyError, _request, reply) => {
      const { status, body } = errorResponse(error);
      void reply.code(status).headers(SECURITY_HEADERS).send(body);
    });
    registerPageRoutes(app, () => linkBase ?? prefix);
    registerApiRoutes(app, source, { pollIntervalMs, streams });
    registerActionRoutes(app, source, allowActions);
    app.get('/api/info', async () => {
      const { engine, store } = await source();
      return { actions: allowActions && engine !== undefined, engine: engine !== undefined, storage: store.location, tokenRequired: token !== undefined };
    });
    app.all('/api/*', async (request) => {
      throw new DashboardRequestError('NOT_FOUND', 404, `No API route ${request.method} ${request.url}.`);
    });
  };

  const plugin = buildPlugin();
  let own: Promise<FastifyInstance> | undefined;
  const ownApp = (): Promise<FastifyInstance> =>
    (own ??= (async () => {
      const app = Fastify({ routerOptions: { maxParamLength: 4096 } });
      await app.register(buildPlugin(basePath));
      await app.ready();
      return app;
    })());

  return {
    plugin,
    requiresToken: token !== undefined,
    handler(request, response) {
      // node:http passes the whole path; Express and koa-mount strip the mount path first.
      const url = request.url ?? '/';
      if (basePath !== '' && (url === basePath || url.startsWith(`${basePath}/`) || url.startsWith(`${basePath}?`))) {
        request.url = url.slice(basePath.length) || '/';
      }
      ownApp().then(
        (app) => app.routing(request, response),
        (error: unknown) => {
          const { status, body } = errorResponse(error);
          response.writeHead(status, { 'content-type': 'application/json; charset=utf-8' }).end(JSON.stringify(body));
        },
      );
    },
    async close() {
      streams.endAll();
      if (own) await (await own).close();
      if (opened) await (await opened).close();
    },
  };
}

const STATUS_BY_CODE: Readonly<Record<string, number>> = {
  EXECUTION_NOT_FOUND: 404,
  INVALID_OPTIONS: 400,
  NOT_RUNNING_HERE: 409,
  WORKFLOW_NOT_FOUND: 409,
  ENGINE_CLOSED: 503,
  STORAGE_ERROR: 503,
};

/** The HTTP status and JSON body of an error: the engine's code, or Fastify's for a malformed request. */
export function errorResponse(error: unknown): { status: number; body: { error: { code: string; message: string; executionId?: string } } } {
  if (error instanceof DashboardRequestError) {
    return { status: error.statusCode, body: { error: withExecution({ code: error.code, message: error.message }, error.executionId) } };
  }
  if (error instanceof TaskGraphError) {
    const status = STATUS_BY_CODE[error.code] ?? (error.code.startsWith('RESUME_') ? 409 : 500);
    return { status, body: { error: withExecution({ code: error.code, message: error.message }, error.executionId) } };
  }
  const statusCode: unknown = error !== null && typeof error === 'object' ? Reflect.get(error, 'statusCode') : undefined;
  const code: unknown = error !== null && typeof error === 'object' ? Reflect.get(error, 'code') : undefined;
  const message = error instanceof Error ? error.message : String(error);
  if (typeof statusCode === 'number' && statusCode >= 400 && statusCode < 500) {
    return { status: statusCode, body: { error: { code: typeof code === 'string' ? code : 'BAD_REQUEST', message } } };
  }
  return { status: 500, body: { error: { code: 'INTERNAL_ERROR', message } } };
}

function withExecution(error: { code: string; message: string }, executionId: string | undefined): { code: string; message: string; executionId?: string } {
  return executionId === undefined ? error : { ...error, executionId };
}
