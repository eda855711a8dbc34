/**
 * Resume: continue an execution from what its store committed, in this process, after the
 * process that ran it died (or closed).
 *
 * Resume rebuilds exactly what a live run holds, from the store alone:
 * - the scheduler from the task rows (succeeded tasks never run again);
 * - the supervisor from its last recorded snapshot, with its children replaced by the live tasks
 *   (`running` or `retrying`) restored from their own last recorded snapshots. A task restored in
 *   `running` has its attempt run again (the same attempt, so the same `ctx.idempotencyKey`:
 *   tasks are at-least-once); one restored in `retrying` waits for its recorded deadline;
 * - the transition sequence continues after the last committed `seq`.
 *
 * It reads the execution and task rows, and of the log only those last transitions and the
 * snapshot formats and machine versions it holds (`listLastTransitions`): a log with one it cannot
 * read is refused.
 *
 * The execution is claimed before its log is read (see ARCHITECTURE "Resume"): a commit of the
 * previous owner under way during the claim is either wholly before it, and read, or refused.
 */
import { context as otelContext } from '@opentelemetry/api';
import { ExecutionNotFoundError, ResumeError, toError } from '../errors.js';
import { RESUMED_AFTER_SEQ } from '../inspect/attemptTimeline.js';
import { ExecutionTrace } from '../telemetry/otel/ExecutionTrace.js';
import { EXECUTION_MACHINE_VERSIONS_READ } from '../../machines/execution.js';
import { TASK_MACHINE_VERSIONS_READ } from '../../machines/task.js';
import type { ExecutionRecord, LastTransitions, TaskRunRecord, TransitionRecord } from '../store/records.js';
import { isOrphaned, isTerminalExecutionStatus } from '../store/records.js';
import { optionKeys } from '../unknownOption.js';
import type { Workflow } from '../workflow/Workflow.js';
import type { EngineContext } from './EngineContext.js';
import { ExecutionHandle } from './ExecutionHandle.js';
import { ExecutionRun } from './ExecutionRun.js';
import { SUPPORTED_SNAPSHOT_FORMATS } from './snapshotFormat.js';
import type { WorkflowRegistry } from './WorkflowRegistry.js';

export interface ResumeOptions {
  /** Resume even though the published workflow's version differs from the recorded one (same task ids). @defaultValue false */
  allowVersionMismatch?: boolean;
}

/** The keys `resume`, `resumeHandle` and `resumeAll` know. */
export const RESUME_OPTION_KEYS = optionKeys<ResumeOptions>({ allowVersionMismatch: true });

export interface ResumeAllResult {
  resumed: ExecutionHandle[];
  refused: { executionId: string; error: Error }[];
}

const MACHINE_VERSIONS = new Set([...EXECUTION_MACHINE_VERSIONS_READ, ...TASK_MACHINE_VERSIONS_READ]);

/**
 * Continues an unfinished execution here and returns its handle. `force` takes it over from a
 * live owner (an explicit resume); without it an execution owned by a live engine is refused.
 * @throws ExecutionNotFoundError, ResumeError
 */
export async function resumeExecution(context: EngineContext, executionId: string, options: ResumeOptions, force: boolean): Promise<ExecutionHandle> {
  const { runtime, registry, defaults } = context;
  const live = runtime.runs.get(executionId);
  if (live) return new ExecutionHandle(live);
  const { store } = runtime;
  const found = await store.getExecution(executionId, { graph: false }); // 7 MB of JSON for 100,000 tasks, not needed here
  if (!found) throw new ExecutionNotFoundError(executionId);
  const published = registry.get(found.workflowId, found.workflowVersion) !== undefined; // else the recorded task ids decide
  workflowFor(registry, found, options, published ? [] : (await store.listTaskRuns(executionId)).map((row) => row.taskId));
  checkFormats(found, (await store.listLastTransitions(executionId, [])).formats); // refused before it is claimed
  const fencingToken = await store.claimExecution(executionId, runtime.ownerId, defaults.leaseMs, force);
  if (fencingToken === null) {
    throw new ResumeError('OWNED_ELSEWHERE', `Execution ${executionId} is owned by a live engine (${found.ownerId}); pass force to take it over.`, {
      executionId,
      workflowId: found.workflowId,
    });
  }
  return continueClaimed(context, executionId, fencingToken, options);
}

/**
 * Runs here an execution this engine has just claimed under `fencingToken` (by `resumeExecution`,
 * or by the recovery scan's batch claim). On a refusal (workflow not published here, a snapshot
 * it cannot read) the execution is released for another engine, and the refusal thrown.
 * @throws ResumeError
 */
export async function continueClaimed(context: EngineContext, executionId: string, fencingToken: number, options: ResumeOptions): Promise<ExecutionHandle> {
  const { runtime, registry } = context;
  const { store } = runtime;
  // Read again now that it is ours: a commit of the previous owner that was under way when we
  // claimed is in (the claim waited for it), and any later one is refused (fencing).
  let record: ExecutionRecord;
  let rows: TaskRunRecord[];
  let lastSeq: number;
  let transitions: TransitionRecord[];
  let workflow: Workflow;
  try {
    const found = await store.getExecution(executionId, { graph: false });
    if (!found) throw new ExecutionNotFoundError(executionId);
    record = found;
    rows = await store.listTaskRuns(executionId);
    workflow = workflowFor(registry, record, options, rows.map((row) => row.taskId));
    // Only what the restore needs of the log: the last transition of the supervisor and of each
    // live task, and the highest seq (not the whole log: 200,000 rows for 100,000 tasks).
    const liveTaskIds = rows.filter((row) => row.status === 'running' || row.status === 'retrying').map((row) => row.taskId);
    const last: LastTransitions = await store.listLastTransitions(executionId, liveTaskIds);
    checkFormats(record, last.formats);
    ({ lastSeq, transitions } = last);
  } catch (error) {
    // Not run here: let another engine have it now rather than when a lease we extend would end.
    await store.releaseOwnership(runtime.ownerId, [executionId]).catch(() => undefined);
    throw error;
  }
  const trace = ExecutionTrace.start(runtime.tracer, {
    workflowId: workflow.id,
    workflowVersion: workflow.version,
    executionId,
    taskCount: workflow.tasks.size,
    parent: otelContext.active(),
    resumedFrom: record.traceparent,
  });
  const run = new ExecutionRun(runtime, workflow, { ...record, ownerId: runtime.ownerId, fencingToken }, rows, lastSeq, trace);
  runtime.runs.set(executionId, run);
  const lastOf = new Map(transitions.map((transition) => [transition.taskId, transition]));
  const supervisor = lastOf.get(null);
  if (!supervisor) {
    run.beginAfter(Promise.resolve()); // it never started: start it now
  } else {
    const liveTasks = new Map<string, unknown>();
    for (const row of rows) {
      if (row.status === 'running' || row.status === 'retrying') liveTasks.set(row.taskId, lastOf.get(row.taskId)?.snapshot);
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
  // The resume as a fact of the execution's logs, with the seq it continued after as data (the
  // timelines split the attempts it interrupted there), stored whatever storeLogLevel says; the
  // console line goes through the logger without the execution id, so it is not stored twice.
  const message = `Resumed execution ${executionId} of ${workflow.id} from seq ${lastSeq}`;
  runtime.logger.info(message);
  runtime.telemetry.addLog({ executionId, taskId: null, attempt: null, level: 'info', message, attributes: { [RESUMED_AFTER_SEQ]: lastSeq }, at: new Date() });
  return new ExecutionHandle(run);
}

/**
 * Resumes every unfinished execution held by no live engine (no owner, or a lease ended on the
 * store's clock). Refusals are listed, not thrown.
 */
export async function resumeOrphans(context: EngineContext, options: ResumeOptions): Promise<ResumeAllResult> {
  const { runtime } = context;
  const unfinished = await runtime.store.listExecutions({ status: ['pending', 'running'] });
  const now = await runtime.store.now();
  const result: ResumeAllResult = { resumed: [], refused: [] };
  for (const record of unfinished) {
    if (runtime.runs.has(record.id)) continue;
    if (!isOrphaned(record, now)) continue;
    try {
      result.resumed.push(await resumeExecution(context, record.id, options, false));
    } catch (error) {
      if (error instanceof ResumeError && error.reason === 'OWNED_ELSEWHERE') continue; // another engine won the claim
      result.refused.push({ executionId: record.id, error: toError(error) });
      runtime.logger.warn(`Could not resume execution ${record.id}: ${toError(error).message}`, { executionId: record.id });
    }
  }
  return result;
}

/** The workflow version the execution resumes on, or the refusal. */
function workflowFor(registry: WorkflowRegistry, record: ExecutionRecord, options: ResumeOptions, taskIds: readonly string[]): Workflow {
  const context = { executionId: record.id, workflowId: record.workflowId };
  if (isTerminalExecutionStatus(record.status)) {
    throw new ResumeError('ALREADY_FINISHED', `Execution ${record.id} already finished (${record.status}); there is nothing to resume.`, context);
  }
  const latest = registry.get(record.workflowId);
  if (!latest) {
    throw new ResumeError(
      'WORKFLOW_NOT_PUBLISHED',
      `Execution ${record.id} runs workflow ${JSON.stringify(record.workflowId)}, which is not published on this engine. Publish it before resuming.`,
      context,
    );
  }
  const exact = registry.get(record.workflowId, record.workflowVersion);
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

function checkFormats(record: ExecutionRecord, formats: LastTransitions['formats']): void {
  for (const { snapshotFormat, machineVersion } of formats) {
    if (!SUPPORTED_SNAPSHOT_FORMATS.includes(snapshotFormat) || !MACHINE_VERSIONS.has(machineVersion)) {
      throw new ResumeError(
        'SNAPSHOT_FORMAT',
        `Execution ${record.id} has snapshots in format ${snapshotFormat} of machine ${machineVersion}; ` +
          `this engine reads formats ${SUPPORTED_SNAPSHOT_FORMATS.join(', ')} of machines ${[...MACHINE_VERSIONS].join(', ')}.`,
        { executionId: record.id, workflowId: record.workflowId },
      );
    }
  }
}
