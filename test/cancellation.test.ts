/**
 * Cancelling an execution, through `options.signal` or `handle.cancel()`: it ends 'cancelled',
 * running tasks see their signal aborted, tasks not started end 'cancelled', every task ends in
 * a terminal state.
 */
import { expect } from 'chai';
import { getEventListeners } from 'node:events';
import type { ExecutionResult } from '../lib/index.js';
import { deferred, forEachStore, TERMINAL_TASK_STATUSES, waitUntil, whenAborted } from './support/engines.js';

function expectAllTerminal(result: ExecutionResult): void {
  for (const [id, task] of Object.entries(result.tasks)) {
    expect(TERMINAL_TASK_STATUSES, `task ${id}`).to.include(task.status);
  }
}

forEachStore('cancellation', (ctx) => {
  /** A workflow: 'a' and 'b' wait for their signal, 'c' runs after 'a'; reports who started and who saw the abort. */
  function publishWaiting(id: string) {
    const seen = { started: [] as string[], aborted: [] as string[], reasons: [] as unknown[] };
    const bothStarted = deferred();
    const waiter = (taskId: string) => async (_input: unknown, taskCtx: { signal: AbortSignal }) => {
      seen.started.push(taskId);
      if (seen.started.length === 2) bothStarted.resolve();
      seen.reasons.push(await whenAborted(taskCtx.signal));
      seen.aborted.push(taskId);
      throw new Error(`${taskId} stopped`);
    };
    ctx.publish(id, (wf) =>
      wf
        .addTask('a', 'A', waiter('a'))
        .addTask('b', 'B', waiter('b'))
        .addTask('c', 'C', () => void seen.started.push('c'))
        .addDependency('a', 'c'),
    );
    return { seen, bothStarted: bothStarted.promise };
  }

  // Regression: the supervisor cancelled its children inside its own step, so the log recorded
  // the tasks' running → cancelled before the execution's running → cancelling that caused it.
  it('records the execution cancelling before the tasks it cancels', async () => {
    const { bothStarted } = publishWaiting('cause-first');
    const handle = ctx.engine.start('cause-first');
    await bothStarted;
    handle.cancel('stop');
    const result = await handle.result;
    const transitions = await ctx.engine.listTransitions(result.id);
    const cancelling = transitions.find((t) => t.taskId === null && t.to === 'cancelling')!;
    const cancelledTasks = transitions.filter((t) => t.taskId !== null && t.to === 'cancelled');
    expect(cancelledTasks.map((t) => t.taskId).sort()).to.deep.equal(['a', 'b', 'c']);
    for (const task of cancelledTasks) expect(task.seq, `task ${task.taskId}`).to.be.greaterThan(cancelling.seq);
  });

  it('cancels through options.signal: running tasks see the abort, the rest never start', async () => {
    const { seen, bothStarted } = publishWaiting('by-signal');
    const controller = new AbortController();
    const running = ctx.engine.execute('by-signal', {}, { signal: controller.signal });
    await bothStarted;
    controller.abort('the user pressed stop');
    const result = await running;
    expect(result.status).to.equal('cancelled');
    expect(seen.aborted.sort()).to.deep.equal(['a', 'b']);
    expect(seen.started.sort()).to.deep.equal(['a', 'b']);
    expect(result.tasks['a']).to.include({ status: 'cancelled', attempts: 1 });
    expect(result.tasks['b']).to.include({ status: 'cancelled', attempts: 1 });
    expect(result.tasks['c']).to.include({ status: 'cancelled', attempts: 0 });
    expect(result.error).to.deep.equal({ name: 'ExecutionCancelled', message: 'the user pressed stop', code: 'EXECUTION_CANCELLED' });
    expectAllTerminal(result);
    expect((await ctx.engine.getExecution(result.id)).status).to.equal('cancelled');
  });

  it('uses the message of an Error given as the abort reason', async () => {
    const { bothStarted } = publishWaiting('error-reason');
    const controller = new AbortController();
    const running = ctx.engine.execute('error-reason', {}, { signal: controller.signal });
    await bothStarted;
    controller.abort(new Error('shutting down'));
    const result = await running;
    expect(result.status).to.equal('cancelled');
    expect(result.error?.message).to.equal('shutting down');
  });

  it('cancels through handle.cancel(reason)', async () => {
    const { seen, bothStarted } = publishWaiting('by-handle');
    const handle = ctx.engine.start('by-handle');
    await bothStarted;
    handle.cancel('no longer needed');
    const result = await handle.result;
    expect(result.status).to.equal('cancelled');
    expect(handle.status).to.equal('cancelled');
    expect(seen.aborted.sort()).to.deep.equal(['a', 'b']);
    expect(result.error?.message).to.equal('no longer needed');
    expectAllTerminal(result);
    expect(handle.progress()).to.deep.include({ cancelled: 3, running: 0, pending: 0, total: 3 });
  });

  it('cancels through engine.cancel(id, reason), and refuses an execution this engine does not run', async () => {
    const { seen, bothStarted } = publishWaiting('by-id');
    const handle = ctx.engine.start('by-id');
    await bothStarted;
    await ctx.engine.cancel(handle.id, 'stopped by id');
    const result = await handle.result;
    expect(result.status).to.equal('cancelled');
    expect(result.error?.message).to.equal('stopped by id');
    expect(seen.aborted.sort()).to.deep.equal(['a', 'b']);

    const finished = await ctx.engine.cancel(handle.id).catch((error: unknown) => error);
    expect(finished).to.include({ code: 'NOT_RUNNING_HERE', executionId: handle.id });
    expect((finished as Error).message).to.contain('it has finished');
    const unknown = await ctx.engine.cancel('no-such-execution').catch((error: unknown) => error);
    expect(unknown).to.include({ code: 'EXECUTION_NOT_FOUND' });
  });

  it('runs nothing when the signal is already aborted', async () => {
    const { seen } = publishWaiting('pre-aborted');
    const result = await ctx.engine.execute('pre-aborted', {}, { signal: AbortSignal.abort('too late') });
    expect(result.status).to.equal('cancelled');
    expect(seen.started).to.deep.equal([]);
    expect(Object.values(result.tasks).map((task) => task.status)).to.deep.equal(['cancelled', 'cancelled', 'cancelled']);
    expect(result.error?.message).to.equal('too late');
  });

  it('cancels an execution cancelled at once after start(), before its first task', async () => {
    const { seen } = publishWaiting('immediate');
    const handle = ctx.engine.start('immediate');
    handle.cancel('changed my mind');
    const result = await handle.result;
    expect(result.status).to.equal('cancelled');
    expect(seen.started).to.deep.equal([]);
    expectAllTerminal(result);
  });

  it('cancels a task waiting for a retry', async () => {
    let attempts = 0;
    ctx.publish('retrying', (wf) =>
      wf.addTask(
        't',
        'T',
        () => {
          attempts += 1;
          throw new Error('later');
        },
        { retry: { maxAttempts: 5, initialDelayMs: 60_000, jitter: 'none' } },
      ),
    );
    const handle = ctx.engine.start('retrying');
    await waitUntil(() => handle.progress().retrying === 1, 'the task waits for its retry');
    handle.cancel('stop retrying');
    const result = await handle.result;
    expect(result.status).to.equal('cancelled');
    expect(attempts).to.equal(1);
    expect(result.tasks['t']).to.include({ status: 'cancelled', attempts: 1 });
    expect(result.tasks['t']!.nextRetryAt).to.equal(undefined);
  });

  it('keeps what succeeded before the cancel', async () => {
    const gate = deferred();
    ctx.publish('partial', (wf) =>
      wf
        .addTask('done', 'Done', () => 'kept')
        .addTask('waiting', 'Waiting', async (_input, taskCtx) => {
          gate.resolve();
          await whenAborted(taskCtx.signal);
        })
        .addDependency('done', 'waiting'),
    );
    const handle = ctx.engine.start('partial');
    await gate.promise;
    handle.cancel();
    const result = await handle.result;
    expect(result.status).to.equal('cancelled');
    expect(result.tasks['done']!.status).to.equal('succeeded');
    expect(result.outputs).to.deep.equal({ done: 'kept' });
    expect(result.tasks['waiting']!.status).to.equal('cancelled');
  });

  it('ignores a cancel after the execution finished, and a second cancel', async () => {
    ctx.publish('finished', (wf) => wf.addTask('t', 'T', () => 1));
    const controller = new AbortController();
    const handle = ctx.engine.start('finished', {}, { signal: controller.signal });
    const result = await handle.result;
    handle.cancel('too late');
    handle.cancel('again');
    controller.abort();
    expect(result.status).to.equal('succeeded');
    expect(handle.status).to.equal('succeeded');
    expect((await ctx.engine.getExecution(handle.id)).status).to.equal('succeeded');
  });

  it('emits execution.cancelled and task.cancelled events', async () => {
    const { bothStarted } = publishWaiting('events');
    const seen: string[] = [];
    ctx.engine.events.on('**', (event: { type: string; taskId: string | null }) => {
      seen.push(event.taskId ? `${event.type}:${event.taskId}` : event.type);
    });
    const handle = ctx.engine.start('events');
    await bothStarted;
    handle.cancel();
    await handle.result;
    expect(seen.at(-1)).to.equal('execution.cancelled');
    expect(seen).to.include.members(['task.cancelled:a', 'task.cancelled:b', 'task.cancelled:c']);
  });

  it('cancels one execution of a workflow and lets another run on', async () => {
    const gate = deferred();
    let runs = 0;
    ctx.publish('two-runs', (wf) =>
      wf.addTask('t', 'T', async (_input, taskCtx) => {
        runs += 1;
        if (runs === 1) {
          await whenAborted(taskCtx.signal);
          return 'aborted';
        }
        await gate.promise;
        return 'finished';
      }),
    );
    const first = ctx.engine.start('two-runs');
    await waitUntil(() => runs === 1, 'the first execution runs');
    const second = ctx.engine.start('two-runs');
    await waitUntil(() => runs === 2, 'the second execution runs');
    first.cancel();
    expect((await first.result).status).to.equal('cancelled');
    gate.resolve();
    const result = await second.result;
    expect(result.status).to.equal('succeeded');
    expect(result.outputs['t']).to.equal('finished');
  });

  // Regression: Engine.start() added an 'abort' listener to options.signal and never removed it,
  // so an application passing one long-lived signal (a shutdown signal) to every execution kept
  // every finished execution reachable, and Node warned of a listener leak.
  it('releases its listener on options.signal once the execution ends', async () => {
    ctx.publish('shared-signal', (wf) => wf.addTask('t', 'T', () => 1));
    const shutdown = new AbortController();
    for (let i = 0; i < 3; i++) {
      expect((await ctx.engine.execute('shared-signal', {}, { signal: shutdown.signal })).status).to.equal('succeeded');
    }
    expect(getEventListeners(shutdown.signal, 'abort')).to.have.length(0);
  });
});
