/**
 * Metrics through OpenTelemetry's metrics API, read with the SDK's in-memory reader: the counts
 * match what ran, the histograms count every attempt and commit, the gauges come back to zero,
 * and `engine.metrics()` says the same as plain data.
 */
import { expect } from 'chai';
import type { DataPoint, Histogram, ResourceMetrics } from '@opentelemetry/sdk-metrics';
import { createEngine } from '../lib/index.js';
import type { Engine } from '../lib/index.js';
import { installOtel } from './support/otel.js';
import type { InstalledOtel } from './support/otel.js';

function points(metrics: ResourceMetrics, name: string): DataPoint<unknown>[] {
  const scope = metrics.scopeMetrics.find((scopeMetrics) => scopeMetrics.scope.name === 'task-graph');
  const metric = scope?.metrics.find((candidate) => candidate.descriptor.name === name);
  expect(metric, `metric ${name}`).to.not.equal(undefined);
  return metric!.dataPoints as DataPoint<unknown>[];
}
/** The value of each data point, keyed by its task_graph.outcome (or '' without one). */
function byOutcome(metrics: ResourceMetrics, name: string): Record<string, unknown> {
  return Object.fromEntries(points(metrics, name).map((point) => [String(point.attributes['task_graph.outcome'] ?? ''), point.value]));
}
function histogramTotals(metrics: ResourceMetrics, name: string): { count: number; sum: number } {
  let count = 0;
  let sum = 0;
  for (const point of points(metrics, name)) {
    const value = point.value as Histogram;
    count += value.count;
    sum += value.sum ?? 0;
  }
  return { count, sum };
}

describe('OpenTelemetry metrics', function () {
  let otel: InstalledOtel;
  let engine: Engine;

  before(async () => {
    otel = installOtel();
    engine = await createEngine({ storage: 'sqlite::memory:', logLevel: 'error' });
  });
  after(async () => {
    await engine.close();
    await otel.uninstall();
  });

  it('counts executions and attempts by outcome, retries, and every attempt and commit in the histograms', async () => {
    let flakyCalls = 0;
    engine.publishWorkflow(
      engine
        .createWorkflow('good')
        .addTask('a', 'A', () => 1)
        .addTask(
          'flaky',
          'Flaky',
          () => {
            flakyCalls += 1;
            if (flakyCalls === 1) throw new Error('once');
            return 2;
          },
          { retry: { maxAttempts: 2, initialDelayMs: 1, jitter: 'none' } },
        )
        .addTask('c', 'C', () => 3)
        .addDependency('a', 'flaky')
        .addDependency('flaky', 'c')
        .build(),
    );
    engine.publishWorkflow(
      engine
        .createWorkflow('bad')
        .addTask('hang', 'Hang', (_input, ctx) => new Promise((_, reject) => ctx.signal.addEventListener('abort', () => reject(new Error('aborted')))), { timeoutMs: 10 })
        .addTask('after', 'After', () => 1)
        .addDependency('hang', 'after')
        .build(),
    );
    const good = await engine.execute('good');
    const bad = await engine.execute('bad');
    expect([good.status, bad.status]).to.deep.equal(['succeeded', 'failed']);
    const transitions = (await engine.listTransitions(good.id)).length + (await engine.listTransitions(bad.id)).length;

    const collected = await otel.collect();
    expect(byOutcome(collected, 'task_graph.executions')).to.deep.equal({ succeeded: 1, failed: 1 });
    expect(byOutcome(collected, 'task_graph.task.attempts')).to.deep.equal({ succeeded: 3, retrying: 1, timed_out: 1 });
    expect(points(collected, 'task_graph.task.retries').map((point) => point.value)).to.deep.equal([1]);
    expect(points(collected, 'task_graph.executions.started').map((point) => point.value)).to.deep.equal([2]);
    expect(histogramTotals(collected, 'task_graph.task.duration').count).to.equal(5);
    expect(histogramTotals(collected, 'task_graph.task.queue_wait').count).to.equal(5);
    expect(histogramTotals(collected, 'task_graph.execution.duration').count).to.equal(2);
    const commits = histogramTotals(collected, 'task_graph.store.commit.size');
    expect(commits.sum, 'every transition was written by a counted commit').to.equal(transitions);
    expect(histogramTotals(collected, 'task_graph.store.commit.duration').count).to.equal(commits.count);
    expect(points(collected, 'task_graph.executions.running').map((point) => point.value)).to.deep.equal([0]);
    expect(points(collected, 'task_graph.tasks.running').map((point) => point.value)).to.deep.equal([0]);
    expect(points(collected, 'task_graph.telemetry.buffer.depth')).to.have.length(1);

    const plain = engine.metrics();
    expect(plain.executions).to.deep.equal({ started: 2, succeeded: 1, failed: 1, cancelled: 0, running: 0 });
    expect(plain.tasks).to.deep.equal({ attempts: { succeeded: 3, failed: 0, retrying: 1, timed_out: 1, cancelled: 0 }, retries: 1, running: 0 });
    expect(plain.durations.task.count).to.equal(5);
    expect(plain.durations.queueWait.count).to.equal(5);
    expect(plain.durations.execution.count).to.equal(2);
    expect(plain.storeCommitSize).to.include({ count: commits.count, sum: transitions });
    expect(plain.durations.storeCommit.count).to.equal(commits.count);
    expect(plain.durations.task.min).to.be.at.most(plain.durations.task.max);
    expect(plain.telemetryBufferDepth).to.be.a('number');
  });
});

describe('OpenTelemetry metrics of two engines in one process', () => {
  let otel: InstalledOtel;
  before(() => {
    otel = installOtel();
  });
  after(() => otel.uninstall());

  it('adds up into one series per instrument and outcome, the buffer depth gauge included', async () => {
    const engines = await Promise.all([createEngine({ storage: 'memory', logLevel: 'error' }), createEngine({ storage: 'memory', logLevel: 'error' })]);
    try {
      for (const engine of engines) {
        engine.publishWorkflow(engine.createWorkflow('wf').addTask('a', 'A', () => 1).build());
        await engine.execute('wf');
      }
      const collected = await otel.collect();
      expect(byOutcome(collected, 'task_graph.executions')).to.deep.equal({ succeeded: 2 });
      expect(byOutcome(collected, 'task_graph.task.attempts')).to.deep.equal({ succeeded: 2 });
      expect(points(collected, 'task_graph.telemetry.buffer.depth')).to.have.length(1);
      expect(engines.map((engine) => engine.metrics().executions.succeeded)).to.deep.equal([1, 1]);
    } finally {
      await Promise.all(engines.map((engine) => engine.close()));
    }
  });
});

describe('engine.metrics() with no OpenTelemetry SDK registered', () => {
  it('counts what ran', async () => {
    const engine = await createEngine({ storage: 'memory', logLevel: 'error' });
    try {
      engine.publishWorkflow(engine.createWorkflow('wf').addTask('a', 'A', () => 1).addTask('b', 'B', () => 2).build());
      await engine.execute('wf');
      await engine.execute('wf');
      const plain = engine.metrics();
      expect(plain.executions).to.deep.equal({ started: 2, succeeded: 2, failed: 0, cancelled: 0, running: 0 });
      expect(plain.tasks.attempts.succeeded).to.equal(4);
      expect(plain.durations.task.count).to.equal(4);
    } finally {
      await engine.close();
    }
  });
});
