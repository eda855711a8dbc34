/**
 * engine.fork(id, { fromTask }): a finished execution re-run from a chosen task onward, as a new
 * execution; the tasks it does not re-run adopt the outputs the source recorded.
 */
import { expect } from 'chai';
import { InvalidOptionsError } from '../lib/index.js';
import type { ForkOptions } from '../lib/index.js';
import { forEachStore } from './support/engines.js';

forEachStore('fork', (ctx) => {
  function publish(runs: string[], failLoad: { value: boolean }) {
    const record = (id: string, output: unknown) => () => {
      runs.push(id);
      return output;
    };
    ctx.publish('etl', (wf) =>
      wf
        .addTask('extract', 'Extract', record('extract', { rows: 3 }))
        .addTask('side', 'Side', record('side', { side: true }))
        .addTask('load', 'Load', (input: { rows: number }) => {
          runs.push('load');
          if (failLoad.value) throw new Error('the warehouse is down');
          return { loaded: input.rows };
        })
        .addTask('report', 'Report', record('report', { sent: true }))
        .addDependency('extract', 'load')
        .addDependency('load', 'report'),
    );
  }

  it('re-runs a failed execution from a task onward, adopting the other successes', async () => {
    const runs: string[] = [];
    const failLoad = { value: true };
    publish(runs, failLoad);
    const failed = await ctx.engine.execute('etl', { day: '2026-11-27' });
    expect(failed.status).to.equal('failed');
    expect(failed.tasks['report']!.status).to.equal('skipped');

    runs.length = 0;
    failLoad.value = false;
    const handle = await ctx.engine.fork(failed.id, { fromTask: 'load' });
    const result = await handle.result;
    expect(result.id).to.not.equal(failed.id);
    expect(result.status).to.equal('succeeded');
    expect(runs.sort()).to.deep.equal(['load', 'report']); // extract and side were adopted
    expect(result.input).to.deep.equal({ day: '2026-11-27' });
    expect(result.outputs).to.deep.equal({ extract: { rows: 3 }, side: { side: true }, load: { loaded: 3 }, report: { sent: true } });
    expect(result.tasks['extract']).to.include({ status: 'succeeded', attempts: 0 });

    const transitions = await ctx.engine.listTransitions(result.id);
    expect(transitions.filter((t) => t.event === 'task.adopt').map((t) => [t.taskId, t.from, t.to])).to.deep.equal([
      ['extract', 'pending', 'succeeded'],
      ['side', 'pending', 'succeeded'],
    ]);
    const steps = await ctx.engine.replay(result.id);
    const last = steps.at(-1)!.state;
    expect(last.status).to.equal('succeeded');
    for (const [id, task] of Object.entries(result.tasks)) expect(last.tasks[id]).to.deep.equal({ status: task.status, attempt: task.attempts });
    expect(await ctx.engine.verifyReplay(result.id)).to.deep.include({ ok: true });
    // The source is untouched.
    expect((await ctx.engine.getExecution(failed.id)).status).to.equal('failed');
  });

  it('refuses an unknown task and an unfinished execution', async () => {
    const runs: string[] = [];
    publish(runs, { value: false });
    const done = await ctx.engine.execute('etl');
    const unknown = await ctx.engine.fork(done.id, { fromTask: 'nope' }).then(() => null, (error: Error) => error);
    expect(unknown).to.be.instanceOf(InvalidOptionsError);
    expect(unknown!.message).to.contain('"nope"');

    // Regression: every task id was listed (10,000 for a large workflow); the list is capped.
    const wide = ctx.publish('wide', (wf) => {
      for (let i = 0; i < 30; i++) wf.addTask(`t${i}`, `T${i}`, () => i);
      return wf;
    });
    const wideRun = await ctx.engine.execute(wide.id);
    const capped = await ctx.engine.fork(wideRun.id, { fromTask: 'nope' }).then(() => null, (error: Error) => error);
    expect(capped!.message).to.equal(
      'Invalid option fromTask: "nope". Expected a task of "wide" ("t0", "t1", "t2", "t3", "t4", "t5", "t6", "t7", "t8", "t9" and 20 more).',
    );

    // Regression: a misspelt option was silently ignored.
    const misspelt = await ctx.engine.fork(done.id, { fromTask: 'load', concurency: 1 } as ForkOptions).then(() => null, (error: Error) => error);
    expect(misspelt).to.be.instanceOf(InvalidOptionsError);
    expect(misspelt!.message).to.equal('Unknown option concurency of fork. Did you mean concurrency?');
    const from = await ctx.engine.fork(done.id, { from: 'load' } as unknown as ForkOptions).then(() => null, (error: Error) => error);
    expect(from!.message).to.equal('Unknown option from of fork. Did you mean fromTask?');

    let release = () => undefined as void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    ctx.publish('slow', (wf) => wf.addTask('wait', 'Wait', () => gate));
    const running = ctx.engine.start('slow');
    await ctx.engine.getExecution(running.id); // its rows are stored
    const unfinished = await ctx.engine.fork(running.id, { fromTask: 'wait' }).then(() => null, (error: Error) => error);
    expect(unfinished).to.be.instanceOf(InvalidOptionsError);
    expect(unfinished!.message).to.contain('resume it instead');
    release();
    expect((await running.result).status).to.equal('succeeded');
  });
});
