/**
 * Runs the engine's prunes (`engine.prune` and retention) against its store, and stops them when
 * the engine closes.
 *
 * Before a prune the telemetry buffer is flushed: the logs and spans still queued for executions
 * about to be deleted are written first and deleted with them, instead of arriving after them as
 * rows of an execution that no longer exists. `stop()` (on close) aborts every prune under way
 * before its next batch; `idle()` resolves when they have all returned.
 */
import type { Store } from '../store/Store.js';
import type { PruneCriteria } from '../store/records.js';
import type { TelemetryBuffer } from '../telemetry/TelemetryBuffer.js';

export class Pruner {
  private readonly stopping = new AbortController();
  private readonly running = new Set<Promise<unknown>>();

  constructor(
    private readonly store: Store,
    private readonly telemetry: TelemetryBuffer,
  ) {}

  /**
   * Deletes what `criteria` match and returns how many executions it deleted.
   * @example await pruner.run({ statuses: ['succeeded'], finishedBefore: new Date(Date.now() - 86_400_000) }); // 12
   */
  run(criteria: Omit<PruneCriteria, 'signal'>): Promise<number> {
    if (this.stopping.signal.aborted) return Promise.resolve(0);
    const pruning = (async () => {
      await this.telemetry.flush();
      return this.store.pruneExecutions({ ...criteria, signal: this.stopping.signal });
    })();
    this.running.add(pruning);
    const forget = () => this.running.delete(pruning);
    pruning.then(forget, forget);
    return pruning;
  }

  /** Stops every prune under way before its next batch; what was deleted stays deleted. */
  stop(): void {
    this.stopping.abort();
  }

  /** Resolves once no prune is under way (a failed one included). */
  async idle(): Promise<void> {
    await Promise.allSettled([...this.running]);
  }
}
