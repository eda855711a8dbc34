/**
 * Logs and spans on their way to the store: buffered, written in batches off the critical path,
 * retried on failure. A flush starts when a batch is full, or FLUSH_DELAY_MS after the first
 * record of a quiet buffer, so that a slow trickle of records does not cost a store write each
 * (on SQLite, where the store runs one operation at a time, each would delay the next commit).
 * A flush writes what is buffered and goes on only while a full batch is waiting, someone waits
 * for it (`flush`, `whenNotFull`) or a write failed; records that arrive meanwhile wait for the
 * next delay. (It used to go on while any record was there: a chain's one span per step then
 * cost a store write per step, and on SQLite that write, queued before the next commit, was
 * most of a step's time.)
 *
 * The buffer is bounded but never drops a record: past `limit` it reports `isFull`, and the engine
 * starts no new task until it drains (`whenNotFull`), so a slow store slows the engine down
 * instead of losing records or memory.
 */
import type { Store } from '../store/Store.js';
import type { LogRecord, SpanRecord } from '../store/records.js';

const BATCH_SIZE = 1000;
const FLUSH_DELAY_MS = 50;

export class TelemetryBuffer {
  private logs: LogRecord[] = [];
  private spans: SpanRecord[] = [];
  private flushing: Promise<void> | null = null;
  private drainWaiters: (() => void)[] = [];
  private abandoned = false;
  private delayed: NodeJS.Timeout | null = null;
  /** `flush()` waits for everything buffered to be written. */
  private flushWanted = false;

  constructor(
    private readonly store: Store,
    private readonly limit: number,
    private readonly onWriteError: (error: unknown) => void,
  ) {}

  get size(): number {
    return this.logs.length + this.spans.length;
  }

  get isFull(): boolean {
    return this.size >= this.limit;
  }

  addLog(record: LogRecord): void {
    this.logs.push(record);
    this.schedule();
  }

  addSpan(record: SpanRecord): void {
    this.spans.push(record);
    this.schedule();
  }

  whenNotFull(): Promise<void> {
    if (!this.isFull) return Promise.resolve();
    const drained = new Promise<void>((resolve) => this.drainWaiters.push(resolve));
    this.schedule(true);
    return drained;
  }

  /** Writes everything buffered so far. */
  async flush(): Promise<void> {
    this.flushWanted = true;
    this.schedule(true);
    while (this.flushing) await this.flushing;
  }

  abandon(): void {
    this.abandoned = true;
    if (this.delayed) clearTimeout(this.delayed);
    this.delayed = null;
  }

  private schedule(now = false): void {
    if (this.flushing || this.size === 0) return;
    if (!now && !this.urgent()) {
      this.delayed ??= setTimeout(() => {
        this.delayed = null;
        this.schedule(true);
      }, FLUSH_DELAY_MS);
      return;
    }
    if (this.delayed) clearTimeout(this.delayed);
    this.delayed = null;
    this.flushing = new Promise<void>((resolve) => setImmediate(resolve)).then(() => this.drain());
  }

  private urgent(): boolean {
    return this.flushWanted || this.size >= BATCH_SIZE || this.drainWaiters.length > 0;
  }

  private async drain(): Promise<void> {
    let failures = 0;
    do {
      const logs = this.logs.slice(0, BATCH_SIZE);
      const spans = this.spans.slice(0, BATCH_SIZE);
      try {
        if (logs.length > 0) await this.store.writeLogs(logs);
        this.logs.splice(0, logs.length);
        if (spans.length > 0) await this.store.writeSpans(spans);
        this.spans.splice(0, spans.length);
        failures = 0;
      } catch (error) {
        failures += 1;
        this.onWriteError(error);
        await new Promise((resolve) => setTimeout(resolve, Math.min(2000, 50 * 2 ** failures)));
      }
      if (!this.isFull) for (const resolve of this.drainWaiters.splice(0)) resolve();
    } while (this.size > 0 && !this.abandoned && (failures > 0 || this.urgent()));
    this.flushing = null;
    if (this.size === 0) this.flushWanted = false;
    for (const resolve of this.drainWaiters.splice(0)) resolve();
    if (!this.abandoned) this.schedule();
  }
}
