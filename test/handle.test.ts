/**
 * `engine.start()` returns a handle at once: its id, the execution's status, counts of tasks per
 * state, the result promise, and cancel (see cancellation.test.ts).
 */
import { expect } from 'chai';
import type { ProgressCounts } from '../lib/index.js';
import { deferred, forEachStore, waitUntil } from './support/engines.js';
import type { Deferred } from './support/engines.js';

const STATES = ['pending', 'running', 'retrying', 'succeeded', 'failed', 'skipped', 'cancelled'] as const;

function sumOfStates(progress: ProgressCounts): number {
  return STATES.reduce((sum, state) => sum + progress[state], 0);
}

forEachStore('execution handle', (ctx) => {
  it('gives the id at once, the same as the result and the stored execution', async () => {
    ctx.publish('ids', (wf) => wf.addTask('t', 'T', () => 1));
    const handle = ctx.engine.start('ids', { n: 1 });
    expect(handle.id).to.be.a('string').and.not.equal('');
    expect(handle.workflowId).to.equal('ids');
    const result = await handle.result;
    expect(result.id).to.equal(handle.id);
    expect((await ctx.engine.getExecution(handle.id)).id).to.equal(handle.id);
  });

  it('counts the tasks per state as they move, always adding up to the total', async () => {
    const gates: Record<string, Deferred> = { a: deferred(), b: deferred() };
    const started: string[] = [];
    ctx.publish('progress', (wf) =>
      wf
        .addTask('a', 'A', async () => {
          started.push('a');
          await gates['a']!.promise;
        })
        .addTask('b', 'B', async () => {
          started.push('b');
          await gates['b']!.promise;
          throw new Error('b fails');
        })
        .addTask('c', 'C', () => 'c')
        .addTask('d', 'D', () => 'd')
        .addDependency('a', 'c')
        .addDependency('b', 'd'),
    );
    const handle = ctx.engine.start('progress');
    expect(handle.progress()).to.include({ pending: 4, running: 0, retrying: 0, succeeded: 0, failed: 0, skipped: 0, cancelled: 0, total: 4 });

    await waitUntil(() => handle.progress().running === 2, 'a and b run');
    expect(handle.progress()).to.deep.include({ pending: 2, running: 2, total: 4 });

    gates['a']!.resolve();
    await waitUntil(() => handle.progress().succeeded === 2, 'a and c succeeded');
    expect(handle.progress()).to.deep.include({ pending: 1, running: 1, succeeded: 2 });
    expect(sumOfStates(handle.progress())).to.equal(4);

    gates['b']!.resolve();
    const result = await handle.result;
    expect(result.status).to.equal('failed');
    expect(handle.progress()).to.include({ pending: 0, running: 0, retrying: 0, succeeded: 2, failed: 1, skipped: 1, cancelled: 0, total: 4 });
    expect(handle.status).to.equal('failed');
  });

  it("reports status 'succeeded' after the result resolves", async () => {
    ctx.publish('status', (wf) => wf.addTask('t', 'T', () => 1));
    const handle = ctx.engine.start('status');
    expect(handle.status).to.be.oneOf(['pending', 'running']);
    await handle.result;
    expect(handle.status).to.equal('succeeded');
  });

  // Regression: handle.status followed the commit of the execution's pending → running
  // transition, but task functions are called before that commit, so a task (or a caller it
  // notified) saw handle.status 'pending' while handle.progress() already counted it running.
  it("reports status 'running' while a task of the execution runs", async () => {
    const inside = deferred();
    const release = deferred();
    ctx.publish('running-status', (wf) =>
      wf.addTask('t', 'T', async () => {
        inside.resolve();
        await release.promise;
      }),
    );
    const handle = ctx.engine.start('running-status');
    await inside.promise;
    const seen = { status: handle.status, running: handle.progress().running };
    release.resolve();
    await handle.result;
    expect(seen).to.deep.equal({ status: 'running', running: 1 });
  });

  it('counts a task waiting for its retry as retrying', async () => {
    let calls = 0;
    const release = deferred();
    ctx.publish('retrying', (wf) =>
      wf.addTask(
        't',
        'T',
        async () => {
          calls += 1;
          if (calls === 1) throw new Error('first fails');
          await release.promise;
          return 'ok';
        },
        { retry: { maxAttempts: 2, initialDelayMs: 50, jitter: 'none' } },
      ),
    );
    const handle = ctx.engine.start('retrying');
    await waitUntil(() => handle.progress().retrying === 1, 'the task waits for its retry');
    expect(handle.progress()).to.deep.include({ retrying: 1, running: 0, total: 1 });
    await waitUntil(() => calls === 2, 'the second attempt runs');
    release.resolve();
    const result = await handle.result;
    expect(result.tasks['t']).to.include({ status: 'succeeded', attempts: 2 });
  });

  it('resolves handle.result the same as execute() would', async () => {
    ctx.publish('same', (wf) => wf.addTask('t', 'T', (input: { n: number }) => input.n * 3));
    const fromHandle = await ctx.engine.start('same', { n: 2 }).result;
    const fromExecute = await ctx.engine.execute('same', { n: 2 });
    expect(fromHandle.outputs).to.deep.equal(fromExecute.outputs);
    expect(fromHandle.status).to.equal(fromExecute.status);
    expect(Object.keys(fromHandle).sort()).to.deep.equal(Object.keys(fromExecute).sort());
  });
});
