/**
 * The engine's side of remote task workers: an attempt of a task whose `queue` is set becomes one
 * BullMQ job on `tg-<queue>` (remoteJob.ts), and its result comes back through that queue's
 * QueueEvents (`job.waitUntilFinished`, which also answers at once for a job already finished).
 *
 * The engine stays the source of truth: the attempt's timeout, retries, backoff and transitions
 * are the engine's, as for a local task; BullMQ runs each job once (`attempts: 1`), apart from its
 * stalled-job detection, which re-delivers the job of a worker that died (same attempt, same
 * `ctx.idempotencyKey`). An engine that takes an execution over dispatches the attempt that was
 * running again under the same job id: BullMQ keeps the job it has, and the engine waits for it.
 * Finished jobs are kept a day (`removeOnComplete/removeOnFail: { age }`) for that.
 *
 * A cancel, fail-fast or timeout of the attempt rejects the engine's wait at once and stops the job:
 * removed if it still waits, else its worker is asked on the queue's cancel channel to abort the
 * attempt's `ctx.signal` (a task that ignores its signal runs to its end; its result is ignored).
 * An engine that closes or loses the execution leaves its jobs running: the next owner re-attaches.
 *
 * A traced attempt's span context goes with its job (`traceContext`, jobTraceContext.ts): the
 * worker runs the task in a child span of it.
 */
import type { Job, Queue, QueueEvents } from 'bullmq';
import { EngineClosedError, NonRetryableError, StorageError } from '../errors.js';
import type { SerializedError } from '../errors.js';
import type { RedisConnection } from './RedisConnection.js';
import type { TaskContext } from '../workflow/types.js';
import { injectTraceContext } from './jobTraceContext.js';
import { cancelChannel, loadBullmq, queueName, remoteJobId } from './remoteJob.js';
import type { RemoteCancel, RemoteJobData, RemoteResult } from './remoteJob.js';

interface OpenedQueue {
  queue: Queue;
  events: QueueEvents;
}

/** The part of the ioredis client the dispatcher uses (BullMQ's type of it leaves these out). */
interface RedisClient {
  publish(channel: string, message: string): Promise<number>;
  xrevrange(key: string, end: string, start: string, count: 'COUNT', n: number): Promise<[string, string[]][]>;
}

/** How often a waiting attempt reads its job's state (besides the completion event). */
const POLL_MS = 1_000;

/** Finished jobs are kept this long, so that an engine taking an execution over finds their results. */
const KEEP_FINISHED_JOBS_S = 24 * 3600;

export class RemoteDispatcher {
  private readonly queues = new Map<string, Promise<OpenedQueue>>();
  private closed = false;
  /** Results that came by the poll before their completion event (for tests: it should stay 0). */
  resultsPolled = 0;
  /** When each Redis error message was last logged (warnRedis). */
  private readonly warned = new Map<string, number>();

  private constructor(
    private readonly bullmq: typeof import('bullmq'),
    private readonly connection: RedisConnection,
    private readonly warn: (message: string, executionId?: string) => void,
  ) {}

  /** `warn` receives what the engine should log: Redis errors, a job that vanished. */
  static async create(connection: RedisConnection, warn: (message: string, executionId?: string) => void): Promise<RemoteDispatcher> {
    return new RemoteDispatcher(await loadBullmq("createEngine({ redis }) (tasks with a 'queue')"), connection, warn);
  }

  /**
   * Runs one attempt on a worker of `queue` and resolves with the task's output; rejects with the
   * task's error (rebuilt: a `NonRetryableError` stays one), or the signal's reason when the
   * attempt is aborted here (timeout, cancel).
   */
  async run(queue: string, workflowVersion: string, input: unknown, ctx: TaskContext): Promise<unknown> {
    const { queue: bullQueue, events } = await this.open(queue);
    const data: RemoteJobData = {
      executionId: ctx.executionId,
      workflowId: ctx.workflowId,
      workflowVersion,
      taskId: ctx.taskId,
      attempt: ctx.attempt,
      idempotencyKey: ctx.idempotencyKey,
      input,
      upstream: { ...ctx.upstream },
    };
    const traceContext = injectTraceContext(ctx.span);
    if (traceContext) data.traceContext = traceContext;
    const dispatch = () =>
      bullQueue.add('attempt', data, {
        jobId: remoteJobId(ctx.executionId, ctx.taskId, ctx.attempt),
        attempts: 1,
        removeOnComplete: { age: KEEP_FINISHED_JOBS_S },
        removeOnFail: { age: KEEP_FINISHED_JOBS_S },
      });
    const job: Job = await dispatch();
    const aborted = new Promise<never>((_, reject) => {
      const onAbort = () => {
        const reason = ctx.signal.reason instanceof Error ? ctx.signal.reason : new Error(String(ctx.signal.reason));
        if (shouldCancelJob(reason)) void this.cancel(queue, job, reason.message);
        reject(reason);
      };
      if (ctx.signal.aborted) onAbort();
      else ctx.signal.addEventListener('abort', onAbort, { once: true });
    });
    aborted.catch(() => undefined);
    const finished = (job.waitUntilFinished(events) as Promise<unknown>).catch((error: unknown) => {
      // The job is gone from Redis (it restarted empty while this wait began): not the attempt's
      // failure. The poll dispatches the job again and reads its result.
      if (isJobGoneError(error)) return new Promise<never>(() => undefined);
      throw error;
    });
    finished.catch(() => undefined);
    let byPoll = false;
    const polled = this.pollUntilFinished(bullQueue, job.id!, ctx, dispatch).then((value) => {
      byPoll = true;
      return value;
    });
    polled.catch(() => undefined);
    const result = toRemoteResult(await Promise.race([finished, polled, aborted]));
    if (byPoll) this.resultsPolled += 1;
    if (result.ok) return result.output;
    throw rebuildError(result.error);
  }

  /**
   * The job's result read from Redis every POLL_MS, alongside the QueueEvents notification, as a
   * backstop: completion events were missed when the events were read from BullMQ's '$' (see
   * openQueue), and an attempt then waited for ever; a notification lost for a reason not found
   * yet would cost a second, not the run. Stops when the attempt is aborted or the engine closes.
   *
   * A job that no longer exists (Redis restarted without persistence, was flushed, or failed over
   * to a replica that had not got it) is dispatched again, under the same id: the same attempt runs
   * again (at least once, the same `ctx.idempotencyKey`), and the engine records its one outcome.
   * Without this, the attempt waited for ever for a job nobody would run.
   */
  private async pollUntilFinished(queue: Queue, jobId: string, ctx: TaskContext, dispatch: () => Promise<Job>): Promise<unknown> {
    while (!ctx.signal.aborted && !this.closed) {
      await new Promise((resolve) => setTimeout(resolve, POLL_MS).unref());
      const state = await queue.getJobState(jobId).catch(() => 'unreachable');
      if (state === 'unknown' && !ctx.signal.aborted) {
        this.warn(
          `The job of task ${JSON.stringify(ctx.taskId)} attempt ${ctx.attempt} of execution ${ctx.executionId} is gone from Redis ` +
            '(restarted without persistence, flushed, or failed over?); dispatching it again: the attempt runs again.',
          ctx.executionId,
        );
        await dispatch().catch(() => undefined); // Redis unreachable again: the next poll tries again
        continue;
      }
      if (state !== 'completed' && state !== 'failed') continue;
      const job = await this.bullmq.Job.fromId(queue, jobId);
      if (!job) continue;
      if (state === 'failed') throw new Error(job.failedReason);
      return job.returnvalue;
    }
    return new Promise<never>(() => undefined); // aborted or closing: the other waits settle it
  }

  /**
   * Stops a job this engine no longer waits for: removed if no worker has taken it yet, else its
   * worker is asked (on the queue's cancel channel) to abort the attempt's `ctx.signal`.
   */
  private async cancel(queue: string, job: Job, reason: string): Promise<void> {
    try {
      const removed = await job.remove().then(
        () => true,
        () => false, // locked by a worker: it runs
      );
      if (removed) return;
      const client = (await (await this.queues.get(queue)!).queue.getBackend().client) as unknown as RedisClient;
      const message: RemoteCancel = { jobId: job.id!, reason };
      await client.publish(cancelChannel(queue), JSON.stringify(message));
    } catch {
      // Redis is gone: the job runs on, and its result is ignored.
    }
  }

  /** Logs a Redis error of a queue, at most once a second per queue and kind (ioredis retries its connection every few hundred ms). */
  private warnRedis(queue: string, error: unknown): void {
    const message = error instanceof Error ? error.message : String(error);
    const key = `${queue}\u0000${message}`;
    const now = Date.now();
    if ((this.warned.get(key) ?? 0) > now - 1_000) return;
    this.warned.set(key, now);
    if (this.warned.size > 100) this.warned.clear();
    this.warn(`Redis of queue ${JSON.stringify(queue)}: ${message}`);
  }

  async close(): Promise<void> {
    this.closed = true;
    const opening = [...this.queues.values()];
    this.queues.clear();
    const opened = await Promise.all(opening.map((each) => each.catch(() => null)));
    await Promise.all(opened.flatMap((each) => (each ? [each.events.close(), each.queue.close()] : [])));
  }

  private open(queue: string): Promise<OpenedQueue> {
    let opened = this.queues.get(queue);
    if (!opened) {
      opened = this.openQueue(queue);
      this.queues.set(queue, opened);
      const failed = opened;
      failed.catch(() => {
        if (this.queues.get(queue) === failed) this.queues.delete(queue); // Redis unreachable: the next attempt opens it again
      });
    }
    return opened;
  }

  /**
   * The queue and its QueueEvents, which reads the events stream from the last event there when the
   * queue is opened. BullMQ's default is '$' (what comes after its first XREAD), which it sends
   * only after its connection is ready and named: a job completed between `waitUntilFinished`'s
   * check of the job (after that readiness) and that first XREAD was never reported, and the
   * attempt waited for the poll (measured: 10 of 230 fresh queues with an instant worker missed the
   * event; none of 230 from the last id).
   */
  private async openQueue(queue: string): Promise<OpenedQueue> {
    const name = queueName(queue);
    const bullQueue = new this.bullmq.Queue(name, { connection: this.connection });
    // Without a listener, each failed reconnection while Redis is down is printed raw.
    bullQueue.on('error', (error) => this.warnRedis(queue, error));
    // One 'closing' listener per attempt waiting: no leak.
    bullQueue.setMaxListeners(0);
    let lastEventId: string;
    try {
      const client = (await bullQueue.getBackend().client) as unknown as RedisClient;
      const [last] = await client.xrevrange(bullQueue.keys.events!, '+', '-', 'COUNT', 1);
      lastEventId = last?.[0] ?? '0-0';
    } catch (error) {
      await bullQueue.close().catch(() => undefined);
      throw error;
    }
    const events = new this.bullmq.QueueEvents(name, { connection: this.connection, lastEventId });
    events.on('error', (error) => this.warnRedis(queue, error));
    events.setMaxListeners(0); // two job listeners per attempt waiting
    return { queue: bullQueue, events };
  }
}

/** The job's return value (BullMQ may hand it back as its JSON text). */
function toRemoteResult(value: unknown): RemoteResult {
  let result = value;
  for (let i = 0; i < 2 && typeof result === 'string'; i++) result = JSON.parse(result);
  if (result === null || typeof result !== 'object' || !('ok' in result)) throw new Error(`A remote worker returned ${JSON.stringify(value)}, not a task-graph result`);
  return result as RemoteResult;
}

/** BullMQ's error for a command on a job that does not exist (its code -1, JobNotExist). */
function isJobGoneError(error: unknown): boolean {
  return error instanceof Error && error.message.startsWith('Missing key for job ');
}

/** The worker's error as the engine records it: its name, message, code and the worker's stack. */
function rebuildError(serialized: SerializedError): Error {
  const error = serialized.code === 'NON_RETRYABLE' ? new NonRetryableError(serialized.message) : new Error(serialized.message);
  if (serialized.code !== 'NON_RETRYABLE') {
    error.name = serialized.name;
    if (serialized.code !== undefined) Object.assign(error, { code: serialized.code });
  }
  if (serialized.stack !== undefined) error.stack = serialized.stack;
  return error;
}

/**
 * Whether an attempt aborted for `reason` should stop its job: yes for a cancel, fail-fast or a
 * timeout; no when this engine closes or loses the execution (another engine takes it over and
 * re-attaches to the job, whose result it wants).
 */
function shouldCancelJob(reason: Error): boolean {
  return !(reason instanceof EngineClosedError || reason instanceof StorageError);
}
