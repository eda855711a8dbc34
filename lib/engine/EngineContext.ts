/**
 * What the engine's operations (start, resume, fork) share: the runtime every run holds, the
 * workflow registry, and the engine-wide defaults of executions.
 */
import type { FailurePolicy } from '../store/records.js';
import type { EngineRuntime } from './EngineRuntime.js';
import type { WorkflowRegistry } from './WorkflowRegistry.js';

export interface EngineDefaults {
  concurrency: number;
  failurePolicy: FailurePolicy;
  /** The lease an engine holds its executions under (ms of the store's clock). */
  leaseMs: number;
}

export interface EngineContext {
  readonly runtime: EngineRuntime;
  readonly registry: WorkflowRegistry;
  readonly defaults: EngineDefaults;
}
