/**
 * The event bus: `engine.events.on('task.*' | 'execution.*' | ...)`. Every event carries
 * executionId, workflowId, taskId, attempt and timestamp, and arrives in the order of the
 * transitions it reports. A listener that throws or rejects never breaks the engine.
 */
import { expect } from 'chai';
import type { EngineEvent } from '../lib/index.js';
import { forEachStore } from './support/engines.js';

const label = (event: EngineEvent) => (event.taskId === null ? event.type : `${event.type}:${event.taskId}`);

forEachStore('engine events', (ctx) => {
  /** The events of transitions matching `pattern` (execution.progress events are test/progress.test.ts's). */
  function collect(pattern: string): EngineEvent[] {
    const events: EngineEvent[] = [];
    ctx.engine.events.on(pattern, (event: EngineEvent) => void (event.type === 'execution.progress' || events.push(event)));
    return events;
  }

  function publishChain(id: string) {
    ctx.publish(id, (wf) => wf.addTask('a', 'A', () => 1).addTask('b', 'B', () => 2).addDependency('a', 'b'));
  }

  it('emits execution.started first, execution.succeeded last, and each task running before succeeded', async () => {
    const events = collect('**');
    publishChain('chain');
    const result = await ctx.engine.execute('chain');
    expect(events.map(label)).to.deep.equal([
      'execution.started',
      'task.running:a',
      'task.succeeded:a',
      'task.running:b',
      'task.succeeded:b',
      'execution.succeeded',
    ]);
    for (const event of events) {
      expect(event.executionId).to.equal(result.id);
      expect(event.workflowId).to.equal('chain');
      expect(event.timestamp).to.be.instanceOf(Date);
    }
    expect(events.filter((e) => e.taskId !== null).every((e) => e.attempt === 1)).to.equal(true);
    expect(events.filter((e) => e.taskId === null).every((e) => e.attempt === 0)).to.equal(true);
    const seqs = events.map((event) => event.seq);
    expect(seqs).to.deep.equal([...seqs].sort((x, y) => x - y));
    expect(new Set(seqs).size).to.equal(seqs.length);
    const times = events.map((event) => event.timestamp.getTime());
    expect(times).to.deep.equal([...times].sort((x, y) => x - y));
  });

  it("delivers only task events to 'task.*' and only execution events to 'execution.*'", async () => {
    const tasks = collect('task.*');
    const executions = collect('execution.*');
    publishChain('filtered');
    await ctx.engine.execute('filtered');
    expect(tasks.map(label)).to.deep.equal(['task.running:a', 'task.succeeded:a', 'task.running:b', 'task.succeeded:b']);
    expect(executions.map(label)).to.deep.equal(['execution.started', 'execution.succeeded']);
  });

  it('keeps the events of concurrent executions apart, each in its own order', async () => {
    const events = collect('**');
    publishChain('concurrent');
    const results = await Promise.all([1, 2, 3].map(() => ctx.engine.execute('concurrent')));
    for (const result of results) {
      const own = events.filter((event) => event.executionId === result.id).map(label);
      expect(own).to.deep.equal(['execution.started', 'task.running:a', 'task.succeeded:a', 'task.running:b', 'task.succeeded:b', 'execution.succeeded']);
    }
  });

  it('reports failures, retries and skips with their data', async () => {
    const events = collect('**');
    ctx.publish('failing', (wf) =>
      wf
        .addTask(
          'broken',
          'Broken',
          () => {
            throw new Error('always');
          },
          { retry: { maxAttempts: 2, initialDelayMs: 1, jitter: 'none' } },
        )
        .addTask('downstream', 'Downstream', () => 1)
        .addDependency('broken', 'downstream'),
    );
    await ctx.engine.execute('failing');
    expect(events.map((event) => `${label(event)}#${event.attempt}`)).to.deep.equal([
      'execution.started#0',
      'task.running:broken#1',
      'task.retrying:broken#1',
      'task.running:broken#2',
      'task.failed:broken#2',
      'task.skipped:downstream#0',
      'execution.failed#0',
    ]);
    const byLabel = (name: string) => events.find((event) => label(event) === name)!;
    expect(byLabel('task.retrying:broken').data).to.deep.include({ delayMs: 1 });
    expect(byLabel('task.failed:broken').data?.['error']).to.deep.include({ message: 'always' });
    expect(String(byLabel('task.skipped:downstream').data?.['reason'])).to.include('"broken"');
  });

  it('runs on when a listener throws', async () => {
    ctx.engine.events.on('task.*', () => {
      throw new Error('listener bug');
    });
    ctx.engine.events.on('execution.*', () => {
      throw new Error('listener bug');
    });
    publishChain('throwing-listener');
    const result = await ctx.engine.execute('throwing-listener');
    expect(result.status).to.equal('succeeded');
    expect(Object.values(result.tasks).map((task) => task.status)).to.deep.equal(['succeeded', 'succeeded']);
    expect((await ctx.engine.execute('throwing-listener')).status).to.equal('succeeded');
  });

  // Regression: emitSafely guarded the whole emit, but EventEmitter2 calls the listeners in a
  // loop, so the first listener that threw stopped the event reaching the others.
  it('still delivers every event to the other listeners when one listener throws', async () => {
    ctx.engine.events.on('**', () => {
      throw new Error('listener bug');
    });
    const after = collect('**');
    publishChain('isolated-listeners');
    const result = await ctx.engine.execute('isolated-listeners');
    // The engine's warning about the listener is stored with the execution's logs.
    const warnings = (await ctx.engine.listLogs(result.id)).filter((log) => log.level === 'warn');
    expect(warnings.map((log) => log.message)).to.include('An engine event listener for task.running threw: listener bug');
    expect(after.map(label)).to.deep.equal([
      'execution.started',
      'task.running:a',
      'task.succeeded:a',
      'task.running:b',
      'task.succeeded:b',
      'execution.succeeded',
    ]);
  });

  it('runs on when an async listener rejects, without an unhandled rejection', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      ctx.engine.events.on('**', async () => {
        await Promise.resolve();
        throw new Error('async listener bug');
      });
      publishChain('rejecting-listener');
      const result = await ctx.engine.execute('rejecting-listener');
      expect(result.status).to.equal('succeeded');
      await new Promise((resolve) => setTimeout(resolve, 10));
      expect(unhandled).to.deep.equal([]);
      // The engine still works afterwards.
      expect((await ctx.engine.execute('rejecting-listener')).status).to.equal('succeeded');
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });

  it('runs on when a listener never settles', async () => {
    ctx.engine.events.on('**', () => new Promise(() => {}));
    publishChain('hanging-listener');
    expect((await ctx.engine.execute('hanging-listener')).status).to.equal('succeeded');
  });
});
