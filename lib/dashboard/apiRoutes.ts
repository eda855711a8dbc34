/**
 * The dashboard's read API, under `/api` (each answer is JSON; dates are ISO 8601 strings):
 * - `GET /api/executions?workflow=&status=&from=&before=&limit=&cursor=`: `{ executions, nextCursor, counts }`,
 *   newest first; `status` takes one status or several (comma-separated); `from`/`before` bound
 *   the creation time (ISO or epoch ms); `nextCursor` (null on the last page) goes back as `cursor`;
 *   `counts` are per status under the same workflow and time filters (null when the store cannot count);
 * - `GET /api/executions/:id`: the execution as `engine.getExecution` reports it;
 * - `GET /api/executions/:id/graph`: the DAG laid out (executionGraph.ts);
 * - `GET /api/executions/:id/transitions?afterSeq=&snapshots=`: `{ transitions }` after that seq;
 * - `GET /api/executions/:id/replay?step=k`: `{ step, steps, seq, transition, state }`, the state
 *   as `engine.replay(id)[k]` computes it (k from 0; the last step by default);
 * - `GET /api/executions/:id/logs?taskId=` and `/spans?taskId=`: `{ logs }`, `{ spans }`
 *   (`logs?scope=execution`: only the engine's records about the execution, with no task);
 * - `GET /api/executions/:id/resumes`: `{ resumes: [{ at, afterSeq }] }`, when the execution was
 *   resumed (epoch ms) and the last seq each resume read back (attemptTimeline.ts);
 * - `GET /api/executions/:id/events?afterSeq=`: server-sent events (transitionEvents.ts);
 * - `GET /api/statechart`: the task statechart laid out (taskStatechart.ts);
 * - `GET /api/info` (createDashboard.ts): `{ actions, engine, storage, tokenRequired }`.
 */
import type { FastifyInstance } from 'fastify';
import { DEFAULT_DASHBOARD_PAGE_SIZE, MAX_DASHBOARD_PAGE_SIZE } from '../defaults.js';
import { buildExecutionResult } from '../engine/executionResult.js';
import { DashboardRequestError, ExecutionNotFoundError } from '../errors.js';
import { resumesFromLogs } from '../inspect/attemptTimeline.js';
import { replayExecution } from '../inspect/replay.js';
import type { ExecutionRecord, ListExecutionsFilter } from '../store/records.js';
import type { DashboardSource } from './DashboardSource.js';
import { decodeCursor, encodeCursor } from './executionCursor.js';
import { executionGraph } from './executionGraph.js';
import { taskStatechart } from './taskStatechart.js';
import { booleanParam, integerParam, single, statusParam, timeParam } from './queryValues.js';
import type { Query } from './queryValues.js';
import type { createEventStreams } from './transitionEvents.js';
import { streamTransitions, withoutSnapshot } from './transitionEvents.js';

/** One execution of the list: its row without the input, output and graph (which can be large). */
export interface ExecutionSummary {
  id: string;
  workflowId: string;
  workflowVersion: string;
  status: ExecutionRecord['status'];
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
  error: ExecutionRecord['error'];
  taskCount: number | null;
}

function summarize(record: ExecutionRecord): ExecutionSummary {
  return {
    id: record.id,
    workflowId: record.workflowId,
    workflowVersion: record.workflowVersion,
    status: record.status,
    createdAt: record.createdAt,
    startedAt: record.startedAt,
    finishedAt: record.finishedAt,
    error: record.error,
    taskCount: record.graph ? record.graph.tasks.length : null,
  };
}

interface IdParams {
  id: string;
}

export function registerApiRoutes(
  app: FastifyInstance,
  source: () => Promise<DashboardSource>,
  options: { pollIntervalMs: number; streams: ReturnType<typeof createEventStreams> },
): void {
  /**
   * The execution's row. One the engine started a moment ago may not be written yet: the engine's
   * `getExecution` waits for it (and throws EXECUTION_NOT_FOUND when there is none).
   */
  async function requireExecution(id: string): Promise<{ src: DashboardSource; record: ExecutionRecord }> {
    const src = await source();
    let record = await src.store.getExecution(id);
    if (!record && src.engine) {
      await src.engine.getExecution(id);
      record = await src.store.getExecution(id);
    }
    if (!record) throw new ExecutionNotFoundError(id);
    return { src, record };
  }

  app.get<{ Querystring: Query }>('/api/executions', async (request) => {
    const { store } = await source();
    const query = request.query;
    const limit = integerParam(query, 'limit', 1, MAX_DASHBOARD_PAGE_SIZE) ?? DEFAULT_DASHBOARD_PAGE_SIZE;
    const cursor = single(query, 'cursor');
    const workflowId = single(query, 'workflow');
    const status = statusParam(query, 'status');
    const createdFrom = timeParam(query, 'from');
    const createdBefore = timeParam(query, 'before');
    const common = {
      ...(workflowId === undefined ? {} : { workflowId }),
      ...(createdFrom === undefined ? {} : { createdFrom }),
      ...(createdBefore === undefined ? {} : { createdBefore }),
    };
    const filter: ListExecutionsFilter = {
      ...common,
      ...(status === undefined ? {} : { status }),
      ...(cursor === undefined ? {} : { after: decodeCursor(cursor) }),
      limit: limit + 1,
    };
    const [records, counts] = await Promise.all([store.listExecutions(filter), store.countExecutions ? store.countExecutions(common) : null]);
    const page = records.slice(0, limit);
    const last = page[page.length - 1];
    return { executions: page.map(summarize), nextCursor: records.length > limit && last ? encodeCursor(last) : null, counts };
  });

  app.get<{ Params: IdParams }>('/api/executions/:id', async (request) => {
    const { src, record } = await requireExecution(request.params.id);
    if (src.engine) return src.engine.getExecution(record.id);
    return buildExecutionResult(record, await src.store.listTaskRuns(record.id), record.graph?.tasks.map((task) => task.id));
  });

  app.get<{ Params: IdParams }>('/api/executions/:id/graph', async (request) => {
    const { src, record } = await requireExecution(request.params.id);
    return executionGraph(src.store, record, src.engine?.getWorkflow(record.workflowId, record.workflowVersion));
  });

  app.get<{ Params: IdParams; Querystring: Query }>('/api/executions/:id/transitions', async (request) => {
    const { src, record } = await requireExecution(request.params.id);
    const afterSeq = integerParam(request.query, 'afterSeq', 0) ?? 0;
    const snapshots = booleanParam(request.query, 'snapshots');
    const transitions = (await src.store.listTransitions(record.id, afterSeq, { snapshots })).filter((transition) => transition.seq > afterSeq);
    return { transitions: snapshots ? transitions : transitions.map(withoutSnapshot) };
  });

  app.get<{ Params: IdParams; Querystring: Query }>('/api/executions/:id/replay', async (request) => {
    const { src, record } = await requireExecution(request.params.id);
    const steps = src.engine ? await src.engine.replay(record.id) : await replayExecution(src.store, record.id);
    if (steps.length === 0) throw new DashboardRequestError('BAD_REQUEST', 400, `Execution ${JSON.stringify(record.id)} has no recorded step yet.`, { executionId: record.id });
    const step = integerParam(request.query, 'step', 0, steps.length - 1) ?? steps.length - 1;
    const chosen = steps[step]!;
    return { step, steps: steps.length, seq: chosen.seq, transition: withoutSnapshot(chosen.transition), state: chosen.state };
  });

  app.get<{ Params: IdParams; Querystring: Query }>('/api/executions/:id/logs', async (request) => {
    const { src, record } = await requireExecution(request.params.id);
    const taskId = single(request.query, 'taskId');
    const executionOnly = single(request.query, 'scope') === 'execution';
    const logs = src.engine ? await src.engine.listLogs(record.id) : await src.store.listLogs(record.id);
    return { logs: logs.filter((log) => (executionOnly ? log.taskId === null : taskId === undefined || log.taskId === taskId)) };
  });

  app.get<{ Params: IdParams }>('/api/executions/:id/resumes', async (request) => {
    const { src, record } = await requireExecution(request.params.id);
    const logs = src.engine ? await src.engine.listLogs(record.id) : await src.store.listLogs(record.id);
    return { resumes: resumesFromLogs(logs) };
  });

  app.get<{ Params: IdParams; Querystring: Query }>('/api/executions/:id/spans', async (request) => {
    const { src, record } = await requireExecution(request.params.id);
    const taskId = single(request.query, 'taskId');
    const spans = src.engine ? await src.engine.listSpans(record.id) : await src.store.listSpans(record.id);
    return { spans: taskId === undefined ? spans : spans.filter((span) => span.taskId === taskId) };
  });

  app.get('/api/statechart', async () => taskStatechart());

  app.get<{ Params: IdParams; Querystring: Query }>('/api/executions/:id/events', async (request, reply) => {
    const { src, record } = await requireExecution(request.params.id);
    const lastEventId = request.headers['last-event-id'];
    const fromHeader = typeof lastEventId === 'string' && /^\d+$/.test(lastEventId) ? Number(lastEventId) : undefined;
    const afterSeq = integerParam(request.query, 'afterSeq', 0) ?? fromHeader ?? 0;
    streamTransitions(request, reply, src.store, record.id, afterSeq, options.pollIntervalMs, options.streams);
    return reply;
  });
}
