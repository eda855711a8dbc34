/**
 * One execution, live in this process: the supervisor actor and its task actors, driven by the
 * engine; the scheduler that says which task is ready; the recorder through which every
 * transition reaches the store; the runner of the task functions.
 *
 * The run is in one `phase`:
 *
 *   starting ──begin()/restore()──▶ running ──cancel()───────────────▶ cancelling ──┐
 *      │                             │  └──(a failure committed, fail-fast)──▶ aborting ──┤
 *      │                             └──(every task settled)──────────────────────────────┴──▶ settling
 *      │                                                                                        │
 *      │                                                    (the final transition committed)   ▼
 *      └────────── any phase but finished ──detach()──▶ detached                           finished
 *
 * - starting: the execution's rows are being written; a cancel asked for now is kept and applied
 *   as soon as the run begins. A resumed run is restored straight into the phase its supervisor
 *   was in (running, cancelling or aborting).
 * - running: ready tasks start while fewer than `concurrency` are live, the store commits and the
 *   telemetry buffer has room.
 * - cancelling, aborting: every live task was sent `task.cancel`; unstarted tasks are spawned to
 *   be cancelled (or skipped downstream of a failure).
 * - settling: every task is settled; the supervisor was sent `execution.settle`.
 * - finished: its final transition is committed; the result has resolved.
 * - detached: it stopped without recording more (engine closed, another engine took it over, the
 *   store refused its rows); the result rejected; the execution stays resumable.
 *
 * The path of one task, as data:
 * 1. `pump()` takes ready tasks from the scheduler and has the supervisor spawn their actors in
 *    one `task.spawn`; each is sent `task.start`.
 * 2. Every event the engine sends an actor goes through `drive()`: when the actor's state changes,
 *    the transition goes to the recorder (and so to the group-commit writer). Entering `running`
 *    runs the attempt; its outcome comes back as `attempt.done`.
 * 3. Once a transition is committed, `onTaskCommitted()` emits its event and, for a final state,
 *    settles the task in the scheduler: a success releases its dependents, a failure closes
 *    everything downstream (spawned to be skipped) and, under fail-fast, aborts the run. A retry
 *    waits for its deadline only from here, so an attempt never starts before the failure of the
 *    one before is durable. A pump follows, once per commit.
 * 4. When every task is settled the supervisor gets `execution.settle`; when that final
 *    transition is committed the result resolves.
 */
import { createActor } from 'xstate';
import type { Actor, AnyActorRef, EventObject } from 'xstate';
import type { ExecutionEvent, ExecutionMachine } from '../../machines/execution.js';
import type { TaskEvent, TaskMachineContext } from '../../machines/task.js';
import { EngineClosedError, toError } from '../errors.js';
import type { ExecutionRecord, ExecutionStatus, ExecutionUpdate, TaskRunRecord, TaskStatus, TransitionRecord } from '../store/records.js';
import { isTerminalTaskStatus } from '../store/records.js';
import { emitSafely, isListenedTo } from '../telemetry/EngineEvents.js';
import type { ExecutionTrace } from '../telemetry/otel/ExecutionTrace.js';
import type { Workflow } from '../workflow/Workflow.js';
import { AttemptRunner } from './AttemptRunner.js';
import type { AttemptEnd } from './AttemptRunner.js';
import type { EngineRuntime } from './EngineRuntime.js';
import { buildExecutionResult } from './executionResult.js';
import type { ExecutionResult } from './executionResult.js';
import type { LiveRun } from './LiveRun.js';
import { Scheduler } from './Scheduler.js';
import { setLongTimeout } from './setLongTimeout.js';
import type { LongTimeout } from './setLongTimeout.js';
import { restorableSnapshot } from './snapshotFormat.js';
import { TaskSlots } from './TaskSlots.js';
import { engineEventType, executionError, leafOutputs, toEngineEvent } from './transitionFacts.js';
import { TransitionRecorder } from './TransitionRecorder.js';
import type { ActorState } from './TransitionRecorder.js';
import { measureProgress, ProgressReporter } from './ProgressReporter.js';
import { readyAt } from './readyAt.js';
import type { ExecutionProgress } from './ProgressReporter.js';

type Phase = 'starting' | 'running' | 'cancelling' | 'aborting' | 'settling' | 'finished' | 'detached';

/** The phases a restored supervisor can be in. */
export type RestoredPhase = 'running' | 'cancelling' | 'aborting';

/** A fork's adopted tasks: they take the outputs their source execution recorded, without running. */
export interface AdoptedOutputs {
  fromExecutionId: string;
  /** The source execution's stored traceparent: the fork's span links to it. */
  fromTraceparent: string | null;
  outputs: ReadonlyMap<string, unknown>;
}

// Frozen: the recorder shares one stored `{ event }` among every transition they cause.
const START: TaskEvent = Object.freeze({ type: 'task.start' });
const RETRY: TaskEvent = Object.freeze({ type: 'task.retry' });

export class ExecutionRun implements LiveRun {
  readonly id: string;
  readonly result: Promise<ExecutionResult>;
  written: Promise<void> = Promise.resolve();
  private phase: Phase = 'starting';
  private supervisor: Actor<ExecutionMachine> | null = null;
  private readonly scheduler: Scheduler;
  private readonly recorder: TransitionRecorder;
  private readonly attempts: AttemptRunner;
  private readonly slots = new TaskSlots();
  /** Backoffs under way, by task id: their transition into `retrying` is committed. */
  private readonly backoffs = new Map<string, LongTimeout>();
  /** Why the run is cancelling or aborting; in `starting`, a cancel to apply once it begins. */
  private reason: string | null = null;
  /** The wait for store or telemetry room, while one is under way. */
  private roomWait: Promise<void> | null = null;
  /** A pump is queued for the end of the current synchronous burst (one per commit, not one per entry). */
  private pumpQueued = false;
  /** The execution row's final fields, as committed with the final transition. */
  private finalUpdate: ExecutionUpdate | null = null;
  /** When this run began in this process (epoch ms): the earliest a root task is ready. */
  private begunAt = 0;
  /** Tasks already settled when this run began (a resumed run): the pace of progress counts the others. */
  private doneAtBegin = 0;
  private readonly progressEvents: ProgressReporter;
  private resolveResult!: (result: ExecutionResult) => void;
  private rejectResult!: (error: Error) => void;

  constructor(
    private readonly runtime: EngineRuntime,
    readonly workflow: Workflow,
    private record: ExecutionRecord,
    rows: readonly TaskRunRecord[],
    lastSeq: number,
    /** The execution's OpenTelemetry span in this run; ended when the run finishes or detaches. */
    readonly trace: ExecutionTrace,
  ) {
    this.id = record.id;
    this.recorder = new TransitionRecorder(record.id, runtime.writer, rows, lastSeq);
    this.scheduler = new Scheduler(workflow, new Map(rows.map((row) => [row.taskId, row.status])));
    this.attempts = new AttemptRunner(runtime, workflow, record.id, record.input, (taskId) => this.recorder.row(taskId), trace);
    this.result = new Promise((resolve, reject) => {
      this.resolveResult = resolve;
      this.rejectResult = reject;
    });
    this.result.catch(() => undefined); // the caller may only use the handle; never unhandled
    this.progressEvents = new ProgressReporter(runtime, record.id, workflow.id, () => this.progress(), () => this.recorder.lastSeq);
  }

  get status(): ExecutionStatus {
    return this.record.status;
  }

  /** The fencing token this engine holds the execution under (its commits carry it). */
  get fencingToken(): number {
    return this.record.fencingToken ?? 0;
  }

  progress(): ExecutionProgress {
    const startedAt = this.record.startedAt?.getTime() ?? this.begunAt;
    return measureProgress(this.recorder.progress(), startedAt, this.begunAt, this.doneAtBegin, Date.now());
  }

  /**
   * Starts a new execution once its rows are written (`written`): the supervisor goes pending →
   * running and the first tasks start. A fork's adopted tasks go pending → succeeded first.
   * If the store refuses the rows, the run never starts and its result rejects.
   */
  beginAfter(written: Promise<void>, adopted?: AdoptedOutputs): void {
    this.written = written.then(
      () => this.begin(adopted),
      (error: unknown) => this.detach(toError(error)),
    );
  }

  /**
   * Continues from a persisted supervisor snapshot, in the phase it was in, with its live tasks
   * restored from their own snapshots: running ones run their attempt again (same attempt, so the
   * same `ctx.idempotencyKey`), retrying ones wait for their recorded deadline.
   * @throws when XState cannot restore a snapshot (the caller reports it as a ResumeError)
   */
  restore(supervisor: unknown, liveTasks: ReadonlyMap<string, unknown>, phase: RestoredPhase): void {
    const children: Record<string, unknown> = {};
    for (const [taskId, snapshot] of liveTasks) {
      children[this.slots.take(taskId)] = { snapshot: restorableSnapshot(snapshot), src: 'task', syncSnapshot: false };
    }
    const restored = restorableSnapshot(supervisor);
    this.reason = (restored['context'] as { reason?: string | null } | undefined)?.reason ?? null;
    this.begunAt = Date.now();
    this.doneAtBegin = this.scheduler.settled;
    this.runtime.metrics.executionStarted(true);
    this.supervisor = this.createSupervisor({ ...restored, children });
    this.supervisor.start();
    for (const child of Object.values(this.children())) {
      const { status, error, context } = child.getSnapshot() as { status: string; error?: unknown; context?: TaskMachineContext };
      if (status === 'error') throw new Error(`task ${JSON.stringify(context?.taskId ?? child.id)}: ${String(error)}`);
    }
    this.phase = phase;
    if (phase !== 'running') this.cancelLiveTasks();
    else {
      for (const child of Object.values(this.children())) {
        const { value, context } = child.getSnapshot() as { value: string; context: TaskMachineContext };
        if (value === 'running') this.runAttempt(context.taskId, context.attempt, new Date(), 0);
        else if (value === 'retrying') this.waitForRetry(context.taskId);
      }
    }
    const known = new Map([...this.recorder.allRows()].map((row) => [row.taskId, row.status]));
    this.spawn(this.scheduler.closeBlocked(known).map(({ taskId, blockedBy }) => [taskId, skipEvent(blockedBy)]));
    this.pump();
  }

  cancel(reason: string): void {
    if (this.phase === 'starting') this.reason ??= reason;
    if (this.phase !== 'running') return;
    this.phase = 'cancelling';
    this.reason = reason;
    this.sendSupervisor({ type: 'execution.cancel', reason });
    this.cancelLiveTasks();
    this.pump();
  }

  /**
   * Stops the actors without recording anything more: the execution stays resumable. `reason`
   * is what the result rejects with: the engine closing, another engine taking it over, the
   * store refusing its transitions.
   */
  detach(reason: Error = new EngineClosedError(`finish execution ${this.id}`)): void {
    if (this.phase === 'finished' || this.phase === 'detached') return;
    this.stop(reason);
  }

  private begin(adopted: AdoptedOutputs | undefined): void {
    if (this.phase !== 'starting') return; // detached while the rows were being written
    this.begunAt = Date.now();
    this.runtime.metrics.executionStarted(false);
    this.supervisor = this.createSupervisor(undefined);
    this.supervisor.start();
    const cancelAsked = this.reason;
    this.reason = null;
    this.phase = 'running';
    this.sendSupervisor({ type: 'execution.start' });
    this.record.status = 'running';
    if (adopted) {
      for (const taskId of adopted.outputs.keys()) this.scheduler.close(taskId);
      this.spawn([...adopted.outputs].map(([taskId, output]) => [taskId, { type: 'task.adopt', output, fromExecutionId: adopted.fromExecutionId }]));
    }
    if (cancelAsked !== null) this.cancel(cancelAsked);
    else this.pump();
  }

  private stop(reason: Error): void {
    this.phase = 'detached';
    this.progressEvents.stop();
    this.trace.end('detached');
    if (this.begunAt > 0) this.runtime.metrics.executionEnded(null, 0);
    for (const backoff of this.backoffs.values()) backoff.clear();
    this.backoffs.clear();
    this.attempts.abortAll(reason);
    this.supervisor?.stop();
    this.runtime.runs.delete(this.id);
    this.rejectResult(reason);
  }

  private createSupervisor(snapshot: unknown): Actor<ExecutionMachine> {
    return createActor(this.runtime.machine, {
      input: { executionId: this.id, workflowId: this.workflow.id, workflowVersion: this.workflow.version },
      ...(this.runtime.inspect ? { inspect: this.runtime.inspect } : {}),
      ...(snapshot === undefined ? {} : { snapshot: snapshot as never }),
    });
  }

  private children(): Record<string, AnyActorRef> {
    return this.supervisor!.getSnapshot().children as Record<string, AnyActorRef>;
  }

  private childOf(taskId: string): AnyActorRef | undefined {
    const slot = this.slots.slotOf(taskId);
    return slot === undefined ? undefined : this.children()[slot];
  }

  /** Starts ready tasks while there is room; spawns unstarted ones to be cancelled when cancelling or aborting. */
  private pump(): void {
    if (this.phase !== 'running' && this.phase !== 'cancelling' && this.phase !== 'aborting') return;
    if (this.phase === 'running') {
      const ready: [string, TaskEvent][] = [];
      while (this.scheduler.live < this.record.concurrency && this.hasRoom()) {
        const taskId = this.scheduler.take();
        if (taskId === undefined) break;
        ready.push([taskId, START]);
      }
      this.spawn(ready);
    } else {
      const reason = this.reason ?? 'execution cancelled';
      this.spawn(this.scheduler.closeUnstarted().map((taskId) => [taskId, { type: 'task.cancel', reason }]));
    }
    if (this.scheduler.isSettled) this.settle();
  }

  private queuePump(): void {
    if (this.pumpQueued) return;
    this.pumpQueued = true;
    queueMicrotask(() => {
      this.pumpQueued = false;
      this.pump();
    });
  }

  /** True while the store commits and the telemetry buffer has room; else pumps again once both do. */
  private hasRoom(): boolean {
    const { writer, telemetry } = this.runtime;
    if (writer.isHealthy && !telemetry.isFull) return true;
    if (this.roomWait === null && this.scheduler.hasReady) {
      this.roomWait = Promise.all([writer.whenHealthy(), telemetry.whenNotFull()]).then(() => {
        this.roomWait = null;
        this.pump();
      });
    }
    return false;
  }

  /** Spawns an actor for each task, in one supervisor step, and sends each its first event. */
  private spawn(commands: readonly (readonly [string, TaskEvent])[]): void {
    if (commands.length === 0) return;
    const tasks = commands.map(([taskId]) => ({ actorId: this.slots.take(taskId), input: { executionId: this.id, taskId } }));
    this.supervisor!.send({ type: 'task.spawn', tasks });
    const children = this.children();
    for (let i = 0; i < commands.length; i++) this.drive(commands[i]![0], children[tasks[i]!.actorId]!, commands[i]![1]);
  }

  /** Sends a task actor an event and records the transition it takes, if any (at `at`, default now). */
  private drive(taskId: string, actor: AnyActorRef, event: TaskEvent, at?: Date): void {
    const from = (actor.getSnapshot() as ActorState).value as string;
    actor.send(event);
    const after = actor.getSnapshot() as ActorState;
    if (after.value === from) return;
    const ready = after.value === 'running' ? readyAt(this.recorder.row(taskId), this.workflow.upstream.get(taskId)!, this.rowOf, this.begunAt) : 0;
    const transition = this.recorder.recordTask(taskId, from, after, event, this.onTaskCommitted, at);
    if (after.value === 'running') {
      this.runAttempt(taskId, (after.context as TaskMachineContext).attempt, transition.at, Math.max(0, transition.at.getTime() - ready));
    }
  }

  private readonly rowOf = (taskId: string): TaskRunRecord | undefined => this.recorder.row(taskId);

  private runAttempt(taskId: string, attempt: number, startedAt: Date, queueWaitMs: number): void {
    void this.attempts.run(taskId, attempt, startedAt, queueWaitMs).then((end) => this.deliver(taskId, attempt, end));
  }

  /** An attempt ended: its task actor takes the outcome, unless the task moved on meanwhile (cancelled). */
  private deliver(taskId: string, attempt: number, { outcome, finishedAt }: AttemptEnd): void {
    if (this.phase === 'detached' || this.phase === 'finished') return;
    const actor = this.childOf(taskId);
    const snapshot = actor?.getSnapshot() as ActorState | undefined;
    if (!actor || snapshot!.value !== 'running' || (snapshot!.context as TaskMachineContext).attempt !== attempt) return;
    this.drive(taskId, actor, { type: 'attempt.done', outcome }, finishedAt);
  }

  /** A task's transition into `retrying` is committed: the next attempt starts at its deadline. */
  private waitForRetry(taskId: string): void {
    const actor = this.childOf(taskId);
    const snapshot = actor?.getSnapshot() as ActorState | undefined;
    if (!actor || snapshot!.value !== 'retrying') return;
    const { retryAt } = snapshot!.context as TaskMachineContext;
    const backoff = setLongTimeout(() => {
      this.backoffs.delete(taskId);
      if (this.phase !== 'running' || (actor.getSnapshot() as ActorState).value !== 'retrying') return;
      this.drive(taskId, actor, RETRY);
    }, (retryAt ?? 0) - Date.now());
    this.backoffs.set(taskId, backoff);
  }

  /** Sends `task.cancel` to every live task actor (running or backing off); they end `cancelled`. */
  private cancelLiveTasks(): void {
    const reason = this.reason ?? 'execution cancelled';
    for (const actor of Object.values(this.children())) {
      const { status, context } = actor.getSnapshot() as ActorState & { context: TaskMachineContext };
      if (status !== 'active') continue;
      this.backoffs.get(context.taskId)?.clear();
      this.backoffs.delete(context.taskId);
      this.drive(context.taskId, actor, { type: 'task.cancel', reason });
      this.attempts.abort(context.taskId, reason);
    }
  }

  private settle(): void {
    this.phase = 'settling';
    this.sendSupervisor({ type: 'execution.settle', failed: this.recorder.count('failed') > 0 });
  }

  /** Sends the supervisor an event and records its transition, if it takes one. */
  private sendSupervisor(event: ExecutionEvent): void {
    const supervisor = this.supervisor!;
    const from = String(supervisor.getSnapshot().value);
    supervisor.send(event);
    const after = supervisor.getSnapshot();
    const to = String(after.value);
    if (to === from) return;
    const at = new Date();
    const update = this.executionUpdate(to, at);
    if (to === 'succeeded' || to === 'failed' || to === 'cancelled') this.finalUpdate = update;
    this.recorder.recordExecution(from, after as ActorState, event as EventObject, at, update, this.onExecutionCommitted);
  }

  private executionUpdate(to: string, at: Date): ExecutionUpdate | null {
    if (to === 'running') return { id: this.id, status: 'running', startedAt: at };
    if (to !== 'succeeded' && to !== 'failed' && to !== 'cancelled') return null;
    const output = leafOutputs(this.workflow, (taskId) => this.recorder.row(taskId)!);
    return { id: this.id, status: to, finishedAt: at, output, error: executionError(to, this.reason, this.recorder.allRows()) };
  }

  /** A task's transition is durable: act on it. */
  private readonly onTaskCommitted = (transition: TransitionRecord): void => {
    if (this.phase === 'detached') return;
    this.emit(transition);
    const taskId = transition.taskId!;
    const to = transition.to as TaskStatus;
    if (to === 'retrying') return this.waitForRetry(taskId);
    if (!isTerminalTaskStatus(to)) return;
    this.slots.settle(taskId);
    this.scheduler.settle(taskId, to);
    this.progressEvents.taskSettled();
    if (to === 'failed' || to === 'skipped' || (to === 'cancelled' && this.phase === 'running')) {
      this.spawn(this.scheduler.closeDownstream(taskId).map(({ taskId: closed, blockedBy }) => [closed, skipEvent(blockedBy)]));
      if (to === 'failed' && this.record.failurePolicy === 'fail-fast' && this.phase === 'running') this.abort(taskId);
    }
    this.queuePump();
  };

  /** Fail-fast: a task failed; every live task is cancelled and the execution will fail. */
  private abort(failedTaskId: string): void {
    this.phase = 'aborting';
    this.reason = `fail-fast: task ${JSON.stringify(failedTaskId)} failed`;
    this.sendSupervisor({ type: 'execution.abort', reason: this.reason });
    this.cancelLiveTasks();
  }

  /** The supervisor's transition is durable. */
  private readonly onExecutionCommitted = (transition: TransitionRecord): void => {
    if (this.phase === 'detached') return;
    const to = transition.to;
    if (to === 'succeeded' || to === 'failed' || to === 'cancelled') this.progressEvents.finish(); // at 100 %, before the final event
    this.emit(transition);
    if (to === 'running') this.record.startedAt ??= transition.at;
    if (to === 'succeeded' || to === 'failed' || to === 'cancelled') this.finish(to, transition.at);
  };

  /** The final transition is committed: `finishedAt` is its time, as stored. */
  private finish(status: 'succeeded' | 'failed' | 'cancelled', finishedAt: Date): void {
    this.phase = 'finished';
    this.record.status = status;
    this.runtime.runs.delete(this.id);
    this.runtime.telemetry.addSpan({
      spanId: this.id,
      parentSpanId: null,
      executionId: this.id,
      taskId: null,
      attempt: null,
      name: this.workflow.id,
      status,
      startedAt: this.record.startedAt ?? this.record.createdAt,
      finishedAt,
      attributes: { workflowVersion: this.workflow.version, tasks: this.scheduler.total },
    });
    this.record = { ...this.record, ...this.finalUpdate, status, finishedAt };
    this.trace.end(status, this.record.error);
    this.runtime.metrics.executionEnded(status, finishedAt.getTime() - (this.record.startedAt ?? this.record.createdAt).getTime());
    this.resolveResult(buildExecutionResult(this.record, this.recorder.allRows(), this.workflow.topologicalOrder));
    this.runtime.onExecutionFinished();
  }

  private emit(transition: TransitionRecord): void {
    const type = engineEventType(transition);
    if (type === null || !isListenedTo(this.runtime.events, type)) return;
    emitSafely(this.runtime.events, toEngineEvent(transition, this.workflow.id, type), this.runtime.logger);
  }
}

function skipEvent(blockedBy: string): TaskEvent {
  return { type: 'task.skip', reason: `upstream task ${JSON.stringify(blockedBy)} did not succeed` };
}
