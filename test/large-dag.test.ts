/**
 * A 10,000-task DAG runs to completion on every store: 100 layers of 100 tasks, each task after
 * two tasks of the layer before (19,800 edges). No timing assertion: it only has to finish, with
 * every task succeeded exactly once on the outputs of its upstreams.
 */
import { expect } from 'chai';
import { forEachStore } from './support/engines.js';

const LAYERS = 100;
const WIDTH = 100;

forEachStore('large DAG', (ctx) => {
  it('runs 10,000 tasks in 100 layers to success', async function () {
    this.timeout(180_000); // SQL stores write 20,000 transitions
    const id = (layer: number, index: number) => `L${layer}-${index}`;
    const calls = new Map<string, number>();
    const problems: string[] = [];
    ctx.publish('large', (wf) => {
      for (let layer = 0; layer < LAYERS; layer++) {
        for (let index = 0; index < WIDTH; index++) {
          const taskId = id(layer, index);
          wf.addTask(taskId, taskId, (_input, taskCtx) => {
            calls.set(taskId, (calls.get(taskId) ?? 0) + 1);
            const expected = layer === 0 ? [] : [id(layer - 1, index), id(layer - 1, (index + 1) % WIDTH)];
            const got = Object.keys(taskCtx.upstream);
            if (got.length !== expected.length || !expected.every((up) => taskCtx.upstream[up] === layer - 1)) {
              problems.push(`${taskId} got upstream ${JSON.stringify(taskCtx.upstream)}`);
            }
            return layer;
          });
        }
      }
      for (let layer = 1; layer < LAYERS; layer++) {
        for (let index = 0; index < WIDTH; index++) {
          wf.addDependency(id(layer - 1, index), id(layer, index));
          wf.addDependency(id(layer - 1, (index + 1) % WIDTH), id(layer, index));
        }
      }
      return wf;
    });

    const handle = ctx.engine.start('large', {}, { concurrency: 16 });
    const result = await handle.result;

    expect(result.status).to.equal('succeeded');
    expect(problems.slice(0, 5)).to.deep.equal([]);
    expect(calls.size).to.equal(LAYERS * WIDTH);
    expect([...calls.values()].every((count) => count === 1)).to.equal(true);
    const statuses = Object.values(result.tasks).map((task) => task.status);
    expect(statuses).to.have.length(LAYERS * WIDTH);
    expect(statuses.every((status) => status === 'succeeded')).to.equal(true);
    expect(handle.progress()).to.deep.include({ succeeded: LAYERS * WIDTH, total: LAYERS * WIDTH });

    const stored = await ctx.engine.getExecution(result.id);
    expect(stored.status).to.equal('succeeded');
    expect(Object.values(stored.tasks).filter((task) => task.status === 'succeeded')).to.have.length(LAYERS * WIDTH);
    expect(stored.outputs[id(LAYERS - 1, 0)]).to.equal(LAYERS - 1);
  });
});
