/**
 * Every default of task-graph, and every environment variable it reads, in one place.
 */
import type { RetryPolicy } from './workflow/types.js';

// ---------------------------------------------------------------------------------------------
// Engine and execution defaults
// ---------------------------------------------------------------------------------------------

/** Tasks of one execution running (or waiting for a retry) at once. */
export const DEFAULT_CONCURRENCY = 8;

/** The engine-wide retry policy; each task overrides it field by field. */
export const DEFAULT_RETRY_POLICY: RetryPolicy = Object.freeze({
  maxAttempts: 1,
  initialDelayMs: 1000,
  backoffFactor: 2,
  maxDelayMs: 60_000,
  jitter: 'full',
});

/** Largest task output (its JSON text, in bytes) a task may return. */
export const DEFAULT_MAX_OUTPUT_BYTES = 1024 * 1024;

/** Log and span records buffered before the engine stops starting new tasks until they are written. */
export const DEFAULT_TELEMETRY_BUFFER_LIMIT = 10_000;

/** How often an engine refreshes the heartbeat of the executions it owns. */
export const DEFAULT_HEARTBEAT_INTERVAL_MS = 5_000;

/** An owner whose heartbeat is older than this is taken for dead by `resumeAll()`. */
export const DEFAULT_OWNER_STALE_AFTER_MS = 30_000;

/** Backoff of a failed store commit: first delay and cap. The commit is retried until it succeeds. */
export const COMMIT_RETRY_INITIAL_DELAY_MS = 50;
export const COMMIT_RETRY_MAX_DELAY_MS = 2_000;

/** Level of the engine's own winston logger. */
export const DEFAULT_LOG_LEVEL = 'info';

// ---------------------------------------------------------------------------------------------
// Storage defaults (see lib/store/createStore.ts)
// ---------------------------------------------------------------------------------------------
