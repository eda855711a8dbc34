/**
 * The OpenTelemetry SDK registered for a test file, as a host application would: a tracer provider
 * with an in-memory exporter, the AsyncLocalStorage context manager, and a meter provider with an
 * in-memory reader. `installOtel()` in `before`, `uninstall()` in `after` (the globals are
 * process-wide: other test files must not see them).
 */
import { context, metrics, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { AggregationTemporality, InMemoryMetricExporter, MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import type { ResourceMetrics } from '@opentelemetry/sdk-metrics';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';

export interface InstalledOtel {
  readonly spans: InMemorySpanExporter;
  /** Every finished span so far. */
  finished(): ReadableSpan[];
  /** Collects the metrics now (cumulative). */
  collect(): Promise<ResourceMetrics>;
  uninstall(): Promise<void>;
}

export function installOtel(): InstalledOtel {
  const spans = new InMemorySpanExporter();
  const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spans)] });
  const contextManager = new AsyncLocalStorageContextManager().enable();
  context.setGlobalContextManager(contextManager);
  trace.setGlobalTracerProvider(tracerProvider);
  const metricExporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
  const reader = new PeriodicExportingMetricReader({ exporter: metricExporter, exportIntervalMillis: 3_600_000 });
  const meterProvider = new MeterProvider({ readers: [reader] });
  metrics.setGlobalMeterProvider(meterProvider);
  return {
    spans,
    finished: () => spans.getFinishedSpans(),
    collect: async () => (await reader.collect()).resourceMetrics,
    uninstall: async () => {
      await tracerProvider.shutdown();
      await meterProvider.shutdown();
      trace.disable();
      context.disable();
      metrics.disable();
    },
  };
}
