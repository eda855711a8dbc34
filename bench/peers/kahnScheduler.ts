/**
 * The floor: a plain promise Kahn scheduler. Upstream counts in a typed array, a ready queue in
 * an array, at most `concurrency` task promises in flight; a finished task decrements its
 * dependents' counts and the ones at zero join the queue. No persistence, no actors, no events.
 */
import { adjacencyOf } from '../shapes.js';
import type { Dag } from '../shapes.js';

/** Runs every node of `dag` once with `task`; resolves with the number of tasks that finished. */
export function runKahn(dag: Dag, concurrency: number, task: (id: string) => Promise<unknown>): Promise<number> {
  const { offsets, targets, indegree } = adjacencyOf(dag);
  const unmet = indegree.slice();
  const ready: number[] = [];
  for (let i = 0; i < unmet.length; i++) if (unmet[i] === 0) ready.push(i);
  let head = 0;
  let live = 0;
  let done = 0;
  return new Promise((resolve, reject) => {
    const pump = (): void => {
      while (live < concurrency && head < ready.length) {
        const node = ready[head++]!;
        live += 1;
        task(dag.ids[node]!).then(() => finish(node), reject);
      }
      if (live === 0) resolve(done);
    };
    const finish = (node: number): void => {
      live -= 1;
      done += 1;
      for (let e = offsets[node]!; e < offsets[node + 1]!; e++) {
        const next = targets[e]!;
        unmet[next]! -= 1;
        if (unmet[next] === 0) ready.push(next);
      }
      pump();
    };
    pump();
  });
}
