/**
 * TelemetryBuffer: a trickle of records costs a store write per FLUSH_DELAY_MS, not per record,
 * even while a write is in flight; flush() writes everything.
 */
import { expect } from 'chai';
import { MemoryStore } from '../lib/store/MemoryStore.js';
import type { SpanRecord } from '../lib/store/records.js';
import { TelemetryBuffer } from '../lib/telemetry/TelemetryBuffer.js';
import { at } from './support/records.js';
import { waitUntil } from './support/waitUntil.js';

/** A memory store whose span writes wait until the test lets them finish. */
class GatedSpanStore extends MemoryStore {
  readonly writes: string[][] = [];
  private gates: (() => void)[] = [];
  override async writeSpans(records: readonly SpanRecord[]): Promise<void> {
    this.writes.push(records.map((record) => record.spanId));
    await new Promise<void>((resolve) => this.gates.push(resolve));
    await super.writeSpans(records);
  }
  letWritesFinish(): void {
    for (const resolve of this.gates.splice(0)) resolve();
  }
}

function span(spanId: string): SpanRecord {
  return { spanId, parentSpanId: null, executionId: 'e1', taskId: 't', attempt: 1, name: 'task t', status: 'succeeded', startedAt: at(0), finishedAt: at(1), attributes: {} };
}

const turns = async (n: number) => {
  for (let i = 0; i < n; i++) await new Promise((resolve) => setImmediate(resolve));
};

describe('TelemetryBuffer', () => {
  it('leaves records that arrive during a write for the next delayed flush instead of writing each at once', async () => {
    const store = new GatedSpanStore();
    const buffer = new TelemetryBuffer(store, 10_000, (error) => {
      throw error;
    });
    buffer.addSpan(span('a'));
    await waitUntil(() => store.writes.length === 1, 'the first delayed flush');
    buffer.addSpan(span('b'));
    buffer.addSpan(span('c'));
    store.letWritesFinish();
    await turns(5);
    // Before the fix the flush went on while any record was buffered: a write per record.
    expect(store.writes).to.deep.equal([['a']]);
    await waitUntil(() => store.writes.length === 2, 'the next delayed flush');
    expect(store.writes[1]).to.deep.equal(['b', 'c']);
    store.letWritesFinish();
    await buffer.flush();
    expect(buffer.size).to.equal(0);
  });

  it('flush() writes everything, including records added while it runs', async () => {
    const store = new GatedSpanStore();
    const buffer = new TelemetryBuffer(store, 10_000, (error) => {
      throw error;
    });
    buffer.addSpan(span('a'));
    const flushed = buffer.flush();
    await waitUntil(() => store.writes.length === 1, 'the flush to start');
    buffer.addSpan(span('b'));
    store.letWritesFinish();
    await waitUntil(() => store.writes.length === 2, 'the flush to go on');
    store.letWritesFinish();
    await flushed;
    expect(store.writes).to.deep.equal([['a'], ['b']]);
    expect(buffer.size).to.equal(0);
  });
});
