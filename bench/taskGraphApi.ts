/**
 * Every call the bench makes to task-graph, in one file, through the public API only
 * (`lib/index.ts`): if a name changes, this is the file to adapt.
 *
 * createEngine, createWorkflow + addTask/addDependency/build, publishWorkflow, start (an execution
 * handle: id, result, progress), resume, getExecution, replay, verifyReplay, inspect, stats, close.
 */
import { createEngine, createWorkflow } from '../lib/index.js';
import type { Engine, ExecutionResult, Workflow } from '../lib/index.js';
import type { Dag } from './shapes.js';

export type { Engine, ExecutionResult, Workflow };

/** The group-commit writer's counters (`engine.stats()`). */
export interface WriterCounters {
  transitions: number;
  commits: number;
  largestBatch: number;
}

/** A started execution: its id, its result, and how many of its tasks succeeded so far. */
export interface StartedExecution {
  id: string;
  result: Promise<ExecutionResult>;
  succeeded(): number;
}

/** An engine on `storage` ('memory', 'sqlite:<file>', 'mysql://…') that logs errors only. */
export function openEngine(storage: string): Promise<Engine> {
  return createEngine({ storage, logLevel: 'error' });
}

/** The DAG as a workflow whose every node runs `task` (its id as the argument). */
export function buildWorkflow(workflowId: string, dag: Dag, task: (id: string) => Promise<unknown>): Workflow {
  const builder = createWorkflow(workflowId);
  for (const id of dag.ids) builder.addTask(id, id, () => task(id));
  for (let e = 0; e < dag.from.length; e++) builder.addDependency(dag.ids[dag.from[e]!]!, dag.ids[dag.to[e]!]!);
  return builder.build();
}

export function publish(engine: Engine, workflow: Workflow): void {
  engine.publishWorkflow(workflow);
}

export function startExecution(engine: Engine, workflowId: string, concurrency: number): StartedExecution {
  const handle = engine.start(workflowId, {}, { concurrency });
  return { id: handle.id, result: handle.result, succeeded: () => handle.progress().succeeded };
}

export function resumeExecution(engine: Engine, executionId: string): Promise<ExecutionResult> {
  return engine.resume(executionId);
}

export function getExecution(engine: Engine, executionId: string): Promise<ExecutionResult> {
  return engine.getExecution(executionId);
}

/** The recorded steps of an execution; resolves with how many there are. */
export async function replay(engine: Engine, executionId: string): Promise<number> {
  return (await engine.replay(executionId)).length;
}

/** Whether the recorded events, fed through the machines, give the recorded states. */
export async function verifyReplay(engine: Engine, executionId: string): Promise<{ ok: boolean; detail: string }> {
  const verdict = await engine.verifyReplay(executionId);
  return { ok: verdict.ok, detail: verdict.ok ? 'ok' : JSON.stringify(verdict).slice(0, 300) };
}

/** The self-contained HTML report (`task-graph inspect <id> --format html`). */
export function inspectHtml(engine: Engine, executionId: string): Promise<string> {
  return engine.inspect(executionId, { format: 'html' });
}

export function writerCounters(engine: Engine): WriterCounters {
  const { entries, commits, largestBatch } = engine.stats();
  return { transitions: entries, commits, largestBatch };
}

export function closeEngine(engine: Engine): Promise<void> {
  return engine.close();
}

/** Why `result` is not a fully succeeded execution of `size` tasks, or null. */
export function resultProblem(result: ExecutionResult, size: number): string | null {
  if (result.status !== 'succeeded') return `execution ${result.id} ended ${result.status}${result.error ? `: ${result.error.message}` : ''}`;
  const succeeded = Object.values(result.tasks).filter((task) => task.status === 'succeeded').length;
  return succeeded === size ? null : `execution ${result.id}: ${succeeded}/${size} tasks succeeded`;
}
