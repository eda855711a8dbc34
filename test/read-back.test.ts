/**
 * Reading executions back from the store: `getExecution(id)` has exactly the shape and values of
 * the result, `listExecutions` filters, and a second engine opened on the same storage sees all
 * of it (the memory store is shared by passing the same store object).
 */
import { expect } from 'chai';
import { ExecutionNotFoundError, InvalidOptionsError } from '../lib/index.js';
import type { Engine, EngineEvent, ExecutionResult } from '../lib/index.js';
import { deferred, forEachStore, whenAborted } from './support/engines.js';

forEachStore('read-back', (ctx) => {
  /** Publishes a workflow that succeeds, fails (one task, downstream skipped) or waits to be cancelled. */
  function publishMixed() {
    const waiting = deferred();
    ctx.publish('mixed', (wf) =>
      wf
        .addTask('prepare', 'Prepare', (input: { mode: string }) => ({ mode: input.mode, items: [1, 2, 3], nested: { ok: true } }))
        .addTask('work', 'Work', async (input: { mode: string }, taskCtx) => {
          taskCtx.logger.info('working', { mode: input.mode });
          if (input.mode === 'fail') throw new Error('work failed');
          if (input.mode === 'cancel') {
            waiting.resolve();
            await whenAborted(taskCtx.signal);
          }
          return 'worked';
        })
        .addTask('finish', 'Finish', () => ({ done: true }))
        .addDependency('prepare', 'work')
        .addDependency('work', 'finish'),
    );
    return waiting.promise;
  }

  async function runAll(engine: Engine, started: Promise<void>): Promise<Record<'succeeded' | 'failed' | 'cancelled', ExecutionResult>> {
    const succeeded = await engine.execute('mixed', { mode: 'ok' });
    const failed = await engine.execute('mixed', { mode: 'fail' });
    const handle = engine.start('mixed', { mode: 'cancel' });
    await started;
    handle.cancel('read-back test');
    const cancelled = await handle.result;
    return { succeeded, failed, cancelled };
  }

  // Regression: on SQLite and MySQL the result's finishedAt was a few ms later than the stored
  // one (ExecutionRun.finish() took a new Date() instead of the committed transition's time).
  it('returns from getExecution(id) exactly what execute resolved with', async () => {
    const results = await runAll(ctx.engine, publishMixed());
    expect(results.succeeded.status).to.equal('succeeded');
    expect(results.failed.status).to.equal('failed');
    expect(results.cancelled.status).to.equal('cancelled');
    for (const result of Object.values(results)) {
      const stored = await ctx.engine.getExecution(result.id);
      expect(stored).to.deep.equal(result);
      expect(Object.keys(stored.tasks)).to.deep.equal(Object.keys(result.tasks));
    }
    expect(results.succeeded.outputs['prepare']).to.deep.equal({ mode: 'ok', items: [1, 2, 3], nested: { ok: true } });
  });

  it('shows a running execution as running, with its running task', async () => {
    const release = deferred();
    const inside = deferred();
    ctx.publish('live', (wf) =>
      wf
        .addTask('first', 'First', () => 1)
        .addTask('second', 'Second', async () => {
          inside.resolve();
          await release.promise;
        })
        .addDependency('first', 'second'),
    );
    // The task function may start before its 'running' transition is committed; the
    // task.running event is emitted once it is.
    const committedRunning = deferred();
    ctx.engine.events.on('task.running', (event: EngineEvent) => {
      if (event.taskId === 'second') committedRunning.resolve();
    });
    const handle = ctx.engine.start('live', { x: 1 });
    await Promise.all([inside.promise, committedRunning.promise]);
    const during = await ctx.engine.getExecution(handle.id);
    release.resolve();
    await handle.result;
    expect(during.status).to.equal('running');
    expect(during.input).to.deep.equal({ x: 1 });
    expect(during.tasks['first']).to.include({ status: 'succeeded', attempts: 1 });
    expect(during.tasks['second']).to.include({ status: 'running', attempts: 1 });
    expect(during.finishedAt).to.equal(undefined);
  });

  it('numbers the transitions of each execution 1, 2, 3, ... without gaps', async () => {
    const results = await runAll(ctx.engine, publishMixed());
    for (const result of Object.values(results)) {
      const transitions = await ctx.engine.listTransitions(result.id);
      expect(transitions.map((t) => t.seq)).to.deep.equal(transitions.map((_, i) => i + 1));
      expect(transitions[0]).to.deep.include({ taskId: null, from: 'pending', to: 'running' });
      expect(transitions.at(-1)).to.deep.include({ taskId: null, to: result.status });
    }
  });

  it('throws ExecutionNotFoundError for an unknown id from every read', async () => {
    for (const read of [
      () => ctx.engine.getExecution('no-such-id'),
      () => ctx.engine.listTransitions('no-such-id'),
      () => ctx.engine.listLogs('no-such-id'),
      () => ctx.engine.listSpans('no-such-id'),
    ]) {
      let caught: unknown;
      await read().catch((error: unknown) => (caught = error));
      expect(caught).to.be.instanceOf(ExecutionNotFoundError);
      expect((caught as ExecutionNotFoundError).executionId).to.equal('no-such-id');
    }
  });

  it('lists executions newest first, filtered by workflow and status, limited and offset', async () => {
    const results = await runAll(ctx.engine, publishMixed());
    ctx.publish('other', (wf) => wf.addTask('t', 'T', () => 1));
    const other = await ctx.engine.execute('other');
    const ids = async (filter: Parameters<Engine['listExecutions']>[0]) => (await ctx.engine.listExecutions(filter)).map((record) => record.id);

    expect(await ids({})).to.have.members([results.succeeded.id, results.failed.id, results.cancelled.id, other.id]);
    expect(await ids({ workflowId: 'mixed' })).to.have.members([results.succeeded.id, results.failed.id, results.cancelled.id]);
    expect(await ids({ workflowId: 'other' })).to.deep.equal([other.id]);
    expect(await ids({ status: 'failed' })).to.deep.equal([results.failed.id]);
    expect(await ids({ status: ['failed', 'cancelled'] })).to.have.members([results.failed.id, results.cancelled.id]);
    expect(await ids({ workflowId: 'mixed', status: 'succeeded' })).to.deep.equal([results.succeeded.id]);
    expect(await ids({ workflowId: 'nothing' })).to.deep.equal([]);

    const all = await ctx.engine.listExecutions();
    const created = all.map((record) => record.createdAt.getTime());
    expect(created).to.deep.equal([...created].sort((a, b) => b - a));
    expect(await ids({ limit: 2 })).to.deep.equal(all.slice(0, 2).map((record) => record.id));
    expect(await ids({ limit: 2, offset: 1 })).to.deep.equal(all.slice(1, 3).map((record) => record.id));

    const record = all.find((each) => each.id === results.failed.id)!;
    expect(record).to.deep.include({ workflowId: 'mixed', status: 'failed', input: { mode: 'fail' }, failurePolicy: 'continue', concurrency: 8 });
    expect(record.error).to.deep.equal(results.failed.error);
    expect(record.output).to.deep.equal({});
    const succeeded = all.find((each) => each.id === results.succeeded.id)!;
    expect(succeeded.output).to.deep.equal({ finish: { done: true } });
  });

  it('refuses a bad listExecutions filter with an InvalidOptionsError naming the value', async () => {
    for (const [filter, option] of [
      [{ limit: -1 }, 'limit'],
      [{ offset: 1.5 }, 'offset'],
      [{ status: 'done' }, 'status'],
      [{ status: ['failed', 'nope'] }, 'status'],
    ] as const) {
      const error = await ctx.engine.listExecutions(filter as never).then(() => null, (caught: Error) => caught);
      expect(error, JSON.stringify(filter)).to.be.instanceOf(InvalidOptionsError);
      expect((error as InvalidOptionsError).option).to.equal(option);
    }
  });

  it('shows everything to a second engine opened on the same storage', async () => {
    const results = await runAll(ctx.engine, publishMixed());
    const mine = {
      executions: await ctx.engine.listExecutions(),
      details: await Promise.all(Object.values(results).map((result) => ctx.engine.getExecution(result.id))),
      transitions: await ctx.engine.listTransitions(results.failed.id),
      logs: await ctx.engine.listLogs(results.failed.id),
      spans: await ctx.engine.listSpans(results.failed.id),
    };
    const other = await ctx.openEngine();
    try {
      // The other engine has not published 'mixed': it reads from the store alone.
      expect(other.listWorkflows()).to.deep.equal([]);
      expect(withoutOwnership(await other.listExecutions())).to.deep.equal(withoutOwnership(mine.executions));
      expect(await Promise.all(Object.values(results).map((result) => other.getExecution(result.id)))).to.deep.equal(mine.details);
      expect(await other.listTransitions(results.failed.id)).to.deep.equal(mine.transitions);
      expect(await other.listLogs(results.failed.id)).to.deep.equal(mine.logs);
      expect(await other.listSpans(results.failed.id)).to.deep.equal(mine.spans);
      expect(mine.logs.map((log) => log.message)).to.include('working');
      expect(mine.details.map((details) => details.status)).to.deep.equal(['succeeded', 'failed', 'cancelled']);
    } finally {
      await other.close();
    }
  });

  it('shows everything to an engine opened after the first one closed', async () => {
    const results = await runAll(ctx.engine, publishMixed());
    const before = await Promise.all(Object.values(results).map((result) => ctx.engine.getExecution(result.id)));
    const reopened = await ctx.reopenEngine();
    expect(await Promise.all(Object.values(results).map((result) => reopened.getExecution(result.id)))).to.deep.equal(before);
    expect((await reopened.listLogs(results.succeeded.id)).map((log) => log.message)).to.include('working');
    expect(await reopened.listSpans(results.succeeded.id)).to.have.length(4);
  });
});

/** Ownership fields change when an engine closes (it releases what it owned). */
function withoutOwnership<T extends { ownerId: unknown; heartbeatAt: unknown }>(records: T[]): Omit<T, 'ownerId' | 'heartbeatAt'>[] {
  return records.map(({ ownerId: _ownerId, heartbeatAt: _heartbeatAt, ...rest }) => rest);
}
