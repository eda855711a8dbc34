/**
 * Tracing through OpenTelemetry, with the SDK's in-memory exporter: the span tree of executions
 * (retries, timeouts, failures, cancellation, fork), the caller's context as parent, task code's own
 * spans under its attempt, the traceparent stored with the execution, and a resume in another
 * process after SIGKILL continuing the same trace.
 */
import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { context as otelContext, ROOT_CONTEXT, SpanStatusCode, trace } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { createEngine, NonRetryableError } from '../lib/index.js';
import type { Engine } from '../lib/index.js';
import { installOtel } from './support/otel.js';
import type { InstalledOtel } from './support/otel.js';
import { waitUntil } from './support/waitUntil.js';

const CHILD = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures', 'otelResumeChild.ts');

function named(spans: readonly ReadableSpan[], name: string): ReadableSpan[] {
  return spans.filter((span) => span.name === name);
}
function one(spans: readonly ReadableSpan[], name: string): ReadableSpan {
  const found = named(spans, name);
  expect(found, `spans named ${name}`).to.have.length(1);
  return found[0]!;
}
function parentOf(span: ReadableSpan): string | undefined {
  return span.parentSpanContext?.spanId;
}

describe('OpenTelemetry tracing', function () {
  let otel: InstalledOtel;
  let engine: Engine;

  before(() => {
    otel = installOtel();
  });
  after(async () => {
    await otel.uninstall();
  });
  beforeEach(async () => {
    otel.spans.reset();
    engine = await createEngine({ storage: 'memory', logLevel: 'error' });
  });
  afterEach(async () => {
    await engine.close();
  });

  it("nests the execution under the caller's active span and each attempt under the execution, with the pinned names and attributes", async () => {
    engine.publishWorkflow(
      engine
        .createWorkflow('etl', { version: 'v1' })
        .addTask('extract', 'Extract', () => ({ rows: 2 }))
        .addTask('load', 'Load', () => ({ loaded: true }))
        .addDependency('extract', 'load')
        .build(),
    );
    const caller = trace.getTracer('test');
    const { result, requestSpanId, traceId } = await caller.startActiveSpan('GET /run', async (request) => {
      const result = await engine.execute('etl', {});
      request.end();
      return { result, requestSpanId: request.spanContext().spanId, traceId: request.spanContext().traceId };
    });
    expect(result.status).to.equal('succeeded');
    const spans = otel.finished();
    const execution = one(spans, 'execution etl');
    expect(parentOf(execution)).to.equal(requestSpanId);
    expect(execution.spanContext().traceId).to.equal(traceId);
    expect(execution.attributes).to.deep.include({
      'task_graph.workflow.id': 'etl',
      'task_graph.workflow.version': 'v1',
      'task_graph.execution.id': result.id,
      'task_graph.outcome': 'succeeded',
    });
    for (const taskId of ['extract', 'load']) {
      const task = one(spans, `task ${taskId}`);
      expect(parentOf(task), taskId).to.equal(execution.spanContext().spanId);
      expect(task.attributes).to.deep.include({
        'task_graph.workflow.id': 'etl',
        'task_graph.workflow.version': 'v1',
        'task_graph.execution.id': result.id,
        'task_graph.task.id': taskId,
        'task_graph.task.attempt': 1,
        'task_graph.outcome': 'succeeded',
      });
      expect(task.attributes['task_graph.task.queue_wait_ms']).to.be.a('number').and.at.least(0);
      expect(task.status.code).to.equal(SpanStatusCode.UNSET);
    }
    const [stored] = await engine.listExecutions();
    expect(stored!.traceparent).to.equal(`00-${traceId}-${execution.spanContext().spanId}-01`);
  });

  it('takes an explicit parentContext over the active one', async () => {
    engine.publishWorkflow(engine.createWorkflow('wf').addTask('a', 'A', () => 1).build());
    const caller = trace.getTracer('test');
    const outer = caller.startSpan('outer');
    const chosen = caller.startSpan('chosen');
    const parentContext = trace.setSpan(ROOT_CONTEXT, chosen);
    await caller.startActiveSpan('active', async (active) => {
      await engine.execute('wf', {}, { parentContext });
      active.end();
    });
    outer.end();
    chosen.end();
    expect(parentOf(one(otel.finished(), 'execution wf'))).to.equal(chosen.spanContext().spanId);
  });

  it("runs task code with its attempt span active: the code's own spans nest under it, and ctx.span is that span", async () => {
    let sameSpan = false;
    engine.publishWorkflow(
      engine
        .createWorkflow('wf')
        .addTask('fetch', 'Fetch', async (_input, ctx) => {
          sameSpan = trace.getActiveSpan() === ctx.span;
          ctx.span.setAttribute('app.rows', 3);
          ctx.span.addEvent('app.cache_miss');
          await trace.getTracer('app').startActiveSpan('HTTP GET', async (http) => {
            await new Promise((resolve) => setTimeout(resolve, 1));
            await trace.getTracer('app').startActiveSpan('dns', async (dns) => dns.end());
            http.end();
          });
          return 1;
        })
        .build(),
    );
    await engine.execute('wf');
    const spans = otel.finished();
    const task = one(spans, 'task fetch');
    const http = one(spans, 'HTTP GET');
    expect(sameSpan).to.equal(true);
    expect(parentOf(http)).to.equal(task.spanContext().spanId);
    expect(parentOf(one(spans, 'dns'))).to.equal(http.spanContext().spanId);
    expect(task.attributes['app.rows']).to.equal(3);
    expect(task.events.map((event) => event.name)).to.include('app.cache_miss');
  });

  it('makes one span per attempt: failed attempts carry the exception event (with its stack), status ERROR and the backoff chosen', async () => {
    let calls = 0;
    engine.publishWorkflow(
      engine
        .createWorkflow('wf')
        .addTask(
          'flaky',
          'Flaky',
          () => {
            calls += 1;
            if (calls < 3) throw new Error(`boom ${calls}`);
            return 'ok';
          },
          { retry: { maxAttempts: 3, initialDelayMs: 5, jitter: 'none' } },
        )
        .build(),
    );
    const result = await engine.execute('wf');
    expect(result.status).to.equal('succeeded');
    const spans = named(otel.finished(), 'task flaky').sort((a, b) => Number(a.attributes['task_graph.task.attempt']) - Number(b.attributes['task_graph.task.attempt']));
    expect(spans.map((span) => [span.attributes['task_graph.task.attempt'], span.attributes['task_graph.outcome']])).to.deep.equal([
      [1, 'retrying'],
      [2, 'retrying'],
      [3, 'succeeded'],
    ]);
    const execution = one(otel.finished(), 'execution wf');
    for (const [index, span] of spans.slice(0, 2).entries()) {
      expect(span.status).to.deep.equal({ code: SpanStatusCode.ERROR, message: `boom ${index + 1}` });
      const exception = span.events.find((event) => event.name === 'exception')!;
      expect(exception.attributes).to.deep.include({ 'exception.type': 'Error', 'exception.message': `boom ${index + 1}` });
      const recorded = (await engine.listTransitions(result.id)).filter((transition) => transition.to === 'retrying')[index]?.data?.error?.stack;
      expect(exception.attributes?.['exception.stacktrace']).to.equal(recorded);
      expect(exception.attributes?.['exception.stacktrace']).to.match(new RegExp(`^Error: boom ${index + 1}\\n\\s+at `));
      expect(span.attributes['task_graph.task.retry_delay_ms']).to.equal(5 * 2 ** index);
      expect(span.events.map((event) => event.name)).to.include('task_graph.retry_scheduled');
    }
    expect(spans.every((span) => parentOf(span) === execution.spanContext().spanId)).to.equal(true);
    expect(new Set(spans.map((span) => span.spanContext().spanId)).size).to.equal(3);
    expect(spans[2]!.status.code).to.equal(SpanStatusCode.UNSET);
  });

  it('records a timeout as outcome timed_out, and a failed execution with its error and status ERROR', async () => {
    engine.publishWorkflow(
      engine
        .createWorkflow('wf')
        .addTask('hang', 'Hang', (_input, ctx) => new Promise((_, reject) => ctx.signal.addEventListener('abort', () => reject(new Error('aborted')))), { timeoutMs: 20 })
        .build(),
    );
    const result = await engine.execute('wf');
    expect(result.status).to.equal('failed');
    const task = one(otel.finished(), 'task hang');
    expect(task.attributes['task_graph.outcome']).to.equal('timed_out');
    expect(task.status.code).to.equal(SpanStatusCode.ERROR);
    expect(task.events.find((event) => event.name === 'exception')!.attributes).to.deep.include({ 'exception.type': 'TaskTimeoutError' });
    const execution = one(otel.finished(), 'execution wf');
    expect(execution.attributes['task_graph.outcome']).to.equal('failed');
    expect(execution.status.code).to.equal(SpanStatusCode.ERROR);
    expect(execution.events.map((event) => event.name)).to.include('exception');
  });

  it('records a task that fails for good as outcome failed, and the skipped ones make no span', async () => {
    engine.publishWorkflow(
      engine
        .createWorkflow('wf')
        .addTask('broken', 'Broken', () => {
          throw new NonRetryableError('bad row 7');
        })
        .addTask('after', 'After', () => 1)
        .addDependency('broken', 'after')
        .build(),
    );
    await engine.execute('wf');
    const spans = otel.finished();
    const broken = one(spans, 'task broken');
    expect(broken.attributes['task_graph.outcome']).to.equal('failed');
    expect(broken.status).to.deep.equal({ code: SpanStatusCode.ERROR, message: 'bad row 7' });
    expect(named(spans, 'task after')).to.have.length(0);
  });

  it('records a cancelled attempt and execution as cancelled, not as errors', async () => {
    let started = false;
    engine.publishWorkflow(
      engine
        .createWorkflow('wf')
        .addTask('wait', 'Wait', (_input, ctx) => {
          started = true;
          return new Promise((_, reject) => ctx.signal.addEventListener('abort', () => reject(new Error('stopped'))));
        })
        .build(),
    );
    const handle = engine.start('wf');
    await waitUntil(() => started, 'the task runs');
    handle.cancel('user asked');
    expect((await handle.result).status).to.equal('cancelled');
    const spans = otel.finished();
    const task = one(spans, 'task wait');
    expect(task.attributes['task_graph.outcome']).to.equal('cancelled');
    expect(task.status.code).to.equal(SpanStatusCode.UNSET);
    expect(one(spans, 'execution wf').attributes['task_graph.outcome']).to.equal('cancelled');
  });

  it('links a fork to its source execution, and continues its trace when no span is active', async () => {
    let fail = true;
    engine.publishWorkflow(
      engine
        .createWorkflow('wf')
        .addTask('a', 'A', () => 1)
        .addTask('b', 'B', () => {
          if (fail) throw new NonRetryableError('no');
          return 2;
        })
        .addDependency('a', 'b')
        .build(),
    );
    const first = await engine.execute('wf');
    fail = false;
    const source = one(otel.finished(), 'execution wf');
    otel.spans.reset();
    const forked = await engine.fork(first.id, { fromTask: 'b' });
    expect((await forked.result).status).to.equal('succeeded');
    const spans = otel.finished();
    const execution = one(spans, 'execution wf');
    expect(execution.links.map((link) => link.context.spanId)).to.deep.equal([source.spanContext().spanId]);
    expect(execution.spanContext().traceId).to.equal(source.spanContext().traceId);
    expect(execution.attributes['task_graph.execution.forked_from']).to.equal(first.id);
    expect(named(spans, 'task a'), 'an adopted task does not run').to.have.length(0);
    expect(one(spans, 'task b').attributes['task_graph.outcome']).to.equal('succeeded');
  });

  it("ends a run's span as detached on close, and a resume continues the trace under it, linked to the resumer's span", async () => {
    const directory = mkdtempSync(path.join(os.tmpdir(), 'tg-otel-close-'));
    const storage = `sqlite:${path.join(directory, 'close.db')}`;
    let started = false;
    let hold = true;
    const define = (target: Engine) =>
      target.publishWorkflow(
        target
          .createWorkflow('wf')
          .addTask('wait', 'Wait', async (_input, ctx) => {
            started = true;
            while (hold && !ctx.signal.aborted) await new Promise((resolve) => setTimeout(resolve, 5));
            return 1;
          })
          .build(),
      );
    try {
      const first = await createEngine({ storage, logLevel: 'error' });
      define(first);
      const handle = first.start('wf');
      await waitUntil(() => started, 'the task runs');
      await first.close();
      hold = false;
      const detached = one(otel.finished(), 'execution wf');
      expect(detached.attributes['task_graph.outcome']).to.equal('detached');
      otel.spans.reset();
      const second = await createEngine({ storage, logLevel: 'error' });
      try {
        define(second);
        const resumer = trace.getTracer('test').startSpan('operator resumes');
        await otelContext.with(trace.setSpan(ROOT_CONTEXT, resumer), () => second.resume(handle.id));
        resumer.end();
        const resumed = one(otel.finished(), 'execution wf');
        expect(resumed.spanContext().traceId).to.equal(detached.spanContext().traceId);
        expect(parentOf(resumed)).to.equal(detached.spanContext().spanId);
        expect(resumed.links.map((link) => link.context.spanId)).to.deep.equal([resumer.spanContext().spanId]);
        expect(resumed.attributes).to.deep.include({ 'task_graph.execution.resumed': true, 'task_graph.outcome': 'succeeded' });
        expect(parentOf(one(otel.finished(), 'task wait'))).to.equal(resumed.spanContext().spanId);
      } finally {
        await second.close();
      }
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });

  it('refuses a parentContext that is not an OpenTelemetry Context', async () => {
    engine.publishWorkflow(engine.createWorkflow('wf').addTask('a', 'A', () => 1).build());
    expect(() => engine.start('wf', {}, { parentContext: { traceId: 'x' } as never })).to.throw(/Invalid option parentContext/);
  });
});

describe('OpenTelemetry tracing with no SDK registered', () => {
  it('runs tasks with a shared non-recording ctx.span and stores no traceparent', async () => {
    const engine = await createEngine({ storage: 'memory', logLevel: 'error' });
    try {
      const seen: boolean[] = [];
      const spans = new Set<unknown>();
      engine.publishWorkflow(
        engine
          .createWorkflow('wf')
          .addTask('a', 'A', (_input, ctx) => {
            seen.push(ctx.span.isRecording());
            spans.add(ctx.span);
            return 1;
          })
          .addTask('b', 'B', (_input, ctx) => {
            seen.push(ctx.span.isRecording());
            spans.add(ctx.span);
            return 2;
          })
          .build(),
      );
      expect((await engine.execute('wf')).status).to.equal('succeeded');
      expect(seen).to.deep.equal([false, false]);
      expect(spans.size).to.equal(1);
      expect((await engine.listExecutions())[0]!.traceparent).to.equal(null);
    } finally {
      await engine.close();
    }
  });
});

describe('OpenTelemetry context propagation with no SDK registered', () => {
  it("stores the caller's trace context (from a propagator) as the execution's traceparent, so a resume can continue it", async () => {
    const engine = await createEngine({ storage: 'memory', logLevel: 'error' });
    try {
      engine.publishWorkflow(engine.createWorkflow('wf').addTask('a', 'A', () => 1).build());
      const remote = { traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7', traceFlags: 1, isRemote: true };
      await engine.execute('wf', {}, { parentContext: trace.setSpanContext(ROOT_CONTEXT, remote) });
      expect((await engine.listExecutions())[0]!.traceparent).to.equal('00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01');
    } finally {
      await engine.close();
    }
  });
});

describe('OpenTelemetry tracing across a crash', function () {
  this.timeout(120_000);
  let directory: string;
  before(() => {
    directory = mkdtempSync(path.join(os.tmpdir(), 'tg-otel-'));
  });
  after(() => rmSync(directory, { recursive: true, force: true }));

  it('continues the same trace when an execution killed with SIGKILL is resumed in another process', async () => {
    const storage = `sqlite:${path.join(directory, 'otel.db')}`;
    const starter = spawn(process.execPath, ['--import', 'tsx', CHILD, 'start', storage], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    starter.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    const exited = new Promise((resolve) => starter.on('exit', resolve));
    await waitUntil(() => out.includes('slow running\n'), 'the slow task runs in the first process', 60_000);
    starter.kill('SIGKILL');
    await exited;
    const traceId = /^trace ([0-9a-f]{32})$/m.exec(out)![1]!;
    const executionId = /^id (\S+)$/m.exec(out)![1]!;

    const resumer = spawn(process.execPath, ['--import', 'tsx', CHILD, 'resume', storage, executionId], { stdio: ['ignore', 'pipe', 'pipe'] });
    let resumed = '';
    let errors = '';
    resumer.stdout.on('data', (chunk: Buffer) => (resumed += chunk.toString()));
    resumer.stderr.on('data', (chunk: Buffer) => (errors += chunk.toString()));
    const code = await new Promise((resolve) => resumer.on('exit', resolve));
    expect(code, errors).to.equal(0);
    const spans = resumed
      .split('\n')
      .filter((line) => line.startsWith('span '))
      .map((line) => JSON.parse(line.slice(5)) as { name: string; traceId: string; spanId: string; parentSpanId: string | null; attributes: Record<string, unknown> });
    const execution = spans.find((span) => span.name === 'execution traced')!;
    const slow = spans.find((span) => span.name === 'task slow')!;
    expect(execution.traceId).to.equal(traceId);
    expect(execution.attributes['task_graph.execution.resumed']).to.equal(true);
    expect(execution.attributes['task_graph.outcome']).to.equal('succeeded');
    expect(slow.traceId).to.equal(traceId);
    expect(slow.parentSpanId).to.equal(execution.spanId);
    expect(spans.map((span) => span.name)).to.not.include('task first'); // its success was committed before the kill
  });
});
