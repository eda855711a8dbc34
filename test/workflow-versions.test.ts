/**
 * Workflow versions: the version is a hash of the graph (ids, names, options, edges) unless one
 * is given (`createWorkflow(id, { version })`), so publishing the same id with a different graph
 * adds a new version, new executions use it, and each result records the version it ran. The
 * engine holds every version published, warns when a different definition becomes the latest,
 * and refuses a different definition under a version already held.
 */
import { expect } from 'chai';
import winston from 'winston';
import Transport from 'winston-transport';
import { WorkflowValidationError, createWorkflow } from '../lib/index.js';
import { forEachStore } from './support/engines.js';

/** A winston logger that keeps the warnings it receives. */
function warningsLogger(): { logger: winston.Logger; warnings: string[] } {
  const warnings: string[] = [];
  class Capture extends Transport {
    override log(info: Record<string, unknown>, next: () => void): void {
      if (info['level'] === 'warn') warnings.push(String(info['message']));
      next();
    }
  }
  return { logger: winston.createLogger({ level: 'info', transports: [new Capture()] }), warnings };
}

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
    expect(ctx.engine.listWorkflows()).to.deep.equal([{ id: 'etl', latest: v2.version, versions: [v1.version, v2.version] }]);
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

  it('records an explicit version, and a bumped one, on each execution', async () => {
    const june = ctx.engine.createWorkflow('release', { version: '2025-06' }).addTask('a', 'A', () => 'june').build();
    ctx.engine.publishWorkflow(june);
    const first = await ctx.engine.execute('release');
    const july = createWorkflow('release', { version: '2025-07' }).addTask('a', 'A', () => 'july').addTask('b', 'B', () => 'new').build();
    ctx.engine.publishWorkflow(july);
    const second = await ctx.engine.execute('release');
    expect(june.version).to.equal('2025-06');
    expect(june.definitionHash).to.match(/^[0-9a-f]{16}$/);
    expect(first.workflowVersion).to.equal('2025-06');
    expect(second.workflowVersion).to.equal('2025-07');
    expect((await ctx.engine.getExecution(first.id)).workflowVersion).to.equal('2025-06');
    expect(ctx.engine.listWorkflows()).to.deep.equal([{ id: 'release', latest: '2025-07', versions: ['2025-06', '2025-07'] }]);
  });

  it('refuses a different definition under a version already published, and keeps what was published', () => {
    ctx.engine.publishWorkflow(createWorkflow('pinned', { version: 'v1' }).addTask('a', 'A', () => 1).build());
    const changed = createWorkflow('pinned', { version: 'v1' }).addTask('a', 'A', () => 1).addTask('b', 'B', () => 2).build();
    let caught: unknown;
    try {
      ctx.engine.publishWorkflow(changed);
    } catch (error) {
      caught = error;
    }
    expect(caught).to.be.instanceOf(WorkflowValidationError);
    expect((caught as WorkflowValidationError).reason).to.equal('VERSION_CONFLICT');
    expect((caught as Error).message).to.include('"pinned"').and.include('"v1"');
    expect([...ctx.engine.getWorkflow('pinned', 'v1')!.tasks.keys()]).to.deep.equal(['a']);
    // The same definition under the same version publishes again without complaint.
    ctx.engine.publishWorkflow(createWorkflow('pinned', { version: 'v1' }).addTask('a', 'A', () => 1).build());
  });

  for (const version of ['', 42, 'x'.repeat(65)]) {
    it(`refuses the version ${JSON.stringify(version).slice(0, 20)} at build()`, () => {
      let caught: unknown;
      try {
        createWorkflow('bad-version', { version: version as string }).addTask('a', 'A', () => 1).build();
      } catch (error) {
        caught = error;
      }
      expect(caught).to.be.instanceOf(WorkflowValidationError);
      expect((caught as WorkflowValidationError).reason).to.equal('INVALID_VERSION');
    });
  }

  it('warns when a different definition becomes the latest, not when the same one is published again', async () => {
    const { logger, warnings } = warningsLogger();
    const engine = await ctx.reopenEngine({ logger });
    engine.publishWorkflow(engine.createWorkflow('deploy').addTask('a', 'A', () => 1).build());
    engine.publishWorkflow(engine.createWorkflow('deploy').addTask('a', 'A', () => 1).build());
    expect(warnings).to.deep.equal([]);
    const v2 = engine.createWorkflow('deploy').addTask('a', 'A', () => 1).addTask('b', 'B', () => 2).build();
    engine.publishWorkflow(v2);
    expect(warnings).to.have.length(1);
    expect(warnings[0]).to.include('"deploy"').and.include(JSON.stringify(v2.version));
  });
});
