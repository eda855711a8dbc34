/**
 * What each transition row holds: the event that caused it (for verifyReplay), the actor's
 * snapshot (for resume), and a large output only once.
 */
import { expect } from 'chai';
import { forEachStore } from './support/engines.js';

forEachStore('transition log', (ctx) => {
  it("keeps a succeeded task's output in the snapshot, not again in the stored event", async () => {
    const big = { text: 'x'.repeat(50_000) };
    ctx.publish('big-output', (wf) => wf.addTask('make', 'Make', () => big));
    const result = await ctx.engine.execute('big-output');
    expect(result.outputs['make']).to.deep.equal(big);
    const succeeded = (await ctx.engine.listTransitions(result.id)).find((t) => t.taskId === 'make' && t.to === 'succeeded')!;
    const event = succeeded.data?.event as { type: string; outcome: { kind: string; output: unknown } };
    expect(event.type).to.equal('attempt.done');
    expect(event.outcome.kind).to.equal('succeeded');
    expect(JSON.stringify(event).length).to.be.below(1000);
    expect((succeeded.snapshot as { context: { output: unknown } }).context.output).to.deep.equal(big);
    expect(await ctx.engine.verifyReplay(result.id)).to.deep.include({ ok: true });
  });

  it('records for every transition the event that caused it, with its payload', async () => {
    ctx.publish('events', (wf) =>
      wf.addTask('flaky', 'Flaky', (_input, taskCtx) => {
        if (taskCtx.attempt === 1) throw new Error('once');
        return 1;
      }, { retry: { maxAttempts: 2, initialDelayMs: 1, jitter: 'none' } }),
    );
    const result = await ctx.engine.execute('events');
    const transitions = await ctx.engine.listTransitions(result.id);
    expect(transitions.map((t) => [t.taskId, t.from, t.to, t.event])).to.deep.equal([
      [null, 'pending', 'running', 'execution.start'],
      ['flaky', 'pending', 'running', 'task.start'],
      ['flaky', 'running', 'retrying', 'attempt.done'],
      ['flaky', 'retrying', 'running', 'task.retry'],
      ['flaky', 'running', 'succeeded', 'attempt.done'],
      [null, 'running', 'succeeded', 'execution.settle'],
    ]);
    for (const transition of transitions) expect((transition.data?.event as { type: string }).type).to.equal(transition.event);
    const retry = transitions[2]!.data!.event as { outcome: { kind: string; delayMs: number } };
    expect(retry.outcome).to.include({ kind: 'retry', delayMs: 1 });
  });
});
