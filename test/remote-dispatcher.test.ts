/**
 * The engine's side of remote workers (lib/remote/RemoteDispatcher.ts) on real Redis, with a real
 * worker: a job that a worker completes while the engine is still opening the queue's events is
 * reported by its completion event, not found later by the one-second poll. Before the events were
 * read from the stream's last id, about one fresh queue in twenty missed it.
 */
import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import { Queue } from 'bullmq';
import { createWorkflow } from '../lib/index.js';
import type { TaskContext } from '../lib/index.js';
import { RemoteDispatcher } from '../lib/remote/RemoteDispatcher.js';
import { queueName } from '../lib/remote/remoteJob.js';
import { createDefaultLogger } from '../lib/telemetry/createLogger.js';
import { NON_RECORDING_SPAN } from '../lib/telemetry/otel/ExecutionTrace.js';
import { createWorker } from '../lib/worker/index.js';
import { REDIS, REDIS_ENV } from './fixtures/remoteWorkflow.js';

const QUEUES = 100;

(process.env[REDIS_ENV] ? describe : describe.skip)('RemoteDispatcher', function () {
  this.timeout(120_000);

  it(`gets the completion event of a job finished while its queue's events were being opened (${QUEUES} fresh queues, an instant worker)`, async () => {
    const logger = createDefaultLogger('error');
    const warnings: string[] = [];
    let answered = 0;
    for (let n = 0; n < QUEUES; n++) {
      const queue = `fresh${randomBytes(4).toString('hex')}`;
      const workflow = createWorkflow('instant', { version: '1' })
        .addTask('a', 'A', (input: { n: number }) => input.n + 1, { queue })
        .build();
      const worker = await createWorker({ connection: REDIS, queue, workflows: [workflow], logger });
      const dispatcher = await RemoteDispatcher.create(REDIS, (message) => warnings.push(message));
      try {
        const ctx: TaskContext = {
          executionId: `e${n}`,
          workflowId: 'instant',
          taskId: 'a',
          attempt: 1,
          idempotencyKey: `e${n}:a:1`,
          signal: new AbortController().signal,
          upstream: {},
          logger,
          span: NON_RECORDING_SPAN,
        };
        expect(await dispatcher.run(queue, '1', { n }, ctx)).to.equal(n + 1);
        answered += 1;
        expect(dispatcher.resultsPolled, `queue ${n}: the result came by the poll, the event was missed`).to.equal(0);
      } finally {
        await dispatcher.close();
        await worker.close();
        const bull = new Queue(queueName(queue), { connection: REDIS });
        await bull.obliterate({ force: true });
        await bull.close();
      }
    }
    expect(answered).to.equal(QUEUES);
    expect(warnings).to.deep.equal([]);
  });
});
