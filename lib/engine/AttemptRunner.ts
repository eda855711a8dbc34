/**
 * Runs the attempts of one execution's tasks: builds each attempt's input and `ctx` from the
 * committed outputs of its upstream tasks, calls the task function through `executeAttempt`
 * (timeout, output checks, retry decision), records a span per attempt (stored, and through
 * OpenTelemetry when the execution is traced: the function then runs with its span active), and
 * keeps a handle on every attempt in flight so that a cancel can abort it.
 *
 * An attempt's outcome is only a proposal: the run delivers it to the task actor, which ignores
 * it if the task was cancelled meanwhile.
 */
import { trace } from '@opentelemetry/api';
import type { AttemptOutcome } from '../../machines/task.js';
import type { TaskRunRecord } from '../store/records.js';
import type { ExecutionTrace } from '../telemetry/otel/ExecutionTrace.js';
import { spanId } from '../telemetry/spans.js';
import type { Workflow } from '../workflow/Workflow.js';
import { AttemptContext } from './AttemptContext.js';
import { attemptOutcomeLabel } from './attemptOutcomeLabel.js';
import { buildAttemptInput, buildUpstreamOutputs } from './attemptInput.js';
import type { EngineRuntime } from './EngineRuntime.js';
import { executeAttempt } from './executeAttempt.js';
import { resolveRetryPolicy } from './retryPolicy.js';

/** What an attempt came to, and when it ended (the time its transition is recorded at). */
export interface AttemptEnd {
  outcome: AttemptOutcome;
  finishedAt: Date;
}

const NO_ATTRIBUTES: Readonly<Record<string, unknown>> = Object.freeze({});

export class AttemptRunner {
  /** The context of each attempt in flight, by task id. */
  private readonly inFlight = new Map<string, AttemptContext>();
  /** Attempts stopped from outside (cancel, fail-fast, close), as opposed to timed out. */
  private readonly stopped = new WeakSet<AttemptContext>();

  constructor(
    private readonly runtime: EngineRuntime,
    private readonly workflow: Workflow,
    private readonly executionId: string,
    private readonly executionInput: unknown,
    private readonly rowOf: (taskId: string) => TaskRunRecord | undefined,
    private readonly trace: ExecutionTrace,
  ) {}

  private readonly outputOf = (taskId: string): unknown => this.rowOf(taskId)?.output;

  /**
   * Runs attempt `attempt` of a task, started at `startedAt` (the time its `running` transition
   * was recorded at), `queueWaitMs` after the task was ready; resolves with its outcome (never rejects).
   */
  run(taskId: string, attempt: number, startedAt: Date, queueWaitMs: number): Promise<AttemptEnd> {
    const task = this.workflow.tasks.get(taskId)!;
    const upstreamIds = this.workflow.upstream.get(taskId)!;
    const input = buildAttemptInput(this.executionInput, upstreamIds, this.outputOf);
    const span = this.trace.startAttempt(taskId, attempt, queueWaitMs);
    this.runtime.metrics.attemptStarted(queueWaitMs);
    const makeUpstream = () => buildUpstreamOutputs(upstreamIds, this.outputOf);
    const context = new AttemptContext(this.executionId, this.workflow.id, taskId, attempt, makeUpstream, this.runtime.logger, span);
    this.inFlight.set(taskId, context);
    const remote = this.runtime.remote;
    const version = this.workflow.version;
    return executeAttempt({
      // A task with a queue runs on a remote worker; timeout, retries and transitions stay here.
      task: task.queue === null || remote === null ? task : { ...task, fn: (taskInput: unknown, ctx) => remote.run(task.queue!, version, taskInput, ctx) },
      policy: resolveRetryPolicy(this.runtime.defaultRetry, task.retry),
      input,
      context,
      maxOutputBytes: this.runtime.maxOutputBytes,
      traceContext: span ? trace.setSpan(this.trace.context, span) : null,
    }).then((outcome) => {
      if (this.inFlight.get(taskId) === context) this.inFlight.delete(taskId);
      const finishedAt = new Date();
      const label = attemptOutcomeLabel(outcome, this.stopped.has(context));
      this.runtime.metrics.attemptEnded(label, finishedAt.getTime() - startedAt.getTime(), outcome.kind === 'retry');
      if (span) {
        this.trace.endAttempt(span, label, outcome.kind === 'succeeded' ? undefined : outcome.error, outcome.kind === 'retry' ? outcome.delayMs : undefined);
      }
      this.runtime.telemetry.addSpan({
        spanId: spanId(),
        parentSpanId: this.executionId,
        executionId: this.executionId,
        taskId,
        attempt,
        name: task.name,
        status: this.stopped.has(context) ? 'cancelled' : outcome.kind === 'succeeded' ? 'ok' : 'error',
        startedAt,
        finishedAt,
        attributes: outcome.kind === 'succeeded' ? NO_ATTRIBUTES : { error: outcome.error },
      });
      return { outcome, finishedAt };
    });
  }

  /** Aborts the signal of a task's attempt in flight, if any. */
  abort(taskId: string, reason: unknown): void {
    const context = this.inFlight.get(taskId);
    if (!context) return;
    this.stopped.add(context);
    context.abort(reason);
  }

  /** Aborts every attempt in flight (the engine closes, the execution is taken over). */
  abortAll(reason: unknown): void {
    for (const taskId of [...this.inFlight.keys()]) this.abort(taskId, reason);
  }
}
