/**
 * Fencing: when an execution is taken over by another engine (resume after its owner was
 * presumed dead) while the first engine is in fact still running it, the first engine's commits
 * are refused and it stops; the log stays gap-free, each success recorded once.
 */
import { expect } from 'chai';
import { OwnershipLostError } from '../lib/index.js';
import type { Engine, TaskContext } from '../lib/index.js';
import { forEachStore, waitUntil } from './support/engines.js';

forEachStore('fencing', (ctx) => {
  it('stops the engine that lost an execution to a take-over; the new owner finishes it alone', async () => {
    let releaseFirst = () => undefined as void;
    const firstGate = new Promise<void>((resolve) => (releaseFirst = resolve));
    const ran: string[] = [];
    const publish = (engine: Engine, name: string, gate: Promise<void>) =>
      engine.publishWorkflow(
        engine
          .createWorkflow('contested')
          .addTask('a', 'A', () => void ran.push(`${name}:a`))
          .addTask('b', 'B', async (_input: unknown, taskCtx: TaskContext) => {
            ran.push(`${name}:b#${taskCtx.attempt}`);
            await gate;
            return { by: name };
          })
          .addTask('c', 'C', () => void ran.push(`${name}:c`))
          .addDependency('a', 'b')
          .addDependency('b', 'c')
          .build(),
      );
    publish(ctx.engine, 'first', firstGate);
    const first = ctx.engine.start('contested', {});
    await waitUntil(() => ran.includes('first:b#1'), "the first engine's b runs");
    await ctx.engine.getExecution(first.id);

    const second = await ctx.openEngine();
    try {
      publish(second, 'second', Promise.resolve());
      const taken = await second.resume(first.id); // the first engine is alive: a take-over
      expect(taken.status).to.equal('succeeded');
      expect(taken.outputs['b']).to.deep.equal({ by: 'second' });

      releaseFirst(); // the first engine's b now succeeds, and its commit is refused
      const error = await first.result.then(() => null, (caught: Error) => caught);
      expect(error).to.be.instanceOf(OwnershipLostError);
      expect((error as OwnershipLostError).executionIds).to.deep.equal([first.id]);
      expect(ran).to.not.include('first:c');

      const transitions = await second.listTransitions(first.id);
      expect(transitions.map((t) => t.seq)).to.deep.equal(transitions.map((_, i) => i + 1));
      const successes = transitions.filter((t) => t.taskId !== null && t.to === 'succeeded').map((t) => t.taskId);
      expect(successes.sort()).to.deep.equal(['a', 'b', 'c']);
      expect((await second.getExecution(first.id)).outputs['b']).to.deep.equal({ by: 'second' });
      expect(ctx.engine.stats().activeExecutions).to.equal(0);
    } finally {
      await second.close();
    }
  });
});
