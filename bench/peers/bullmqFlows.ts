/**
 * BullMQ's own way to run many small DAGs: FlowProducer flows. Each flow is a parent job with
 * `size - 1` children (a fan-in: the parent runs once every child completed), all on one queue
 * served by one Worker with `concurrency`. The flows are added with one `FlowProducer.addBulk`
 * (one Redis transaction), and the run ends when every parent completed.
 */
import { randomBytes } from 'node:crypto';
import { FlowProducer, Queue, Worker } from 'bullmq';
import { redisClients } from './bullmqDag.js';
import type { PreparedBullmq, RedisAddress } from './bullmqDag.js';

/** Opens a fresh queue, a flow producer and a worker (not timed); `run` adds `flows` flows of `size` jobs. */
export async function prepareBullmqFlows(
  redis: RedisAddress,
  flows: number,
  size: number,
  concurrency: number,
  task: (id: string) => Promise<unknown>,
): Promise<PreparedBullmq> {
  const clients = redisClients(redis);
  const queueName = `tg-bench-${randomBytes(4).toString('hex')}`;
  const queue = new Queue(queueName, { connection: clients.connect() });
  const producer = new FlowProducer({ connection: clients.connect() });
  await queue.waitUntilReady();
  await producer.waitUntilReady();
  let done = 0;
  let parentsDone = 0;
  let settle: (error?: Error) => void = () => undefined;
  const worker = new Worker(queueName, async (job) => task(job.name), { connection: clients.connect(), concurrency });
  worker.on('completed', (job) => {
    done += 1;
    if (job.name === 'sink' && ++parentsDone === flows) settle();
  });
  worker.on('failed', (job, error) => settle(new Error(`job ${job?.id} failed: ${error.message}`)));
  await worker.waitUntilReady();

  return {
    async run() {
      const children = Array.from({ length: size - 1 }, (_, i) => ({ name: `l${i}`, queueName }));
      await new Promise<void>((resolve, reject) => {
        settle = (error) => (error ? reject(error) : resolve());
        const all = Array.from({ length: flows }, () => ({ name: 'sink', queueName, children }));
        producer.addBulk(all).catch((error: Error) => settle(error));
      });
      return done;
    },
    async dispose() {
      await worker.close();
      await producer.close();
      await queue.obliterate({ force: true });
      await queue.close();
      await clients.quitAll();
    },
  };
}
