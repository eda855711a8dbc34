/**
 * The engine: the workflow registry, the entry points that start executions, and the read API
 * over the store. Build one with `createEngine()`.
 */
import { randomUUID } from 'node:crypto';
import { EngineClosedError, ExecutionNotFoundError, InvalidOptionsError, WorkflowNotFoundError, WorkflowValidationError } from '../errors.js';
import type { ExecutionRecord, ExecutionStatus, ListExecutionsFilter, LogRecord, SpanRecord, TaskRunRecord, TransitionRecord } from '../store/records.js';

const EXECUTION_STATUSES: readonly ExecutionStatus[] = ['pending', 'running', 'succeeded', 'failed', 'cancelled'];
import type { EngineEventEmitter } from '../telemetry/EngineEvents.js';
import { WorkflowBuilder } from '../workflow/WorkflowBuilder.js';
import type { Workflow } from '../workflow/Workflow.js';
import type { WorkflowOptions } from '../workflow/types.js';
import type { EngineRuntime } from './EngineRuntime.js';
import { EXECUTE_OPTION_KEYS, validateConcurrency, validateFailurePolicy, validateSignal } from './engineOptions.js';
import type { ExecuteOptions } from './engineOptions.js';
import { ExecutionHandle } from './ExecutionHandle.js';
import { buildExecutionResult } from './executionResult.js';
import type { ExecutionResult } from './executionResult.js';
import { ExecutionRun } from './ExecutionRun.js';
import { toStorableInput } from './executeAttempt.js';
import { toPruneCriteria } from './pruneOptions.js';
import type { PruneOptions, PruneResult } from './pruneOptions.js';
import { rejectUnknownOptions } from '../unknownOption.js';

/** An execution as read back from the store: the result shape plus the version and timestamps. */
export type ExecutionDetails = ExecutionResult;

/** A published workflow id and the versions this engine holds of it. */
export interface PublishedWorkflow {
  id: string;
  /** The version new executions use: the one published last. */
  latest: string;
  /** Every version held, in the order they were first published. */
  versions: string[];
}

export interface EngineDefaults {
  concurrency: number;
  failurePolicy: 'continue' | 'fail-fast';
}

export class Engine {
  /** EventEmitter2 with wildcards: `engine.events.on('task.*', (event) => ...)`. */
  readonly events: EngineEventEmitter;
  private readonly workflows = new Map<string, Map<string, Workflow>>();
  private readonly latest = new Map<string, Workflow>();
  private closed = false;
  private closing: Promise<void> | null = null;

  constructor(
    protected readonly runtime: EngineRuntime,
    private readonly defaults: EngineDefaults,
    private readonly onClose: () => Promise<void>,
  ) {
    this.events = runtime.events;
  }

  /** This engine instance's id (the owner id of the executions it runs). */
  get id(): string {
    return this.runtime.ownerId;
  }

  /** Where this engine records executions (password redacted). */
  get storage(): string {
    return this.runtime.store.location;
  }

  /**
   * A workflow builder; `options.version` names the version (default: a hash of the definition).
   * @example const workflow = engine.createWorkflow('etl', { version: '2025-06' }).addTask('a', 'A', fn).build();
   */
  createWorkflow(id: string, options: WorkflowOptions = {}): WorkflowBuilder {
    return new WorkflowBuilder(id, options);
  }

  /**
   * Registers a built workflow (in memory: workflows are code) and makes it the version new
   * executions of its id use. Versions published before stay held: executions recorded on them
   * keep resuming on them. Making a different definition the latest logs a warning (a deploy
   * should keep the old version published until its executions drain).
   * @throws WorkflowValidationError (`VERSION_CONFLICT`) when a different definition is already
   *   published under the same explicit version: bump the version.
   * @example engine.publishWorkflow(workflow);
   */
  publishWorkflow(workflow: Workflow): void {
    this.assertOpen('publish a workflow');
    if (!workflow || typeof workflow !== 'object' || !(workflow.tasks instanceof Map) || typeof workflow.version !== 'string') {
      throw new InvalidOptionsError('workflow', workflow, 'a workflow returned by builder.build()');
    }
    const held = this.workflows.get(workflow.id)?.get(workflow.version);
    if (held && held.definitionHash !== workflow.definitionHash) {
      throw new WorkflowValidationError(
        'VERSION_CONFLICT',
        `Workflow ${JSON.stringify(workflow.id)} version ${JSON.stringify(workflow.version)} is already published with a different definition. ` +
          'Give the changed definition a new version: createWorkflow(id, { version }).',
        [],
        workflow.id,
      );
    }
    const previous = this.latest.get(workflow.id);
    if (previous && previous.definitionHash !== workflow.definitionHash) {
      this.runtime.logger.warn(
        `Workflow ${JSON.stringify(workflow.id)}: version ${JSON.stringify(workflow.version)} replaces ${JSON.stringify(previous.version)} as the latest. ` +
          `New executions run ${JSON.stringify(workflow.version)}; executions of ${JSON.stringify(previous.version)} resume only while it stays published.`,
        { workflowId: workflow.id },
      );
    }
    let versions = this.workflows.get(workflow.id);
    if (!versions) this.workflows.set(workflow.id, (versions = new Map()));
    versions.set(workflow.version, workflow);
    this.latest.set(workflow.id, workflow);
  }

  /** The published workflow (its latest version, or the given one), or undefined. */
  getWorkflow(id: string, version?: string): Workflow | undefined {
    return version === undefined ? this.latest.get(id) : this.workflows.get(id)?.get(version);
  }

  /**
   * The published workflows, each with the versions held and the latest.
   * @example engine.listWorkflows(); // [{ id: 'etl', latest: '2025-07', versions: ['2025-06', '2025-07'] }]
   */
  listWorkflows(): PublishedWorkflow[] {
    return [...this.latest.values()].map((latest) => ({ id: latest.id, latest: latest.version, versions: [...this.workflows.get(latest.id)!.keys()] }));
  }

  /**
   * Runs a workflow to its end. Resolves with status 'failed' when tasks fail; rejects only for
   * engine-level problems (unknown workflow, closed engine, bad options).
   * @example const result = await engine.execute('etl', { source: 'a.csv' }, { concurrency: 4 });
   */
  async execute(workflowId: string, input: unknown = {}, options: ExecuteOptions = {}): Promise<ExecutionResult> {
    rejectUnknownOptions(options, EXECUTE_OPTION_KEYS, 'execute');
    return this.start(workflowId, input, options).result;
  }

  /**
   * Starts a workflow without waiting for it.
   * @throws WorkflowNotFoundError, EngineClosedError, InvalidOptionsError
   * @example const handle = engine.start('etl', input); handle.progress(); await handle.result;
   */
  start(workflowId: string, input: unknown = {}, options: ExecuteOptions = {}): ExecutionHandle {
    this.assertOpen('start an execution');
    rejectUnknownOptions(options, EXECUTE_OPTION_KEYS, 'start');
    const workflow = this.latest.get(workflowId);
    if (!workflow) throw new WorkflowNotFoundError(workflowId, [...this.latest.keys()]);
    return this.startRun(workflow, input, options);
  }

  /** Starts an execution of this very workflow version; a fork passes the outputs it adopts. */
  protected startRun(
    workflow: Workflow,
    input: unknown,
    options: ExecuteOptions,
    adopted?: { fromExecutionId: string; outputs: ReadonlyMap<string, unknown> },
  ): ExecutionHandle {
    const workflowId = workflow.id;
    if (options === null || typeof options !== 'object') throw new InvalidOptionsError('options', options, 'an object');
    const concurrency = validateConcurrency('concurrency', options.concurrency ?? this.defaults.concurrency);
    const failurePolicy = validateFailurePolicy('failurePolicy', options.failurePolicy ?? this.defaults.failurePolicy);
    const signal = validateSignal(options.signal);
    const storableInput = toStorableInput(input);
    const now = new Date();
    const record: ExecutionRecord = {
      id: randomUUID(),
      workflowId,
      workflowVersion: workflow.version,
      status: 'pending',
      input: storableInput,
      output: null,
      error: null,
      concurrency,
      failurePolicy,
      createdAt: now,
      startedAt: null,
      finishedAt: null,
      ownerId: this.runtime.ownerId,
      heartbeatAt: now,
      graph: workflow.graph,
    };
    const rows: TaskRunRecord[] = workflow.topologicalOrder.map((taskId) => ({
      executionId: record.id,
      taskId,
      status: 'pending',
      attempt: 0,
      output: null,
      error: null,
      startedAt: null,
      finishedAt: null,
      nextRetryAt: null,
    }));
    const run = new ExecutionRun(this.runtime, workflow, record, rows, 0);
    this.runtime.runs.set(record.id, run);
    const handle = new ExecutionHandle(run);
    if (signal) {
      const onAbort = () => run.cancel(abortReason(signal));
      if (signal.aborted) onAbort();
      else {
        signal.addEventListener('abort', onAbort, { once: true });
        const release = () => signal.removeEventListener('abort', onAbort);
        run.result.then(release, release);
      }
    }
    run.beginAfter(this.runtime.store.createExecution(record, rows), adopted);
    return handle;
  }

  /** The execution as recorded, in the shape of an execution result. @example await engine.getExecution(id) */
  async getExecution(id: string): Promise<ExecutionDetails> {
    await this.runtime.runs.get(id)?.written; // started here a moment ago: its rows are on their way
    const record = await this.runtime.store.getExecution(id);
    if (!record) throw new ExecutionNotFoundError(id);
    const rows = await this.runtime.store.listTaskRuns(id);
    const order = this.getWorkflow(record.workflowId, record.workflowVersion)?.topologicalOrder ?? record.graph?.tasks.map((task) => task.id);
    return buildExecutionResult(record, rows, order);
  }

  /** Executions, newest first. @example await engine.listExecutions({ workflowId: 'etl', status: 'failed', limit: 10 }) */
  async listExecutions(filter: ListExecutionsFilter = {}): Promise<ExecutionRecord[]> {
    if (filter === null || typeof filter !== 'object') throw new InvalidOptionsError('filter', filter, 'an object');
    for (const key of ['limit', 'offset'] as const) {
      const value = filter[key];
      if (value !== undefined && !(Number.isInteger(value) && value >= 0)) throw new InvalidOptionsError(key, value, 'an integer >= 0');
    }
    const statuses = filter.status === undefined ? [] : ([] as unknown[]).concat(filter.status);
    const bad = statuses.find((status) => !EXECUTION_STATUSES.includes(status as ExecutionStatus));
    if (bad !== undefined) throw new InvalidOptionsError('status', bad, EXECUTION_STATUSES.map((status) => `'${status}'`).join(', '));
    if (filter.workflowId !== undefined && typeof filter.workflowId !== 'string') throw new InvalidOptionsError('workflowId', filter.workflowId, 'a string');
    return this.runtime.store.listExecutions(filter);
  }

  /** Every recorded transition of an execution, in `seq` order. @example await engine.listTransitions(id) */
  async listTransitions(id: string): Promise<TransitionRecord[]> {
    await this.requireExecution(id);
    return this.runtime.store.listTransitions(id);
  }

  /** Log records written through `ctx.logger` and the engine's warnings about the execution. */
  async listLogs(id: string): Promise<LogRecord[]> {
    await this.requireExecution(id);
    await this.runtime.telemetry.flush();
    return this.runtime.store.listLogs(id);
  }

  /** One span for the execution and one per task attempt. */
  async listSpans(id: string): Promise<SpanRecord[]> {
    await this.requireExecution(id);
    await this.runtime.telemetry.flush();
    return this.runtime.store.listSpans(id);
  }

  /**
   * Deletes the executions that finished (succeeded, failed or cancelled; or only `status`)
   * before `olderThan`, each with its task runs, transitions, logs and spans, in short batches
   * (other work goes on between them), and says how many it deleted. An unfinished execution is
   * never deleted, whichever engine runs it. Works on every store; `close()` stops it before its
   * next batch.
   * @throws InvalidOptionsError (a bad `olderThan`, an unfinished status), EngineClosedError, StorageError
   * @example
   * const { deleted } = await engine.prune({ olderThan: 30 * 24 * 60 * 60 * 1000 }); // finished over 30 days ago
   * await engine.prune({ olderThan: new Date('2025-01-01'), status: ['failed', 'cancelled'] });
   */
  async prune(options: PruneOptions): Promise<PruneResult> {
    this.assertOpen('prune executions');
    const criteria = toPruneCriteria(options, Date.now());
    return { deleted: await this.runtime.pruner.run(criteria) };
  }

  /** Statistics of the group-commit writer (commits, entries, largest batch). */
  stats(): { commits: number; entries: number; largestBatch: number; activeExecutions: number } {
    return { ...this.runtime.writer.stats, activeExecutions: this.runtime.runs.size };
  }

  /**
   * Stops the engine: executions still running are left unfinished in the store (resumable with
   * `resume`), everything recorded so far is flushed, and the connection pool is closed.
   * @example await engine.close();
   */
  close(): Promise<void> {
    this.closing ??= (async () => {
      this.closed = true;
      for (const run of [...this.runtime.runs.values()]) run.detach();
      await this.onClose();
    })();
    return this.closing;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  protected assertOpen(operation: string): void {
    if (this.closed) throw new EngineClosedError(operation);
  }

  protected async requireExecution(id: string): Promise<ExecutionRecord> {
    await this.runtime.runs.get(id)?.written;
    const record = await this.runtime.store.getExecution(id);
    if (!record) throw new ExecutionNotFoundError(id);
    return record;
  }
}

function abortReason(signal: AbortSignal): string {
  const reason: unknown = signal.reason;
  if (reason instanceof Error) return reason.message;
  return typeof reason === 'string' ? reason : 'aborted by the caller';
}
