/**
 * A remote task worker: runs, in this process, the attempts an engine dispatches to a queue as
 * BullMQ jobs (lib/remote/remoteJob.ts, RemoteDispatcher.ts). It holds the same workflows as the
 * engine (the same code: functions are not sent) and runs the task a job names with the job's
 * input, upstream outputs, attempt and idempotency key. Every job completes with a result, the
 * task's failure included, so that the engine applies its own retry policy.
 *
 * An engine's cancel, fail-fast or timeout of an attempt reaches the job here through the queue's
 * cancel channel: the attempt's `ctx.signal` is aborted.
 *
 * Tracing: the task runs in a span `remote task <taskId>` (kind CONSUMER, active while it runs, and
 * `ctx.span`), a child of the engine's attempt span when the job carries its trace context
 * (lib/remote/jobTraceContext.ts). The host of the worker registers the OpenTelemetry SDK; without
 * one, the span is a non-recording one holding the engine's span context.
 *
 * A worker that dies mid-job: BullMQ's stalled-job detection (`lockDurationMs`, `stalledIntervalMs`)
 * hands the job to another worker of the queue (the same attempt and idempotency key: at least once).
 */
import { context, SpanKind, trace } from '@opentelemetry/api';
import type { Job, Worker } from 'bullmq';
import type { Logger } from 'winston';
import { serializeError, toError } from '../errors.js';
import { extractTraceContext } from '../remote/jobTraceContext.js';
import { recordError } from '../telemetry/otel/ExecutionTrace.js';
import { cancelChannel, loadBullmq, queueName } from '../remote/remoteJob.js';
import type { RemoteCancel, RemoteJobData, RemoteResult } from '../remote/remoteJob.js';
import type { RedisConnection } from '../remote/RedisConnection.js';
import { createDefaultLogger } from '../telemetry/createLogger.js';
import { ATTR_EXECUTION_ID, ATTR_TASK_ATTEMPT, ATTR_TASK_ID, ATTR_TASK_QUEUE, ATTR_WORKFLOW_ID, ATTR_WORKFLOW_VERSION, INSTRUMENTATION_SCOPE, remoteTaskSpanName } from '../telemetry/otel/names.js';
import type { Workflow } from '../workflow/Workflow.js';
import type { TaskContext } from '../workflow/types.js';

/** The part of an ioredis connection the cancel channel uses. */
interface Subscriber {
  on(event: 'message', listener: (channel: string, message: string) => void): void;
  on(event: 'error', listener: (error: unknown) => void): void;
  subscribe(channel: string): Promise<unknown>;
  quit(): Promise<unknown>;
}

export interface WorkerOptions {
  /** Redis, as the engines' `createEngine({ redis })`. */
  connection: RedisConnection;
  /** The queue whose tasks it runs (the tasks' `queue` option). */
  queue: string;
  /** The workflows whose queued tasks it may run: every version the engines dispatch. */
  workflows: readonly Workflow[];
  /** Jobs run at once. @defaultValue 1 */
  concurrency?: number;
  /** How long a job stays locked by this worker without renewal (BullMQ `lockDuration`). @defaultValue 30000 */
  lockDurationMs?: number;
  /** How often the worker looks for jobs of dead workers (BullMQ `stalledInterval`). @defaultValue 30000 */
  stalledIntervalMs?: number;
  /** @defaultValue a console logger at 'info' */
  logger?: Logger;
}

export interface TaskWorker {
  /** Stops taking jobs, waits for those running (their `ctx.signal` is aborted), closes the connections. */
  close(): Promise<void>;
}

/**
 * @example
 * import { createWorker } from 'task-graph/worker';
 * const worker = await createWorker({ connection: { host: 'redis', port: 6379 }, queue: 'cpu', workflows: [etl], concurrency: 4 });
 * process.on('SIGTERM', () => worker.close());
 */
export async function createWorker(options: WorkerOptions): Promise<TaskWorker> {
  const bullmq = await loadBullmq('createWorker');
  const logger = options.logger ?? createDefaultLogger('info');
  const workflows = new Map(options.workflows.map((workflow) => [`${workflow.id}\u0000${workflow.version}`, workflow]));
  const running = new Map<string, AbortController>();
  const tracer = trace.getTracer(INSTRUMENTATION_SCOPE);
  const worker: Worker = new bullmq.Worker(
    queueName(options.queue),
    async (job: Job<RemoteJobData>): Promise<RemoteResult> => {
      const data = job.data;
      const workflow = workflows.get(`${data.workflowId}\u0000${data.workflowVersion}`);
      const task = workflow?.tasks.get(data.taskId);
      if (!task) {
        const error = new Error(`This worker does not hold task ${JSON.stringify(data.taskId)} of ${JSON.stringify(data.workflowId)} version ${data.workflowVersion}: start it with that workflow`);
        return { ok: false, error: serializeError(error), pid: process.pid };
      }
      const controller = new AbortController();
      running.set(job.id!, controller);
      const parent = extractTraceContext(data.traceContext);
      const span = tracer.startSpan(
        remoteTaskSpanName(data.taskId),
        {
          kind: SpanKind.CONSUMER,
          attributes: {
            [ATTR_WORKFLOW_ID]: data.workflowId,
            [ATTR_WORKFLOW_VERSION]: data.workflowVersion,
            [ATTR_EXECUTION_ID]: data.executionId,
            [ATTR_TASK_ID]: data.taskId,
            [ATTR_TASK_ATTEMPT]: data.attempt,
            [ATTR_TASK_QUEUE]: options.queue,
          },
        },
        parent,
      );
      const ctx: TaskContext = {
        executionId: data.executionId,
        workflowId: data.workflowId,
        taskId: data.taskId,
        attempt: data.attempt,
        idempotencyKey: data.idempotencyKey,
        signal: controller.signal,
        upstream: data.upstream,
        logger: logger.child({ executionId: data.executionId, taskId: data.taskId, attempt: data.attempt }),
        span,
      };
      try {
        const output: unknown = await context.with(trace.setSpan(parent, span), () => task.fn(data.input, ctx));
        return { ok: true, output: output === undefined ? null : output, pid: process.pid };
      } catch (thrown) {
        const recorded = serializeError(thrown); // the thrown value's own stack, if it has one
        recordError(span, recorded);
        return { ok: false, error: recorded, pid: process.pid };
      } finally {
        span.end();
        running.delete(job.id!);
      }
    },
    {
      connection: options.connection,
      concurrency: options.concurrency ?? 1,
      ...(options.lockDurationMs === undefined ? {} : { lockDuration: options.lockDurationMs }),
      ...(options.stalledIntervalMs === undefined ? {} : { stalledInterval: options.stalledIntervalMs }),
    },
  );
  worker.on('error', (error) => logger.warn(`task-graph worker on ${options.queue}: ${toError(error).message}`));
  await worker.waitUntilReady();
  // Engines ask for a running attempt to be aborted (a cancel, fail-fast, a timeout) on this channel.
  // An ioredis connection of its own (BullMQ's type of the client leaves subscribe out).
  const subscriber = (await worker.getBackend().client).duplicate() as unknown as Subscriber;
  subscriber.on('error', (error: unknown) => logger.warn(`task-graph worker on ${options.queue}, cancel channel: ${toError(error).message}`));
  subscriber.on('message', (_channel: string, text: string) => {
    try {
      const { jobId, reason } = JSON.parse(text) as RemoteCancel;
      running.get(jobId)?.abort(new Error(reason));
    } catch {
      // not ours
    }
  });
  await subscriber.subscribe(cancelChannel(options.queue));
  return {
    async close() {
      for (const controller of running.values()) controller.abort(new Error('the worker is closing'));
      await worker.close();
      await subscriber.quit().catch(() => undefined);
    },
  };
}
