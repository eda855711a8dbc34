/**
 * Properties of every execution of random DAGs (fast-check): a task starts only after each of its
 * upstream tasks' success is committed (seen through its task.succeeded event), never more tasks
 * run inside their function than the execution's concurrency, every task ends in a terminal
 * state, and with random failures under 'continue' everything downstream of a failure is skipped
 * while every other task succeeds.
 *
 * Sizes stay modest (≤ 40 tasks, 30 runs per store) so the file runs in seconds.
 */
import { expect } from 'chai';
import fc from 'fast-check';
import type { EngineEvent } from '../lib/index.js';
import { forEachStore, TERMINAL_TASK_STATUSES } from './support/engines.js';

interface RandomDag {
  /** Task ids in the order they are added (a random permutation, so not a topological order). */
  addOrder: string[];
  /** Edges [from, to] between task ids, each from an earlier index to a later one: acyclic. */
  edges: [string, string][];
  concurrency: number;
  /** Small per-task delays (ms) so tasks overlap and finish out of order. */
  delays: number[];
  failing: Set<string>;
}

const MAX_TASKS = 40;

function randomDag(withFailures: boolean): fc.Arbitrary<RandomDag> {
  return fc.integer({ min: 1, max: MAX_TASKS }).chain((n) =>
    fc
      .record({
        pairs: fc.array(fc.tuple(fc.nat({ max: n - 1 }), fc.nat({ max: n - 1 })), { maxLength: 3 * n }),
        permutation: fc.shuffledSubarray([...Array(n).keys()], { minLength: n, maxLength: n }),
        concurrency: fc.integer({ min: 1, max: 6 }),
        delays: fc.array(fc.integer({ min: 0, max: 2 }), { minLength: n, maxLength: n }),
        failing: withFailures ? fc.uniqueArray(fc.nat({ max: n - 1 }), { maxLength: Math.min(3, n) }) : fc.constant([] as number[]),
      })
      .map(({ pairs, permutation, concurrency, delays, failing }) => {
        const id = (index: number) => `t${index}`;
        const edges = new Map<string, [string, string]>();
        for (const [a, b] of pairs) {
          if (a === b) continue;
          const [from, to] = a < b ? [a, b] : [b, a];
          edges.set(`${from}>${to}`, [id(from), id(to)]);
        }
        return { addOrder: permutation.map(id), edges: [...edges.values()], concurrency, delays, failing: new Set(failing.map(id)) };
      }),
  );
}

function downstreamOf(roots: Iterable<string>, edges: readonly [string, string][]): Set<string> {
  const reached = new Set<string>();
  const queue = [...roots];
  while (queue.length > 0) {
    const from = queue.shift()!;
    for (const [a, b] of edges) {
      if (a === from && !reached.has(b)) {
        reached.add(b);
        queue.push(b);
      }
    }
  }
  return reached;
}

// 30 runs on each store; on MySQL as well (each run is one execution of at most 40 tasks).
forEachStore('random DAG properties', (ctx) => {
  let workflowCount = 0;

  async function runDag(dag: RandomDag): Promise<void> {
    const workflowId = `random-${++workflowCount}`;
    const upstream = new Map<string, string[]>(dag.addOrder.map((id) => [id, []]));
    for (const [from, to] of dag.edges) upstream.get(to)!.push(from);

    const committedSuccess = new Set<string>();
    const violations: string[] = [];
    const runs = new Map<string, number>();
    let inside = 0;
    let mostInside = 0;
    let executionId: string | null = null;
    const onSucceeded = (event: EngineEvent) => {
      if (event.executionId === executionId && event.taskId) committedSuccess.add(event.taskId);
    };
    ctx.engine.events.on('task.succeeded', onSucceeded);

    try {
      const builder = ctx.engine.createWorkflow(workflowId);
      for (const id of dag.addOrder) {
        const delay = dag.delays[Number(id.slice(1))]!;
        builder.addTask(id, id, async () => {
          runs.set(id, (runs.get(id) ?? 0) + 1);
          for (const up of upstream.get(id)!) {
            if (!committedSuccess.has(up)) violations.push(`${id} started before the success of ${up} was committed`);
          }
          inside += 1;
          mostInside = Math.max(mostInside, inside);
          try {
            await new Promise((resolve) => (delay === 0 ? setImmediate(resolve) : setTimeout(resolve, delay)));
            if (dag.failing.has(id)) throw new Error(`${id} fails`);
            return { [id]: true };
          } finally {
            inside -= 1;
          }
        });
      }
      for (const [from, to] of dag.edges) builder.addDependency(from, to);
      ctx.engine.publishWorkflow(builder.build());

      const handle = ctx.engine.start(workflowId, {}, { concurrency: dag.concurrency, failurePolicy: 'continue' });
      executionId = handle.id;
      const result = await handle.result;

      expect(violations).to.deep.equal([]);
      expect(mostInside, 'tasks inside their function at once').to.be.at.most(dag.concurrency);
      expect(Object.keys(result.tasks)).to.have.members(dag.addOrder);
      for (const [id, task] of Object.entries(result.tasks)) {
        expect(TERMINAL_TASK_STATUSES, `status of ${id}`).to.include(task.status);
        expect(runs.get(id) ?? 0, `runs of ${id}`).to.be.at.most(1);
      }

      const blocked = downstreamOf(dag.failing, dag.edges);
      for (const id of dag.addOrder) {
        // A failing task downstream of another failure is skipped before it can fail.
        const expected = blocked.has(id) ? 'skipped' : dag.failing.has(id) ? 'failed' : 'succeeded';
        expect(result.tasks[id]!.status, `status of ${id}`).to.equal(expected);
        if (expected === 'skipped') expect(runs.has(id), `${id} never runs`).to.equal(false);
      }
      const anyFailed = [...dag.failing].some((id) => !blocked.has(id));
      expect(result.status).to.equal(anyFailed ? 'failed' : 'succeeded');
      expect(handle.progress()).to.deep.include({ pending: 0, running: 0, retrying: 0, total: dag.addOrder.length });
    } finally {
      ctx.engine.events.off('task.succeeded', onSucceeded);
    }
  }

  it('starts each task after its upstreams succeeded, within the concurrency limit, and ends every task', async () => {
    await fc.assert(fc.asyncProperty(randomDag(false), runDag), { numRuns: 30 });
  });

  it("with random failures under 'continue': failures fail, their downstream is skipped, the rest succeeds", async () => {
    await fc.assert(fc.asyncProperty(randomDag(true), runDag), { numRuns: 30 });
  });
});
