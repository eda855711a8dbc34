/**
 * Progress: `handle.progress()` (counts, done, percent, elapsed, an estimate of what is left) and
 * the throttled `execution.progress` event, which arrives in order and ends at 100 %, before the
 * execution's final event.
 */
import { expect } from 'chai';
import type { EngineEvent, ExecutionProgress } from '../lib/index.js';
import { forEachStore, waitUntil } from './support/engines.js';

function progressOf(event: EngineEvent): ExecutionProgress {
  return event.data as unknown as ExecutionProgress;
}

forEachStore(
  'progress',
  (ctx) => {
    it('reports percent done, elapsed time and an estimate of what is left', async () => {
      let release!: () => void;
      const gate = new Promise<void>((resolve) => (release = resolve));
      ctx.publish('wf', (wf) =>
        wf
          .addTask('a', 'A', () => 1)
          .addTask('b', 'B', () => 2)
          .addTask('c', 'C', () => gate.then(() => 3))
          .addTask('d', 'D', () => 4)
          .addDependency('c', 'd'),
      );
      const handle = ctx.engine.start('wf');
      await waitUntil(() => handle.progress().done === 2 && handle.progress().running === 1, 'a and b are done and c runs');
      const half = handle.progress();
      expect(half).to.include({ total: 4, done: 2, succeeded: 2, running: 1, pending: 1, percent: 50 });
      expect(half.elapsedMs).to.be.a('number').and.at.least(0);
      expect(half.remainingMs).to.be.a('number').and.at.least(0);
      release();
      await handle.result;
      const end = handle.progress();
      expect(end).to.include({ total: 4, done: 4, succeeded: 4, percent: 100, remainingMs: 0 });
    });

    it('emits execution.progress in order, ending at 100 % before execution.succeeded', async () => {
      const events: EngineEvent[] = [];
      ctx.engine.events.on('execution.*', (event: EngineEvent) => void events.push(event));
      ctx.publish('chain', (wf) => {
        let builder = wf.addTask('t0', 'T0', () => 0);
        for (let i = 1; i < 6; i++) builder = builder.addTask(`t${i}`, `T${i}`, () => i).addDependency(`t${i - 1}`, `t${i}`);
        return builder;
      });
      const result = await ctx.engine.execute('chain');
      const progress = events.filter((event) => event.type === 'execution.progress');
      expect(progress.length).to.be.at.least(2);
      const percents = progress.map((event) => progressOf(event).percent);
      expect(percents).to.deep.equal([...percents].sort((x, y) => x - y));
      expect(percents.at(-1)).to.equal(100);
      expect(events.at(-1)!.type).to.equal('execution.succeeded');
      expect(events.at(-2)!.type).to.equal('execution.progress');
      for (const event of progress) {
        expect(event).to.include({ executionId: result.id, workflowId: 'chain', taskId: null, attempt: 0 });
        expect(progressOf(event).total).to.equal(6);
      }
    });

    it('ends at 100 % for a failed and a cancelled execution too', async () => {
      const last = new Map<string, ExecutionProgress>();
      ctx.engine.events.on('execution.progress', (event: EngineEvent) => void last.set(event.executionId, progressOf(event)));
      let started = false;
      ctx.publish('fails', (wf) =>
        wf
          .addTask('broken', 'Broken', () => {
            throw new Error('no');
          })
          .addTask('after', 'After', () => 1)
          .addDependency('broken', 'after'),
      );
      ctx.publish('cancelled', (wf) =>
        wf
          .addTask('wait', 'Wait', (_input, task) => {
            started = true;
            return new Promise((_, reject) => task.signal.addEventListener('abort', () => reject(new Error('stopped'))));
          })
          .addTask('later', 'Later', () => 1)
          .addDependency('wait', 'later'),
      );
      const failed = await ctx.engine.execute('fails');
      const handle = ctx.engine.start('cancelled');
      await waitUntil(() => started, 'the task runs');
      handle.cancel();
      const cancelled = await handle.result;
      expect([failed.status, cancelled.status]).to.deep.equal(['failed', 'cancelled']);
      expect(last.get(failed.id)).to.include({ percent: 100, done: 2, failed: 1, skipped: 1 });
      expect(last.get(cancelled.id)).to.include({ percent: 100, done: 2, cancelled: 2 });
    });
  },
  { engine: { progressIntervalMs: 1 } },
);

forEachStore(
  'progress events, throttled',
  (ctx) => {
    it('emits at most one event per interval, and the last one at the end', async () => {
      const progress: ExecutionProgress[] = [];
      ctx.engine.events.on('execution.progress', (event: EngineEvent) => void progress.push(progressOf(event)));
      ctx.publish('wide', (wf) => {
        let builder = wf;
        for (let i = 0; i < 20; i++) builder = builder.addTask(`t${i}`, `T${i}`, () => i);
        return builder;
      });
      await ctx.engine.execute('wide', {}, { concurrency: 4 });
      // The first task to settle is reported at once; the next report would be an hour later; the end is reported.
      expect(progress).to.have.length(2);
      expect(progress[0]!.percent).to.be.below(100);
      expect(progress[1]).to.include({ percent: 100, done: 20 });
    });
  },
  { engine: { progressIntervalMs: 3_600_000 }, only: ['memory'] }, // the throttle is the engine's, whatever the store
);
