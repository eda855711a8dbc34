/**
 * The floor: a plain promise Kahn scheduler. In-degrees in a Map, a ready queue in an array, at
 * most `concurrency` task promises in flight; a finished task decrements its dependents' counts
 * and the ones at zero join the queue. No persistence, no actors, no events.
 */
import { adjacency } from '../dags.js';
import type { Dag } from '../dags.js';

/** Runs every node of `dag` once with `task`; resolves with the number of tasks run. */
export function runKahn(dag: Dag, concurrency: number, task: (id: string) => Promise<unknown>): Promise<number> {
  const { upstream, downstream } = adjacency(dag);
  const unmet = new Map<string, number>();
  const ready: string[] = [];
  for (const id of dag.ids) {
    const count = upstream.get(id)!.length;
    unmet.set(id, count);
    if (count === 0) ready.push(id);
  }
  let head = 0;
  let live = 0;
  let done = 0;
  return new Promise((resolve, reject) => {
    const pump = (): void => {
      while (live < concurrency && head < ready.length) {
        const id = ready[head++]!;
        live += 1;
        task(id).then(() => finish(id), reject);
      }
      if (done === dag.ids.length) resolve(done);
    };
    const finish = (id: string): void => {
      live -= 1;
      done += 1;
      for (const next of downstream.get(id)!) {
        const remaining = unmet.get(next)! - 1;
        unmet.set(next, remaining);
        if (remaining === 0) ready.push(next);
      }
      pump();
    };
    pump();
  });
}
