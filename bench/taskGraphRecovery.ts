/**
 * task-graph's side of a worker process for the recovery and read-back scenarios (target 6).
 *
 * - `runVictim`: starts an execution of `dag` on a durable store and, when a task starts after
 *   half of the tasks succeeded, prints a `killing` line and SIGKILLs its own process: a crash at
 *   an arbitrary point of the run, commits possibly in flight. The line carries the run's pace so
 *   far, task calls per second from the first call to this one: the uninterrupted rate.
 * - `runResume`: in a fresh process, opens an engine on that store and resumes the execution.
 *   Timed: `createEngine` (opening the store, migrations checked), then from `resume()` to the first
 *   task function call, then the rest of the run's pace, measured the same way (task calls per
 *   second from the first call after resume to the last): setup and tail are left out of both.
 * - `runReadBack`: in a fresh process, times `getExecution`, `replay` and `verifyReplay` of it, in
 *   that order, each after full collections.
 * - `runInspect`: in a fresh process, times `inspect(id, { format: 'html' })`.
 */
import type { Dag } from './shapes.js';
import {
  buildWorkflow,
  closeEngine,
  getExecution,
  inspectHtml,
  openEngine,
  publish,
  replay,
  resultProblem,
  resumeExecution,
  startExecution,
  verifyReplay,
} from './taskGraphApi.js';
import type { Engine, StartedExecution } from './taskGraphApi.js';
import { callRate, countingTask, emit, measure, peakRssMb, settledHeapMb } from './workerProtocol.js';
import type { Metrics, WorkerResult } from './workerProtocol.js';

export const RESUME_WORKFLOW = 'bench-resume';

const MB = 1024 * 1024;

/** Runs `dag` on `storage` until half of its tasks succeeded, then SIGKILLs this process. */
export async function runVictim(storage: string, dag: Dag, concurrency: number): Promise<WorkerResult> {
  const engine = await openEngine(storage);
  const half = Math.ceil(dag.ids.length / 2);
  let execution: StartedExecution | null = null;
  const counter = countingTask();
  const task = async (id: string): Promise<null> => {
    await counter.task(id);
    const succeeded = execution?.succeeded() ?? 0;
    if (succeeded >= half) {
      emit({ bench: 'killing', succeeded, calls: counter.calls(), rate: callRate(counter) });
      process.kill(process.pid, 'SIGKILL');
      await new Promise(() => undefined); // the signal is on its way
    }
    return null;
  };
  publish(engine, buildWorkflow(RESUME_WORKFLOW, dag, task));
  execution = startExecution(engine, RESUME_WORKFLOW, concurrency);
  emit({ bench: 'started', executionId: execution.id });
  const result = await execution.result;
  await closeEngine(engine);
  return { bench: 'result', problem: `execution ${result.id} ended ${result.status} before half of it succeeded: it was never killed`, metrics: {}, info: {} };
}

/** Resumes `executionId` in this fresh process and times it. */
export async function runResume(storage: string, dag: Dag, executionId: string): Promise<WorkerResult> {
  const counter = countingTask();
  const workflow = buildWorkflow(RESUME_WORKFLOW, dag, counter.task);
  const opening = performance.now();
  const engine = await openEngine(storage);
  const createEngineMs = performance.now() - opening;
  try {
    publish(engine, workflow);
    const resuming = performance.now();
    const { value: result, metrics } = await measure(() => resumeExecution(engine, executionId));
    const finished = performance.now();
    const first = counter.firstCallAt() ?? finished;
    const problem = resultProblem(result, dag.ids.length) ?? (counter.calls() < 2 ? `${counter.calls()} tasks ran after resume` : null);
    return {
      bench: 'result',
      problem,
      metrics: {
        ...metrics,
        createEngineMs,
        resumeToFirstTaskMs: first - resuming,
        engineToFirstTaskMs: first - opening,
        ranAfterResume: counter.calls(),
        restMs: finished - first,
        restRate: callRate(counter),
        peakRssMb: peakRssMb(),
      },
      info: {},
    };
  } finally {
    await closeEngine(engine);
  }
}

async function timed<T>(metrics: Metrics, name: string, work: () => Promise<T>): Promise<T> {
  await settledHeapMb();
  const started = performance.now();
  const value = await work();
  metrics[name] = performance.now() - started;
  return value;
}

/** Times getExecution, replay and verifyReplay of a finished execution of `size` tasks. */
export async function runReadBack(storage: string, executionId: string, size: number): Promise<WorkerResult> {
  const engine: Engine = await openEngine(storage);
  try {
    const metrics: Metrics = {};
    const result = await timed(metrics, 'getExecutionMs', () => getExecution(engine, executionId));
    const steps = await timed(metrics, 'replayMs', () => replay(engine, executionId));
    const verdict = await timed(metrics, 'verifyReplayMs', () => verifyReplay(engine, executionId));
    const problem =
      resultProblem(result, size) ??
      (steps < 2 * size + 2 ? `replay gave ${steps} steps for ${size} tasks (at least ${2 * size + 2} expected)` : null) ??
      (verdict.ok ? null : `verifyReplay found a divergence: ${verdict.detail}`);
    return { bench: 'result', problem, metrics: { ...metrics, replaySteps: steps, tasks: size, peakRssMb: peakRssMb() }, info: {} };
  } finally {
    await closeEngine(engine);
  }
}

/** Times the HTML report of a finished execution of `dag`. */
export async function runInspect(storage: string, executionId: string, dag: Dag): Promise<WorkerResult> {
  const engine = await openEngine(storage);
  try {
    const metrics: Metrics = {};
    const html = await timed(metrics, 'inspectHtmlMs', () => inspectHtml(engine, executionId));
    const last = dag.ids.at(-1)!;
    const problem = !html.includes('</html>') ? 'the report is not a whole HTML document' : !html.includes(last) ? `the report does not name task ${last}` : null;
    return { bench: 'result', problem, metrics: { ...metrics, htmlMb: html.length / MB, tasks: dag.ids.length, peakRssMb: peakRssMb() }, info: {} };
  } finally {
    await closeEngine(engine);
  }
}
