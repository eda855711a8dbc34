/**
 * BullMQ with Redis as a DAG runner. BullMQ's FlowProducer models trees (a parent waits for its
 * children), not DAGs with shared upstreams, so the DAG is driven from the worker side:
 *
 * - one queue and one Worker with `concurrency` = the scenario's limit; each node is one job
 *   (`{ id }`) whose processor is the same no-op task, completed jobs are kept (BullMQ's default)
 *   like task-graph keeps its records;
 * - the in-degree table lives in the worker process: on the worker's local `completed` event
 *   (emitted after the job was moved to `completed` in Redis) the dependents' counts drop, and the
 *   ones at zero are enqueued with one `addBulk`;
 * - the roots (every node of the fan-out) are enqueued with `addBulk` in chunks of 1,000.
 *
 * So each task costs BullMQ what a durable queue costs: an add, a fetch with lock, a move to
 * completed, all in Redis. Keeping the in-degrees in-process is BullMQ's best case; keeping them
 * in Redis would add one round trip per edge.
 */
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { adjacency, noop } from '../dags.js';
import type { Dag } from '../dags.js';
import type { Contender, RunMeasure } from '../measure.js';

const REDIS = { host: '127.0.0.1', port: 6379 };
const ADD_CHUNK = 1_000;

interface RunState {
  unmet: Map<string, number>;
  done: number;
  finish: (error?: Error) => void;
}

/** BullMQ on the Redis at 127.0.0.1:6379, one queue per prepared scenario, deleted on dispose. */
export function bullmqContender(): Contender {
  let queue: Queue | null = null;
  let worker: Worker | null = null;
  let dag: Dag | null = null;
  let downstream = new Map<string, string[]>();
  let upstreamCount = new Map<string, number>();
  let state: RunState | null = null;
  let concurrency = 0;
  let connections: Redis[] = [];
  // BullMQ 6 wants ready-made ioredis clients under ESM; workers need maxRetriesPerRequest null.
  const connect = (): Redis => {
    const client = new Redis({ ...REDIS, maxRetriesPerRequest: null });
    connections.push(client);
    return client;
  };

  const enqueue = async (ids: readonly string[]): Promise<void> => {
    for (let i = 0; i < ids.length; i += ADD_CHUNK) {
      await queue!.addBulk(ids.slice(i, i + ADD_CHUNK).map((id) => ({ name: 'node', data: { id } })));
    }
  };

  const onCompleted = (id: string): void => {
    const run = state!;
    run.done += 1;
    const ready: string[] = [];
    for (const next of downstream.get(id)!) {
      const remaining = run.unmet.get(next)! - 1;
      run.unmet.set(next, remaining);
      if (remaining === 0) ready.push(next);
    }
    if (ready.length > 0) enqueue(ready).catch((error: Error) => run.finish(error));
    if (run.done === dag!.ids.length) run.finish();
  };

  const openWorker = async (limit: number): Promise<void> => {
    await worker?.close();
    worker = new Worker(queue!.name, async () => noop(), { connection: connect(), concurrency: limit, autorun: true });
    worker.on('completed', (job) => onCompleted((job.data as { id: string }).id));
    worker.on('failed', (job, error) => state?.finish(new Error(`job ${job?.id} failed: ${error.message}`)));
    await worker.waitUntilReady();
    concurrency = limit;
  };

  return {
    name: 'BullMQ',
    unavailable: () => probeRedis(),
    async prepare(next: Dag) {
      dag = next;
      const { upstream, downstream: down } = adjacency(next);
      downstream = down;
      upstreamCount = new Map([...upstream].map(([id, ups]) => [id, ups.length]));
      queue = new Queue(`tg-bench-${randomBytes(4).toString('hex')}`, { connection: connect() });
      await queue.waitUntilReady();
      return {};
    },
    async run(limit: number): Promise<RunMeasure> {
      if (concurrency !== limit) await openWorker(limit);
      const roots = dag!.ids.filter((id) => upstreamCount.get(id) === 0);
      const started = performance.now();
      let problem: string | null = null;
      await new Promise<void>((resolve) => {
        state = {
          unmet: new Map(upstreamCount),
          done: 0,
          finish: (error) => {
            if (error) problem = error.message;
            resolve();
          },
        };
        enqueue(roots).catch((error: Error) => state!.finish(error));
      });
      const ms = performance.now() - started;
      const done = state!.done;
      if (!problem && done !== dag!.ids.length) problem = `${done}/${dag!.ids.length} jobs completed`;
      return { ms, done, problem };
    },
    async dispose() {
      await worker?.close();
      await queue?.obliterate({ force: true });
      await queue?.close();
      await Promise.all(connections.map((client) => client.quit()));
      connections = [];
      worker = null;
      queue = null;
      concurrency = 0;
    },
  };
}

/** null when Redis answers PING within 2 s, else why not. */
function probeRedis(): Promise<string | null> {
  return new Promise((resolve) => {
    const socket = net.connect(REDIS);
    const fail = (why: string): void => {
      socket.destroy();
      resolve(`Redis at ${REDIS.host}:${REDIS.port} unreachable (${why})`);
    };
    socket.setTimeout(2_000, () => fail('timeout'));
    socket.on('error', (error) => fail(error.message));
    socket.on('connect', () => socket.write('PING\r\n'));
    socket.on('data', (data) => {
      socket.end();
      resolve(data.toString().startsWith('+PONG') ? null : `Redis at ${REDIS.host}:${REDIS.port} answered ${JSON.stringify(data.toString().trim())}`);
    });
  });
}
