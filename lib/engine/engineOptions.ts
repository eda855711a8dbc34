/**
 * The options of `createEngine` and of each execution, with their validation. Defaults live in
 * lib/defaults.ts.
 */
import type { Context } from '@opentelemetry/api';
import type { InspectionEvent } from 'xstate';
import type { Logger } from 'winston';
import { InvalidOptionsError } from '../errors.js';
import type { Store } from '../store/Store.js';
import type { FailurePolicy } from '../store/records.js';
import type { RetryPolicy } from '../workflow/types.js';
import type { Workflow } from '../workflow/Workflow.js';
import type { RetentionOptions } from './Retention.js';
import type { RedisConnection } from '../remote/RedisConnection.js';
import { optionKeys, rejectUnknownOptions } from '../unknownOption.js';
import { RETRY_POLICY_KEYS, validateRetryPolicy } from './retryPolicy.js';

export interface EngineOptions {
  /**
   * Where executions are recorded: 'memory', 'sqlite::memory:', 'sqlite:<path>',
   * 'mysql://user:password@host:port/database', 'postgres://user:password@host:port/database',
   * or a `Store`.
   * @defaultValue `TASK_GRAPH_STORAGE`, else `sqlite:<TASK_GRAPH_HOME or ./.task-graph>/task-graph.db`
   */
  storage?: string | Store;
  /** Default concurrency of each execution. @defaultValue 8 */
  concurrency?: number;
  /** Default failure policy of each execution. @defaultValue 'continue' */
  failurePolicy?: FailurePolicy;
  /** The engine-wide retry policy, which tasks override field by field. @defaultValue maxAttempts 1 */
  retry?: Partial<RetryPolicy>;
  /** Your winston logger; the engine adds a transport that stores execution-scoped records. */
  logger?: Logger;
  /** Level of the engine's own logger (the console) when `logger` is not given. @defaultValue 'info' */
  logLevel?: string;
  /** Least severe level of `ctx.logger` records stored for `listLogs`, whatever the console shows. @defaultValue 'info' */
  storeLogLevel?: string;
  /** Largest task output, in bytes of JSON. @defaultValue 1 MiB */
  maxOutputBytes?: number;
  /** Log and span records buffered before the engine waits for them to be written. @defaultValue 10000 */
  telemetryBufferLimit?: number;
  /** XState's inspect hook, passed to every actor (costly: opt in for debugging). @defaultValue none */
  inspect?: (event: InspectionEvent) => void;
  /** Run the schema migrations when the store opens. @defaultValue true */
  runMigrations?: boolean;
  /** Resume every unfinished execution owned by no live engine when the engine starts. @defaultValue false */
  resumeOnStart?: boolean;
  /**
   * Workflows to publish before anything else (so that `resumeOnStart` finds them). Build them
   * with the standalone `createWorkflow(id)`. @defaultValue none
   */
  workflows?: readonly Workflow[];
  /**
   * How long `close()` waits for queued transitions, logs and spans to be written. Past it (the
   * store is down), it gives up on them, logs an error and closes anyway: the executions stay
   * resumable from what was committed. @defaultValue 10000
   */
  closeTimeoutMs?: number;
  /**
   * Delete finished executions by age (`maxAge`, ms since they finished) and by count
   * (`maxExecutions`: the most recently finished are kept), every `intervalMs` (60000), on every
   * store; on the memory store `maxExecutions` also holds after each execution finishes.
   * Unfinished executions are never deleted. See `engine.prune` for one-off deletions.
   * @defaultValue none: every execution is kept
   */
  retention?: RetentionOptions;
  /** Least time between two `execution.progress` events of one execution; one more comes at the end, at 100 %. @defaultValue 1000 */
  progressIntervalMs?: number;
  /**
   * How often the engine extends the leases of the executions it runs; less than `leaseMs`.
   * @defaultValue 5000, or a third of `leaseMs` if that is less
   */
  heartbeatIntervalMs?: number;
  /**
   * How long an execution stays held by this engine after its last heartbeat, on the store's
   * clock (never this process's). When it passes (the engine died, or lost the store), any
   * engine may take the execution over; this one's later commits of it are then refused.
   * @defaultValue 30000
   */
  leaseMs?: number;
  /** The former name of `leaseMs` (still read when `leaseMs` is not given). @deprecated use `leaseMs` */
  ownerStaleAfterMs?: number;
  /**
   * Look every `recoveryIntervalMs` for executions of the published workflows that no engine
   * holds (an expired lease, a submitted execution) and claim and run a bounded batch of them.
   * @defaultValue true on SQLite, MySQL/MariaDB and PostgreSQL; false on the memory store
   */
  recover?: boolean;
  /** @defaultValue 10000 */
  recoveryIntervalMs?: number;
  /**
   * Most executions the recovery scan lets this engine run at once (executions it starts itself
   * with `start`/`execute` count, but are never refused). @defaultValue no limit
   */
  maxExecutions?: number;
  /**
   * Per workflow id, the most executions of it that all engines on this store run at once, e.g.
   * `{ etl: 2 }`. The recovery scan (submitted executions, take-overs) claims one only while fewer
   * are held cluster-wide, counted on the database under a per-workflow lock row, so two engines
   * claiming at once never pass it. `start`/`execute`/`resume`/`resumeAll` run here at once whatever
   * the limit (they count, but are never refused or queued). Give every engine that publishes the workflow
   * the same limit: each claims by its own. @defaultValue none: no workflow is limited
   */
  workflowConcurrency?: Readonly<Record<string, number>>;
  /**
   * Redis, for tasks with a `queue` (`addTask(id, name, fn, { queue })`): their attempts are
   * dispatched as BullMQ jobs to workers started with `createWorker` from 'task-graph/worker'.
   * Needs the optional peer dependency `bullmq`. @defaultValue none: a workflow with queued tasks is refused
   */
  redis?: RedisConnection;
}

export interface ExecuteOptions {
  /** Tasks running (or waiting for a retry) at once. @defaultValue the engine's `concurrency` */
  concurrency?: number;
  /** 'continue' runs independent branches on; 'fail-fast' cancels everything. @defaultValue the engine's */
  failurePolicy?: FailurePolicy;
  /** Aborting it cancels the execution. */
  signal?: AbortSignal;
  /**
   * The OpenTelemetry context the execution's span is a child of (an incoming request's, say).
   * @defaultValue the active context, `context.active()`
   */
  parentContext?: Context;
}

/** The options of `engine.submit`. */
export interface SubmitOptions {
  /** Tasks running (or waiting for a retry) at once. @defaultValue the submitting engine's `concurrency` */
  concurrency?: number;
  /** @defaultValue the submitting engine's */
  failurePolicy?: FailurePolicy;
}

/** The options of `engine.waitFor`. */
export interface WaitForOptions {
  /** How often to read the store while the execution runs on another engine. @defaultValue 250 */
  pollIntervalMs?: number;
  /** Aborting it stops the wait (with the signal's reason); the execution goes on. */
  signal?: AbortSignal;
}

/** The keys `createEngine` knows; any other is refused (a typo would otherwise be ignored). */
export const ENGINE_OPTION_KEYS = optionKeys<EngineOptions>({
  storage: true,
  concurrency: true,
  failurePolicy: true,
  retry: true,
  logger: true,
  logLevel: true,
  storeLogLevel: true,
  maxOutputBytes: true,
  telemetryBufferLimit: true,
  inspect: true,
  runMigrations: true,
  resumeOnStart: true,
  workflows: true,
  closeTimeoutMs: true,
  retention: true,
  heartbeatIntervalMs: true,
  leaseMs: true,
  ownerStaleAfterMs: true,
  progressIntervalMs: true,
  recover: true,
  recoveryIntervalMs: true,
  maxExecutions: true,
  workflowConcurrency: true,
  redis: true,
});

/** The keys `submit` knows. */
export const SUBMIT_OPTION_KEYS = optionKeys<SubmitOptions>({ concurrency: true, failurePolicy: true });

/** The keys `waitFor` knows. */
export const WAIT_FOR_OPTION_KEYS = optionKeys<WaitForOptions>({ pollIntervalMs: true, signal: true });

/** The keys `execute` and `start` know. */
export const EXECUTE_OPTION_KEYS = optionKeys<ExecuteOptions>({ concurrency: true, failurePolicy: true, signal: true, parentContext: true });

export function validateConcurrency(option: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) throw new InvalidOptionsError(option, value, 'an integer >= 1');
  return value;
}

/** `workflowConcurrency`: an object whose every value is an integer >= 1. */
export function validateWorkflowConcurrency(value: unknown): Readonly<Record<string, number>> {
  if (value === undefined) return {};
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new InvalidOptionsError('workflowConcurrency', value, 'an object of workflow ids and limits, e.g. { etl: 2 }');
  }
  const limits: Record<string, number> = {};
  for (const [workflowId, limit] of Object.entries(value)) limits[workflowId] = validateConcurrency(`workflowConcurrency[${JSON.stringify(workflowId)}]`, limit);
  return limits;
}

export function validateFailurePolicy(option: string, value: unknown): FailurePolicy {
  if (value !== 'continue' && value !== 'fail-fast') throw new InvalidOptionsError(option, value, "'continue' or 'fail-fast'");
  return value;
}

export function validatePositive(option: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) throw new InvalidOptionsError(option, value, 'a positive number');
  return value;
}

export function validateRetryOption(value: Partial<RetryPolicy> | undefined): void {
  if (value === undefined) return;
  rejectUnknownOptions(value, RETRY_POLICY_KEYS, 'createEngine', 'retry.');
  const problem = validateRetryPolicy(value);
  if (problem) throw new InvalidOptionsError('retry', value, `a valid retry policy (${problem})`);
}

/** An OpenTelemetry `Context` (anything with its getValue, setValue and deleteValue), or undefined. */
export function validateParentContext(value: unknown): Context | undefined {
  if (value === undefined) return undefined;
  const candidate = value as Partial<Context> | null;
  if (candidate === null || typeof candidate !== 'object' || typeof candidate.getValue !== 'function' || typeof candidate.setValue !== 'function' || typeof candidate.deleteValue !== 'function') {
    throw new InvalidOptionsError('parentContext', value, "an OpenTelemetry Context (e.g. context.active() from '@opentelemetry/api')");
  }
  return candidate as Context;
}

export function validateSignal(value: unknown): AbortSignal | undefined {
  if (value === undefined) return undefined;
  if (!(value instanceof AbortSignal)) throw new InvalidOptionsError('signal', value, 'an AbortSignal');
  return value;
}
