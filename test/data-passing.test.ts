/**
 * What a task receives: its input is the execution input shallow-merged with the outputs of its
 * direct upstream tasks (an upstream wins over the input; a later dependency wins over an earlier
 * one, in the order the dependencies were added), and its context names the attempt.
 */
import { expect } from 'chai';
import type { TaskContext } from '../lib/index.js';
import { forEachStore } from './support/engines.js';

forEachStore('data passing', (ctx) => {
  it('gives a root task the execution input', async () => {
    let seen: unknown;
    ctx.publish('root', (wf) => wf.addTask('a', 'A', (input) => void (seen = input)));
    await ctx.engine.execute('root', { source: 'a.csv', limit: 3, nested: { deep: [1, 2] } });
    expect(seen).to.deep.equal({ source: 'a.csv', limit: 3, nested: { deep: [1, 2] } });
  });

  it('gives an empty object as input when execute gets none', async () => {
    let seen: unknown = 'untouched';
    ctx.publish('no-input', (wf) => wf.addTask('a', 'A', (input) => void (seen = input)));
    const result = await ctx.engine.execute('no-input');
    expect(seen).to.deep.equal({});
    expect(result.input).to.deep.equal({});
  });

  it('merges the execution input with the upstream outputs; upstream wins, later dependencies win', async () => {
    let seen: unknown;
    ctx.publish('merge', (wf) =>
      wf
        .addTask('first', 'First', () => ({ shared: 'first', fromFirst: 1, override: 'first' }))
        .addTask('second', 'Second', () => ({ shared: 'second', fromSecond: 2 }))
        .addTask('sink', 'Sink', (input) => void (seen = input))
        .addDependency('first', 'sink')
        .addDependency('second', 'sink'),
    );
    await ctx.engine.execute('merge', { shared: 'input', override: 'input', onlyInput: true });
    expect(seen).to.deep.equal({ shared: 'second', override: 'first', onlyInput: true, fromFirst: 1, fromSecond: 2 });
  });

  it('follows the order the dependencies were added, not the order the tasks were added', async () => {
    let seen: unknown;
    ctx.publish('dependency-order', (wf) =>
      wf
        .addTask('early', 'Early', () => ({ key: 'early' }))
        .addTask('late', 'Late', () => ({ key: 'late' }))
        .addTask('sink', 'Sink', (input) => void (seen = input))
        .addDependency('late', 'sink')
        .addDependency('early', 'sink'),
    );
    await ctx.engine.execute('dependency-order');
    expect(seen).to.deep.equal({ key: 'early' });
  });

  it('merges shallowly: a nested object of an upstream replaces the input one', async () => {
    let seen: unknown;
    ctx.publish('shallow', (wf) =>
      wf.addTask('up', 'Up', () => ({ config: { b: 2 } })).addTask('down', 'Down', (input) => void (seen = input)).addDependency('up', 'down'),
    );
    await ctx.engine.execute('shallow', { config: { a: 1 } });
    expect(seen).to.deep.equal({ config: { b: 2 } });
  });

  it('passes only direct upstream outputs, not those of upstreams further up', async () => {
    let seen: unknown;
    let seenUpstream: unknown;
    ctx.publish('direct', (wf) =>
      wf
        .addTask('grand', 'Grand', () => ({ fromGrand: true }))
        .addTask('parent', 'Parent', () => ({ fromParent: true }))
        .addTask('child', 'Child', (input, taskCtx) => {
          seen = input;
          seenUpstream = taskCtx.upstream;
        })
        .addDependency('grand', 'parent')
        .addDependency('parent', 'child'),
    );
    await ctx.engine.execute('direct', { fromInput: true });
    expect(seen).to.deep.equal({ fromInput: true, fromParent: true });
    expect(seenUpstream).to.deep.equal({ parent: { fromParent: true } });
  });

  it('keeps non-object upstream outputs out of the merge but in ctx.upstream', async () => {
    let seen: unknown;
    let seenUpstream: unknown;
    ctx.publish('scalars', (wf) =>
      wf
        .addTask('number', 'Number', () => 7)
        .addTask('list', 'List', () => [1, 2])
        .addTask('text', 'Text', () => 'hello')
        .addTask('nothing', 'Nothing', () => null)
        .addTask('object', 'Object', () => ({ k: 'v' }))
        .addTask('sink', 'Sink', (input, taskCtx) => {
          seen = input;
          seenUpstream = taskCtx.upstream;
        })
        .addDependency('number', 'sink')
        .addDependency('list', 'sink')
        .addDependency('text', 'sink')
        .addDependency('nothing', 'sink')
        .addDependency('object', 'sink'),
    );
    await ctx.engine.execute('scalars', { base: 1 });
    expect(seen).to.deep.equal({ base: 1, k: 'v' });
    expect(seenUpstream).to.deep.equal({ number: 7, list: [1, 2], text: 'hello', nothing: null, object: { k: 'v' } });
  });

  // Regression: a root task's input was the execution's input object itself, and an upstream's
  // nested output was shared with its dependents: a task mutating its input changed what its
  // siblings received and what execute() reported, while the store kept the original.
  it('gives a root task an input it can mutate without changing its siblings\' input or the result', async () => {
    const seen: Record<string, unknown> = {};
    ctx.publish('isolated-roots', (wf) =>
      wf
        .addTask('writer', 'Writer', (input: Record<string, unknown>) => {
          input['tag'] = 'writer';
          seen['writer'] = structuredClone(input);
        })
        .addTask('reader', 'Reader', (input: Record<string, unknown>) => {
          seen['reader'] = structuredClone(input);
        })
        .addDependency('writer', 'reader'),
    );
    const result = await ctx.engine.execute('isolated-roots', { fixed: true });
    expect(seen['writer']).to.deep.equal({ fixed: true, tag: 'writer' });
    expect(seen['reader']).to.deep.equal({ fixed: true });
    expect(result.input).to.deep.equal({ fixed: true });
    expect(await ctx.engine.getExecution(result.id)).to.deep.equal(result);
  });

  it('gives a task an input it can mutate deeply without changing the upstream output its siblings receive', async () => {
    const seen: Record<string, unknown> = {};
    ctx.publish('isolated-outputs', (wf) =>
      wf
        .addTask('up', 'Up', () => ({ list: [1] }))
        .addTask('left', 'Left', (input: { list: number[] }) => {
          input.list.push(2);
          seen['left'] = structuredClone(input);
        })
        .addTask('right', 'Right', (input: { list: number[] }, taskCtx) => {
          seen['right'] = structuredClone(input);
          seen['right.upstream'] = structuredClone(taskCtx.upstream);
        })
        .addDependency('up', 'left')
        .addDependency('up', 'right')
        .addDependency('left', 'right'),
    );
    const result = await ctx.engine.execute('isolated-outputs');
    expect(seen['left']).to.deep.equal({ list: [1, 2] });
    expect(seen['right']).to.deep.equal({ list: [1] });
    expect(seen['right.upstream']).to.deep.equal({ up: { list: [1] }, left: null });
    expect(result.outputs['up']).to.deep.equal({ list: [1] });
    expect(await ctx.engine.getExecution(result.id)).to.deep.equal(result);
  });

  it('gives ctx executionId, workflowId, taskId, a 1-based attempt, a live signal, upstream, a logger and an idempotency key', async () => {
    const contexts: Record<string, TaskContext> = {};
    let failures = 0;
    ctx.publish('context', (wf) =>
      wf
        .addTask('first', 'First', (_input, taskCtx) => {
          contexts['first'] = taskCtx;
          return { one: 1 };
        })
        .addTask(
          'second',
          'Second',
          (_input, taskCtx) => {
            contexts[`second#${taskCtx.attempt}`] = taskCtx;
            if (failures++ === 0) throw new Error('first attempt fails');
            return 2;
          },
          { retry: { maxAttempts: 2, initialDelayMs: 1, jitter: 'none' } },
        )
        .addDependency('first', 'second'),
    );
    const result = await ctx.engine.execute('context');
    expect(result.status).to.equal('succeeded');
    const first = contexts['first']!;
    expect(first).to.include({ executionId: result.id, workflowId: 'context', taskId: 'first', attempt: 1 });
    expect(first.signal).to.be.instanceOf(AbortSignal);
    expect(first.signal.aborted).to.equal(false);
    expect(first.upstream).to.deep.equal({});
    expect(first.logger.info).to.be.a('function');
    expect(first.idempotencyKey).to.equal(`${result.id}:first:1`);

    const [one, two] = [contexts['second#1']!, contexts['second#2']!];
    expect([one.attempt, two.attempt]).to.deep.equal([1, 2]);
    expect(one.upstream).to.deep.equal({ first: { one: 1 } });
    expect(one.idempotencyKey).not.to.equal(two.idempotencyKey);
    expect(two.idempotencyKey).to.equal(`${result.id}:second:2`);
    expect(one.signal).not.to.equal(two.signal);
  });
});
