/**
 * Progress of one execution: what `handle.progress()` returns (counts per state, percent done,
 * elapsed time, an estimate of what is left) and the throttled `execution.progress` event.
 *
 * The event: when a task settles, it is emitted at once if `intervalMs` has passed since the last
 * one, else once when it has (one timer at most, which does not keep the process alive); and once
 * more when the execution's final transition is committed, at 100 %. Nothing is computed while no
 * listener matches `execution.progress`.
 */
import { emitSafely, isListenedTo } from '../telemetry/EngineEvents.js';
import type { EngineRuntime } from './EngineRuntime.js';
import type { ProgressCounts } from './TransitionRecorder.js';

/** `handle.progress()`: the counts per task state, and how far along the execution is. */
export interface ExecutionProgress extends ProgressCounts {
  /** Tasks settled (succeeded, failed, skipped or cancelled). */
  done: number;
  /** `done` out of `total`, in percent (0 to 100, one decimal). */
  percent: number;
  /** Since the execution started (its first start, for a resumed one), in ms. */
  elapsedMs: number;
  /** What is left at the pace of this run so far, in ms; null until a task has settled in this run. */
  remainingMs: number | null;
}

/**
 * The progress from the counts, `startedAtMs` (the execution's start) and the pace of this run:
 * `doneAtBegin` tasks were settled when it began at `begunAtMs`.
 * @example measureProgress(counts, startedAt, begunAt, 0, Date.now()).percent
 */
export function measureProgress(counts: ProgressCounts, startedAtMs: number, begunAtMs: number, doneAtBegin: number, now: number): ExecutionProgress {
  const done = counts.succeeded + counts.failed + counts.skipped + counts.cancelled;
  const percent = counts.total === 0 ? 100 : Math.round((done * 1000) / counts.total) / 10;
  const doneHere = done - doneAtBegin;
  const remainingMs = begunAtMs > 0 && doneHere > 0 ? Math.round(((now - begunAtMs) / doneHere) * (counts.total - done)) : null;
  return { ...counts, done, percent, elapsedMs: startedAtMs > 0 ? Math.max(0, now - startedAtMs) : 0, remainingMs };
}

export class ProgressReporter {
  private lastAt = 0;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly runtime: Pick<EngineRuntime, 'events' | 'logger' | 'progressIntervalMs'>,
    private readonly executionId: string,
    private readonly workflowId: string,
    private readonly progress: () => ExecutionProgress,
    /** The seq of the last transition recorded: the event's `seq`. */
    private readonly lastSeq: () => number,
  ) {}

  /** A task settled: emit now, or once the interval since the last event has passed. */
  taskSettled(): void {
    if (this.timer !== null || !this.isListenedTo()) return;
    const wait = this.lastAt + this.runtime.progressIntervalMs - Date.now();
    if (wait <= 0) return this.fire();
    this.timer = setTimeout(() => {
      this.timer = null;
      this.fire();
    }, wait);
    this.timer.unref();
  }

  /** The execution finished: the last event, at 100 %. */
  finish(): void {
    this.stop();
    if (this.isListenedTo()) this.fire();
  }

  /** No more events (finished, or detached). */
  stop(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }

  private isListenedTo(): boolean {
    return isListenedTo(this.runtime.events, 'execution.progress');
  }

  private fire(): void {
    this.lastAt = Date.now();
    const event = { type: 'execution.progress', executionId: this.executionId, workflowId: this.workflowId, taskId: null, attempt: 0 } as const;
    emitSafely(this.runtime.events, { ...event, seq: this.lastSeq(), timestamp: new Date(), data: { ...this.progress() } }, this.runtime.logger);
  }
}
