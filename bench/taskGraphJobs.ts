/**
 * task-graph's side of a worker process for the speed and memory scenarios: one measured
 * execution of a DAG, many small executions started at once, a finished execution left in a store
 * for the read-back scenarios, and the heap after many finished executions.
 *
 * The clock covers `start` to the result (writing the execution and its pending task rows
 * included); opening the engine and building the workflow are not timed (the build is reported as
 * `buildMs`). Every run is checked: status 'succeeded', every task succeeded, every task function
 * called once. The writer's counters are read before and after the run.
 */
import type { Dag } from './shapes.js';
import {
  buildWorkflow,
  closeEngine,
  openEngine,
  publish,
  resultProblem,
  startExecution,
  writerCounters,
} from './taskGraphApi.js';
import type { Engine } from './taskGraphApi.js';
import { countingTask, measure, peakRssMb, settledHeapMb } from './workerProtocol.js';
import type { CountingTask, Metrics, WorkerResult } from './workerProtocol.js';

export interface TaskGraphRun {
  /** 'memory', 'sqlite:<file>' or 'mysql://…' (a fresh store made by the parent). */
  storage: string;
  concurrency: number;
  /** The database server's pid, to read its CPU time (MariaDB). */
  serverPid?: number;
}


async function withWorkflow(
  options: TaskGraphRun,
  workflowId: string,
  dag: Dag,
  work: (engine: Engine, counter: CountingTask) => Promise<WorkerResult>,
): Promise<WorkerResult> {
  const engine = await openEngine(options.storage);
  try {
    const counter = countingTask();
    const started = performance.now();
    const workflow = buildWorkflow(workflowId, dag, counter.task);
    const buildMs = performance.now() - started;
    publish(engine, workflow);
    const result = await work(engine, counter);
    result.metrics.buildMs = buildMs;
    return result;
  } finally {
    await closeEngine(engine);
  }
}

function callsProblem(counter: CountingTask, expected: number): string | null {
  return counter.calls() === expected ? null : `${counter.calls()} task calls for ${expected} tasks`;
}

function counterMetrics(engine: Engine, before: ReturnType<typeof writerCounters>): Metrics {
  const after = writerCounters(engine);
  return { transitions: after.transitions - before.transitions, commits: after.commits - before.commits, largestBatch: after.largestBatch };
}

/** One execution of `dag`, timed from `start` to its result. */
export function runDag(options: TaskGraphRun, dag: Dag): Promise<WorkerResult> {
  return withWorkflow(options, 'bench-dag', dag, async (engine, counter) => {
    const before = writerCounters(engine);
    const { value: result, metrics } = await measure(() => startExecution(engine, 'bench-dag', options.concurrency).result, options.serverPid);
    const size = dag.ids.length;
    return {
      bench: 'result',
      problem: resultProblem(result, size) ?? callsProblem(counter, size),
      metrics: { ...metrics, ...counterMetrics(engine, before), tasks: size, peakRssMb: peakRssMb(), heapUsedMb: await settledHeapMb() },
      info: { executionId: result.id },
    };
  });
}

/** `executions` executions of `dag` started at once on one engine, timed until the last result. */
export function runMany(options: TaskGraphRun, dag: Dag, executions: number): Promise<WorkerResult> {
  return withWorkflow(options, 'bench-small', dag, async (engine, counter) => {
    const before = writerCounters(engine);
    const { value: results, metrics } = await measure(
      () => Promise.all(Array.from({ length: executions }, () => startExecution(engine, 'bench-small', dag.ids.length).result)),
      options.serverPid,
    );
    const size = dag.ids.length;
    const problem = results.map((result) => resultProblem(result, size)).find((found) => found !== null) ?? callsProblem(counter, size * executions);
    return {
      bench: 'result',
      problem,
      metrics: { ...metrics, ...counterMetrics(engine, before), tasks: size * executions, peakRssMb: peakRssMb(), heapUsedMb: await settledHeapMb() },
      info: {},
    };
  });
}

/**
 * Heap retained by finished executions: runs `baseline` executions of `dag` (in waves of
 * `wave` started at once), measures the heap after full collections, runs the rest up to
 * `executions`, measures again. The growth is what the engine keeps per finished execution.
 */
export function runRetention(options: TaskGraphRun, dag: Dag, executions: number, baseline: number, wave = 100): Promise<WorkerResult> {
  return withWorkflow(options, 'bench-retention', dag, async (engine, counter) => {
    const size = dag.ids.length;
    let problem: string | null = null;
    let finished = 0;
    const runUntil = async (total: number): Promise<void> => {
      while (finished < total && problem === null) {
        const count = Math.min(wave, total - finished);
        const results = await Promise.all(Array.from({ length: count }, () => startExecution(engine, 'bench-retention', size).result));
        problem = results.map((result) => resultProblem(result, size)).find((found) => found !== null) ?? null;
        finished += count;
      }
    };
    const { value: heapBaselineMb, metrics } = await measure(async () => {
      await runUntil(baseline);
      const heap = await settledHeapMb();
      await runUntil(executions);
      return heap;
    });
    const heapAfterMb = await settledHeapMb();
    return {
      bench: 'result',
      problem: problem ?? callsProblem(counter, size * executions),
      metrics: {
        ...metrics,
        tasks: size * executions,
        executions,
        baselineExecutions: baseline,
        heapBaselineMb,
        heapAfterMb,
        heapGrowthMb: heapAfterMb - heapBaselineMb,
        peakRssMb: peakRssMb(),
      },
      info: {},
    };
  });
}
