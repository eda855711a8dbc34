/**
 * The OpenTelemetry trace of one execution as run in this process: one span for the execution
 * (`execution <workflowId>`) and one per task attempt (`task <taskId>`), children of it. The host
 * application registers the SDK; task-graph only calls `@opentelemetry/api`.
 *
 * Where the execution span sits:
 * - a new execution: child of the caller's context (`start`/`execute` option `parentContext`,
 *   default the active context), so an execution started in an HTTP request's span nests under it;
 * - a resumed one (after a crash, in another process, or after `close()`): a new span, child of the
 *   span whose W3C traceparent the execution stored when it started, so the trace id is the same
 *   (and linked to the span active where `resume` was called, if any);
 * - a fork: child of the caller's context, with a link to the source execution's span; with no
 *   span active, child of the source's span (the same trace).
 *
 * Cost with no SDK registered: when the global tracer provider is the API's own no-op (and there
 * is no caller's span, stored trace or fork source to propagate), every execution shares one
 * disabled trace: nothing is made per execution. Otherwise, with a trace not sampled, the
 * execution span is a non-recording span (a few small objects per execution). Either way
 * `isRecording` is false, and then no
 * attempt span, attribute object or context is made per task: `ctx.span` is one shared
 * non-recording span and task code is called directly, outside `context.with`.
 */
import { INVALID_SPAN_CONTEXT, isSpanContextValid, ProxyTracerProvider, ROOT_CONTEXT, SpanStatusCode, trace } from '@opentelemetry/api';
import type { Attributes, Context, Link, Span, Tracer } from '@opentelemetry/api';
import type { SerializedError } from '../../errors.js';
import {
  ATTR_EXECUTION_ID,
  ATTR_FORKED_FROM,
  ATTR_OUTCOME,
  ATTR_QUEUE_WAIT_MS,
  ATTR_RESUMED,
  ATTR_RETRY_DELAY_MS,
  ATTR_TASK_ATTEMPT,
  ATTR_TASK_COUNT,
  ATTR_TASK_ID,
  ATTR_WORKFLOW_ID,
  ATTR_WORKFLOW_VERSION,
  executionSpanName,
  taskSpanName,
} from './names.js';
import type { AttemptOutcomeLabel, ExecutionOutcomeLabel } from './names.js';
import { formatTraceparent, parseTraceparent } from './traceparent.js';

/** The span `ctx.span` is when the attempt is not traced: shared, non-recording, its calls do nothing. */
export const NON_RECORDING_SPAN: Span = trace.wrapSpanContext(INVALID_SPAN_CONTEXT);

/** The API's no-op tracer provider: what a proxy provider with no SDK behind it delegates to. */
const NOOP_TRACER_PROVIDER = new ProxyTracerProvider().getDelegate();

/** Whether no SDK is registered: the global provider is this API's proxy, delegating to the no-op. */
function isTracingOff(): boolean {
  const provider = trace.getTracerProvider();
  return provider instanceof ProxyTracerProvider && provider.getDelegate() === NOOP_TRACER_PROVIDER;
}

export interface ExecutionTraceStart {
  workflowId: string;
  workflowVersion: string;
  executionId: string;
  taskCount: number;
  /** The caller's context (a new execution or a fork). */
  parent: Context;
  /** The traceparent the execution stored: a resumed execution's span is its child. */
  resumedFrom?: string | null;
  /** A fork's source execution and its stored traceparent: linked to (and the parent when `parent` has no span). */
  forkedFrom?: { executionId: string; traceparent: string | null };
}

export class ExecutionTrace {
  /** Whether spans are recorded (an SDK is registered and the trace sampled); nothing is made per task otherwise. */
  readonly isRecording: boolean;
  /** The context attempts are children of (the execution span set in its parent's context). */
  readonly context: Context;
  /**
   * The traceparent to store with a new execution: its span's, or null when there is no trace
   * (no SDK registered and no caller's trace to propagate).
   */
  readonly traceparent: string | null;
  private ended = false;

  private constructor(
    private readonly tracer: Tracer,
    readonly span: Span,
    parent: Context,
    private readonly base: Attributes,
  ) {
    this.isRecording = span.isRecording();
    this.context = trace.setSpan(parent, span);
    this.traceparent = formatTraceparent(span.spanContext());
  }

  /** Starts the execution span (now). */
  static start(tracer: Tracer, start: ExecutionTraceStart): ExecutionTrace {
    if (isTracingOff() && !start.resumedFrom && !start.forkedFrom?.traceparent && !trace.getSpan(start.parent)) {
      return (DISABLED ??= new ExecutionTrace(tracer, NON_RECORDING_SPAN, ROOT_CONTEXT, {}));
    }
    let parent = start.parent;
    const links: Link[] = [];
    const resumedFrom = parseTraceparent(start.resumedFrom);
    if (resumedFrom) {
      const resumer = trace.getSpan(parent)?.spanContext(); // whoever called resume: linked, not the parent
      if (resumer && isSpanContextValid(resumer)) links.push({ context: resumer });
      parent = trace.setSpanContext(ROOT_CONTEXT, resumedFrom);
    }
    const source = start.forkedFrom ? parseTraceparent(start.forkedFrom.traceparent) : null;
    if (source) {
      links.push({ context: source });
      if (!trace.getSpan(parent)) parent = trace.setSpanContext(parent, source);
    }
    const base: Attributes = {
      [ATTR_WORKFLOW_ID]: start.workflowId,
      [ATTR_WORKFLOW_VERSION]: start.workflowVersion,
      [ATTR_EXECUTION_ID]: start.executionId,
    };
    const attributes: Attributes = { ...base, [ATTR_TASK_COUNT]: start.taskCount };
    if (start.resumedFrom !== undefined) attributes[ATTR_RESUMED] = true;
    if (start.forkedFrom) attributes[ATTR_FORKED_FROM] = start.forkedFrom.executionId;
    const span = tracer.startSpan(executionSpanName(start.workflowId), { attributes, links }, parent);
    return new ExecutionTrace(tracer, span, parent, base);
  }

  /**
   * Starts an attempt's span now (as its `running` transition is recorded, or its attempt is run
   * again after a restore; the SDK's clock, finer than the stored milliseconds, so the task code's
   * own spans nest inside it), or returns null when the
   * execution is not recorded. `queueWaitMs`: from the task being ready to this start.
   */
  startAttempt(taskId: string, attempt: number, queueWaitMs: number): Span | null {
    if (!this.isRecording) return null;
    const attributes: Attributes = { ...this.base, [ATTR_TASK_ID]: taskId, [ATTR_TASK_ATTEMPT]: attempt, [ATTR_QUEUE_WAIT_MS]: queueWaitMs };
    return this.tracer.startSpan(taskSpanName(taskId), { attributes }, this.context);
  }

  /** Ends an attempt's span: its outcome, its error as an exception event (status ERROR), the backoff chosen. */
  endAttempt(span: Span, outcome: AttemptOutcomeLabel, error: SerializedError | undefined, retryDelayMs: number | undefined): void {
    span.setAttribute(ATTR_OUTCOME, outcome);
    if (error && outcome !== 'cancelled') recordError(span, error);
    if (retryDelayMs !== undefined) {
      span.setAttribute(ATTR_RETRY_DELAY_MS, retryDelayMs);
      span.addEvent('task_graph.retry_scheduled', { [ATTR_RETRY_DELAY_MS]: retryDelayMs });
    }
    span.end();
  }

  /** Ends the execution span now (once: its final transition is committed, or the run detached), with its outcome and a failed execution's error. */
  end(outcome: ExecutionOutcomeLabel, error?: SerializedError | null): void {
    if (this.span === NON_RECORDING_SPAN || this.ended) return;
    this.ended = true;
    if (!this.isRecording) return this.span.end();
    this.span.setAttribute(ATTR_OUTCOME, outcome);
    if (outcome === 'failed' && error) recordError(this.span, error);
    this.span.end();
  }
}

/** The trace every execution shares while no SDK is registered and there is nothing to propagate. */
let DISABLED: ExecutionTrace | null = null;

/** Records a failure on a span: an exception event (the recorded stack as its stacktrace) and status ERROR. */
export function recordError(span: Span, error: SerializedError): void {
  // exception.type is the error's name, as the conventions ask; exception.stacktrace the recorded stack
  span.recordException({ name: error.name, message: error.message, ...(error.stack === undefined ? {} : { stack: error.stack }) });
  span.setStatus({ code: SpanStatusCode.ERROR, message: error.message });
}
