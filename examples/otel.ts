/**
 * task-graph's spans and metrics through OpenTelemetry, as a host application sees them.
 *
 *   npx tsx examples/otel.ts             # spans as a tree, then the metrics
 *   npx tsx examples/otel.ts --console   # also every span as the SDK's ConsoleSpanExporter prints it
 *
 * The application registers the OpenTelemetry SDK (here: a tracer provider with an in-memory
 * exporter, the AsyncLocalStorage context manager and a meter provider with an in-memory reader;
 * in production an OTLP or Prometheus exporter) BEFORE it creates the engine. task-graph itself only
 * calls `@opentelemetry/api`. An execution started inside the request's span is its child, each
 * task attempt is a child of the execution, and the task code's own spans nest under its attempt.
 */
import { context, metrics, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { AggregationTemporality, InMemoryMetricExporter, MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import type { Histogram } from '@opentelemetry/sdk-metrics';
import { BasicTracerProvider, ConsoleSpanExporter, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { ReadableSpan, SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { createEngine } from '../lib/index.js';

// 1. The host registers the SDK, once, before createEngine.
const spans = new InMemorySpanExporter();
const processors: SpanProcessor[] = [new SimpleSpanProcessor(spans)];
if (process.argv.includes('--console')) processors.push(new SimpleSpanProcessor(new ConsoleSpanExporter()));
const tracerProvider = new BasicTracerProvider({ spanProcessors: processors });
context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
trace.setGlobalTracerProvider(tracerProvider);
const reader = new PeriodicExportingMetricReader({ exporter: new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE), exportIntervalMillis: 60_000 });
const meterProvider = new MeterProvider({ readers: [reader] });
metrics.setGlobalMeterProvider(meterProvider);

// 2. The engine and a workflow whose middle task fails once and is retried.
const engine = await createEngine({ storage: 'memory', logLevel: 'warn' });
const app = trace.getTracer('example-app');
engine.publishWorkflow(
  engine
    .createWorkflow('report')
    .addTask('fetch', 'Fetch rows', async (_input, ctx) => {
      // The task code's own span (an HTTP client's auto-instrumentation would make one the same way).
      await app.startActiveSpan('GET inventory-service/rows', async (span) => {
        await new Promise((resolve) => setTimeout(resolve, 5));
        span.end();
      });
      ctx.span.setAttribute('app.rows', 3);
      return { rows: [1, 2, 3] };
    })
    .addTask('transform', 'Transform', (input: { rows: number[] }, ctx) => {
      if (ctx.attempt === 1) throw new Error('a transient failure (retried)');
      return { total: input.rows.reduce((sum, row) => sum + row, 0) };
    }, { retry: { maxAttempts: 2, initialDelayMs: 20, jitter: 'none' } })
    .addTask('publish', 'Publish', (input: { total: number }) => ({ published: input.total }))
    .addDependency('fetch', 'transform')
    .addDependency('transform', 'publish')
    .build(),
);

// 3. An incoming request's span: the execution started inside it is its child.
const result = await app.startActiveSpan('POST /reports', async (request) => {
  const finished = await engine.execute('report', {});
  request.end();
  return finished;
});
console.log(`execution ${result.id}: ${result.status}\n`);

// 4. The spans, as a tree.
const finished = spans.getFinishedSpans();
const children = new Map<string | undefined, ReadableSpan[]>();
for (const span of finished) {
  const parent = span.parentSpanContext?.spanId;
  const known = parent !== undefined && finished.some((candidate) => candidate.spanContext().spanId === parent);
  const key = known ? parent : undefined;
  children.set(key, [...(children.get(key) ?? []), span]);
}
const millis = (span: ReadableSpan) => span.duration[0] * 1e3 + span.duration[1] / 1e6;
const print = (span: ReadableSpan, depth: number) => {
  const outcome = span.attributes['task_graph.outcome'];
  const attempt = span.attributes['task_graph.task.attempt'];
  const label = `${'  '.repeat(depth)}${span.name}${attempt === undefined ? '' : ` (attempt ${String(attempt)})`}`;
  console.log(`${label.padEnd(48)} ${millis(span).toFixed(1).padStart(7)} ms${outcome === undefined ? '' : `  ${String(outcome)}`}`);
  const below = (children.get(span.spanContext().spanId) ?? []).sort((a, b) => a.startTime[0] - b.startTime[0] || a.startTime[1] - b.startTime[1]);
  for (const child of below) print(child, depth + 1);
};
console.log(`spans (trace ${finished[0]?.spanContext().traceId ?? 'none'}):`);
for (const root of children.get(undefined) ?? []) print(root, 1);

// 5. The metrics, as the reader collected them (a Prometheus exporter would serve these).
const { resourceMetrics } = await reader.collect();
console.log('\nmetrics:');
for (const metric of resourceMetrics.scopeMetrics.find((scope) => scope.scope.name === 'task-graph')?.metrics ?? []) {
  for (const point of metric.dataPoints) {
    const attributes = Object.entries(point.attributes).map(([key, value]) => `${key}="${String(value)}"`).join(',');
    const value = typeof point.value === 'number' ? String(point.value) : `count=${(point.value as Histogram).count} sum=${((point.value as Histogram).sum ?? 0).toFixed(4)}`;
    console.log(`  ${metric.descriptor.name}${attributes ? `{${attributes}}` : ''} ${value}`);
  }
}
console.log('\nthe same without OpenTelemetry, engine.metrics().tasks:', JSON.stringify(engine.metrics().tasks));

await engine.close();
await tracerProvider.shutdown();
await meterProvider.shutdown();
