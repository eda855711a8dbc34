/**
 * Every default of task-graph, and every environment variable it reads, in one place.
 */
import path from 'node:path';
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

/**
 * The longest attempt timeout or retry delay accepted: 100 years. Longer ones are refused at
 * `build()`, so that every deadline stays a valid date. (Delays past Node's 24.8-day timer limit
 * are kept by chaining timers: lib/engine/setLongTimeout.ts.)
 */
export const MAX_DURATION_MS = 100 * 365.25 * 24 * 3600 * 1000;

/** Longest explicit workflow version (`createWorkflow(id, { version })`), in characters. */
export const MAX_VERSION_LENGTH = 64;

/**
 * Longest workflow id and task id, in characters (Unicode code points), checked by `build()` on
 * every store. The SQL stores keep ids in VARCHAR(191) utf8mb4 columns, and MySQL/MariaDB count
 * a VARCHAR's length in characters, four bytes each at most (191 of them fit an index key of
 * older InnoDB, 767 bytes).
 */
export const MAX_ID_LENGTH = 191;

/**
 * How much of a failed attempt's stack is recorded with its error: the first lines (the
 * `Name: message` line and the frames below it) up to this many, and at most this many
 * characters, so that a deep recursion's stack does not bloat every record of the failure.
 */
export const MAX_RECORDED_STACK_LINES = 50;
export const MAX_RECORDED_STACK_CHARS = 8 * 1024;

/** Largest task output (its JSON text, in bytes) a task may return. */
export const DEFAULT_MAX_OUTPUT_BYTES = 1024 * 1024;

/** Log and span records buffered before the engine stops starting new tasks until they are written. */
export const DEFAULT_TELEMETRY_BUFFER_LIMIT = 10_000;

/** How often an engine extends the leases of the executions it owns (at most a third of the lease). */
export const DEFAULT_HEARTBEAT_INTERVAL_MS = 5_000;

/**
 * How long an execution stays held by its owner after the owner's last heartbeat, on the store's
 * clock. Past it, any engine may claim it (`resumeAll()`, the recovery scan).
 */
export const DEFAULT_LEASE_MS = 30_000;

/** The CLI's listing calls an execution orphaned when its owner's heartbeat is older than this (the lease). */
export const DEFAULT_OWNER_STALE_AFTER_MS = DEFAULT_LEASE_MS;

/** How often a durable engine looks for executions nobody holds (expired leases, submitted ones) and claims some. */
export const DEFAULT_RECOVERY_INTERVAL_MS = 10_000;

/** Most executions one recovery scan claims (it scans again at once when it took a full batch and has room). */
export const DEFAULT_RECOVERY_BATCH_SIZE = 50;

/** How often `engine.waitFor(id)` reads an execution running on another engine. */
export const DEFAULT_WAIT_POLL_INTERVAL_MS = 250;

/** Backoff of a failed store commit: first delay and cap. The commit is retried until it succeeds. */
export const COMMIT_RETRY_INITIAL_DELAY_MS = 50;
export const COMMIT_RETRY_MAX_DELAY_MS = 2_000;

/** How long `close()` waits for the store to take what is still queued before giving up on it. */
export const DEFAULT_CLOSE_TIMEOUT_MS = 10_000;

/** Finished executions a prune deletes per batch (one short transaction each on a SQL store). */
export const DEFAULT_PRUNE_BATCH_SIZE = 100;
/** Rows of one table a prune deletes per transaction (a 100,000-task execution has 300,000 transitions). */
export const DEFAULT_PRUNE_ROW_BATCH_SIZE = 5_000;
/** How often `createEngine({ retention })` applies its rules. Retention itself is off by default: everything is kept. */
export const DEFAULT_RETENTION_INTERVAL_MS = 60_000;

/** Least time between two `execution.progress` events of one execution (and one more at the end). */
export const DEFAULT_PROGRESS_INTERVAL_MS = 1_000;

/** Level of the engine's own winston logger (what reaches the console). */
export const DEFAULT_LOG_LEVEL = 'info';

/** Least severe level of the execution records stored for `listLogs`, whatever the console level. */
export const DEFAULT_STORE_LOG_LEVEL = 'info';

// ---------------------------------------------------------------------------------------------
// Storage defaults (see lib/store/createStore.ts)
// ---------------------------------------------------------------------------------------------

/** Environment variable holding the storage URL used when none is given. */
export const STORAGE_ENV = 'TASK_GRAPH_STORAGE';
/** Environment variable naming the directory of the default SQLite file. */
export const HOME_ENV = 'TASK_GRAPH_HOME';
/** Directory of the default SQLite file, relative to the working directory. */
export const DEFAULT_HOME_DIRECTORY = '.task-graph';
/** File name of the default SQLite database inside the home directory. */
export const DEFAULT_DATABASE_FILE = 'task-graph.db';

/**
 * How long a store opening waits for another process migrating the same database (it holds the
 * migration lock) before it gives up. Long: a migration of a big database may build indexes.
 */
export const MIGRATION_LOCK_TIMEOUT_MS = 10 * 60_000;

/**
 * The storage used when none is given: `TASK_GRAPH_STORAGE` if set, else the SQLite file
 * `task-graph.db` in `TASK_GRAPH_HOME`, else in `<cwd>/.task-graph`. A relative
 * `TASK_GRAPH_HOME` is resolved against `cwd`.
 *
 * @example
 * defaultStorageUrl({}, '/srv/app');                              // 'sqlite:/srv/app/.task-graph/task-graph.db'
 * defaultStorageUrl({ TASK_GRAPH_HOME: '/var/lib/tg' }, '/srv');  // 'sqlite:/var/lib/tg/task-graph.db'
 * defaultStorageUrl({ TASK_GRAPH_STORAGE: 'memory' });            // 'memory'
 */
export function defaultStorageUrl(
  env: Readonly<Record<string, string | undefined>> = process.env,
  cwd: string = process.cwd(),
): string {
  const storage = env[STORAGE_ENV];
  if (storage !== undefined && storage.trim() !== '') return storage.trim();
  const home = env[HOME_ENV];
  const directory = home !== undefined && home.trim() !== '' ? path.resolve(cwd, home.trim()) : path.resolve(cwd, DEFAULT_HOME_DIRECTORY);
  return `sqlite:${path.join(directory, DEFAULT_DATABASE_FILE)}`;
}

// ---------------------------------------------------------------------------------------------
// Dashboard defaults (lib/dashboard)
// ---------------------------------------------------------------------------------------------

/** Port and address `task-graph serve` listens on: this machine only, unless told otherwise. */
export const DEFAULT_DASHBOARD_PORT = 4480;
export const DEFAULT_DASHBOARD_HOST = '127.0.0.1';

/** How often a dashboard's event stream reads the store for transitions newer than it sent. */
export const DEFAULT_DASHBOARD_POLL_INTERVAL_MS = 250;

/** Executions a page of the dashboard's list holds, by default and at most. */
export const DEFAULT_DASHBOARD_PAGE_SIZE = 50;
export const MAX_DASHBOARD_PAGE_SIZE = 500;

/** The bearer token of the dashboard when none is given: TASK_GRAPH_DASHBOARD_TOKEN, else none. */
export function defaultDashboardToken(): string | undefined {
  const token = process.env['TASK_GRAPH_DASHBOARD_TOKEN'];
  return token === undefined || token === '' ? undefined : token;
}
