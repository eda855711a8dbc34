/**
 * A store that keeps everything in this process's memory: the fastest, and gone with the process.
 * Records are deep-copied on the way out (structuredClone), so callers can never mutate what is
 * stored. On the way in, only `createExecution` copies: the records of `commit`, `writeLogs` and
 * `writeSpans` are built by the engine for the store and never touched again, and copying them
 * was a third of the engine's time on large DAGs.
 *
 * Transitions, task rows and spans are kept compact (memory/TransitionColumns.ts,
 * memory/storedRecords.ts: columns, times as numbers), since a large execution's records are
 * most of the heap and the garbage collector walks them all; records are built when read.
 *
 * `pruneExecutions` picks the matching executions once, then deletes them (with their logs) a
 * batch at a time, yielding to the event loop between batches, so that a prune of many
 * executions does not hold up the engine's commits.
 */
import type { Store } from './Store.js';
import type {
  ClaimedExecution,
  ClaimExpiredOptions,
  CountExecutionsFilter,
  ExecutionCounts,
  CommitBatch,
  CreatedExecution,
  ExecutionRecord,
  GetExecutionOptions,
  LastTransitions,
  ListExecutionsFilter,
  ListTransitionsOptions,
  LogRecord,
  PruneCriteria,
  SpanRecord,
  TaskRunRecord,
  TransitionRecord,
} from './records.js';
import { isOrphaned, isTerminalExecutionStatus } from './records.js';
import { OwnershipLostError, StorageError } from '../errors.js';
import { countByStatus, filterExecutions } from './filterExecutions.js';
import { TransitionColumns } from './memory/TransitionColumns.js';
import { fromStoredSpan, fromStoredTaskRun, toStoredSpan, toStoredTaskRun } from './memory/storedRecords.js';
import type { StoredSpan, StoredTaskRun } from './memory/storedRecords.js';
import { resolvePruneCriteria } from './resolvePruneCriteria.js';

interface StoredExecution {
  record: ExecutionRecord;
  tasks: Map<string, StoredTaskRun>;
  transitions: TransitionColumns;
  spans: Map<string, StoredSpan>;
}

export class MemoryStore implements Store {
  readonly kind = 'memory' as const;
  readonly location = 'memory';
  private readonly executions = new Map<string, StoredExecution>();
  /** Logs by execution id: like the SQL stores, kept even for an execution this store does not hold. */
  private readonly logs = new Map<string, LogRecord[]>();

  async open(): Promise<void> {}
  async close(): Promise<void> {}

  async createExecution(execution: ExecutionRecord, tasks: readonly TaskRunRecord[]): Promise<void> {
    this.create(execution, tasks);
  }

  private create(execution: ExecutionRecord, tasks: readonly TaskRunRecord[]): void {
    if (this.executions.has(execution.id)) throw new StorageError(`Execution ${JSON.stringify(execution.id)} already exists in the memory store.`);
    this.executions.set(execution.id, {
      // A frozen graph (every workflow's is) is shared by all its executions, not copied per execution.
      record: {
        leaseUntil: null,
        fencingToken: 0,
        ...(Object.isFrozen(execution.graph) ? { ...structuredClone({ ...execution, graph: null }), graph: execution.graph } : structuredClone(execution)),
      },
      tasks: new Map(tasks.map((task) => [task.taskId, toStoredTaskRun(task.output === null && task.error === null ? task : structuredClone(task))])),
      transitions: new TransitionColumns(execution.id),
      spans: new Map(),
    });
  }

  /** All or nothing, like a transaction: every row is checked before any is applied. */
  async commit(batch: CommitBatch): Promise<void> {
    const created = new Map<string, CreatedExecution>();
    for (const entry of batch.created ?? []) {
      if (!this.executions.has(entry.execution.id)) created.set(entry.execution.id, entry); // one already stored: a retried batch
    }
    const ids = new Set<string>();
    for (const transition of batch.transitions) ids.add(transition.executionId);
    for (const task of batch.taskRuns) ids.add(task.executionId);
    for (const update of batch.executions) ids.add(update.id);
    const ownerOf = (id: string) => (created.get(id)?.execution ?? this.executions.get(id)?.record)?.ownerId;
    const missing = [...ids].find((id) => !this.executions.has(id) && !created.has(id));
    if (missing !== undefined) throw new StorageError(`Cannot commit to execution ${JSON.stringify(missing)}: it does not exist in the memory store.`);
    if (batch.ownerId !== undefined) {
      const tokens = batch.fencingTokens ?? {};
      const tokenOf = (id: string) => (created.get(id)?.execution ?? this.executions.get(id)?.record)?.fencingToken ?? 0;
      const lost = [...ids].filter((id) => ownerOf(id) !== batch.ownerId || (tokens[id] !== undefined && tokens[id] !== tokenOf(id)));
      if (lost.length > 0) throw new OwnershipLostError(lost, batch.ownerId);
    }
    for (const { execution, tasks } of created.values()) {
      this.create(execution, tasks);
      if (batch.leaseMs !== undefined && execution.ownerId !== null) this.executions.get(execution.id)!.record.leaseUntil = new Date(Date.now() + batch.leaseMs);
    }
    for (const transition of batch.transitions) this.executions.get(transition.executionId)!.transitions.add(transition); // a retried batch is a no-op
    for (const task of batch.taskRuns) this.executions.get(task.executionId)!.tasks.set(task.taskId, toStoredTaskRun(task));
    for (const update of batch.executions) {
      const stored = this.executions.get(update.id)!;
      stored.record = { ...stored.record, ...update };
    }
  }


  async writeLogs(records: readonly LogRecord[]): Promise<void> {
    for (const record of records) {
      let logs = this.logs.get(record.executionId);
      if (!logs) this.logs.set(record.executionId, (logs = []));
      logs.push(record);
    }
  }

  async writeSpans(records: readonly SpanRecord[]): Promise<void> {
    for (const record of records) this.executions.get(record.executionId)?.spans.set(record.spanId, toStoredSpan(record));
  }

  async getExecution(id: string, options: GetExecutionOptions = {}): Promise<ExecutionRecord | null> {
    const stored = this.executions.get(id);
    if (!stored) return null;
    return structuredClone(options.graph === false ? { ...stored.record, graph: null } : stored.record);
  }

  async listExecutions(filter: ListExecutionsFilter = {}): Promise<ExecutionRecord[]> {
    const all = [...this.executions.values()].map((stored) => stored.record);
    return structuredClone(filterExecutions(all, filter));
  }

  async listTaskRuns(executionId: string): Promise<TaskRunRecord[]> {
    const rows = [...(this.executions.get(executionId)?.tasks ?? [])].map(([taskId, row]) => fromStoredTaskRun(executionId, taskId, row));
    return structuredClone(rows.sort((a, b) => compare(a.taskId, b.taskId)));
  }

  async countExecutions(filter: CountExecutionsFilter = {}): Promise<ExecutionCounts> {
    return countByStatus(filterExecutions([...this.executions.values()].map((stored) => stored.record), filter));
  }

  async listTransitions(executionId: string, afterSeq?: number, options: ListTransitionsOptions = {}): Promise<TransitionRecord[]> {
    const records = this.executions.get(executionId)?.transitions.records(afterSeq) ?? [];
    if (options.snapshots !== false) return structuredClone(records);
    return structuredClone(records.map(({ snapshot: _unread, ...rest }) => rest as TransitionRecord));
  }

  async listLastTransitions(executionId: string, taskIds: readonly string[]): Promise<LastTransitions> {
    const columns = this.executions.get(executionId)?.transitions;
    if (!columns) return { lastSeq: 0, transitions: [], formats: [] };
    return structuredClone({ lastSeq: columns.lastSeq, transitions: columns.lastOf(new Set([null, ...taskIds])), formats: columns.formatPairs() });
  }

  async listLogs(executionId: string): Promise<LogRecord[]> {
    return structuredClone(this.logs.get(executionId) ?? []);
  }

  async listSpans(executionId: string): Promise<SpanRecord[]> {
    const spans = [...(this.executions.get(executionId)?.spans ?? [])].map(([spanId, span]) => fromStoredSpan(executionId, spanId, span));
    return structuredClone(spans.sort((a, b) => a.startedAt.getTime() - b.startedAt.getTime() || compare(a.spanId, b.spanId)));
  }

  /** The memory store's clock is this process's. */
  async now(): Promise<Date> {
    return new Date();
  }

  async claimExecution(id: string, ownerId: string, leaseMs: number, force: boolean): Promise<number | null> {
    const stored = this.executions.get(id);
    if (!stored || isTerminalExecutionStatus(stored.record.status)) return null;
    const { ownerId: owner } = stored.record;
    const free = owner === ownerId || isOrphaned(stored.record, new Date());
    if (!free && !force) return null;
    return this.claim(stored, ownerId, leaseMs);
  }

  async claimExpired(ownerId: string, options: ClaimExpiredOptions): Promise<ClaimedExecution[]> {
    const now = new Date();
    const workflows = new Set(options.workflowIds);
    const claimed: ClaimedExecution[] = [];
    const limits = options.workflowLimits ?? {};
    const room = new Map<string, number>();
    for (const { record } of this.executions.values()) {
      const limit = limits[record.workflowId];
      if (limit === undefined || isTerminalExecutionStatus(record.status) || isOrphaned(record, now)) continue;
      room.set(record.workflowId, (room.get(record.workflowId) ?? limit) - 1);
    }
    const expired = [...this.executions.values()]
      .filter(({ record }) => workflows.has(record.workflowId) && isOrphaned(record, now) && (options.workflowVersions?.[record.workflowId]?.includes(record.workflowVersion) ?? true))
      .sort((a, b) => a.record.createdAt.getTime() - b.record.createdAt.getTime() || compare(a.record.id, b.record.id));
    for (const stored of expired) {
      if (claimed.length >= options.limit) break;
      const { workflowId } = stored.record;
      const left = room.get(workflowId) ?? limits[workflowId];
      if (left !== undefined && left <= 0) continue;
      if (left !== undefined) room.set(workflowId, left - 1);
      claimed.push({ id: stored.record.id, fencingToken: this.claim(stored, ownerId, options.leaseMs) });
    }
    return claimed;
  }

  private claim(stored: StoredExecution, ownerId: string, leaseMs: number): number {
    const now = Date.now();
    const fencingToken = (stored.record.fencingToken ?? 0) + 1;
    stored.record = { ...stored.record, ownerId, heartbeatAt: new Date(now), leaseUntil: new Date(now + leaseMs), fencingToken };
    return fencingToken;
  }

  async heartbeat(ownerId: string, leaseMs: number): Promise<void> {
    const now = Date.now();
    for (const stored of this.executions.values()) {
      const { record } = stored;
      if (record.ownerId === ownerId && !isTerminalExecutionStatus(record.status)) {
        stored.record = { ...record, heartbeatAt: new Date(now), leaseUntil: new Date(now + leaseMs) };
      }
    }
  }

  async releaseOwnership(ownerId: string, executionIds?: readonly string[]): Promise<void> {
    const only = executionIds && new Set(executionIds);
    for (const { record } of this.executions.values()) {
      if (only && !only.has(record.id)) continue;
      if (record.ownerId === ownerId) Object.assign(record, { ownerId: null, leaseUntil: null });
    }
  }

  async pruneExecutions(criteria: PruneCriteria): Promise<number> {
    const { statuses, finishedBefore, keepNewest, batchSize, signal } = resolvePruneCriteria(criteria);
    const matching = [...this.executions.values()]
      .map((stored) => stored.record)
      .filter((record) => statuses.includes(record.status) && record.finishedAt !== null && (finishedBefore === null || record.finishedAt < finishedBefore))
      .sort((a, b) => b.finishedAt!.getTime() - a.finishedAt!.getTime() || compare(b.id, a.id))
      .slice(keepNewest)
      .map((record) => record.id);
    let deleted = 0;
    for (let start = 0; start < matching.length; start += batchSize) {
      if (start > 0) await new Promise((resolve) => setImmediate(resolve));
      if (signal?.aborted) break;
      for (const id of matching.slice(start, start + batchSize)) {
        if (this.executions.delete(id)) deleted += 1;
        this.logs.delete(id);
      }
    }
    return deleted;
  }
}

/** Binary order of strings, as the SQL stores' binary collation sorts them. */
function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
