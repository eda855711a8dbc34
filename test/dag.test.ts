/**
 * Executing DAGs of every shape: a chain, a diamond, a wide fan-out and fan-in, independent roots.
 * Each task records when it starts and ends, so the tests check order, never timing.
 */
import { expect } from 'chai';
import { forEachStore } from './support/engines.js';

forEachStore('DAG execution', (ctx) => {
  it('runs a single task and reports its output', async () => {
    ctx.publish('one', (wf) => wf.addTask('only', 'Only', () => ({ answer: 42 })));
    const result = await ctx.engine.execute('one');
    expect(result.status).to.equal('succeeded');
    expect(result.workflowId).to.equal('one');
    expect(result.tasks['only']).to.include({ status: 'succeeded', attempts: 1 });
    expect(result.tasks['only']!.output).to.deep.equal({ answer: 42 });
    expect(result.outputs).to.deep.equal({ only: { answer: 42 } });
    expect(result.error).to.equal(undefined);
    expect(result.startedAt).to.be.instanceOf(Date);
    expect(result.finishedAt).to.be.instanceOf(Date);
  });

  it('runs a chain one task after the other', async () => {
    const log: string[] = [];
    const step = (id: string) => async () => {
      log.push(`start ${id}`);
      await Promise.resolve();
      log.push(`end ${id}`);
      return id;
    };
    ctx.publish('chain', (wf) =>
      wf.addTask('a', 'A', step('a')).addTask('b', 'B', step('b')).addTask('c', 'C', step('c')).addDependency('a', 'b').addDependency('b', 'c'),
    );
    const result = await ctx.engine.execute('chain');
    expect(result.status).to.equal('succeeded');
    expect(log).to.deep.equal(['start a', 'end a', 'start b', 'end b', 'start c', 'end c']);
  });

  it('runs a diamond: both branches after the root, the join after both branches', async () => {
    const log: string[] = [];
    const step = (id: string) => async () => {
      log.push(`start ${id}`);
      await new Promise((resolve) => setImmediate(resolve));
      log.push(`end ${id}`);
      return { [id]: true };
    };
    ctx.publish('diamond', (wf) =>
      wf
        .addTask('root', 'Root', step('root'))
        .addTask('left', 'Left', step('left'))
        .addTask('right', 'Right', step('right'))
        .addTask('join', 'Join', step('join'))
        .addDependency('root', 'left')
        .addDependency('root', 'right')
        .addDependency('left', 'join')
        .addDependency('right', 'join'),
    );
    const result = await ctx.engine.execute('diamond');
    expect(result.status).to.equal('succeeded');
    expect(Object.values(result.tasks).map((task) => task.status)).to.deep.equal(['succeeded', 'succeeded', 'succeeded', 'succeeded']);
    const at = (entry: string) => log.indexOf(entry);
    expect(at('end root')).to.be.lessThan(at('start left'));
    expect(at('end root')).to.be.lessThan(at('start right'));
    expect(at('end left')).to.be.lessThan(at('start join'));
    expect(at('end right')).to.be.lessThan(at('start join'));
    // The branches are independent: both start before either ends.
    expect(Math.max(at('start left'), at('start right'))).to.be.lessThan(Math.min(at('end left'), at('end right')));
    // Only the sink's output is the execution's output record; every success is in outputs.
    expect(Object.keys(result.outputs)).to.have.members(['root', 'left', 'right', 'join']);
  });

  it('runs a wide fan-out and fan-in of 200 tasks', async () => {
    const width = 200;
    const started = new Set<string>();
    let gatherSaw = -1;
    ctx.publish('wide', (wf) => {
      wf.addTask('split', 'Split', () => ({ parts: width }));
      wf.addTask('gather', 'Gather', (_input, taskCtx) => {
        gatherSaw = Object.keys(taskCtx.upstream).length;
        return { gathered: gatherSaw };
      });
      for (let i = 0; i < width; i++) {
        const id = `part-${i}`;
        wf.addTask(id, `Part ${i}`, () => {
          started.add(id);
          return i;
        });
        wf.addDependency('split', id).addDependency(id, 'gather');
      }
      return wf;
    });
    const result = await ctx.engine.execute('wide', {}, { concurrency: 16 });
    expect(result.status).to.equal('succeeded');
    expect(started.size).to.equal(width);
    expect(gatherSaw).to.equal(width);
    expect(Object.keys(result.tasks)).to.have.length(width + 2);
    expect(result.tasks['gather']!.output).to.deep.equal({ gathered: width });
    expect(result.outputs['part-7']).to.equal(7);
  });

  it('runs independent roots and independent components of one workflow', async () => {
    ctx.publish('forest', (wf) =>
      wf
        .addTask('a1', 'A1', () => 'a1')
        .addTask('a2', 'A2', () => 'a2')
        .addTask('b1', 'B1', () => 'b1')
        .addTask('lonely', 'Lonely', () => 'lonely')
        .addDependency('a1', 'a2'),
    );
    const result = await ctx.engine.execute('forest');
    expect(result.status).to.equal('succeeded');
    expect(result.outputs).to.deep.equal({ a1: 'a1', a2: 'a2', b1: 'b1', lonely: 'lonely' });
  });

  it('lists the tasks of the result in an order where every task follows its upstreams', async () => {
    ctx.publish('ordered', (wf) =>
      wf
        .addTask('z', 'Z', () => 1)
        .addTask('y', 'Y', () => 1)
        .addTask('x', 'X', () => 1)
        .addDependency('x', 'y')
        .addDependency('y', 'z'),
    );
    const result = await ctx.engine.execute('ordered');
    expect(Object.keys(result.tasks)).to.deep.equal(['x', 'y', 'z']);
  });

  it('runs synchronous task functions and tasks that return nothing', async () => {
    ctx.publish('sync', (wf) => wf.addTask('sync', 'Sync', () => 'done').addTask('void', 'Void', () => undefined).addDependency('sync', 'void'));
    const result = await ctx.engine.execute('sync');
    expect(result.status).to.equal('succeeded');
    expect(result.outputs).to.deep.equal({ sync: 'done', void: null });
  });

  it('runs the same workflow many times at once, each execution with its own id and results', async () => {
    ctx.publish('parallel', (wf) =>
      wf
        .addTask('double', 'Double', (input: { n: number }) => ({ n: input.n * 2 }))
        .addTask('inc', 'Inc', (input: { n: number }) => ({ n: input.n + 1 }))
        .addDependency('double', 'inc'),
    );
    const results = await Promise.all(Array.from({ length: 20 }, (_, n) => ctx.engine.execute('parallel', { n })));
    expect(new Set(results.map((result) => result.id)).size).to.equal(20);
    results.forEach((result, n) => {
      expect(result.status).to.equal('succeeded');
      expect(result.outputs['inc']).to.deep.equal({ n: n * 2 + 1 });
    });
  });

  it('respects the concurrency option: never more tasks inside their function than allowed', async () => {
    let inside = 0;
    let most = 0;
    ctx.publish('limited', (wf) => {
      for (let i = 0; i < 30; i++) {
        wf.addTask(`t${i}`, `T${i}`, async () => {
          inside += 1;
          most = Math.max(most, inside);
          await new Promise((resolve) => setTimeout(resolve, 1));
          inside -= 1;
        });
      }
      return wf;
    });
    const result = await ctx.engine.execute('limited', {}, { concurrency: 3 });
    expect(result.status).to.equal('succeeded');
    expect(most).to.be.at.most(3);
    expect(most).to.be.at.least(2); // they do run side by side
  });

  it('uses the engine-wide concurrency when the execution gives none', async () => {
    const engine = await ctx.reopenEngine({ concurrency: 2 });
    let inside = 0;
    let most = 0;
    const workflow = engine.createWorkflow('engine-limit');
    for (let i = 0; i < 12; i++) {
      workflow.addTask(`t${i}`, `T${i}`, async () => {
        inside += 1;
        most = Math.max(most, inside);
        await new Promise((resolve) => setTimeout(resolve, 1));
        inside -= 1;
      });
    }
    engine.publishWorkflow(workflow.build());
    const result = await engine.execute('engine-limit');
    expect(result.status).to.equal('succeeded');
    expect(most).to.equal(2);
  });
});
