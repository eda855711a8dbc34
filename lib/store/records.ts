/**
 * The records every store holds. They are plain data: the engine builds them, a `Store` persists
 * them, and the read API (`getExecution`, `listTransitions`, ...) returns them.
 */
import type { SerializedError } from '../errors.js';

export type ExecutionStatus = 'pending' | 'running' | 'succeeded' | 'failed' | 'cancelled';
export type TaskStatus = 'pending' | 'running' | 'retrying' | 'succeeded' | 'failed' | 'skipped' | 'cancelled';
export type FailurePolicy = 'continue' | 'fail-fast';

export const TERMINAL_EXECUTION_STATUSES: readonly ExecutionStatus[] = ['succeeded', 'failed', 'cancelled'];
export const TERMINAL_TASK_STATUSES: readonly TaskStatus[] = ['succeeded', 'failed', 'skipped', 'cancelled'];

export function isTerminalTaskStatus(status: TaskStatus): boolean {
  return TERMINAL_TASK_STATUSES.includes(status);
}
export function isTerminalExecutionStatus(status: ExecutionStatus): boolean {
  return TERMINAL_EXECUTION_STATUSES.includes(status);
}
/**
 * Whether no live engine holds this unfinished execution: it has no owner, no lease, or its lease
 * ended before `now`, a time read from the store's clock (`Store.now()`), never a process's.
 * `resumeAll()` and the recovery scan take exactly these.
 * @example isOrphaned(record, await store.now())
 */
export function isOrphaned(record: Pick<ExecutionRecord, 'status' | 'ownerId' | 'leaseUntil'>, now: Date): boolean {
  if (isTerminalExecutionStatus(record.status)) return false;
  return record.ownerId === null || record.leaseUntil === null || record.leaseUntil === undefined || record.leaseUntil.getTime() < now.getTime();
}

/**
 * What a reader without the store's clock can tell (the CLI's listing): no owner, or an owner
 * whose heartbeat is older than `staleBefore` (epoch ms).
 */
export function hasStaleOwner(record: Pick<ExecutionRecord, 'status' | 'ownerId' | 'heartbeatAt'>, staleBefore: number): boolean {
  if (isTerminalExecutionStatus(record.status)) return false;
  return record.ownerId === null || record.heartbeatAt === null || record.heartbeatAt.getTime() < staleBefore;
}

/** One row of `tg_executions`. */
export interface ExecutionRecord {
  id: string;
  workflowId: string;
  workflowVersion: string;
  status: ExecutionStatus;
  input: unknown;
  /** Outputs of the succeeded tasks, by task id, once the execution has finished. */
  output: Record<string, unknown> | null;
  error: SerializedError | null;
  /** The options the execution runs with, so that a resume keeps them. */
  concurrency: number;
  failurePolicy: FailurePolicy;
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
  /** The engine instance running it now (null when none); see `claimExecution`. */
  ownerId: string | null;
  /** The owner's last heartbeat, on the store's clock. */
  heartbeatAt: Date | null;
  /**
   * Until when the owner holds the execution, on the store's clock: set by each claim and pushed
   * forward by each heartbeat; null when nobody holds it (absent: null).
   */
  leaseUntil?: Date | null;
  /**
   * Incremented by every claim (a new execution is created with 1). Every commit of the owner is
   * checked against the token it claimed with: a commit of an engine that lost the execution to
   * a later claim is refused, even if it claims under the same owner id. (absent: 0)
   */
  fencingToken?: number;
  /** The graph the execution runs: its tasks and dependency edges (null in rows older than that). */
  graph: WorkflowGraph | null;
  /**
   * The W3C traceparent of the execution's OpenTelemetry span when it started (null: no trace, or a
   * row older than migration 004): a resumed or forked execution continues that trace.
   */
  traceparent: string | null;
}

/** A workflow's shape as recorded with each execution. */
export interface WorkflowGraph {
  description: string;
  tasks: { id: string; name: string }[];
  /** [upstream, downstream] pairs, in the order the dependencies were added. */
  edges: [string, string][];
}

/** One row of `tg_task_runs`: the latest state of one task of one execution. */
export interface TaskRunRecord {
  executionId: string;
  taskId: string;
  status: TaskStatus;
  attempt: number;
  output: unknown;
  error: SerializedError | null;
  startedAt: Date | null;
  finishedAt: Date | null;
  /** Absolute deadline of the pending retry, while the task is `retrying`. */
  nextRetryAt: Date | null;
}

/** What a resume reads of a log: its highest seq, and the last transition of the actors it restores. */
export interface LastTransitions {
  /** The highest committed seq, 0 when there is none. */
  lastSeq: number;
  /** The last transition of the supervisor and of each task asked for that has one, in seq order. */
  transitions: TransitionRecord[];
  /** Every (snapshot format, machine version) pair in the whole log, once each. */
  formats: { snapshotFormat: number; machineVersion: string }[];
}

/** One row of the append-only `tg_transitions` log. `seq` is unique and gap-free per execution. */
export interface TransitionRecord {
  executionId: string;
  seq: number;
  /** null for the execution actor's own transitions. */
  taskId: string | null;
  from: string | null;
  to: string;
  event: string;
  attempt: number;
  at: Date;
  /** Extra facts of this transition: the retry delay chosen, the error, the retry deadline. */
  data: TransitionData | null;
  /** The actor's persisted XState snapshot after the transition. */
  snapshot: unknown;
  snapshotFormat: number;
  machineVersion: string;
}

export interface TransitionData {
  /** The XState event that caused the transition, as JSON (what `verifyReplay` feeds back). */
  event?: unknown;
  delayMs?: number;
  retryAt?: string;
  error?: SerializedError;
  reason?: string;
}

export type LogLevel = 'error' | 'warn' | 'info' | 'debug';

/** One record written through `ctx.logger` or by the engine about an execution. */
export interface LogRecord {
  executionId: string;
  taskId: string | null;
  attempt: number | null;
  level: string;
  message: string;
  attributes: Record<string, unknown>;
  at: Date;
}

/** One span: an execution, or one attempt of a task (its parent is the execution's span). */
export interface SpanRecord {
  spanId: string;
  parentSpanId: string | null;
  executionId: string;
  taskId: string | null;
  attempt: number | null;
  name: string;
  status: string;
  startedAt: Date;
  finishedAt: Date;
  attributes: Record<string, unknown>;
}

/** Fields of an execution row changed by one commit. */
export type ExecutionUpdate = Pick<ExecutionRecord, 'id'> &
  Partial<Pick<ExecutionRecord, 'status' | 'output' | 'error' | 'startedAt' | 'finishedAt'>>;

/** A new execution's rows: its execution row and one `pending` row per task. */
export interface CreatedExecution {
  execution: ExecutionRecord;
  tasks: readonly TaskRunRecord[];
}

/** What one group commit writes, in one transaction. */
export interface CommitBatch {
  /**
   * The committing engine. When set, the store writes nothing and throws `OwnershipLostError`
   * if any execution of the batch is owned by another engine (fencing after a take-over).
   */
  ownerId?: string;
  /**
   * The fencing token the committing engine holds each execution under (by execution id). The
   * store refuses (`OwnershipLostError`) a batch touching an execution whose token differs.
   */
  fencingTokens?: Record<string, number>;
  /** The lease (ms, on the store's clock) the executions this batch creates are held under. */
  leaseMs?: number;
  /** New executions, written first (as `createExecution` would, but in this transaction). */
  created?: CreatedExecution[];
  transitions: TransitionRecord[];
  /** The whole row of every task touched by the batch, after the batch. */
  taskRuns: TaskRunRecord[];
  executions: ExecutionUpdate[];
}

export interface GetExecutionOptions {
  /** false: the record's `graph` may be left null, unread (a large workflow's graph is megabytes of JSON). @defaultValue true */
  graph?: boolean;
}

export interface ListTransitionsOptions {
  /** false: the records' `snapshot` may be left undefined, unread. @defaultValue true */
  snapshots?: boolean;
}

export interface ListExecutionsFilter {
  workflowId?: string;
  status?: ExecutionStatus | readonly ExecutionStatus[];
  /** Only executions created at or after this time. @defaultValue no bound */
  createdFrom?: Date;
  /** Only executions created before this time. @defaultValue no bound */
  createdBefore?: Date;
  /**
   * A keyset cursor: only the executions that come after this one in the newest-first order
   * (created earlier, or at the same time with a smaller id). Unlike `offset`, a page read this
   * way costs the same however deep it is, and does not shift when new executions arrive.
   * @defaultValue from the newest
   */
  after?: { createdAt: Date; id: string };
  limit?: number;
  offset?: number;
}

/** What `Store.countExecutions` counts by: a listing filter without its paging. */
export type CountExecutionsFilter = Pick<ListExecutionsFilter, 'workflowId' | 'createdFrom' | 'createdBefore'>;

/** How many executions are in each status. */
export type ExecutionCounts = Record<ExecutionStatus, number>;

/**
 * Which finished executions `Store.pruneExecutions` deletes, and how. An execution matches when
 * its status is one of `statuses` and a finished one (succeeded, failed or cancelled: an
 * unfinished execution is never deleted, whatever `statuses` says), it has a `finishedAt`, and
 * that is before `finishedBefore` (when given). Of the matching executions, the `keepNewest`
 * most recently finished (then by id, descending) are kept.
 */
export interface PruneCriteria {
  statuses: readonly ExecutionStatus[];
  /** @defaultValue no bound: every matching execution, however recent */
  finishedBefore?: Date;
  /** @defaultValue 0 */
  keepNewest?: number;
  /** Executions deleted per batch (a SQL store: per transaction). @defaultValue 100 */
  batchSize?: number;
  /** Rows of one table (transitions, task runs, logs, spans) deleted per transaction. @defaultValue 5000 */
  rowBatchSize?: number;
  /** Aborting it stops the prune before its next transaction; what was deleted stays deleted. */
  signal?: AbortSignal;
}

/** An execution a claim took, with the fencing token its commits must carry. */
export interface ClaimedExecution {
  id: string;
  fencingToken: number;
}

/** What `Store.claimExpired` takes. */
export interface ClaimExpiredOptions {
  /** The lease each claimed execution is held under, in ms of the store's clock. */
  leaseMs: number;
  /** Most executions claimed. */
  limit: number;
  /** Only executions of these workflows (the ones the claiming engine can run). */
  workflowIds: readonly string[];
  /**
   * Per workflow id, only executions recorded on these versions (the ones the claiming engine
   * holds), so that an engine never claims an execution it would have to refuse and release.
   * A workflow id not named here: any version. (absent: any version of every workflow)
   */
  workflowVersions?: Readonly<Record<string, readonly string[]>>;
  /**
   * Per workflow id, the most unfinished executions held at once (an owner with a lease not yet
   * ended on the store's clock, whichever engine holds them): a claim takes only the room left.
   * Two claims of one workflow's executions take turns (a lock row per workflow), so together they
   * never pass it. Workflows not named here are not limited. (absent: none limited)
   */
  workflowLimits?: Readonly<Record<string, number>>;
}
