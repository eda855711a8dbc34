/**
 * replayExecution: the state after each recorded transition, folded from the log alone, ends
 * where getExecution says the execution is.
 */
import { expect } from 'chai';
import { ExecutionNotFoundError } from '../lib/errors.js';
import type { ExecutionResult } from '../lib/index.js';
import { replayExecution } from '../lib/inspect/replay.js';
import type { ReplayState, ReplayStep } from '../lib/inspect/replay.js';
import { forEachStore } from './support/engines.js';
import type { EngineTestContext } from './support/engines.js';
import { HOSTILE_ID, runCancelled, runFailFast, runMixed } from './support/inspectScenarios.js';

/** What getExecution reports, in the shape of a replay state. */
async function reported(ctx: EngineTestContext, id: string): Promise<ReplayState> {
  const details: ExecutionResult = await ctx.engine.getExecution(id);
  const tasks: ReplayState['tasks'] = {};
  for (const [taskId, task] of Object.entries(details.tasks)) tasks[taskId] = { status: task.status, attempt: task.attempts };
  return { status: details.status, tasks };
}

function last(steps: ReplayStep[]): ReplayStep {
  const step = steps.at(-1);
  if (!step) throw new Error('no steps');
  return step;
}

forEachStore('replayExecution', (ctx) => {
  it('folds every transition in seq order and ends where getExecution does', async () => {
    const { result } = await runMixed(ctx);
    const steps = await replayExecution(ctx.target.store, result.id);
    const transitions = await ctx.engine.listTransitions(result.id);
    expect(steps.map((step) => step.seq)).to.deep.equal(transitions.map((transition) => transition.seq));
    expect(steps.map((step) => step.seq)).to.deep.equal(steps.map((_, index) => index + 1));
    expect(last(steps).state).to.deep.equal(await reported(ctx, result.id));
    expect(last(steps).state.tasks[HOSTILE_ID]).to.deep.equal({ status: 'succeeded', attempt: 1 });
  });

  it('shows each retry: running, retrying and running again with the next attempt', async () => {
    const { result } = await runMixed(ctx);
    const steps = await replayExecution(ctx.target.store, result.id);
    const extract = steps.filter((step) => step.transition.taskId === 'extract').map((step) => step.state.tasks['extract']);
    expect(extract).to.deep.equal([
      { status: 'running', attempt: 1 },
      { status: 'retrying', attempt: 1 },
      { status: 'running', attempt: 2 },
      { status: 'retrying', attempt: 2 },
      { status: 'running', attempt: 3 },
      { status: 'succeeded', attempt: 3 },
    ]);
    // Before its first transition every task is pending with attempt 0, the execution running.
    const first = steps[0]!;
    expect(first.transition.taskId).to.equal(null);
    expect(first.state.status).to.equal('running');
    expect(Object.values(first.state.tasks).every((task) => task.status === 'pending' && task.attempt === 0)).to.equal(true);
    expect(Object.keys(first.state.tasks)).to.have.length(6);
  });

  it('gives every step its own state: later steps do not change earlier ones', async () => {
    const { result } = await runMixed(ctx);
    const steps = await replayExecution(ctx.target.store, result.id);
    const before = JSON.stringify(steps.map((step) => step.state));
    const [a, b] = [steps[1]!, steps[2]!];
    expect(a.state.tasks).to.not.equal(b.state.tasks);
    expect(() => {
      (a.state.tasks['extract'] as { status: string }).status = 'failed';
    }).to.throw(TypeError);
    expect(JSON.stringify(steps.map((step) => step.state))).to.equal(before);
  });

  it('reports cancelling as running, then cancelled, as getExecution does', async () => {
    const { result } = await runCancelled(ctx);
    expect(result.status).to.equal('cancelled');
    const steps = await replayExecution(ctx.target.store, result.id);
    const cancelling = steps.find((step) => step.transition.taskId === null && step.transition.to === 'cancelling');
    expect(cancelling, 'a cancelling transition').to.not.equal(undefined);
    expect(cancelling!.state.status).to.equal('running');
    expect(last(steps).state).to.deep.equal(await reported(ctx, result.id));
    expect(last(steps).state.tasks).to.deep.equal({
      slow: { status: 'cancelled', attempt: 1 },
      quick: { status: 'succeeded', attempt: 1 },
      after: { status: 'cancelled', attempt: 0 },
    });
  });

  it('reports aborting as running under fail-fast, then failed', async () => {
    const { result } = await runFailFast(ctx);
    expect(result.status).to.equal('failed');
    const steps = await replayExecution(ctx.target.store, result.id);
    const aborting = steps.find((step) => step.transition.to === 'aborting');
    expect(aborting?.state.status).to.equal('running');
    expect(last(steps).state).to.deep.equal(await reported(ctx, result.id));
  });

  it('throws ExecutionNotFoundError for an unknown id', async () => {
    const error = await replayExecution(ctx.target.store, 'no-such-execution').then(
      () => null,
      (caught: unknown) => caught,
    );
    expect(error).to.be.instanceOf(ExecutionNotFoundError);
    expect((error as ExecutionNotFoundError).executionId).to.equal('no-such-execution');
  });
});
