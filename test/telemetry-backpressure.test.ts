/**
 * Logs and spans go through a bounded buffer: when the store writes them slowly the buffer fills,
 * the engine stops starting tasks until it drains, and no record is ever dropped.
 */
import { expect } from 'chai';
import type { AnyActorRef } from 'xstate';
import { createEngine } from '../lib/index.js';
import type { LogRecord } from '../lib/index.js';
import { MemoryStore } from '../lib/store/MemoryStore.js';

/** A memory store whose log writes take a while and are counted. */
class SlowLogStore extends MemoryStore {
  writes = 0;
  override async writeLogs(records: readonly LogRecord[]): Promise<void> {
    this.writes += 1;
    await new Promise((resolve) => setTimeout(resolve, 20));
    await super.writeLogs(records);
  }
}

describe('telemetry backpressure', () => {
  it('slows down instead of dropping records when the log buffer is full', async () => {
    const store = new SlowLogStore();
    const engine = await createEngine({ storage: store, logLevel: 'info', telemetryBufferLimit: 50, concurrency: 4 });
    const maxBuffered: number[] = [];
    const buffer = (engine as unknown as { runtime: { telemetry: { size: number } } }).runtime.telemetry;
    const builder = engine.createWorkflow('chatty');
    for (let i = 0; i < 40; i++) {
      builder.addTask(`t${i}`, `T${i}`, (_input: unknown, ctx) => {
        maxBuffered.push(buffer.size);
        for (let n = 0; n < 25; n++) ctx.logger.debug(`record ${n}`, { n });
        for (let n = 0; n < 25; n++) ctx.logger.info(`record ${n}`, { n });
        return i;
      });
    }
    engine.publishWorkflow(builder.build());
    try {
      const result = await engine.execute('chatty');
      expect(result.status).to.equal('succeeded');
      const logs = await engine.listLogs(result.id);
      // 25 info records per task (debug is below the level), none lost, each task's in order.
      expect(logs).to.have.length(40 * 25);
      const t7 = logs.filter((log) => log.taskId === 't7').map((log) => log.attributes['n']);
      expect(t7).to.deep.equal(Array.from({ length: 25 }, (_, n) => n));
      // A task starts only while the buffer is below its limit: what is buffered when a task
      // starts is at most the limit plus what the other running tasks (3) wrote since.
      expect(Math.max(...maxBuffered)).to.be.below(50 + 3 * 25);
      expect(store.writes).to.be.greaterThan(1);
      const spans = await engine.listSpans(result.id);
      expect(spans).to.have.length(41);
    } finally {
      await engine.close();
    }
  });
});

describe('live inspection', () => {
  it("passes XState's inspect option to every actor", async () => {
    const seen = new Map<string, Set<string>>();
    const engine = await createEngine({
      storage: 'memory',
      logLevel: 'error',
      inspect: (event) => {
        if (event.type !== '@xstate.snapshot') return;
        const { value, context } = event.snapshot as { value?: unknown; context?: { taskId?: string } };
        if (typeof value !== 'string') return;
        // Task actors are named by slot; their context carries the task id.
        const id = context?.taskId ?? (event.actorRef as AnyActorRef).id;
        if (!seen.has(id)) seen.set(id, new Set());
        seen.get(id)!.add(value);
      },
    });
    try {
      engine.publishWorkflow(engine.createWorkflow('watched').addTask('a', 'A', () => 1).addTask('b', 'B', () => 2).addDependency('a', 'b').build());
      await engine.execute('watched');
      expect([...seen.get('a')!]).to.deep.equal(['pending', 'running', 'succeeded']);
      expect([...seen.get('b')!]).to.deep.equal(['pending', 'running', 'succeeded']);
      const supervisor = [...seen.entries()].find(([id]) => id !== 'a' && id !== 'b');
      expect([...supervisor![1]]).to.deep.equal(['pending', 'running', 'succeeded']);
    } finally {
      await engine.close();
    }
  });
});
