/**
 * The dashboard's actions, `POST /api/executions/:id/cancel | resume | fork` with a JSON body:
 * - cancel `{ reason? }`: cancels an execution the dashboard's engine runs (202 `{ id }`); another
 *   process's run cannot be cancelled from here (409 NOT_RUNNING_HERE);
 * - resume `{ allowVersionMismatch? }`: continues an unfinished execution on this engine (202 `{ id }`);
 * - fork `{ fromTask }`: re-runs a finished execution from a task, as a new execution (202 `{ id }`).
 * They are off (403 ACTIONS_DISABLED) unless the dashboard was made with `allowActions`, which
 * requires a token; they need an engine (409 ACTIONS_NEED_ENGINE for a dashboard on storage only).
 * The execution they start or cancel runs on in the engine; its end is not awaited.
 */
import type { FastifyInstance } from 'fastify';
import { DashboardRequestError } from '../errors.js';
import type { Engine } from '../engine/Engine.js';
import type { DashboardSource } from './DashboardSource.js';

type Body = Record<string, unknown> | null | undefined;

function stringField(body: Body, name: string, required: boolean): string | undefined {
  const value = body?.[name];
  if (value === undefined && !required) return undefined;
  if (typeof value !== 'string' || value === '') {
    throw new DashboardRequestError('BAD_REQUEST', 400, `The body's ${name} must be a non-empty string, got ${JSON.stringify(value) ?? 'nothing'}.`);
  }
  return value;
}

export function registerActionRoutes(app: FastifyInstance, source: () => Promise<DashboardSource>, allowActions: boolean): void {
  async function engineFor(action: string, id: string): Promise<Engine> {
    if (!allowActions) {
      throw new DashboardRequestError('ACTIONS_DISABLED', 403, `Actions are off on this dashboard: ${action} refused. Start it with --allow-actions (and a token).`, { executionId: id });
    }
    const { engine } = await source();
    if (!engine) {
      throw new DashboardRequestError('ACTIONS_NEED_ENGINE', 409, `This dashboard reads storage only and cannot ${action}: create it on an engine (or serve it with --module).`, { executionId: id });
    }
    return engine;
  }

  app.post<{ Params: { id: string }; Body: Body }>('/api/executions/:id/cancel', async (request, reply) => {
    const engine = await engineFor('cancel', request.params.id);
    await engine.cancel(request.params.id, stringField(request.body, 'reason', false) ?? 'cancelled from the dashboard');
    return reply.code(202).send({ id: request.params.id });
  });

  app.post<{ Params: { id: string }; Body: Body }>('/api/executions/:id/resume', async (request, reply) => {
    const engine = await engineFor('resume', request.params.id);
    const allowVersionMismatch = request.body?.['allowVersionMismatch'] === true;
    const handle = await engine.resumeHandle(request.params.id, { allowVersionMismatch });
    handle.result.catch(() => undefined); // it runs on; a failure is recorded, not thrown here
    return reply.code(202).send({ id: handle.id });
  });

  app.post<{ Params: { id: string }; Body: Body }>('/api/executions/:id/fork', async (request, reply) => {
    const engine = await engineFor('fork', request.params.id);
    const handle = await engine.fork(request.params.id, { fromTask: stringField(request.body, 'fromTask', true)! });
    handle.result.catch(() => undefined);
    return reply.code(202).send({ id: handle.id });
  });
}
