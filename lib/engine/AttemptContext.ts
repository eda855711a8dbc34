/**
 * The `ctx` a task function receives. Its logger, its AbortSignal and `upstream` are made on
 * first use: most tasks read none of them, and a winston child logger and an AbortController cost
 * more than the rest of an attempt's bookkeeping together. Aborting an attempt whose signal was never read
 * leaves it aborted for a later read.
 */
import type { Span } from '@opentelemetry/api';
import type { Logger } from 'winston';
import { NON_RECORDING_SPAN } from '../telemetry/otel/ExecutionTrace.js';
import type { TaskContext } from '../workflow/types.js';

export class AttemptContext implements TaskContext {
  private controller: AbortController | null = null;
  private abortReason: unknown = undefined;
  private aborted = false;
  private childLogger: Logger | null = null;
  private upstreamOutputs: Readonly<Record<string, unknown>> | null = null;

  constructor(
    readonly executionId: string,
    readonly workflowId: string,
    readonly taskId: string,
    readonly attempt: number,
    private readonly makeUpstream: () => Readonly<Record<string, unknown>>,
    private readonly parentLogger: Logger,
    private readonly attemptSpan: Span | null,
  ) {}

  get span(): Span {
    return this.attemptSpan ?? NON_RECORDING_SPAN;
  }

  get upstream(): Readonly<Record<string, unknown>> {
    this.upstreamOutputs ??= this.makeUpstream();
    return this.upstreamOutputs;
  }

  get idempotencyKey(): string {
    return `${this.executionId}:${this.taskId}:${this.attempt}`;
  }

  get signal(): AbortSignal {
    if (!this.controller) {
      this.controller = new AbortController();
      if (this.aborted) this.controller.abort(this.abortReason);
    }
    return this.controller.signal;
  }

  get logger(): Logger {
    this.childLogger ??= this.parentLogger.child({ executionId: this.executionId, taskId: this.taskId, attempt: this.attempt });
    return this.childLogger;
  }

  /** Aborts the attempt's signal (now if it was read, else when it is). The first reason wins. */
  abort(reason: unknown): void {
    if (this.aborted) return;
    this.aborted = true;
    this.abortReason = reason;
    this.controller?.abort(reason);
  }
}
