/**
 * `createEngine`: opens the store (running its migrations), wires the group-commit writer, the
 * telemetry buffer, the logger, the event bus, the pruner and retention.
 */
import { randomUUID } from 'node:crypto';
import { metrics, trace } from '@opentelemetry/api';
import type { Logger } from 'winston';
import { executionMachine } from '../../machines/execution.js';
import { taskActorLogic } from './taskActorLogic.js';
import {
  DEFAULT_CLOSE_TIMEOUT_MS,
  DEFAULT_CONCURRENCY,
  DEFAULT_HEARTBEAT_INTERVAL_MS,
  DEFAULT_LOG_LEVEL,
  DEFAULT_STORE_LOG_LEVEL,
  DEFAULT_MAX_OUTPUT_BYTES,
  DEFAULT_PROGRESS_INTERVAL_MS,
  DEFAULT_LEASE_MS,
  DEFAULT_RECOVERY_BATCH_SIZE,
  DEFAULT_RECOVERY_INTERVAL_MS,
  DEFAULT_RETRY_POLICY,
  DEFAULT_TELEMETRY_BUFFER_LIMIT,
} from '../defaults.js';
import { InvalidOptionsError, toError } from '../errors.js';
import { createStore } from '../store/createStore.js';
import { GroupCommitWriter } from '../store/GroupCommitWriter.js';
import { createDefaultLogger, StoreLogTransport } from '../telemetry/createLogger.js';
import { createEventEmitter } from '../telemetry/EngineEvents.js';
import { EngineMetrics } from '../telemetry/otel/EngineMetrics.js';
import { INSTRUMENTATION_SCOPE } from '../telemetry/otel/names.js';
import { TelemetryBuffer } from '../telemetry/TelemetryBuffer.js';
import type { RetryPolicy } from '../workflow/types.js';
import type { EngineRuntime } from './EngineRuntime.js';
import { ENGINE_OPTION_KEYS, validateConcurrency, validateFailurePolicy, validatePositive, validateRetryOption, validateWorkflowConcurrency } from './engineOptions.js';
import { rejectUnknownOptions } from '../unknownOption.js';
import { stripUndefined } from './retryPolicy.js';
import type { EngineOptions } from './engineOptions.js';
import type { LiveRun } from './LiveRun.js';
import { Engine } from './Engine.js';
import { RemoteDispatcher } from '../remote/RemoteDispatcher.js';
import { Pruner } from './Pruner.js';
import { Retention, resolveRetention } from './Retention.js';

/**
 * Creates an engine on the given storage.
 * @throws StorageError when the store cannot be reached (naming host, port and database, never the password)
 * @throws InvalidOptionsError for a bad option
 * @example
 * const engine = await createEngine({ storage: 'memory', concurrency: 8 });
 */
export async function createEngine(options: EngineOptions = {}): Promise<Engine> {
  if (options === null || typeof options !== 'object') throw new InvalidOptionsError('options', options, 'an object');
  rejectUnknownOptions(options, ENGINE_OPTION_KEYS, 'createEngine');
  const concurrency = validateConcurrency('concurrency', options.concurrency ?? DEFAULT_CONCURRENCY);
  const failurePolicy = validateFailurePolicy('failurePolicy', options.failurePolicy ?? 'continue');
  validateRetryOption(options.retry);
  const maxOutputBytes = validatePositive('maxOutputBytes', options.maxOutputBytes ?? DEFAULT_MAX_OUTPUT_BYTES);
  const bufferLimit = validatePositive('telemetryBufferLimit', options.telemetryBufferLimit ?? DEFAULT_TELEMETRY_BUFFER_LIMIT);
  const leaseMs = validatePositive(options.leaseMs === undefined && options.ownerStaleAfterMs !== undefined ? 'ownerStaleAfterMs' : 'leaseMs', options.leaseMs ?? options.ownerStaleAfterMs ?? DEFAULT_LEASE_MS);
  const heartbeatIntervalMs = validatePositive('heartbeatIntervalMs', options.heartbeatIntervalMs ?? Math.min(DEFAULT_HEARTBEAT_INTERVAL_MS, leaseMs / 3));
  if (heartbeatIntervalMs >= leaseMs) throw new InvalidOptionsError('heartbeatIntervalMs', heartbeatIntervalMs, `less than leaseMs (${leaseMs}): leases would end between heartbeats`);
  const recoveryIntervalMs = validatePositive('recoveryIntervalMs', options.recoveryIntervalMs ?? DEFAULT_RECOVERY_INTERVAL_MS);
  const maxExecutions = options.maxExecutions === undefined ? Infinity : validateConcurrency('maxExecutions', options.maxExecutions);
  const workflowLimits = validateWorkflowConcurrency(options.workflowConcurrency);
  if (options.recover !== undefined && typeof options.recover !== 'boolean') throw new InvalidOptionsError('recover', options.recover, 'true or false');
  const closeTimeoutMs = validatePositive('closeTimeoutMs', options.closeTimeoutMs ?? DEFAULT_CLOSE_TIMEOUT_MS);
  const progressIntervalMs = validatePositive('progressIntervalMs', options.progressIntervalMs ?? DEFAULT_PROGRESS_INTERVAL_MS);
  if (options.inspect !== undefined && typeof options.inspect !== 'function') throw new InvalidOptionsError('inspect', options.inspect, 'a function (inspectionEvent) => void');
  const retentionPolicy = resolveRetention(options.retention);

  if (options.redis !== undefined && (options.redis === null || typeof options.redis !== 'object')) throw new InvalidOptionsError('redis', options.redis, 'an object { host, port }');
  const logger: Logger = options.logger ?? createDefaultLogger(options.logLevel ?? DEFAULT_LOG_LEVEL);
  const remote = options.redis ? await RemoteDispatcher.create(options.redis, (message, executionId) => logger.warn(message, executionId === undefined ? {} : { executionId })) : null;

  const store = createStore(options.storage, { runMigrations: options.runMigrations ?? true });
  await store.open();

  const runs = new Map<string, LiveRun>();
  const telemetry = new TelemetryBuffer(store, bufferLimit, (error) =>
    logger.warn(`Writing logs and spans to ${store.location} failed; retrying: ${toError(error).message}`),
  );
  const transport = new StoreLogTransport(() => telemetry, options.storeLogLevel ?? DEFAULT_STORE_LOG_LEVEL);
  logger.add(transport);
  const ownerId = randomUUID();
  const engineMetrics = new EngineMetrics(metrics.getMeter(INSTRUMENTATION_SCOPE), () => telemetry.size);
  const writer = new GroupCommitWriter(store, {
    ownerId,
    onCommitted: (durationMs, transitions) => engineMetrics.committed(durationMs, transitions),
    fencingTokenOf: (executionId) => runs.get(executionId)?.fencingToken,
    leaseMs,
    onExecutionStopped: (executionId, error) => {
      logger.error(error.message, { executionId }); // in the execution's own logs too
      runs.get(executionId)?.detach(error);
    },
    onCommitError: (error, failures, retryInMs, executionIds) => {
      const message =
        `Commit to ${store.location} failed (${failures} in a row); no task starts until it succeeds; ` +
        `retrying in ${retryInMs} ms: ${toError(error).message}`;
      logger.warn(message);
      // Also in the logs of the executions waiting on it (stored once the store is back).
      for (const executionId of executionIds.slice(0, MAX_EXECUTIONS_WARNED)) {
        telemetry.addLog({ executionId, taskId: null, attempt: null, level: 'warn', message, attributes: { failures }, at: new Date() });
      }
    },
    onCallbackError: (error) => logger.error(`Internal error after a commit: ${toError(error).stack ?? String(error)}`),
  });

  const pruner = new Pruner(store, telemetry);
  const retention = retentionPolicy && new Retention(retentionPolicy, pruner, store, logger);
  const runtime: EngineRuntime = {
    ownerId,
    store,
    writer,
    telemetry,
    events: createEventEmitter(),
    logger,
    tracer: trace.getTracer(INSTRUMENTATION_SCOPE),
    metrics: engineMetrics,
    machine: executionMachine.provide({ actors: { task: taskActorLogic } }),
    defaultRetry: { ...DEFAULT_RETRY_POLICY, ...stripUndefined(options.retry ?? {}) } as RetryPolicy,
    maxOutputBytes,
    progressIntervalMs,
    inspect: options.inspect,
    runs,
    remote,
    pruner,
    onExecutionFinished: () => retention?.executionFinished(),
  };

  const heartbeat = setInterval(() => {
    if (runs.size === 0) return;
    store.heartbeat(ownerId, leaseMs).catch((error: unknown) => logger.warn(`Heartbeat to ${store.location} failed: ${toError(error).message}`));
  }, heartbeatIntervalMs);
  heartbeat.unref();

  const recover = options.recover ?? store.kind !== 'memory';
  const recovery = recover ? { intervalMs: recoveryIntervalMs, batchSize: DEFAULT_RECOVERY_BATCH_SIZE, maxExecutions, workflowLimits } : null;
  const engine = new Engine(runtime, { concurrency, failurePolicy, leaseMs }, recovery, async () => {
    clearInterval(heartbeat);
    retention?.stop();
    pruner.stop();
    const flushed = await withinTime(Promise.all([writer.flush(), telemetry.flush()]), closeTimeoutMs);
    if (!flushed) {
      writer.abandon();
      telemetry.abandon();
      logger.error(
        `close(): ${store.location} did not take the queued transitions, logs and spans within ${closeTimeoutMs} ms; ` +
          'they are dropped. Executions stay resumable from what was committed.',
      );
    }
    logger.remove(transport);
    engineMetrics.close();
    await withinTime(pruner.idle(), closeTimeoutMs); // a prune (retention's too) stops at its next batch
    await withinTime(store.releaseOwnership(ownerId).catch(() => undefined), closeTimeoutMs);
    await withinTime(store.close(), closeTimeoutMs);
    await withinTime(remote?.close() ?? Promise.resolve(), closeTimeoutMs);
  });
  for (const workflow of options.workflows ?? []) engine.publishWorkflow(workflow);
  if (options.resumeOnStart) await engine.resumeAll();
  engine.startBackgroundWork();
  return engine;
}

/** How many executions' own logs get a copy of a commit-failure warning. */
const MAX_EXECUTIONS_WARNED = 50;

/** Whether `work` settled within `ms` (it is not cancelled either way). */
async function withinTime(work: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  try {
    return await Promise.race([work.then(() => true), expired]);
  } finally {
    clearTimeout(timer);
  }
}
