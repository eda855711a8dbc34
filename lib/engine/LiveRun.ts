/**
 * What the engine knows of an execution running in it, whatever runs it: the registry of live
 * runs (`EngineRuntime.runs`) and the handles returned to callers hold this, not the run itself.
 */
import type { ExecutionStatus } from '../store/records.js';
import type { Workflow } from '../workflow/Workflow.js';
import type { ExecutionResult } from './executionResult.js';
import type { ExecutionProgress } from './ProgressReporter.js';

export interface LiveRun {
  readonly id: string;
  readonly workflow: Workflow;
  /** Resolves when the execution ends; rejects when it stops running here without ending. */
  readonly result: Promise<ExecutionResult>;
  /** Resolves once the execution's rows are in the store (at once for a resumed run). */
  readonly written: Promise<void>;
  readonly status: ExecutionStatus;
  /** The fencing token this engine holds the execution under (see `Store.claimExecution`). */
  readonly fencingToken: number;
  progress(): ExecutionProgress;
  cancel(reason: string): void;
  /** Stops running it here without recording more: it stays resumable. */
  detach(reason?: Error): void;
}
