/**
 * verifyReplay: the recorded events, fed back through the machines with xstate's pure transition
 * functions, reach the recorded states; a changed machine is caught at its first divergent step.
 */
import { expect } from 'chai';
import { assign, createMachine } from 'xstate';
import type { AnyStateMachine } from 'xstate';
import { executionMachine } from '../machines/execution.js';
import { taskMachine } from '../machines/task.js';
import { ExecutionNotFoundError } from '../lib/errors.js';
import { verifyReplay } from '../lib/inspect/verifyReplay.js';
import type { VerifyReplayResult } from '../lib/inspect/verifyReplay.js';
import { MemoryStore } from '../lib/store/MemoryStore.js';
import type { Store } from '../lib/store/Store.js';
import type { TransitionRecord } from '../lib/store/records.js';
import { forEachStore } from './support/engines.js';
import { runCancelled, runFailFast, runMixed } from './support/inspectScenarios.js';

type Config = Record<string, unknown> & { states: Record<string, Record<string, unknown>> };

/** A copy of `machine` whose config `edit` changed, with the same implementations. */
function variantOf(machine: AnyStateMachine, edit: (config: Config) => Config): AnyStateMachine {
  const config = machine.config as unknown as Config;
  return createMachine(edit({ ...config, states: { ...config.states } }) as never, machine.implementations as never) as unknown as AnyStateMachine;
}

/** An attempt that fails goes straight to failed: no retry. */
const noRetryTask = variantOf(taskMachine, (config) => {
  const running = config.states['running']!;
  const on = running['on'] as Record<string, unknown[]>;
  const done = on['attempt.done']!;
  config.states['running'] = { ...running, on: { ...on, 'attempt.done': [done[0], done[2]] } };
  return config;
});

/** `pending` renamed `waiting`. */
const renamedPendingTask = variantOf(taskMachine, (config) => {
  const { pending, ...rest } = config.states;
  return { ...config, initial: 'waiting', states: { waiting: pending!, ...rest } };
});

/** `succeeded` renamed `done`. */
const renamedSucceededTask = variantOf(taskMachine, (config) => {
  const { succeeded, ...rest } = config.states;
  const running = config.states['running']!;
  const runningOn = running['on'] as Record<string, Record<string, unknown>[]>;
  const done = runningOn['attempt.done']!.map((branch) => (branch['target'] === 'succeeded' ? { ...branch, target: 'done' } : branch));
  const pending = config.states['pending']!;
  const pendingOn = pending['on'] as Record<string, Record<string, unknown>>;
  const adopt = { ...pendingOn['task.adopt'], target: 'done' };
  return {
    ...config,
    states: { ...rest, pending: { ...pending, on: { ...pendingOn, 'task.adopt': adopt } }, running: { ...running, on: { ...runningOn, 'attempt.done': done } }, done: succeeded! },
  };
});

/** A retry that does not count the new attempt. */
const uncountedRetryTask = variantOf(taskMachine, (config) => {
  const retrying = config.states['retrying']!;
  const on = retrying['on'] as Record<string, unknown>;
  const retry = { target: 'running', actions: assign({ retryAt: null, retryDelayMs: null }) };
  config.states['retrying'] = { ...retrying, on: { ...on, 'task.retry': retry } };
  return config;
});

/** An execution that always settles as succeeded. */
const alwaysSucceedsExecution = variantOf(executionMachine, (config) => {
  const running = config.states['running']!;
  config.states['running'] = { ...running, on: { ...(running['on'] as object), 'execution.settle': { target: 'succeeded' } } };
  return config;
});

function divergence(result: VerifyReplayResult) {
  if (result.ok) throw new Error(`expected a divergence, got ok after ${result.steps} steps`);
  return result.firstDivergence;
}

function seqOf(transitions: TransitionRecord[], match: (transition: TransitionRecord) => boolean): number {
  const found = transitions.find(match);
  if (!found) throw new Error('no such transition');
  return found.seq;
}

/** The same execution in a fresh memory store, its transitions without `data.event` (rows of an older engine). */
async function withoutRecordedEvents(source: Store, executionId: string): Promise<Store> {
  const store = new MemoryStore();
  const execution = (await source.getExecution(executionId))!;
  await store.createExecution(execution, await source.listTaskRuns(executionId));
  const transitions = (await source.listTransitions(executionId)).map((transition) => {
    const { event: _event, ...data } = transition.data ?? {};
    return { ...transition, data: Object.keys(data).length > 0 ? data : null };
  });
  await store.commit({ transitions, taskRuns: [], executions: [] });
  return store;
}

/** The same execution in a fresh memory store, each transition passed through `edit`. */
async function editedCopy(source: Store, executionId: string, edit: (transition: TransitionRecord) => TransitionRecord): Promise<Store> {
  const store = new MemoryStore();
  await store.createExecution((await source.getExecution(executionId))!, await source.listTaskRuns(executionId));
  await store.commit({ transitions: (await source.listTransitions(executionId)).map(edit), taskRuns: [], executions: [] });
  return store;
}

forEachStore('verifyReplay', (ctx) => {
  it('follows the recorded path of retries, a failure and skips with the shipped machines', async () => {
    const { result } = await runMixed(ctx);
    const transitions = await ctx.target.store.listTransitions(result.id);
    expect(await verifyReplay(ctx.target.store, result.id)).to.deep.equal({ ok: true, steps: transitions.length });
  });

  it('follows a cancelled execution and a fail-fast abort', async () => {
    for (const { result } of [await runCancelled(ctx), await runFailFast(ctx)]) {
      const transitions = await ctx.target.store.listTransitions(result.id);
      expect(transitions.some((transition) => transition.to === 'cancelling' || transition.to === 'aborting')).to.equal(true);
      expect(await verifyReplay(ctx.target.store, result.id)).to.deep.equal({ ok: true, steps: transitions.length });
    }
  });

  it('catches a log edited after the fact with the shipped machines: an event that leads elsewhere, a state recorded wrong', async () => {
    const { result } = await runMixed(ctx);
    const transitions = await ctx.target.store.listTransitions(result.id);
    const firstRetry = seqOf(transitions, (transition) => transition.to === 'retrying');
    const edited = (edit: (transition: TransitionRecord) => TransitionRecord) => editedCopy(ctx.target.store, result.id, (transition) => (transition.seq === firstRetry ? edit(transition) : transition));
    const succeeded = await edited((transition) => ({ ...transition, data: { ...transition.data, event: { type: 'attempt.done', outcome: { kind: 'succeeded', output: 1 } } } }));
    expect(divergence(await verifyReplay(succeeded, result.id))).to.deep.equal({
      seq: firstRetry,
      taskId: 'extract',
      expected: 'running → retrying (attempt 1)',
      actual: 'running → succeeded (attempt 1)',
    });
    const recordedWrong = await edited((transition) => ({ ...transition, attempt: 2 }));
    expect(divergence(await verifyReplay(recordedWrong, result.id))).to.deep.equal({
      seq: firstRetry,
      taskId: 'extract',
      expected: 'running → retrying (attempt 2)',
      actual: 'running → retrying (attempt 1)',
    });
  });

  it('catches a task machine where a failed attempt goes straight to failed', async () => {
    const { result } = await runMixed(ctx);
    const transitions = await ctx.target.store.listTransitions(result.id);
    const firstRetry = seqOf(transitions, (transition) => transition.to === 'retrying');
    expect(divergence(await verifyReplay(ctx.target.store, result.id, { execution: executionMachine, task: noRetryTask }))).to.deep.equal({
      seq: firstRetry,
      taskId: 'extract',
      expected: 'running → retrying (attempt 1)',
      actual: 'running → failed (attempt 1)',
    });
  });

  it('catches a renamed initial state at the first task transition', async () => {
    const { result } = await runMixed(ctx);
    const transitions = await ctx.target.store.listTransitions(result.id);
    const first = transitions.find((transition) => transition.taskId !== null)!;
    expect(divergence(await verifyReplay(ctx.target.store, result.id, { execution: executionMachine, task: renamedPendingTask }))).to.deep.equal({
      seq: first.seq,
      taskId: first.taskId,
      expected: 'pending → running (attempt 1)',
      actual: 'waiting → running (attempt 1)',
    });
  });

  it('catches a renamed final state at the first success', async () => {
    const { result } = await runMixed(ctx);
    const transitions = await ctx.target.store.listTransitions(result.id);
    const firstSuccess = transitions.find((transition) => transition.to === 'succeeded' && transition.taskId !== null)!;
    const found = divergence(await verifyReplay(ctx.target.store, result.id, { execution: executionMachine, task: renamedSucceededTask }));
    expect(found).to.deep.equal({
      seq: firstSuccess.seq,
      taskId: firstSuccess.taskId,
      expected: `running → succeeded (attempt ${firstSuccess.attempt})`,
      actual: `running → done (attempt ${firstSuccess.attempt})`,
    });
  });

  it('catches a machine that counts attempts differently', async () => {
    const { result } = await runMixed(ctx);
    const transitions = await ctx.target.store.listTransitions(result.id);
    const secondAttempt = seqOf(transitions, (transition) => transition.from === 'retrying' && transition.to === 'running');
    expect(divergence(await verifyReplay(ctx.target.store, result.id, { execution: executionMachine, task: uncountedRetryTask }))).to.deep.equal({
      seq: secondAttempt,
      taskId: 'extract',
      expected: 'retrying → running (attempt 2)',
      actual: 'retrying → running (attempt 1)',
    });
  });

  it('catches a changed execution machine, with taskId null', async () => {
    const { result } = await runMixed(ctx);
    const transitions = await ctx.target.store.listTransitions(result.id);
    expect(divergence(await verifyReplay(ctx.target.store, result.id, { execution: alwaysSucceedsExecution, task: taskMachine }))).to.deep.equal({
      seq: transitions.at(-1)!.seq,
      taskId: null,
      expected: 'running → failed',
      actual: 'running → succeeded',
    });
  });

  it('reads rows without data.event by rebuilding the events from their type and data', async () => {
    const { result } = await runMixed(ctx);
    const old = await withoutRecordedEvents(ctx.target.store, result.id);
    const transitions = await old.listTransitions(result.id);
    expect(transitions.every((transition) => transition.data?.event === undefined)).to.equal(true);
    expect(await verifyReplay(old, result.id)).to.deep.equal({ ok: true, steps: transitions.length });
    const found = divergence(await verifyReplay(old, result.id, { execution: executionMachine, task: noRetryTask }));
    expect(found).to.include({ taskId: 'extract', expected: 'running → retrying (attempt 1)', actual: 'running → failed (attempt 1)' });

    const cancelled = await runCancelled(ctx);
    const oldCancelled = await withoutRecordedEvents(ctx.target.store, cancelled.result.id);
    expect(await verifyReplay(oldCancelled, cancelled.result.id)).to.include({ ok: true });
  });

  it('reports a machine that throws on a recorded event as the divergence', async () => {
    const { result } = await runMixed(ctx);
    const transitions = await ctx.target.store.listTransitions(result.id);
    const throwing = taskMachine.provide({
      guards: {
        attemptSucceeded: () => {
          throw new Error('guard exploded');
        },
      },
    });
    const found = divergence(await verifyReplay(ctx.target.store, result.id, { execution: executionMachine, task: throwing }));
    expect(found.seq).to.equal(seqOf(transitions, (transition) => transition.event === 'attempt.done'));
    expect(found.actual).to.match(/^running → threw: .*guard exploded/s);
  });

  it('throws ExecutionNotFoundError for an unknown id', async () => {
    const error = await verifyReplay(ctx.target.store, 'nope').then(
      () => null,
      (caught: unknown) => caught,
    );
    expect(error).to.be.instanceOf(ExecutionNotFoundError);
  });
});
