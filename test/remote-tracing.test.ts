/**
 * Trace context on remote jobs (real Redis, a worker child process with its own OpenTelemetry SDK,
 * no mocks): the worker runs a queued task in a span `remote task <taskId>` whose parent is the
 * engine's attempt span, in the same trace; the task's own spans nest under it; the job in Redis
 * carries the attempt span's traceparent.
 */
import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { SpanStatusCode } from '@opentelemetry/api';
import { Queue } from 'bullmq';
import { createEngine } from '../lib/index.js';
import type { Engine } from '../lib/index.js';
import { queueName, remoteJobId } from '../lib/remote/remoteJob.js';
import type { RemoteJobData } from '../lib/remote/remoteJob.js';
import { REDIS, REDIS_ENV } from './fixtures/remoteWorkflow.js';
import { tracedRemoteWorkflow } from './fixtures/tracedWorker.js';
import type { PrintedSpan } from './fixtures/tracedWorker.js';
import { spawnJsonLinesChild } from './support/jsonLinesChild.js';
import type { JsonLinesChild } from './support/jsonLinesChild.js';
import { installOtel } from './support/otel.js';
import type { InstalledOtel } from './support/otel.js';
import { waitUntil } from './support/waitUntil.js';

const WORKER = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures', 'tracedWorker.ts');

(process.env[REDIS_ENV] ? describe : describe.skip)('trace context on remote jobs', function () {
  this.timeout(120_000);
  let otel: InstalledOtel;
  let queue: string;
  let worker: JsonLinesChild | null = null;
  let engine: Engine | null = null;

  before(() => {
    otel = installOtel();
  });
  after(async () => {
    await otel.uninstall();
  });
  beforeEach(() => {
    queue = `trace${randomBytes(4).toString('hex')}`;
  });
  afterEach(async () => {
    if (worker && worker.child.exitCode === null && worker.child.signalCode === null) worker.child.kill('SIGKILL');
    await worker?.exited;
    worker = null;
    await engine?.close();
    engine = null;
    const bull = new Queue(queueName(queue), { connection: REDIS });
    await bull.obliterate({ force: true });
    await bull.close();
  });

  it("runs a remote task in a child span of the engine's attempt span, in the same trace, each attempt under its own", async () => {
    worker = spawnJsonLinesChild(['--import', 'tsx', WORKER, queue], 'traced worker');
    await waitUntil(() => worker!.messages.some((m) => m['ready'] === true) || worker!.child.exitCode !== null, 'the worker is ready', 60_000);
    expect(worker.child.exitCode, worker.stderr()).to.equal(null);
    engine = await createEngine({ storage: 'memory', logLevel: 'error', redis: REDIS, workflows: [tracedRemoteWorkflow(queue)] });
    const result = await engine.execute('traced-remote', {});
    expect(result.status).to.equal('succeeded');

    const attempts = otel
      .finished()
      .filter((span) => span.name === 'task heavy')
      .sort((a, b) => Number(a.attributes['task_graph.task.attempt']) - Number(b.attributes['task_graph.task.attempt']));
    expect(attempts.map((span) => span.attributes['task_graph.task.attempt'])).to.deep.equal([1, 2]);
    const execution = otel.finished().find((span) => span.name === 'execution traced-remote')!;

    worker.child.kill('SIGTERM');
    await worker.exited;
    const printed = worker.messages.filter((m) => 'span' in m).map((m) => m['span'] as PrintedSpan);
    const remote = printed.filter((span) => span.name === 'remote task heavy').sort((a, b) => Number(a.attributes['task_graph.task.attempt']) - Number(b.attributes['task_graph.task.attempt']));
    expect(remote).to.have.length(2);
    for (const [index, span] of remote.entries()) {
      const attempt = attempts[index]!;
      expect(span.traceId, 'same trace as the execution').to.equal(execution.spanContext().traceId);
      expect(span.parentSpanId, `attempt ${index + 1}'s parent`).to.equal(attempt.spanContext().spanId);
      expect(span.attributes['task_graph.task.attempt']).to.equal(index + 1);
      expect(span.attributes['task_graph.task.queue']).to.equal(queue);
      expect(span.attributes['test.worker_pid'], 'ctx.span is this span').to.equal(worker.child.pid);
      const inner = printed.filter((each) => each.name === 'heavy inner' && each.parentSpanId === span.spanId);
      expect(inner, "the task's own span nests under it").to.have.length(1);
    }
    expect(remote[0]!.status).to.equal(SpanStatusCode.ERROR);
    expect(remote[1]!.status).to.not.equal(SpanStatusCode.ERROR);

    const bull = new Queue(queueName(queue), { connection: REDIS });
    try {
      const job = await bull.getJob(remoteJobId(result.id, 'heavy', 2));
      const data = job!.data as RemoteJobData;
      const { traceId, spanId } = attempts[1]!.spanContext();
      expect(data.traceContext?.['traceparent'], 'the job carries the attempt span').to.equal(`00-${traceId}-${spanId}-01`);
    } finally {
      await bull.close();
    }
  });
});
