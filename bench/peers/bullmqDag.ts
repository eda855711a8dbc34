/**
 * BullMQ with Redis as a DAG runner. BullMQ's FlowProducer models trees (a parent waits for its
 * children), not DAGs with shared upstreams, so the DAG is driven from the worker side:
 *
 * - one queue and one Worker with `concurrency` = the scenario's limit; each node is one job
 *   (`{ node }`) whose processor is the same no-op task; completed jobs are kept (BullMQ's
 *   default), as task-graph keeps its records;
 * - the upstream counts live in the worker process: on the worker's local `completed` event
 *   (emitted after the job was moved to `completed` in Redis) the dependents' counts drop, and the
 *   ones at zero are enqueued with one `addBulk`;
 * - the roots are enqueued with `addBulk` in chunks of 1,000.
 *
 * So each task costs BullMQ what a durable queue costs: an add, a fetch with a lock, a move to
 * completed, all in Redis. Keeping the counts in-process is BullMQ's best case (in Redis they would
 * add a round trip per edge); a crash of this process would lose them, which task-graph's runs
 * survive.
 */
import { randomBytes } from 'node:crypto';
import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { adjacencyOf } from '../shapes.js';
import type { Dag } from '../shapes.js';

export interface RedisAddress {
  host: string;
  port: number;
}

/** A queue and its worker, ready; `run` is the timed part, `dispose` deletes the queue. */
export interface PreparedBullmq {
  run(): Promise<number>;
  dispose(): Promise<void>;
}

const ADD_CHUNK = 1_000;

/** BullMQ 6 under ESM wants ready-made ioredis clients; workers need maxRetriesPerRequest null. */
export function redisClients(redis: RedisAddress): { connect: () => Redis; quitAll: () => Promise<void> } {
  const clients: Redis[] = [];
  return {
    connect: () => {
      const client = new Redis({ ...redis, maxRetriesPerRequest: null });
      clients.push(client);
      return client;
    },
    quitAll: async () => {
      await Promise.all(clients.map((client) => client.quit()));
    },
  };
}

/** Opens a fresh queue and a worker on it (not timed); `run` runs every node of `dag` once with `task`. */
export async function prepareBullmqDag(
  redis: RedisAddress,
  dag: Dag,
  concurrency: number,
  task: (id: string) => Promise<unknown>,
): Promise<PreparedBullmq> {
  const { offsets, targets, indegree } = adjacencyOf(dag);
  const clients = redisClients(redis);
  const queue = new Queue(`tg-bench-${randomBytes(4).toString('hex')}`, { connection: clients.connect() });
  await queue.waitUntilReady();
  const unmet = indegree.slice();
  let done = 0;
  let settle: (error?: Error) => void = () => undefined;

  const enqueue = async (nodes: readonly number[]): Promise<void> => {
    for (let i = 0; i < nodes.length; i += ADD_CHUNK) {
      await queue.addBulk(nodes.slice(i, i + ADD_CHUNK).map((node) => ({ name: 'node', data: { node } })));
    }
  };
  const onCompleted = (node: number): void => {
    done += 1;
    const ready: number[] = [];
    for (let e = offsets[node]!; e < offsets[node + 1]!; e++) {
      const next = targets[e]!;
      unmet[next]! -= 1;
      if (unmet[next] === 0) ready.push(next);
    }
    if (ready.length > 0) enqueue(ready).catch((error: Error) => settle(error));
    if (done === dag.ids.length) settle();
  };

  const worker = new Worker(queue.name, async (job) => task(dag.ids[(job.data as { node: number }).node]!), {
    connection: clients.connect(),
    concurrency,
  });
  worker.on('completed', (job) => onCompleted((job.data as { node: number }).node));
  worker.on('failed', (job, error) => settle(new Error(`job ${job?.id} failed: ${error.message}`)));
  await worker.waitUntilReady();

  return {
    async run() {
      const roots: number[] = [];
      for (let i = 0; i < unmet.length; i++) if (unmet[i] === 0) roots.push(i);
      await new Promise<void>((resolve, reject) => {
        settle = (error) => (error ? reject(error) : resolve());
        enqueue(roots).catch((error: Error) => settle(error));
      });
      return done;
    },
    async dispose() {
      await worker.close();
      await queue.obliterate({ force: true });
      await queue.close();
      await clients.quitAll();
    },
  };
}
