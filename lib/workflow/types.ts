/**
 * The workflow model's public types: a task function, what it receives, and its options.
 */
import type { Span } from '@opentelemetry/api';
import type { Logger } from 'winston';

/** What a task function receives besides its input. */
export interface TaskContext {
  readonly executionId: string;
  readonly workflowId: string;
  readonly taskId: string;
  /** 1-based number of this attempt. */
  readonly attempt: number;
  /**
   * Stable across re-runs of the same attempt after a crash (`executionId:taskId:attempt`): use it
   * to make side effects idempotent, since a task that was running when the process died runs again.
   */
  readonly idempotencyKey: string;
  /** Aborted when the attempt times out, the execution is cancelled, or fail-fast stops it. */
  readonly signal: AbortSignal;
  /** Outputs of the direct upstream tasks, by task id. */
  readonly upstream: Readonly<Record<string, unknown>>;
  /** A child of the engine logger carrying executionId, taskId and attempt; records are stored. */
  readonly logger: Logger;
  /**
   * The attempt's OpenTelemetry span (`task <taskId>`), for attributes and events. The task function
   * runs with it active, so spans the host's instrumentation makes (HTTP, database clients) nest
   * under it. When no OpenTelemetry SDK is registered it is a shared non-recording span. On a
   * remote worker (`createWorker`) it is the worker's span `remote task <taskId>`, a child of the
   * engine's attempt span.
   */
  readonly span: Span;
}

/** A task: any function of the input and the context, sync or async, returning a JSON value. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type TaskFunction<TInput = any, TOutput = unknown> = (input: TInput, ctx: TaskContext) => TOutput | Promise<TOutput>;

export type Jitter = 'full' | 'none';

/** Exponential backoff: the delay before attempt n+1 is `min(maxDelayMs, initialDelayMs * backoffFactor^(n-1))`. */
export interface RetryPolicy {
  /** Attempts in all, the first included. @defaultValue 1 (no retry) */
  maxAttempts: number;
  /** @defaultValue 1000 */
  initialDelayMs: number;
  /** @defaultValue 2 */
  backoffFactor: number;
  /** @defaultValue 60000 */
  maxDelayMs: number;
  /** 'full' picks the delay uniformly in [0, computed delay]. @defaultValue 'full' */
  jitter: Jitter;
  /** Return false to stop retrying this error. `NonRetryableError` never retries. */
  retryable?: (error: Error) => boolean;
}

export interface WorkflowOptions {
  /**
   * The version recorded with each execution, such as a release name ('2025-06'). Bump it when
   * the definition changes; publishing a different definition under a version already published
   * is refused. At most 64 characters.
   * @defaultValue a hash of the definition (task ids, names, options and edges)
   */
  version?: string;
}

export interface TaskOptions {
  /** Overrides the engine's default retry policy, field by field. */
  retry?: Partial<RetryPolicy>;
  /** Limit of one attempt, in ms. @defaultValue none */
  timeoutMs?: number;
  /**
   * Run this task's attempts on a remote worker of this queue (`createWorker` from
   * 'task-graph/worker'), dispatched as BullMQ jobs; the engine needs `createEngine({ redis })`.
   * Letters, digits, '-' and '_', at most 64. @defaultValue none: the task runs in the engine's process
   */
  queue?: string;
}

export interface TaskDefinition {
  readonly id: string;
  readonly name: string;
  readonly fn: TaskFunction;
  readonly retry: Partial<RetryPolicy> | undefined;
  readonly timeoutMs: number | null;
  /** The remote queue its attempts run on, or null (in the engine's process). */
  readonly queue: string | null;
}
