/**
 * What every execution run shares with its engine: the store and its writers, the event bus, the
 * logger, the machines and the limits. One object, built by `createEngine`.
 */
import type { Tracer } from '@opentelemetry/api';
import type { InspectionEvent } from 'xstate';
import type { Logger } from 'winston';
import type { executionMachine } from '../../machines/execution.js';
import type { GroupCommitWriter } from '../store/GroupCommitWriter.js';
import type { Store } from '../store/Store.js';
import type { EngineEventEmitter } from '../telemetry/EngineEvents.js';
import type { EngineMetrics } from '../telemetry/otel/EngineMetrics.js';
import type { TelemetryBuffer } from '../telemetry/TelemetryBuffer.js';
import type { RetryPolicy } from '../workflow/types.js';
import type { LiveRun } from './LiveRun.js';
import type { Pruner } from './Pruner.js';
import type { RemoteDispatcher } from '../remote/RemoteDispatcher.js';

export interface EngineRuntime {
  /** This engine instance's id: the owner id it claims executions with. */
  readonly ownerId: string;
  readonly store: Store;
  readonly writer: GroupCommitWriter;
  readonly telemetry: TelemetryBuffer;
  readonly events: EngineEventEmitter;
  readonly logger: Logger;
  /** `trace.getTracer('task-graph')`: a proxy, so an SDK registered after createEngine is used too. */
  readonly tracer: Tracer;
  /** Counters and histograms, through OpenTelemetry's metrics API and as plain numbers (`engine.metrics()`). */
  readonly metrics: EngineMetrics;
  /** The execution machine (the supervisor; its task actors are `taskMachine`). */
  readonly machine: typeof executionMachine;
  readonly defaultRetry: RetryPolicy;
  readonly maxOutputBytes: number;
  /** Least time between two `execution.progress` events of one execution. */
  readonly progressIntervalMs: number;
  readonly inspect: ((event: InspectionEvent) => void) | undefined;
  /** Dispatches attempts of tasks with a `queue` to remote workers (null without `redis`). */
  readonly remote: RemoteDispatcher | null;
  /** Runs live in this engine, by execution id. */
  readonly runs: Map<string, LiveRun>;
  /** Deletes finished executions (`engine.prune`, retention); stopped on close. */
  readonly pruner: Pruner;
  /** Called when an execution of this engine has finished and its result has settled (retention counts on it). */
  readonly onExecutionFinished: () => void;
}
