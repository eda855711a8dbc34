/**
 * Forking: re-run a finished execution from a chosen task onward, as a new execution of the same
 * workflow version with the same input. `fromTask` and everything downstream of it run again;
 * every other task that succeeded is adopted (pending → succeeded on `task.adopt`, with the output
 * the source recorded) without running. Tasks that did not succeed run again. The new execution's
 * log is complete on its own: replay and verifyReplay need nothing from the source.
 */
import { describeValues } from '../describeValue.js';
import { ExecutionNotFoundError, InvalidOptionsError, ResumeError } from '../errors.js';
import { isTerminalExecutionStatus } from '../store/records.js';
import type { FailurePolicy } from '../store/records.js';
import { optionKeys } from '../unknownOption.js';
import type { EngineContext } from './EngineContext.js';
import type { ExecutionHandle } from './ExecutionHandle.js';
import { startExecution } from './startExecution.js';

export interface ForkOptions {
  /** The task to run again; it and everything downstream of it run, other succeeded tasks are adopted. */
  fromTask: string;
  /** Concurrency and failure policy of the new execution. @defaultValue those of the source execution */
  concurrency?: number;
  failurePolicy?: FailurePolicy;
}

/** The keys `fork` knows. */
export const FORK_OPTION_KEYS = optionKeys<ForkOptions>({ fromTask: true, concurrency: true, failurePolicy: true });

/**
 * @throws ExecutionNotFoundError, ResumeError (workflow or version not published),
 *   InvalidOptionsError (unknown task, or an execution still running)
 */
export async function forkExecution(context: EngineContext, executionId: string, options: ForkOptions): Promise<ExecutionHandle> {
  const { runtime, registry } = context;
  await runtime.runs.get(executionId)?.written;
  const record = await runtime.store.getExecution(executionId);
  if (!record) throw new ExecutionNotFoundError(executionId);
  if (!isTerminalExecutionStatus(record.status)) {
    throw new InvalidOptionsError('executionId', executionId, `a finished execution (it is ${record.status}; resume it instead)`);
  }
  const workflow = registry.get(record.workflowId, record.workflowVersion);
  if (!workflow) {
    throw new ResumeError(
      registry.get(record.workflowId) ? 'VERSION_MISMATCH' : 'WORKFLOW_NOT_PUBLISHED',
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
  const rows = new Map((await runtime.store.listTaskRuns(executionId)).map((row) => [row.taskId, row]));
  const outputs = new Map<string, unknown>();
  for (const id of workflow.topologicalOrder) {
    const row = rows.get(id);
    if (row?.status === 'succeeded' && !rerun.has(id)) outputs.set(id, row.output);
  }
  const handle = startExecution(
    context,
    workflow,
    record.input,
    { concurrency: options.concurrency ?? record.concurrency, failurePolicy: options.failurePolicy ?? record.failurePolicy },
    { fromExecutionId: executionId, fromTraceparent: record.traceparent, outputs },
  );
  runtime.logger.info(`Execution ${handle.id} forks ${executionId} from task ${JSON.stringify(fromTask)} (${outputs.size} tasks adopted)`, {
    executionId: handle.id,
  });
  return handle;
}
