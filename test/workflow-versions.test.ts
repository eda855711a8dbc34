/**
 * Workflow versions: the version is a hash of the graph (ids, names, options, edges), so
 * publishing the same id with a different graph adds a new version, new executions use it, and
 * each result records the version it ran.
 */
import { expect } from 'chai';
import { forEachStore } from './support/engines.js';

forEachStore('workflow versions', (ctx) => {
  it('gives a new version to a different graph under the same id, and records it on each execution', async () => {
    const v1 = ctx.publish('etl', (wf) => wf.addTask('extract', 'Extract', () => 'v1'));
    const first = await ctx.engine.execute('etl');
    const v2 = ctx.publish('etl', (wf) =>
      wf.addTask('extract', 'Extract', () => 'v2').addTask('load', 'Load', () => 'loaded').addDependency('extract', 'load'),
    );
    const second = await ctx.engine.execute('etl');

    expect(v1.version).to.be.a('string').and.not.equal('');
    expect(v2.version).not.to.equal(v1.version);
    expect(first.workflowVersion).to.equal(v1.version);
    expect(second.workflowVersion).to.equal(v2.version);
    expect(Object.keys(first.tasks)).to.deep.equal(['extract']);
    expect(Object.keys(second.tasks)).to.deep.equal(['extract', 'load']);
    expect(second.outputs).to.deep.equal({ extract: 'v2', load: 'loaded' });

    expect(ctx.engine.getWorkflow('etl')?.version).to.equal(v2.version);
    expect(ctx.engine.getWorkflow('etl', v1.version)?.version).to.equal(v1.version);
    expect(ctx.engine.listWorkflows()).to.deep.equal(['etl']);
    expect((await ctx.engine.getExecution(first.id)).workflowVersion).to.equal(v1.version);
    expect((await ctx.engine.getExecution(second.id)).workflowVersion).to.equal(v2.version);
  });

  it('keeps the version of an equal graph, whatever the code of its functions', () => {
    const a = ctx.publish('same', (wf) => wf.addTask('t', 'T', () => 1, { timeoutMs: 100 }));
    const b = ctx.publish('same', (wf) => wf.addTask('t', 'T', () => 2, { timeoutMs: 100 }));
    expect(b.version).to.equal(a.version);
  });

  for (const [label, change] of [
    ['a task name', { name: 'Renamed' }],
    ['a timeout', { timeoutMs: 200 }],
    ['a retry policy', { retry: { maxAttempts: 2 } }],
  ] as const) {
    it(`changes the version when ${label} changes`, () => {
      const base = ctx.publish('changing', (wf) => wf.addTask('t', 'T', () => 1, { timeoutMs: 100 }));
      const name = 'name' in change ? change.name : 'T';
      const options = { timeoutMs: 'timeoutMs' in change ? change.timeoutMs : 100, ...('retry' in change ? { retry: change.retry } : {}) };
      const changed = ctx.publish('changing', (wf) => wf.addTask('t', name, () => 1, options));
      expect(changed.version).not.to.equal(base.version);
    });
  }

  it('changes the version when an edge changes', () => {
    const forward = ctx.publish('edges', (wf) => wf.addTask('a', 'A', () => 1).addTask('b', 'B', () => 1).addDependency('a', 'b'));
    const backward = ctx.publish('edges', (wf) => wf.addTask('a', 'A', () => 1).addTask('b', 'B', () => 1).addDependency('b', 'a'));
    expect(backward.version).not.to.equal(forward.version);
  });

  it('lets a running execution finish on the version it started with', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const v1 = ctx.publish('swap', (wf) => wf.addTask('a', 'A', () => gate.then(() => 'old')).addTask('b', 'B', () => 'old b').addDependency('a', 'b'));
    const handle = ctx.engine.start('swap');
    const v2 = ctx.publish('swap', (wf) => wf.addTask('a', 'A', () => 'new').addTask('c', 'C', () => 'new c').addDependency('a', 'c'));
    release();
    const result = await handle.result;
    expect(result.workflowVersion).to.equal(v1.version);
    expect(result.outputs).to.deep.equal({ a: 'old', b: 'old b' });
    const next = await ctx.engine.execute('swap');
    expect(next.workflowVersion).to.equal(v2.version);
    expect(next.outputs).to.deep.equal({ a: 'new', c: 'new c' });
  });
});
