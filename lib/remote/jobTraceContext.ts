/**
 * The trace context that travels with a remote attempt's job, so that the worker's span of the
 * task is a child of the engine's attempt span (the same trace, across processes and machines).
 *
 * The engine injects the attempt span's context into a plain carrier (job data `traceContext`)
 * through the host's registered propagator (`propagation.inject`: W3C `traceparent`, and
 * `tracestate` or baggage when the host's propagator writes them); when no propagator is
 * registered it writes the W3C `traceparent` itself, so the parent never depends on the host's
 * setup. The worker extracts it the same way (the propagator, else the `traceparent`). An attempt
 * that is not traced (no SDK on the engine, or not sampled) sends no carrier.
 */
import { context, isSpanContextValid, propagation, ROOT_CONTEXT, trace } from '@opentelemetry/api';
import type { Context, Span } from '@opentelemetry/api';
import { formatTraceparent, parseTraceparent } from '../telemetry/otel/traceparent.js';

/** Header-like keys and values: `traceparent`, `tracestate`, `baggage`. */
export type TraceCarrier = Record<string, string>;

/** The carrier of `span`'s context (with the active context's baggage), or undefined when the span is not recording. */
export function injectTraceContext(span: Span): TraceCarrier | undefined {
  if (!span.isRecording()) return undefined;
  const carrier: TraceCarrier = {};
  propagation.inject(trace.setSpan(context.active(), span), carrier);
  if (carrier['traceparent'] === undefined) {
    const traceparent = formatTraceparent(span.spanContext());
    if (traceparent) carrier['traceparent'] = traceparent;
  }
  return Object.keys(carrier).length > 0 ? carrier : undefined;
}

/** The context a carrier names (its remote span the parent of spans started in it), or the root context. */
export function extractTraceContext(carrier: unknown): Context {
  if (carrier === null || typeof carrier !== 'object') return ROOT_CONTEXT;
  const fields = carrier as TraceCarrier;
  const extracted = propagation.extract(ROOT_CONTEXT, fields);
  const spanContext = trace.getSpanContext(extracted);
  if (spanContext && isSpanContextValid(spanContext)) return extracted;
  const parsed = parseTraceparent(typeof fields['traceparent'] === 'string' ? fields['traceparent'] : null);
  return parsed ? trace.setSpanContext(extracted, parsed) : extracted;
}
