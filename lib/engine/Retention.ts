/**
 * Retention (`createEngine({ retention })`): the engine deletes its store's finished executions
 * by age (`maxAge`) and by count (`maxExecutions`: the most recently finished are kept), through
 * the same pruner as `engine.prune`. Unfinished executions are never deleted, so nothing that any
 * engine runs, or could resume, is.
 *
 * When: every `intervalMs`, on every store (an unref'd timer: it never keeps the process alive);
 * on the memory store also after each execution finishes, so that the heap it holds stays at
 * `maxExecutions` finished executions instead of growing for an interval. (On a SQL store that
 * would be a query per finished execution, for rows on disk.)
 *
 * One sweep at a time, by `mode`:
 * - idle: no sweep under way. A trigger starts one (→ sweeping).
 * - sweeping: a trigger asks for one more after it (→ sweepingAgain), so a burst of finished
 *   executions costs two sweeps, not one each.
 * - sweepingAgain: when the sweep ends the next one starts (→ sweeping).
 * - stopped: `stop()` (on close) cleared the timer; triggers are ignored. The sweep under way
 *   ends at the pruner's next batch (the engine stops the pruner too).
 * A sweep that fails is logged as a warning; the next trigger tries again.
 */
import type { Logger } from 'winston';
import { DEFAULT_RETENTION_INTERVAL_MS } from '../defaults.js';
import { InvalidOptionsError, toError } from '../errors.js';
import { TERMINAL_EXECUTION_STATUSES } from '../store/records.js';
import type { Store } from '../store/Store.js';
import { optionKeys, rejectUnknownOptions } from '../unknownOption.js';
import type { Pruner } from './Pruner.js';

export interface RetentionOptions {
  /** Delete finished executions this many milliseconds after they finished. @defaultValue none: kept whatever their age */
  maxAge?: number;
  /** Keep at most this many finished executions, the most recently finished; delete older ones. @defaultValue none: no limit */
  maxExecutions?: number;
  /** How often the rules are applied. @defaultValue 60000 */
  intervalMs?: number;
}

export interface RetentionPolicy {
  maxAge: number | null;
  maxExecutions: number | null;
  intervalMs: number;
}

const KNOWN_OPTIONS = optionKeys<RetentionOptions>({ maxAge: true, maxExecutions: true, intervalMs: true });
/** The longest delay a Node.js timer takes; a longer one fires at once. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * The policy of a `retention` option, or null when it sets no rule (the default: keep everything).
 * @throws InvalidOptionsError naming the option (`retention.maxAge`, ...) and its value
 * @example
 * resolveRetention({ maxExecutions: 1000 }); // { maxAge: null, maxExecutions: 1000, intervalMs: 60000 }
 */
export function resolveRetention(options: unknown): RetentionPolicy | null {
  if (options === undefined) return null;
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw new InvalidOptionsError('retention', options, 'an object such as { maxAge: 7 * 24 * 60 * 60 * 1000, maxExecutions: 10000 }');
  }
  rejectUnknownOptions(options, KNOWN_OPTIONS, 'createEngine', 'retention.');
  const { maxAge, maxExecutions, intervalMs = DEFAULT_RETENTION_INTERVAL_MS } = options as RetentionOptions;
  if (maxAge !== undefined && !(typeof maxAge === 'number' && Number.isFinite(maxAge) && maxAge >= 0)) {
    throw new InvalidOptionsError('retention.maxAge', maxAge, 'a number of milliseconds >= 0');
  }
  if (maxExecutions !== undefined && !(typeof maxExecutions === 'number' && Number.isSafeInteger(maxExecutions) && maxExecutions >= 0)) {
    throw new InvalidOptionsError('retention.maxExecutions', maxExecutions, 'an integer >= 0');
  }
  if (!(typeof intervalMs === 'number' && Number.isFinite(intervalMs) && intervalMs >= 1 && intervalMs <= MAX_TIMER_MS)) {
    throw new InvalidOptionsError('retention.intervalMs', intervalMs, `a number of milliseconds from 1 to ${MAX_TIMER_MS} (about 24.8 days)`);
  }
  if (maxAge === undefined && maxExecutions === undefined) return null;
  return { maxAge: maxAge ?? null, maxExecutions: maxExecutions ?? null, intervalMs };
}

export class Retention {
  private mode: 'idle' | 'sweeping' | 'sweepingAgain' | 'stopped' = 'idle';
  private readonly timer: NodeJS.Timeout;
  private readonly sweepOnFinish: boolean;

  /** Starts the timer. */
  constructor(
    private readonly policy: RetentionPolicy,
    private readonly pruner: Pruner,
    private readonly store: Pick<Store, 'kind' | 'location'>,
    private readonly logger: Logger,
  ) {
    this.sweepOnFinish = store.kind === 'memory' && policy.maxExecutions !== null;
    this.timer = setInterval(() => this.trigger(), policy.intervalMs);
    this.timer.unref();
  }

  /** An execution of this engine finished (its result has settled). */
  executionFinished(): void {
    if (this.sweepOnFinish) this.trigger();
  }

  /** Clears the timer; no sweep starts after this. */
  stop(): void {
    clearInterval(this.timer);
    this.mode = 'stopped';
  }

  private trigger(): void {
    if (this.mode === 'idle') {
      this.mode = 'sweeping';
      void this.sweepWhileAsked();
    } else if (this.mode === 'sweeping') {
      this.mode = 'sweepingAgain';
    }
  }

  private async sweepWhileAsked(): Promise<void> {
    do {
      await this.sweep();
    } while (this.next());
  }

  /** After a sweep: whether another one was asked for; the mode it leaves. */
  private next(): boolean {
    if (this.mode === 'sweepingAgain') {
      this.mode = 'sweeping';
      return true;
    }
    if (this.mode === 'sweeping') this.mode = 'idle';
    return false;
  }

  private async sweep(): Promise<void> {
    const { maxAge, maxExecutions } = this.policy;
    const statuses = TERMINAL_EXECUTION_STATUSES;
    try {
      let deleted = 0;
      if (maxAge !== null) deleted += await this.pruner.run({ statuses, finishedBefore: new Date(Date.now() - maxAge) });
      if (maxExecutions !== null && this.mode !== 'stopped') deleted += await this.pruner.run({ statuses, keepNewest: maxExecutions });
      if (deleted > 0) this.logger.debug(`Retention deleted ${deleted} finished execution${deleted === 1 ? '' : 's'} from ${this.store.location}`);
    } catch (error) {
      this.logger.warn(`Retention could not delete finished executions from ${this.store.location}; it tries again later: ${toError(error).message}`);
    }
  }
}
