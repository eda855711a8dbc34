/**
 * The engine's durable side: resume an execution from what its store committed, in this process,
 * after the process that started it died.
 *
 * Resume rebuilds exactly what a live run holds, from the store alone:
 * - the scheduler from the task rows (succeeded tasks never run again);
 * - the supervisor from its last recorded snapshot, with its children replaced by the live tasks
 *   (`running` or `retrying`) restored from their own last recorded snapshots. XState re-runs a
 *   restored in-flight `runAttempt` with its saved input (the same attempt, so the same
 *   `ctx.idempotencyKey`: tasks are at-least-once), and a restored `retrying` task sleeps until
 *   its recorded absolute deadline;
 * - the transition sequence continues after the last committed `seq`.
 */
import { ExecutionNotFoundError, InvalidOptionsError, ResumeError, toError } from '../errors.js';
import { describeValues } from '../describeValue.js';
import { EXECUTION_MACHINE_VERSIONS_READ } from '../../machines/execution.js';
import { TASK_MACHINE_VERSIONS_READ } from '../../machines/task.js';
import type { ExecutionRecord, TransitionRecord } from '../store/records.js';
import { isOrphaned, isTerminalExecutionStatus } from '../store/records.js';
import type { Workflow } from '../workflow/Workflow.js';
import { Engine } from './Engine.js';
import type { EngineDefaults } from './Engine.js';
import type { EngineRuntime } from './EngineRuntime.js';
import { ExecutionHandle } from './ExecutionHandle.js';
import type { ExecutionResult } from './executionResult.js';
import { ExecutionRun } from './ExecutionRun.js';
import { SUPPORTED_SNAPSHOT_FORMATS } from './snapshotFormat.js';
import { inspectExecution } from '../inspect/inspectExecution.js';
import type { InspectFormat } from '../inspect/inspectExecution.js';
import { replayExecution } from '../inspect/replay.js';
import type { ReplayStep } from '../inspect/replay.js';
import { verifyReplay } from '../inspect/verifyReplay.js';
import { optionKeys, rejectUnknownOptions } from '../unknownOption.js';
import type { ReplayMachines, VerifyReplayResult } from '../inspect/verifyReplay.js';

export interface ResumeOptions {
  /** Resume even though the published workflow's version differs from the recorded one (same task ids). @defaultValue false */
  allowVersionMismatch?: boolean;
}

export interface ForkOptions {
  /** The task to run again; it and everything downstream of it run, other succeeded tasks are adopted. */
  fromTask: string;
  /** Concurrency and failure policy of the new execution. @defaultValue those of the source execution */
  concurrency?: number;
  failurePolicy?: 'continue' | 'fail-fast';
}

/** The keys `resume`, `resumeHandle` and `resumeAll` know. */
const RESUME_OPTION_KEYS = optionKeys<ResumeOptions>({ allowVersionMismatch: true });
/** The keys `fork` knows. */
const FORK_OPTION_KEYS = optionKeys<ForkOptions>({ fromTask: true, concurrency: true, failurePolicy: true });

export interface ResumeAllResult {
  resumed: ExecutionHandle[];
  refused: { executionId: string; error: Error }[];
}

const MACHINE_VERSIONS = new Set([...EXECUTION_MACHINE_VERSIONS_READ, ...TASK_MACHINE_VERSIONS_READ]);

export class DurableEngine extends Engine {
  constructor(
    runtime: EngineRuntime,
    defaults: EngineDefaults,
    private readonly durability: { ownerStaleAfterMs: number },
    onClose: () => Promise<void>,
  ) {
    super(runtime, defaults, onClose);
  }

  /**
   * Continues an unfinished execution from what was committed and resolves with its result.
   * @throws ExecutionNotFoundError, ResumeError (workflow not published, version differs,
   *   already finished, unknown snapshot format)
   * @example const result = await engine.resume(executionId);
   */
  async resume(executionId: string, options: ResumeOptions = {}): Promise<ExecutionResult> {
    rejectUnknownOptions(options, RESUME_OPTION_KEYS, 'resume');
    return (await this.resumeHandle(executionId, options, true)).result;
  }

  /** Like `resume`, but returns the handle at once. */
  async resumeHandle(executionId: string, options: ResumeOptions = {}, force = true): Promise<ExecutionHandle> {
    this.assertOpen('resume an execution');
    rejectUnknownOptions(options, RESUME_OPTION_KEYS, 'resumeHandle');
    const live = this.runtime.runs.get(executionId);
    if (live) return new ExecutionHandle(live);
    const { store } = this.runtime;
    const found = await store.getExecution(executionId);
    if (!found) throw new ExecutionNotFoundError(executionId);
    this.workflowFor(found, options, (await store.listTaskRuns(executionId)).map((row) => row.taskId));
    checkFormats(found, await store.listTransitions(executionId));
    const staleBefore = new Date(Date.now() - this.durability.ownerStaleAfterMs);
    if (!(await store.claimExecution(executionId, this.runtime.ownerId, staleBefore, force))) {
      throw new ResumeError('OWNED_ELSEWHERE', `Execution ${executionId} is owned by a live engine (${found.ownerId}); pass force to take it over.`, {
        executionId,
        workflowId: found.workflowId,
      });
    }
    // Read again now that it is ours: a commit of the previous owner that was under way when we
    // claimed is in (the claim waited for it), and any later one is refused (fencing).
    const record = (await store.getExecution(executionId))!;
    const rows = await store.listTaskRuns(executionId);
    const workflow = this.workflowFor(record, options, rows.map((row) => row.taskId));
    const transitions = await store.listTransitions(executionId);
    checkFormats(record, transitions);
    const run = new ExecutionRun(this.runtime, workflow, { ...record, ownerId: this.runtime.ownerId }, rows, transitions.at(-1)?.seq ?? 0);
    this.runtime.runs.set(executionId, run);
    const supervisor = lastSnapshotOf(transitions, null);
    if (!supervisor) {
      run.beginAfter(Promise.resolve()); // it never started: start it now
    } else {
      const liveTasks = new Map<string, unknown>();
      for (const row of rows) {
        if (row.status === 'running' || row.status === 'retrying') liveTasks.set(row.taskId, lastSnapshotOf(transitions, row.taskId)?.snapshot);
      }
      const phase = supervisor.to === 'cancelling' ? 'cancelling' : supervisor.to === 'aborting' ? 'aborting' : 'running';
      try {
        run.restore(supervisor.snapshot, liveTasks, phase);
      } catch (error) {
        run.detach();
        throw new ResumeError('SNAPSHOT_FORMAT', `Execution ${executionId} could not be restored from its snapshots: ${toError(error).message}`, {
          executionId,
          workflowId: record.workflowId,
          cause: error,
        });
      }
    }
    this.runtime.logger.info(`Resumed execution ${executionId} of ${workflow.id} from seq ${transitions.at(-1)?.seq ?? 0}`, { executionId });
    return new ExecutionHandle(run);
  }

  /**
   * Resumes every unfinished execution owned by no live engine (no owner, or a heartbeat older
   * than `ownerStaleAfterMs`). Returns at once with the handles; refusals are listed, not thrown.
   * @example const { resumed } = await engine.resumeAll(); await Promise.all(resumed.map((h) => h.result));
   */
  async resumeAll(options: ResumeOptions = {}): Promise<ResumeAllResult> {
    this.assertOpen('resume executions');
    rejectUnknownOptions(options, RESUME_OPTION_KEYS, 'resumeAll');
    const unfinished = await this.runtime.store.listExecutions({ status: ['pending', 'running'] });
    const staleBefore = Date.now() - this.durability.ownerStaleAfterMs;
    const result: ResumeAllResult = { resumed: [], refused: [] };
    for (const record of unfinished) {
      if (this.runtime.runs.has(record.id)) continue;
      if (!isOrphaned(record, staleBefore)) continue;
      try {
        result.resumed.push(await this.resumeHandle(record.id, options, false));
      } catch (error) {
        if (error instanceof ResumeError && error.reason === 'OWNED_ELSEWHERE') continue; // another engine won the claim
        result.refused.push({ executionId: record.id, error: toError(error) });
        this.runtime.logger.warn(`Could not resume execution ${record.id}: ${toError(error).message}`, { executionId: record.id });
      }
    }
    return result;
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
    const record = await this.requireExecution(executionId);
    if (!isTerminalExecutionStatus(record.status)) {
      throw new InvalidOptionsError('executionId', executionId, `a finished execution (it is ${record.status}; resume it instead)`);
    }
    const rows = await this.runtime.store.listTaskRuns(executionId);
    const workflow = this.getWorkflow(record.workflowId, record.workflowVersion);
    if (!workflow) {
      const published = this.getWorkflow(record.workflowId);
      throw new ResumeError(
        published ? 'VERSION_MISMATCH' : 'WORKFLOW_NOT_PUBLISHED',
        `Execution ${executionId} ran version ${record.workflowVersion} of ${JSON.stringify(record.workflowId)}; publish that version to fork it.`,
        { executionId, workflowId: record.workflowId },
      );
    }
    const fromTask = options?.fromTask;
    if (typeof fromTask !== 'string' || !workflow.tasks.has(fromTask)) {
      throw new InvalidOptionsError('fromTask', fromTask, `a task of ${JSON.stringify(workflow.id)} (${describeValues([...workflow.tasks.keys()])})`);
    }
    const rerun = new Set([fromTask]);
    for (const id of workflow.topologicalOrder) {
      if (workflow.upstream.get(id)!.some((up) => rerun.has(up))) rerun.add(id);
    }
    const outputs = new Map<string, unknown>();
    for (const id of workflow.topologicalOrder) {
      const row = rows.find((candidate) => candidate.taskId === id);
      if (row?.status === 'succeeded' && !rerun.has(id)) outputs.set(id, row.output);
    }
    const handle = this.startRun(
      workflow,
      record.input,
      { concurrency: options.concurrency ?? record.concurrency, failurePolicy: options.failurePolicy ?? record.failurePolicy },
      { fromExecutionId: executionId, outputs },
    );
    this.runtime.logger.info(`Execution ${handle.id} forks ${executionId} from task ${JSON.stringify(fromTask)} (${outputs.size} tasks adopted)`, {
      executionId: handle.id,
    });
    return handle;
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
   * Renders an execution: 'mermaid' (the DAG coloured by state, and the task statechart), 'dot',
   * 'json', or 'html' (one self-contained, offline report: DAG, timeline of every attempt, transitions).
   * @example await writeFile('report.html', await engine.inspect(id, { format: 'html' }));
   */
  async inspect(executionId: string, options: { format: InspectFormat }): Promise<string> {
    await this.runtime.telemetry.flush();
    const record = await this.requireExecution(executionId);
    const workflow = this.getWorkflow(record.workflowId, record.workflowVersion);
    return inspectExecution(this.runtime.store, executionId, { format: options?.format, ...(workflow ? { workflow } : {}) });
  }

  private workflowFor(record: ExecutionRecord, options: ResumeOptions, taskIds: readonly string[]): Workflow {
    const context = { executionId: record.id, workflowId: record.workflowId };
    if (isTerminalExecutionStatus(record.status)) {
      throw new ResumeError('ALREADY_FINISHED', `Execution ${record.id} already finished (${record.status}); there is nothing to resume.`, context);
    }
    const latest = this.getWorkflow(record.workflowId);
    if (!latest) {
      throw new ResumeError(
        'WORKFLOW_NOT_PUBLISHED',
        `Execution ${record.id} runs workflow ${JSON.stringify(record.workflowId)}, which is not published on this engine. Publish it before resuming.`,
        context,
      );
    }
    const exact = this.getWorkflow(record.workflowId, record.workflowVersion);
    if (exact) return exact;
    const sameTasks = latest.tasks.size === taskIds.length && taskIds.every((id) => latest.tasks.has(id));
    if (!options.allowVersionMismatch || !sameTasks) {
      throw new ResumeError(
        'VERSION_MISMATCH',
        `Execution ${record.id} ran version ${record.workflowVersion} of ${JSON.stringify(record.workflowId)}, but version ${latest.version} is published. ` +
          'Publish the recorded version, or pass { allowVersionMismatch: true } if the tasks are the same.',
        context,
      );
    }
    return latest;
  }
}

function checkFormats(record: ExecutionRecord, transitions: readonly TransitionRecord[]): void {
  for (const transition of transitions) {
    if (!SUPPORTED_SNAPSHOT_FORMATS.includes(transition.snapshotFormat) || !MACHINE_VERSIONS.has(transition.machineVersion)) {
      throw new ResumeError(
        'SNAPSHOT_FORMAT',
        `Execution ${record.id} has a snapshot (seq ${transition.seq}) in format ${transition.snapshotFormat} of machine ${transition.machineVersion}; ` +
          `this engine reads formats ${SUPPORTED_SNAPSHOT_FORMATS.join(', ')} of machines ${[...MACHINE_VERSIONS].join(', ')}.`,
        { executionId: record.id, workflowId: record.workflowId },
      );
    }
  }
}

function lastSnapshotOf(transitions: readonly TransitionRecord[], taskId: string | null): TransitionRecord | undefined {
  for (let i = transitions.length - 1; i >= 0; i--) if (transitions[i]!.taskId === taskId) return transitions[i];
  return undefined;
}
