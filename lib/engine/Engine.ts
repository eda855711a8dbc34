/**
 * The engine: one facade over the workflow registry, the operations that run executions (start,
 * resume, fork: lib/engine/startExecution.ts, resumeExecution.ts, forkExecution.ts), the read
 * API over the store, and replay and inspection. Build one with `createEngine()`.
 */
import { EngineClosedError, ExecutionNotFoundError, InvalidOptionsError, TaskGraphError, WorkflowNotFoundError } from '../errors.js';
import { inspectExecution } from '../inspect/inspectExecution.js';
import type { InspectFormat } from '../inspect/inspectExecution.js';
import { replayExecution } from '../inspect/replay.js';
import type { ReplayStep } from '../inspect/replay.js';
import { verifyReplay } from '../inspect/verifyReplay.js';
import type { ReplayMachines, VerifyReplayResult } from '../inspect/verifyReplay.js';
import { isTerminalExecutionStatus } from '../store/records.js';
import type { ExecutionRecord, ExecutionStatus, ListExecutionsFilter, LogRecord, SpanRecord, TransitionRecord } from '../store/records.js';
import type { EngineEventEmitter } from '../telemetry/EngineEvents.js';
import type { EngineMetricsSnapshot } from '../telemetry/otel/EngineMetrics.js';
import { rejectUnknownOptions } from '../unknownOption.js';
import { WorkflowBuilder } from '../workflow/WorkflowBuilder.js';
import type { Workflow } from '../workflow/Workflow.js';
import type { WorkflowOptions } from '../workflow/types.js';
import type { EngineContext, EngineDefaults } from './EngineContext.js';
import type { EngineRuntime } from './EngineRuntime.js';
import { EXECUTE_OPTION_KEYS, SUBMIT_OPTION_KEYS, validatePositive, validateSignal, WAIT_FOR_OPTION_KEYS } from './engineOptions.js';
import type { ExecuteOptions, SubmitOptions, WaitForOptions } from './engineOptions.js';
import { DEFAULT_WAIT_POLL_INTERVAL_MS } from '../defaults.js';
import type { ExecutionHandle } from './ExecutionHandle.js';
import { buildExecutionResult } from './executionResult.js';
import type { ExecutionResult } from './executionResult.js';
import { FORK_OPTION_KEYS, forkExecution } from './forkExecution.js';
import type { ForkOptions } from './forkExecution.js';
import { toPruneCriteria } from './pruneOptions.js';
import type { PruneOptions, PruneResult } from './pruneOptions.js';
import { RESUME_OPTION_KEYS, resumeExecution, resumeOrphans } from './resumeExecution.js';
import type { ResumeAllResult, ResumeOptions } from './resumeExecution.js';
import { rememberEngineStore } from './engineStore.js';
import { Recovery } from './Recovery.js';
import type { RecoveryOptions } from './Recovery.js';
import { startExecution, submitExecution } from './startExecution.js';
import { WorkflowRegistry } from './WorkflowRegistry.js';
import type { PublishedWorkflow } from './WorkflowRegistry.js';

const EXECUTION_STATUSES: readonly ExecutionStatus[] = ['pending', 'running', 'succeeded', 'failed', 'cancelled'];

/** An execution as read back from the store: the result shape plus the version and timestamps. */
export type ExecutionDetails = ExecutionResult;

export class Engine {
  /** EventEmitter2 with wildcards: `engine.events.on('task.*', (event) => ...)`. */
  readonly events: EngineEventEmitter;
  private readonly context: EngineContext;
  private readonly runtime: EngineRuntime;
  private closing: Promise<void> | null = null;

  private readonly recovery: Recovery | null;

  constructor(runtime: EngineRuntime, defaults: EngineDefaults, recovery: RecoveryOptions | null, private readonly onClose: () => Promise<void>) {
    this.runtime = runtime;
    this.events = runtime.events;
    this.context = { runtime, registry: new WorkflowRegistry(runtime.logger), defaults };
    this.recovery = recovery && new Recovery(this.context, recovery);
    rememberEngineStore(this, runtime.store);
  }

  /** Starts the recovery scan (`createEngine` calls it once the engine is ready). @internal */
  startBackgroundWork(): void {
    this.recovery?.start();
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
    const queued = [...workflow.tasks.values()].find((task) => task.queue !== null);
    if (queued && !this.runtime.remote) {
      throw new InvalidOptionsError(
        'redis',
        undefined,
        `a Redis connection (createEngine({ redis: { host, port } })): task ${JSON.stringify(queued.id)} of ${JSON.stringify(workflow.id)} runs on queue ${JSON.stringify(queued.queue)}`,
      );
    }
    this.context.registry.publish(workflow);
  }

  /** The published workflow (its latest version, or the given one), or undefined. */
  getWorkflow(id: string, version?: string): Workflow | undefined {
    return this.context.registry.get(id, version);
  }

  /**
   * The published workflows, each with the versions held and the latest.
   * @example engine.listWorkflows(); // [{ id: 'etl', latest: '2025-07', versions: ['2025-06', '2025-07'] }]
   */
  listWorkflows(): PublishedWorkflow[] {
    return this.context.registry.list();
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
    const workflow = this.context.registry.get(workflowId);
    if (!workflow) throw new WorkflowNotFoundError(workflowId, this.context.registry.ids());
    return startExecution(this.context, workflow, input, options);
  }

  /**
   * Records an execution for any engine on this store to run, and resolves with its id once it is
   * recorded: status `pending`, no owner. An engine with the workflow published, recovery on and
   * room under its `maxExecutions` claims it at its next recovery scan (this one at once, if it
   * can) and runs it. Follow it with `getExecution(id)` or `waitFor(id)`, from any engine.
   * The workflow must be published here (its graph is recorded with the execution).
   * @throws WorkflowNotFoundError, EngineClosedError, InvalidOptionsError (a bad option or an input that is not JSON)
   * @example const { id } = await web.submit('etl', { source: 'a.csv' }); const result = await web.waitFor(id);
   */
  async submit(workflowId: string, input: unknown = {}, options: SubmitOptions = {}): Promise<{ id: string }> {
    this.assertOpen('submit an execution');
    rejectUnknownOptions(options, SUBMIT_OPTION_KEYS, 'submit');
    const workflow = this.context.registry.get(workflowId);
    if (!workflow) throw new WorkflowNotFoundError(workflowId, this.context.registry.ids());
    const id = await submitExecution(this.context, workflow, input, options);
    this.recovery?.poke();
    return { id };
  }

  /**
   * Resolves with an execution's result once it has finished, wherever it runs: from its run when
   * it runs here, else by reading the store every `pollIntervalMs` (250). It waits for as long as
   * the execution takes; pass a `signal` to stop waiting (the execution goes on).
   * @throws ExecutionNotFoundError, and the signal's reason when it aborts
   * @example const { id } = await engine.submit('etl', input); const { status, outputs } = await engine.waitFor(id);
   */
  async waitFor(id: string, options: WaitForOptions = {}): Promise<ExecutionResult> {
    rejectUnknownOptions(options, WAIT_FOR_OPTION_KEYS, 'waitFor');
    const pollIntervalMs = validatePositive('pollIntervalMs', options.pollIntervalMs ?? DEFAULT_WAIT_POLL_INTERVAL_MS);
    const signal = validateSignal(options.signal);
    for (;;) {
      signal?.throwIfAborted();
      const live = this.runtime.runs.get(id);
      if (live) {
        const settled = await live.result.then(
          (result) => result,
          () => null, // it stopped running here (closed, taken over): follow it in the store
        );
        if (settled) return settled;
      }
      const record = await this.runtime.store.getExecution(id, { graph: false }); // the status is enough until it has finished
      if (!record) throw new ExecutionNotFoundError(id);
      if (isTerminalExecutionStatus(record.status)) return this.getExecution(id);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, pollIntervalMs);
        function done() {
          clearTimeout(timer);
          signal?.removeEventListener('abort', done);
          resolve();
        }
        signal?.addEventListener('abort', done, { once: true });
      });
    }
  }

  /**
   * Continues an unfinished execution from what was committed and resolves with its result.
   * @throws ExecutionNotFoundError, ResumeError (workflow not published, version differs,
   *   already finished, unknown snapshot format)
   * @example const result = await engine.resume(executionId);
   */
  async resume(executionId: string, options: ResumeOptions = {}): Promise<ExecutionResult> {
    rejectUnknownOptions(options, RESUME_OPTION_KEYS, 'resume');
    return (await this.resumeHandle(executionId, options)).result;
  }

  /**
   * Like `resume`, but returns the handle at once. `force` (default true: an explicit request)
   * takes the execution over even from an engine that still heartbeats.
   */
  async resumeHandle(executionId: string, options: ResumeOptions = {}, force = true): Promise<ExecutionHandle> {
    this.assertOpen('resume an execution');
    rejectUnknownOptions(options, RESUME_OPTION_KEYS, 'resumeHandle');
    return resumeExecution(this.context, executionId, options, force);
  }

  /**
   * Resumes every unfinished execution held by no live engine (no owner, or a lease ended on the
   * store's clock). Returns at once with the handles; refusals are listed, not thrown.
   * @example const { resumed } = await engine.resumeAll(); await Promise.all(resumed.map((h) => h.result));
   */
  async resumeAll(options: ResumeOptions = {}): Promise<ResumeAllResult> {
    this.assertOpen('resume executions');
    rejectUnknownOptions(options, RESUME_OPTION_KEYS, 'resumeAll');
    return resumeOrphans(this.context, options);
  }

  /**
   * Re-runs a finished execution from a chosen task onward, as a new execution of the same
   * workflow version with the same input. `fromTask` and everything downstream of it run again;
   * every other task that succeeded is adopted: it goes pending → succeeded (event `task.adopt`)
   * with the output the source recorded, without running. Tasks that did not succeed run again.
   * @throws ExecutionNotFoundError, ResumeError (workflow or version not published),
   *   InvalidOptionsError (unknown task, or an execution still running)
   * @example const handle = await engine.fork(failedId, { fromTask: 'load' }); await handle.result;
   */
  async fork(executionId: string, options: ForkOptions): Promise<ExecutionHandle> {
    this.assertOpen('fork an execution');
    rejectUnknownOptions(options, FORK_OPTION_KEYS, 'fork');
    return forkExecution(this.context, executionId, options);
  }

  /**
   * Cancels an execution this engine runs, as `handle.cancel(reason)` does: running tasks see
   * their signal aborted and it ends `cancelled`. An engine cannot cancel what another process runs.
   * @throws ExecutionNotFoundError when the store has no such execution
   * @throws TaskGraphError `NOT_RUNNING_HERE` when it exists but this engine does not run it (it
   *   finished, or another engine runs it)
   * @example await engine.cancel(executionId, 'stopped from the dashboard');
   */
  async cancel(executionId: string, reason = 'cancelled by the caller'): Promise<void> {
    this.assertOpen('cancel an execution');
    const run = this.runtime.runs.get(executionId);
    if (run) {
      run.cancel(reason);
      return;
    }
    const record = await this.requireExecution(executionId);
    throw new TaskGraphError(
      'NOT_RUNNING_HERE',
      `Execution ${JSON.stringify(executionId)} is ${record.status} and not run by this engine (${this.id}): ` +
        (isTerminalExecutionStatus(record.status) ? 'it has finished.' : 'only the engine running it can cancel it.'),
      { executionId },
    );
  }

  /** The execution as recorded, in the shape of an execution result. @example await engine.getExecution(id) */
  async getExecution(id: string): Promise<ExecutionDetails> {
    await this.runtime.runs.get(id)?.written; // started here a moment ago: its rows are on their way
    // The tasks are reported in the workflow's order: the published workflow's, else the recorded
    // graph's, read only then (a 100,000-task graph is 7 MB of JSON).
    let record = await this.runtime.store.getExecution(id, { graph: false });
    if (!record) throw new ExecutionNotFoundError(id);
    let order = this.context.registry.get(record.workflowId, record.workflowVersion)?.topologicalOrder;
    if (!order) {
      record = (await this.runtime.store.getExecution(id)) ?? record;
      order = record.graph?.tasks.map((task) => task.id);
    }
    const rows = await this.runtime.store.listTaskRuns(id);
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

  /**
   * Statistics of the group-commit writer (commits, entries, largest batch), the executions running
   * here, and how many executions the recovery scan has claimed.
   */
  stats(): { commits: number; entries: number; largestBatch: number; activeExecutions: number; recovered: number } {
    return { ...this.runtime.writer.stats, activeExecutions: this.runtime.runs.size, recovered: this.recovery?.claimed ?? 0 };
  }

  /**
   * This engine's metrics since it was created, as plain data: the same counts and histograms it
   * reports through OpenTelemetry's metrics API (for people without OpenTelemetry). Durations in seconds.
   * @example const { executions, tasks, durations } = engine.metrics(); tasks.attempts.retrying;
   */
  metrics(): EngineMetricsSnapshot {
    return this.runtime.metrics.snapshot();
  }

  /**
   * Stops the engine: executions still running are left unfinished in the store (resumable with
   * `resume`), everything recorded so far is flushed, and the connection pool is closed.
   * @example await engine.close();
   */
  close(): Promise<void> {
    this.closing ??= (async () => {
      await this.recovery?.stop(); // no claim after this: what it claimed is detached below
      for (const run of [...this.runtime.runs.values()]) run.detach();
      await this.onClose();
    })();
    return this.closing;
  }

  get isClosed(): boolean {
    return this.closing !== null;
  }

  /**
   * The recorded steps of an execution, in order: each transition with the whole execution's
   * state after it. The last step's state is what `getExecution` reports.
   * @example for (const { seq, transition, state } of await engine.replay(id)) console.log(seq, transition.to, state.status);
   */
  async replay(executionId: string): Promise<ReplayStep[]> {
    await this.runtime.telemetry.flush();
    return replayExecution(this.runtime.store, executionId);
  }

  /**
   * Feeds the recorded events through the current machine definitions (or the ones given) and
   * reports the first step whose result differs from the recorded state, like Temporal's replayer.
   * @example const verdict = await engine.verifyReplay(id); if (!verdict.ok) console.log(verdict.firstDivergence);
   */
  async verifyReplay(executionId: string, machines?: ReplayMachines): Promise<VerifyReplayResult> {
    return verifyReplay(this.runtime.store, executionId, machines);
  }

  /**
   * Renders an execution: 'mermaid' (the DAG coloured by state; the task statechart is
   * `exportStatechart(taskMachine, 'mermaid')`), 'dot',
   * 'json', or 'html' (one self-contained, offline report: DAG, timeline of every attempt, transitions).
   * @example await writeFile('report.html', await engine.inspect(id, { format: 'html' }));
   */
  async inspect(executionId: string, options: { format: InspectFormat }): Promise<string> {
    await this.runtime.telemetry.flush();
    const record = await this.requireExecution(executionId);
    const workflow = this.context.registry.get(record.workflowId, record.workflowVersion);
    return inspectExecution(this.runtime.store, executionId, { format: options?.format, ...(workflow ? { workflow } : {}) });
  }

  private assertOpen(operation: string): void {
    if (this.closing) throw new EngineClosedError(operation);
  }

  private async requireExecution(id: string): Promise<ExecutionRecord> {
    await this.runtime.runs.get(id)?.written;
    const record = await this.runtime.store.getExecution(id, { graph: false });
    if (!record) throw new ExecutionNotFoundError(id);
    return record;
  }
}
