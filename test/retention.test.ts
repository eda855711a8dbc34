/**
 * createEngine({ retention }): the engine deletes finished executions by age and by count, every
 * intervalMs on every store, and on the memory store after each execution finishes; never an
 * unfinished one; nothing once the engine is closed.
 */
import { expect } from 'chai';
import { createEngine, InvalidOptionsError } from '../lib/index.js';
import type { EngineOptions, ExecutionResult, RetentionOptions, Store } from '../lib/index.js';
import { MemoryStore } from '../lib/store/MemoryStore.js';
import { deferred, forEachStore, sleep, waitUntil } from './support/engines.js';
import { execution } from './support/records.js';

forEachStore('retention', (ctx) => {
  const ids = async () => (await ctx.target.store.listExecutions()).map((record) => record.id);

  function publishOne() {
    ctx.publish('one', (wf) =>
      wf.addTask('a', 'A', (_input: unknown, taskCtx) => {
        taskCtx.logger.info('a ran');
        return 1;
      }),
    );
  }

  it('deletes executions finished more than maxAge ago, every intervalMs, and never an unfinished one', async () => {
    await ctx.reopenEngine({ retention: { maxAge: 0, intervalMs: 10 } });
    const release = deferred();
    ctx.publish('held', (wf) => wf.addTask('a', 'A', () => release.promise.then(() => 'released')));
    const held = ctx.engine.start('held');
    publishOne();
    const finished = [await ctx.engine.execute('one'), await ctx.engine.execute('one')];
    await waitUntil(async () => (await ids()).length === 1, 'retention deleted the finished executions');
    expect(await ids()).to.deep.equal([held.id]);
    for (const { id } of finished) {
      expect(await ctx.target.store.listTransitions(id)).to.deep.equal([]);
      expect(await ctx.target.store.listTaskRuns(id)).to.deep.equal([]);
    }
    await sleep(50); // several more sweeps: the unfinished execution stays
    expect(await ids()).to.deep.equal([held.id]);
    release.resolve();
    expect((await held.result).status).to.equal('succeeded');
  });

  it('keeps the maxExecutions most recently finished, every intervalMs', async () => {
    await ctx.reopenEngine({ retention: { maxExecutions: 2, intervalMs: 10 } });
    publishOne();
    const results: ExecutionResult[] = [];
    for (let index = 0; index < 6; index++) results.push(await ctx.engine.execute('one'));
    await waitUntil(async () => (await ids()).length === 2, 'retention kept 2 executions');
    expectNewestKept(results, await ids());
    for (const result of results) if (!(await ids()).includes(result.id)) expect(await ctx.target.store.listLogs(result.id)).to.deep.equal([]);
  });
});

forEachStore(
  'retention on the memory store',
  (ctx) => {
    it('holds at most maxExecutions finished executions after each one finishes, not only every intervalMs', async () => {
      // An hour between sweeps: only the sweep after each finished execution can bound the store.
      await ctx.reopenEngine({ retention: { maxExecutions: 5, intervalMs: 3_600_000 } });
      ctx.publish('one', (wf) =>
        wf.addTask('a', 'A', (_input: unknown, taskCtx) => {
          taskCtx.logger.info('a ran');
          return 1;
        }),
      );
      const results: ExecutionResult[] = [];
      for (let index = 0; index < 40; index++) results.push(await ctx.engine.execute('one'));
      const held = async () => (await ctx.target.store.listExecutions()).map((record) => record.id).sort();
      await waitUntil(async () => (await held()).length === 5, 'the store holds 5 executions');
      const kept = await held();
      expectNewestKept(results, kept);
      for (const result of results.filter(({ id }) => !kept.includes(id))) {
        expect(await ctx.target.store.listLogs(result.id), 'logs of a deleted execution').to.deep.equal([]);
        expect(await ctx.target.store.listSpans(result.id), 'spans of a deleted execution').to.deep.equal([]);
      }
    });
  },
  // The sweep after each finished execution is the memory store's: on a SQL store it would be a
  // query per execution, and the timer (tested above on every store) does it.
  { only: ['memory'] },
);

/** The kept executions finished no earlier than any deleted one (ties within a millisecond go either way). */
function expectNewestKept(results: readonly ExecutionResult[], kept: readonly string[]): void {
  const finishedAt = (result: ExecutionResult) => result.finishedAt!.getTime();
  const keptResults = results.filter((result) => kept.includes(result.id));
  const deleted = results.filter((result) => !kept.includes(result.id));
  expect(keptResults, 'kept executions are among those run').to.have.length(kept.length);
  expect(Math.min(...keptResults.map(finishedAt)), 'the oldest kept').to.be.at.least(Math.max(...deleted.map(finishedAt)));
}

describe('retention options', () => {
  it('refuses bad options, naming the option and the value', async () => {
    const refusals: Array<[unknown, string, RegExp]> = [
      ['7d', 'retention', /"7d".*an object/],
      [{ maxAge: -1 }, 'retention.maxAge', /-1.*milliseconds >= 0/],
      [{ maxAge: '7d' }, 'retention.maxAge', /"7d"/],
      [{ maxExecutions: 2.5 }, 'retention.maxExecutions', /2\.5.*an integer >= 0/],
      [{ maxExecutions: 10, intervalMs: 0 }, 'retention.intervalMs', /0.*from 1 to 2147483647/],
      [{ maxExecutions: 10, intervalMs: 2 ** 31 }, 'retention.intervalMs', /2147483648/],
      [{ maxAgeMs: 1000 }, 'retention.maxAgeMs', /^Unknown option retention\.maxAgeMs of createEngine\. Did you mean retention\.maxAge\?$/],
      [{ keep: 10 }, 'retention.keep', /^Unknown option retention\.keep of createEngine\. Known options: retention\.maxAge, retention\.maxExecutions, retention\.intervalMs\.$/],
    ];
    for (const [retention, option, message] of refusals) {
      const error = await createEngine({ storage: 'memory', logLevel: 'error', retention } as EngineOptions).then(
        async (engine) => (await engine.close(), null),
        (caught: unknown) => caught,
      );
      expect(error, JSON.stringify(retention)).to.be.instanceOf(InvalidOptionsError);
      expect((error as InvalidOptionsError).option, JSON.stringify(retention)).to.equal(option);
      expect((error as Error).message, JSON.stringify(retention)).to.match(message);
    }
  });

  it('stops when the engine closes: the store is not pruned after close()', async () => {
    const memory = new MemoryStore();
    let prunes = 0;
    const store: Store = Object.assign(Object.create(memory) as MemoryStore, {
      pruneExecutions: (criteria: Parameters<Store['pruneExecutions']>[0]) => ((prunes += 1), memory.pruneExecutions(criteria)),
    });
    const retention: RetentionOptions = { maxAge: 0, intervalMs: 5 };
    const engine = await createEngine({ storage: store, logLevel: 'error', retention });
    await waitUntil(() => prunes > 0, 'retention pruned once');
    await engine.close();
    const after = prunes;
    await memory.createExecution(execution('finished', { status: 'succeeded', finishedAt: new Date(0) }), []);
    await sleep(50); // ten intervals
    expect(prunes, 'prunes after close').to.equal(after);
    expect(await memory.getExecution('finished')).to.not.equal(null);
  });
});
