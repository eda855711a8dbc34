/**
 * p-graph (npm `p-graph`): a promise graph runner with a concurrency limit and a priority queue.
 * The same nodes and edges, one no-op `run` per node.
 */
import { PGraph } from 'p-graph';
import type { Dag } from '../dags.js';

/** Runs every node of `dag` once with `task`; resolves with the number of tasks run. */
export async function runPGraph(dag: Dag, concurrency: number, task: (id: string) => Promise<unknown>): Promise<number> {
  let done = 0;
  const nodes = new Map(dag.ids.map((id) => [id, { run: async () => { await task(id); done += 1; } }]));
  await new PGraph(nodes, dag.edges.map(([from, to]) => [from, to] as [string, string])).run({ concurrency });
  return done;
}
