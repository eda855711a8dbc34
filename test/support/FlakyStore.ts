/**
 * A store that forwards to another one and can be switched off: while `down`, every commit fails
 * with a StorageError and writes nothing. `commitDelayMs` makes every commit that long (a slow
 * disk or a distant server). The wrapped store is open already; closing this one
 * leaves it open (so a later engine can use it) unless `closeInner`.
 */
import { StorageError } from '../../lib/errors.js';
import type { Store } from '../../lib/store/Store.js';
import type { CommitBatch, ExecutionRecord, ListExecutionsFilter, LogRecord, SpanRecord, TaskRunRecord } from '../../lib/store/records.js';

export class FlakyStore implements Store {
  down = false;
  commitDelayMs = 0;
  /** Called after each successful commit, with the batch. */
  afterCommit: (batch: CommitBatch) => void = () => undefined;

  constructor(
    private readonly inner: Store,
    private readonly closeInner = false,
  ) {}

  get kind() {
    return this.inner.kind;
  }
  get location() {
    return this.inner.location;
  }
  open = async () => undefined;
  close = async () => {
    if (this.closeInner) await this.inner.close();
  };
  createExecution = (execution: ExecutionRecord, tasks: readonly TaskRunRecord[]) => this.inner.createExecution(execution, tasks);
  commit = async (batch: CommitBatch) => {
    if (this.commitDelayMs > 0) await new Promise((resolve) => setTimeout(resolve, this.commitDelayMs));
    if (this.down) throw new StorageError('the store is down (test)');
    await this.inner.commit(batch);
    this.afterCommit(batch);
  };
  writeLogs = (records: readonly LogRecord[]) => this.inner.writeLogs(records);
  writeSpans = (records: readonly SpanRecord[]) => this.inner.writeSpans(records);
  getExecution = (id: string) => this.inner.getExecution(id);
  listExecutions = (filter?: ListExecutionsFilter) => this.inner.listExecutions(filter);
  listTaskRuns = (id: string) => this.inner.listTaskRuns(id);
  listTransitions = (id: string) => this.inner.listTransitions(id);
  listLogs = (id: string) => this.inner.listLogs(id);
  listSpans = (id: string) => this.inner.listSpans(id);
  claimExecution = (id: string, ownerId: string, staleBefore: Date, force: boolean) => this.inner.claimExecution(id, ownerId, staleBefore, force);
  heartbeat = (ownerId: string, at: Date) => this.inner.heartbeat(ownerId, at);
  releaseOwnership = (ownerId: string) => this.inner.releaseOwnership(ownerId);
}
