/**
 * The engine's metrics, kept twice from the same calls: through the OpenTelemetry metrics API
 * (`metrics.getMeter('task-graph')`; the host registers the SDK and an exporter, such as
 * Prometheus's) and as plain numbers for `engine.metrics()`, for people without OpenTelemetry.
 *
 * Instruments (names pinned in names.ts): counters of executions by outcome, executions started,
 * attempts by outcome and retries; histograms (seconds) of attempt duration, queue wait, execution
 * duration and store commit latency, and of commit size (transitions); up-down counters of running
 * executions and tasks; an observable gauge of the telemetry buffer's depth.
 *
 * Cost with no SDK registered: the API's no-op instruments, called with attribute objects made
 * once (one per outcome), so a task costs a few empty calls and additions, no allocation.
 */
import type { Attributes, Counter, Histogram, Meter, ObservableGauge, ObservableResult, UpDownCounter } from '@opentelemetry/api';
import {
  ATTR_OUTCOME,
  ATTR_RESUMED,
  METRIC_EXECUTION_DURATION,
  METRIC_EXECUTIONS,
  METRIC_EXECUTIONS_RUNNING,
  METRIC_EXECUTIONS_STARTED,
  METRIC_STORE_COMMIT_DURATION,
  METRIC_STORE_COMMIT_SIZE,
  METRIC_TASK_ATTEMPTS,
  METRIC_TASK_DURATION,
  METRIC_TASK_QUEUE_WAIT,
  METRIC_TASK_RETRIES,
  METRIC_TASKS_RUNNING,
  METRIC_TELEMETRY_BUFFER_DEPTH,
} from './names.js';
import type { AttemptOutcomeLabel } from './names.js';

/** A histogram as plain numbers: how many values, their sum, the least and the greatest (0 when none). */
export interface MetricSummary {
  count: number;
  sum: number;
  min: number;
  max: number;
}

/** What `engine.metrics()` returns: this engine's counts since it was created. Durations in seconds. */
export interface EngineMetricsSnapshot {
  executions: { started: number; succeeded: number; failed: number; cancelled: number; running: number };
  tasks: { attempts: Record<AttemptOutcomeLabel, number>; retries: number; running: number };
  /** Attempt durations, queue waits (ready → running), execution durations and store commits, in seconds. */
  durations: { task: MetricSummary; queueWait: MetricSummary; execution: MetricSummary; storeCommit: MetricSummary };
  /** Transitions per store commit. */
  storeCommitSize: MetricSummary;
  /** Log and span records waiting to be written. */
  telemetryBufferDepth: number;
}

type FinishedExecution = 'succeeded' | 'failed' | 'cancelled';

const ATTEMPT_ATTRIBUTES: Readonly<Record<AttemptOutcomeLabel, Attributes>> = Object.freeze({
  succeeded: Object.freeze({ [ATTR_OUTCOME]: 'succeeded' }),
  failed: Object.freeze({ [ATTR_OUTCOME]: 'failed' }),
  retrying: Object.freeze({ [ATTR_OUTCOME]: 'retrying' }),
  timed_out: Object.freeze({ [ATTR_OUTCOME]: 'timed_out' }),
  cancelled: Object.freeze({ [ATTR_OUTCOME]: 'cancelled' }),
});
const EXECUTION_ATTRIBUTES: Readonly<Record<FinishedExecution, Attributes>> = Object.freeze({
  succeeded: Object.freeze({ [ATTR_OUTCOME]: 'succeeded' }),
  failed: Object.freeze({ [ATTR_OUTCOME]: 'failed' }),
  cancelled: Object.freeze({ [ATTR_OUTCOME]: 'cancelled' }),
});
const RESUMED = Object.freeze({ [ATTR_RESUMED]: true });
const NEW = Object.freeze({ [ATTR_RESUMED]: false });

/** Bucket boundaries of the duration histograms, in seconds: 1 ms to 5 minutes. */
const DURATION_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300];
const SIZE_BUCKETS = [1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000];

export class EngineMetrics {
  private readonly executions: Counter;
  private readonly executionsStarted: Counter;
  private readonly executionsRunning: UpDownCounter;
  private readonly executionDuration: Histogram;
  private readonly attempts: Counter;
  private readonly retries: Counter;
  private readonly taskDuration: Histogram;
  private readonly queueWait: Histogram;
  private readonly tasksRunning: UpDownCounter;
  private readonly commitDuration: Histogram;
  private readonly commitSize: Histogram;
  private readonly bufferDepth: BufferDepthGauge;
  private readonly plain: EngineMetricsSnapshot = {
    executions: { started: 0, succeeded: 0, failed: 0, cancelled: 0, running: 0 },
    tasks: { attempts: { succeeded: 0, failed: 0, retrying: 0, timed_out: 0, cancelled: 0 }, retries: 0, running: 0 },
    durations: { task: summary(), queueWait: summary(), execution: summary(), storeCommit: summary() },
    storeCommitSize: summary(),
    telemetryBufferDepth: 0,
  };

  constructor(
    meter: Meter,
    private readonly telemetryDepth: () => number,
  ) {
    const seconds = (name: string, description: string) =>
      meter.createHistogram(name, { description, unit: 's', advice: { explicitBucketBoundaries: DURATION_BUCKETS } });
    this.executions = meter.createCounter(METRIC_EXECUTIONS, { description: 'Executions finished, by outcome (succeeded, failed, cancelled)' });
    this.executionsStarted = meter.createCounter(METRIC_EXECUTIONS_STARTED, { description: 'Executions begun in this process (new or resumed)' });
    this.executionsRunning = meter.createUpDownCounter(METRIC_EXECUTIONS_RUNNING, { description: 'Executions running in this process' });
    this.executionDuration = seconds(METRIC_EXECUTION_DURATION, 'From an execution starting to its final transition');
    this.attempts = meter.createCounter(METRIC_TASK_ATTEMPTS, { description: 'Task attempts ended, by outcome (succeeded, failed, retrying, timed_out, cancelled)' });
    this.retries = meter.createCounter(METRIC_TASK_RETRIES, { description: 'Task attempts that failed and will be retried' });
    this.taskDuration = seconds(METRIC_TASK_DURATION, 'Duration of a task attempt');
    this.queueWait = seconds(METRIC_TASK_QUEUE_WAIT, 'From a task being ready (upstream done, or its retry deadline) to its attempt starting');
    this.tasksRunning = meter.createUpDownCounter(METRIC_TASKS_RUNNING, { description: 'Task attempts running in this process' });
    this.commitDuration = seconds(METRIC_STORE_COMMIT_DURATION, 'Latency of one group commit to the store');
    this.commitSize = meter.createHistogram(METRIC_STORE_COMMIT_SIZE, {
      description: 'Transitions written by one group commit',
      unit: '{transition}',
      advice: { explicitBucketBoundaries: SIZE_BUCKETS },
    });
    this.bufferDepth = bufferDepthGauge(meter);
    this.bufferDepth.sources.add(telemetryDepth);
  }

  /** An execution begins running here (new, or resumed). */
  executionStarted(resumed: boolean): void {
    this.plain.executions.started += 1;
    this.plain.executions.running += 1;
    this.executionsStarted.add(1, resumed ? RESUMED : NEW);
    this.executionsRunning.add(1);
  }

  /** An execution that began here finished (`durationMs` since it started), or stopped running here (`outcome` null). */
  executionEnded(outcome: FinishedExecution | null, durationMs: number): void {
    this.plain.executions.running -= 1;
    this.executionsRunning.add(-1);
    if (outcome === null) return;
    this.plain.executions[outcome] += 1;
    this.executions.add(1, EXECUTION_ATTRIBUTES[outcome]);
    this.executionDuration.record(durationMs / 1000, EXECUTION_ATTRIBUTES[outcome]);
    add(this.plain.durations.execution, durationMs / 1000);
  }

  attemptStarted(queueWaitMs: number): void {
    this.plain.tasks.running += 1;
    this.tasksRunning.add(1);
    this.queueWait.record(queueWaitMs / 1000);
    add(this.plain.durations.queueWait, queueWaitMs / 1000);
  }

  attemptEnded(outcome: AttemptOutcomeLabel, durationMs: number, retried: boolean): void {
    this.plain.tasks.running -= 1;
    this.tasksRunning.add(-1);
    this.plain.tasks.attempts[outcome] += 1;
    this.attempts.add(1, ATTEMPT_ATTRIBUTES[outcome]);
    this.taskDuration.record(durationMs / 1000, ATTEMPT_ATTRIBUTES[outcome]);
    add(this.plain.durations.task, durationMs / 1000);
    if (retried) {
      this.plain.tasks.retries += 1;
      this.retries.add(1);
    }
  }

  /** A group commit of `transitions` transitions took `durationMs`. */
  committed(durationMs: number, transitions: number): void {
    this.commitDuration.record(durationMs / 1000);
    this.commitSize.record(transitions);
    add(this.plain.durations.storeCommit, durationMs / 1000);
    add(this.plain.storeCommitSize, transitions);
  }

  /** The counts as plain data (a copy). */
  snapshot(): EngineMetricsSnapshot {
    const copy = structuredClone(this.plain);
    copy.telemetryBufferDepth = this.telemetryDepth();
    return copy;
  }

  /** Stops observing the telemetry buffer (the engine closed). */
  close(): void {
    this.bufferDepth.sources.delete(this.telemetryDepth);
  }
}

/**
 * One buffer-depth gauge per meter, observing the sum over the engines using it: two engines in a
 * process (one meter) would otherwise observe the same series twice, and only one would count.
 */
interface BufferDepthGauge {
  readonly gauge: ObservableGauge;
  readonly sources: Set<() => number>;
}
const BUFFER_DEPTH_GAUGES = new WeakMap<Meter, BufferDepthGauge>();

function bufferDepthGauge(meter: Meter): BufferDepthGauge {
  let found = BUFFER_DEPTH_GAUGES.get(meter);
  if (!found) {
    const gauge = meter.createObservableGauge(METRIC_TELEMETRY_BUFFER_DEPTH, { description: 'Log and span records waiting to be written', unit: '{record}' });
    const sources = new Set<() => number>();
    gauge.addCallback((result: ObservableResult) => {
      let depth = 0;
      for (const source of sources) depth += source();
      result.observe(depth);
    });
    BUFFER_DEPTH_GAUGES.set(meter, (found = { gauge, sources }));
  }
  return found;
}

function summary(): MetricSummary {
  return { count: 0, sum: 0, min: 0, max: 0 };
}

function add(into: MetricSummary, value: number): void {
  into.min = into.count === 0 ? value : Math.min(into.min, value);
  into.max = into.count === 0 ? value : Math.max(into.max, value);
  into.count += 1;
  into.sum += value;
}
