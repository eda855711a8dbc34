import type { ExecutionStatus } from '../store/records.js';
import type { ExecutionResult } from './executionResult.js';
import type { LiveRun } from './LiveRun.js';
import type { ExecutionProgress } from './ProgressReporter.js';

/** A running execution, as returned by `engine.start()`. */
export class ExecutionHandle {
  /** Resolves when the execution ends (succeeded, failed or cancelled). */
  readonly result: Promise<ExecutionResult>;

  constructor(private readonly run: LiveRun) {
    this.result = run.result;
  }

  get id(): string {
    return this.run.id;
  }

  get workflowId(): string {
    return this.run.workflow.id;
  }

  get status(): ExecutionStatus {
    return this.run.status;
  }

  /**
   * Counts of tasks per state as observed now, the tasks settled (`done`), `percent` done,
   * `elapsedMs` since the execution started and `remainingMs`, an estimate at this run's pace.
   * @example const { percent, remainingMs } = handle.progress();
   */
  progress(): ExecutionProgress {
    return this.run.progress();
  }

  /** Cancels the execution: running tasks see their signal aborted; it ends `cancelled`. */
  cancel(reason = 'cancelled by the caller'): void {
    this.run.cancel(reason);
  }
}
