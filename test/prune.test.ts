/**
 * engine.prune on every store: it deletes finished executions that finished before the cutoff,
 * with every row recorded of them, and nothing else; what it leaves stays readable and an
 * unfinished execution stays resumable.
 */
import { expect } from 'chai';
import { EngineClosedError, ExecutionNotFoundError, InvalidOptionsError } from '../lib/index.js';
import type { Engine, ExecutionResult, PruneOptions, TaskContext } from '../lib/index.js';
import { deferred, forEachStore, sleep, whenAborted } from './support/engines.js';

forEachStore('prune', (ctx) => {
  /** 'work' logs, then succeeds, fails or waits for cancellation (or for `release`), by input. */
  function publishWork(release = Promise.resolve()) {
    const started = deferred();
    ctx.publish('work', (wf) =>
      wf
        .addTask('prepare', 'Prepare', (_input: unknown, taskCtx: TaskContext) => {
          taskCtx.logger.info('preparing');
          return { ready: true };
        })
        .addTask('work', 'Work', async (input: { mode: string }, taskCtx: TaskContext) => {
          taskCtx.logger.info('working', { mode: input.mode });
          if (input.mode === 'fail') throw new Error('work failed');
          if (input.mode === 'cancel') {
            started.resolve();
            await whenAborted(taskCtx.signal);
          }
          if (input.mode === 'wait') {
            started.resolve();
            await release;
          }
          return 'worked';
        })
        .addDependency('prepare', 'work'),
    );
    return started.promise;
  }

  async function cancelled(engine: Engine, started: Promise<void>): Promise<ExecutionResult> {
    const handle = engine.start('work', { mode: 'cancel' });
    await started;
    handle.cancel('prune test');
    return handle.result;
  }

  /** Everything the store holds of an execution. */
  async function recorded(id: string) {
    const { store } = ctx.target;
    return {
      execution: await store.getExecution(id),
      taskRuns: await store.listTaskRuns(id),
      transitions: await store.listTransitions(id),
      logs: await store.listLogs(id),
      spans: await store.listSpans(id),
    };
  }
  const nothing = { execution: null, taskRuns: [], transitions: [], logs: [], spans: [] };

  it('deletes what finished before the cutoff, with every row of it, and leaves the rest readable and resumable', async () => {
    let open = () => undefined as void;
    const waiting = publishWork(new Promise<void>((resolve) => (open = resolve)));
    const unfinished = ctx.engine.start('work', { mode: 'wait' });
    unfinished.result.catch(() => undefined); // rejects when the engine closes below
    await waiting;
    const old = [await ctx.engine.execute('work', { mode: 'ok' }), await ctx.engine.execute('work', { mode: 'fail' })];
    const cutoff = new Date(Math.max(...old.map((result) => result.finishedAt!.getTime())) + 1);
    while (Date.now() <= cutoff.getTime()) await sleep(1);
    const recent = await ctx.engine.execute('work', { mode: 'ok' });
    await ctx.reopenEngine(); // flushes every log and span; `unfinished` stays running in the store
    open(); // lets the closed engine's abandoned attempt end; the resumed one does not wait
    void publishWork();
    for (const result of old) expect((await recorded(result.id)).logs, 'logs recorded before the prune').to.not.deep.equal([]);
    const recentBefore = await recorded(recent.id);
    const unfinishedBefore = await recorded(unfinished.id);

    expect(await ctx.engine.prune({ olderThan: cutoff })).to.deep.equal({ deleted: 2 });

    for (const result of old) {
      expect(await recorded(result.id), result.status).to.deep.equal(nothing);
      const error = await ctx.engine.getExecution(result.id).then(() => null, (caught: unknown) => caught);
      expect(error).to.be.instanceOf(ExecutionNotFoundError);
    }
    expect(await recorded(recent.id)).to.deep.equal(recentBefore);
    expect((await ctx.engine.getExecution(recent.id)).status).to.equal('succeeded');
    expect(await recorded(unfinished.id)).to.deep.equal(unfinishedBefore);

    // 0 ms: everything finished, and still not the unfinished execution, which then resumes.
    expect(await ctx.engine.prune({ olderThan: 0 })).to.deep.equal({ deleted: 1 });
    const resumed = await ctx.engine.resume(unfinished.id);
    expect(resumed.status).to.equal('succeeded');
    expect(resumed.outputs['work']).to.equal('worked');
  });

  it('deletes only the statuses asked for', async () => {
    const started = publishWork();
    const succeeded = await ctx.engine.execute('work', { mode: 'ok' });
    const failed = await ctx.engine.execute('work', { mode: 'fail' });
    const cancel = await cancelled(ctx.engine, started);
    expect(cancel.status).to.equal('cancelled');
    expect(await ctx.engine.prune({ olderThan: 0, status: ['failed', 'cancelled'] })).to.deep.equal({ deleted: 2 });
    expect((await ctx.engine.listExecutions()).map((record) => record.id)).to.deep.equal([succeeded.id]);
    expect(await ctx.engine.prune({ olderThan: 0, status: 'failed' })).to.deep.equal({ deleted: 0 });
    expect(await ctx.engine.prune({ olderThan: 0, status: 'succeeded' })).to.deep.equal({ deleted: 1 });
    expect(await recorded(failed.id)).to.deep.equal(nothing);
  });

  it('deletes the logs and spans still on their way to the store with their execution', async () => {
    void publishWork();
    const result = await ctx.engine.execute('work', { mode: 'ok' });
    // The execution's span and its tasks' logs are still buffered (written in batches, off the
    // critical path); the prune must not leave them to arrive after it.
    expect(await ctx.engine.prune({ olderThan: 0 })).to.deep.equal({ deleted: 1 });
    await ctx.engine.close(); // writes whatever is still buffered
    expect(await recorded(result.id)).to.deep.equal(nothing);
  });

  it('deletes more executions than one batch (100)', async () => {
    ctx.publish('one', (wf) => wf.addTask('a', 'A', () => 1));
    const results = await Promise.all(Array.from({ length: 130 }, () => ctx.engine.execute('one')));
    expect(results.every((result) => result.status === 'succeeded')).to.equal(true);
    expect(await ctx.engine.prune({ olderThan: 0 })).to.deep.equal({ deleted: 130 });
    expect(await ctx.engine.listExecutions()).to.deep.equal([]);
  });

  it('refuses unfinished statuses and bad options, naming them, and deletes nothing', async () => {
    void publishWork();
    const kept = await ctx.engine.execute('work', { mode: 'ok' });
    const refusals: Array<[unknown, string, RegExp]> = [
      [{ olderThan: 0, status: 'running' }, 'status', /"running".*only finished executions are pruned/],
      [{ olderThan: 0, status: ['failed', 'pending'] }, 'status', /"pending"/],
      [{ olderThan: 0, status: 'done' }, 'status', /"done".*'succeeded', 'failed', 'cancelled'/],
      [{ olderThan: 0, status: [] }, 'status', /at least one/],
      [{ olderThan: -1 }, 'olderThan', /-1.*a Date, or a duration in milliseconds/],
      [{ olderThan: '30d' }, 'olderThan', /"30d"/],
      [{ olderThan: new Date('nope') }, 'olderThan', /a Date/],
      [{}, 'olderThan', /undefined/],
      [{ olderThan: 0, olderThanMs: 5 }, 'olderThanMs', /^Unknown option olderThanMs of prune\. Did you mean olderThan\?$/],
      [{ olderThan: 0, statuses: ['failed'] }, 'statuses', /^Unknown option statuses of prune\. Did you mean status\?$/],
      [{ olderThan: 0, limit: 5 }, 'limit', /^Unknown option limit of prune\. Known options: olderThan, status\.$/],
      [null, 'options', /an object/],
    ];
    for (const [options, option, message] of refusals) {
      const error = await ctx.engine.prune(options as PruneOptions).then(() => null, (caught: unknown) => caught);
      expect(error, JSON.stringify(options)).to.be.instanceOf(InvalidOptionsError);
      expect((error as InvalidOptionsError).option, JSON.stringify(options)).to.equal(option);
      expect((error as Error).message, JSON.stringify(options)).to.match(message);
    }
    expect((await ctx.engine.getExecution(kept.id)).status).to.equal('succeeded');
    await ctx.engine.close();
    const closed = await ctx.engine.prune({ olderThan: 0 }).then(() => null, (caught: unknown) => caught);
    expect(closed).to.be.instanceOf(EngineClosedError);
  });

  it('stops at close, leaving whole executions behind', async () => {
    ctx.publish('one', (wf) => wf.addTask('a', 'A', () => 1));
    await Promise.all(Array.from({ length: 30 }, () => ctx.engine.execute('one')));
    const pruning = ctx.engine.prune({ olderThan: 0 });
    await ctx.engine.close();
    const { deleted } = await pruning;
    expect(deleted, 'stopped before its batch').to.be.lessThan(30);
    const left = await ctx.target.store.listExecutions();
    expect(left).to.have.length(30 - deleted);
    for (const record of left) expect(await ctx.target.store.listTransitions(record.id)).to.have.length.greaterThan(0);
  });
});
