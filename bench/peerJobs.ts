/**
 * The peers' side of a worker process: one measured run of a DAG, or of many small DAGs at once,
 * by the Kahn floor, p-graph or BullMQ. Setup (the queue and its worker) and cleanup are not timed.
 * A run is checked: every task ran exactly once. BullMQ is imported only by BullMQ's runs, so that
 * the in-process peers' peak RSS is their own.
 */
import { runKahn } from './peers/kahnScheduler.js';
import { runPGraph } from './peers/pGraph.js';
import type { PreparedBullmq, RedisAddress } from './peers/bullmqDag.js';
import type { Dag } from './shapes.js';
import { countingTask, measure, peakRssMb, settledHeapMb } from './workerProtocol.js';
import type { WorkerResult } from './workerProtocol.js';

export type PeerName = 'kahn' | 'p-graph' | 'bullmq' | 'bullmq-aof';

export interface PeerRun {
  peer: PeerName;
  concurrency: number;
  /** For BullMQ: its Redis, and the Redis server's pid (to read its CPU time). */
  redis?: RedisAddress;
  serverPid?: number;
}

type Runner = (dag: Dag, concurrency: number, task: (id: string) => Promise<unknown>) => Promise<number>;

const IN_PROCESS: Partial<Record<PeerName, Runner>> = { kahn: runKahn, 'p-graph': runPGraph };

/** One run of `dag`, or, with `executions`, of that many copies of `dag` started at once. */
export async function runPeer(options: PeerRun, dag: Dag, executions?: number): Promise<WorkerResult> {
  const counter = countingTask();
  const expected = dag.ids.length * (executions ?? 1);
  const inProcess = IN_PROCESS[options.peer];
  let prepared: PreparedBullmq | null = null;
  let work: () => Promise<number>;
  if (inProcess) {
    work = executions
      ? async () => (await Promise.all(Array.from({ length: executions }, () => inProcess(dag, dag.ids.length, counter.task)))).reduce((a, b) => a + b, 0)
      : () => inProcess(dag, options.concurrency, counter.task);
  } else {
    if (!options.redis) throw new Error(`${options.peer} needs --redis host:port`);
    prepared = executions
      ? await (await import('./peers/bullmqFlows.js')).prepareBullmqFlows(options.redis, executions, dag.ids.length, options.concurrency, counter.task)
      : await (await import('./peers/bullmqDag.js')).prepareBullmqDag(options.redis, dag, options.concurrency, counter.task);
    work = () => prepared!.run();
  }
  const { value: done, metrics } = await measure(work, options.serverPid);
  await prepared?.dispose();
  const problem =
    done !== expected ? `${done}/${expected} tasks finished` : counter.calls() !== expected ? `${counter.calls()} task calls for ${expected} tasks` : null;
  return {
    bench: 'result',
    problem,
    metrics: { ...metrics, tasks: expected, peakRssMb: peakRssMb(), heapUsedMb: await settledHeapMb() },
    info: {},
  };
}
