/**
 * p-graph (npm `p-graph` 2): a promise graph runner with a concurrency limit and a priority
 * queue. The same nodes and edges, one task per node.
 */
import { PGraph } from 'p-graph';
import { edgePairs } from '../shapes.js';
import type { Dag } from '../shapes.js';

/** Runs every node of `dag` once with `task`; resolves with the number of tasks that finished. */
export async function runPGraph(dag: Dag, concurrency: number, task: (id: string) => Promise<unknown>): Promise<number> {
  let done = 0;
  const nodes = new Map(
    dag.ids.map((id) => [
      id,
      {
        run: async () => {
          await task(id);
          done += 1;
        },
      },
    ]),
  );
  await new PGraph(nodes, edgePairs(dag)).run({ concurrency });
  return done;
}
