/**
 * A scenario: one DAG, one concurrency limit, the contenders that run it, and how its speed is
 * best read (tasks per second for the big graphs, milliseconds per step for the chain).
 */
import type { Dag } from '../dags.js';
import type { Contender } from '../measure.js';
import { inProcessContender } from '../measure.js';
import { noop } from '../dags.js';
import { bullmqContender } from '../peers/bullmqDag.js';
import { runKahn } from '../peers/kahnScheduler.js';
import { runPGraph } from '../peers/pGraph.js';
import { taskGraphContender } from '../taskGraph.js';

export interface Scenario {
  readonly name: string;
  readonly description: string;
  /** The graph; `quick` asks for a smaller one (the `--quick` run). */
  readonly dag: (quick: boolean) => Dag;
  readonly concurrency: number;
  /** 'throughput' reports tasks/s and µs/task; 'latency' reports ms per step. */
  readonly metric: 'throughput' | 'latency';
  readonly contenders: () => Contender[];
}

/** Every contender, task-graph's stores first, then the peers the ratios are taken against. */
export function allContenders(): Contender[] {
  return [
    taskGraphContender('memory'),
    taskGraphContender('sqlite'),
    taskGraphContender('mysql'),
    inProcessContender('kahn', (dag, concurrency) => runKahn(dag, concurrency, noop)),
    inProcessContender('p-graph', (dag, concurrency) => runPGraph(dag, concurrency, noop)),
    bullmqContender(),
  ];
}

/** The names ratios are taken against, in column order. */
export const PEERS = ['kahn', 'p-graph', 'BullMQ'] as const;
