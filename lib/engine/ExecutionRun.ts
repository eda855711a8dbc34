/**
 * One execution, live in this process: the supervisor actor, its scheduler, and the recorder
 * that turns every actor transition into a committed `TransitionRecord`.
 *
 * The path of one task, as data:
 * 1. `pump()` takes a ready task from the scheduler (under the concurrency limit, while the store
 *    commits and the telemetry buffer has room) and sends `task.spawn` to the supervisor, which
 *    spawns the task actor and starts it.
 * 2. Every snapshot of every actor reaches `observe()` through XState's `inspect` hook. A change
 *    of state value is a transition: it gets the execution's next `seq` and goes to the group
 *    commit writer with the actor's persisted snapshot and the task's row.
 * 3. Once committed, `onCommitted()` emits the event and, for a final state, settles the task in
 *    the scheduler: a success releases its dependents, a failure closes everything downstream
 *    (skipped) and, under fail-fast, aborts the run. Then `pump()` again.
 * 4. When every task is settled the supervisor gets `execution.settle`; when that final transition
 *    is committed the result promise resolves.
 */
import { createActor } from 'xstate';
import type { Actor, AnyActorRef, EventObject, InspectionEvent } from 'xstate';
import { EXECUTION_MACHINE_VERSION } from '../../machines/execution.js';
import type { ExecutionMachine, TaskCommand } from '../../machines/execution.js';
import { TASK_MACHINE_VERSION } from '../../machines/task.js';
import type { AttemptInput, AttemptOutcome, TaskMachineContext } from '../../machines/task.js';
import { EngineClosedError } from '../errors.js';
import type { ExecutionRecord, ExecutionStatus, ExecutionUpdate, TaskRunRecord, TaskStatus, TransitionRecord } from '../store/records.js';
import { isTerminalExecutionStatus, isTerminalTaskStatus } from '../store/records.js';
import { emitSafely } from '../telemetry/EngineEvents.js';
import type { Workflow } from '../workflow/Workflow.js';
import type { EngineRuntime } from './EngineRuntime.js';
import { buildAttemptInput } from './attemptInput.js';
import { executeAttempt } from './executeAttempt.js';
import { buildExecutionResult } from './executionResult.js';
import type { ExecutionResult } from './executionResult.js';
import { resolveRetryPolicy } from './retryPolicy.js';
import { Scheduler } from './Scheduler.js';
import { SNAPSHOT_FORMAT } from './snapshotFormat.js';
import { executionError, leafOutputs, recordableEvent, taskTransitionData, toEngineEvent } from './transitionFacts.js';
import { spanId } from '../telemetry/spans.js';

type Mode = 'running' | 'cancelling' | 'aborting';

export type ProgressCounts = Record<TaskStatus, number> & { total: number };

export class ExecutionRun {
  readonly id: string;
  readonly result: Promise<ExecutionResult>;
  /** Resolves once the execution's rows are in the store (at once for a resumed run). */
  created: Promise<void> = Promise.resolve();
  private actor: Actor<ExecutionMachine> | null = null;
  private readonly scheduler: Scheduler;
  private readonly rows = new Map<string, TaskRunRecord>();
  private readonly counts: ProgressCounts;
  private readonly lastValue = new WeakMap<AnyActorRef, string>();
  private seq: number;
  private mode: Mode = 'running';
  private settling = false;
  private finished = false;
  private detached = false;
  private anyFailed = false;
  private reason: string | null = null;
  private waitingForRoom = false;
  /** The execution row's final fields, as committed with the final transition. */
  private finalUpdate: ExecutionUpdate | null = null;
  /** Child id (slot) of each spawned, unsettled task, and the slots free for reuse. */
  private readonly slotOf = new Map<string, string>();
  private readonly freeSlots: string[] = [];
  private pendingCancel: string | null = null;
  /** Tasks whose attempt failed with a retry allowed, until their `retrying` transition is committed. */
  private readonly retryCommits = new Map<string, { promise: Promise<void>; resolve: () => void }>();
  private resolveResult!: (result: ExecutionResult) => void;
  private rejectResult!: (error: Error) => void;

  constructor(
    private readonly runtime: EngineRuntime,
    readonly workflow: Workflow,
    private record: ExecutionRecord,
    rows: readonly TaskRunRecord[],
    lastSeq: number,
  ) {
    this.id = record.id;
    this.seq = lastSeq;
    this.counts = { pending: 0, running: 0, retrying: 0, succeeded: 0, failed: 0, skipped: 0, cancelled: 0, total: 0 };
    for (const row of rows) {
      this.rows.set(row.taskId, row);
      this.counts[row.status] += 1;
      this.counts.total += 1;
      if (row.status === 'failed') this.anyFailed = true;
    }
    this.scheduler = new Scheduler(workflow, new Map(rows.map((row) => [row.taskId, row.status])));
    this.result = new Promise((resolve, reject) => {
      this.resolveResult = resolve;
      this.rejectResult = reject;
    });
    this.result.catch(() => undefined); // the caller may only use the handle; never unhandled
  }

  get status(): ExecutionStatus {
    return this.record.status;
  }

  progress(): ProgressCounts {
    return { ...this.counts };
  }

  /**
   * Starts a new execution: the supervisor goes pending → running and the first tasks start.
   * `adopted` (a fork): these tasks take the outputs their source execution recorded, going
   * pending → succeeded without running, before anything else starts.
   */
  begin(adopted?: { fromExecutionId: string; outputs: ReadonlyMap<string, unknown> }): void {
    if (this.finished) return; // the engine closed while the execution's rows were being written
    this.actor = this.createSupervisor(undefined);
    this.actor.start();
    this.actor.send({ type: 'execution.start' });
    this.record.status = 'running';
    for (const [taskId, output] of adopted?.outputs ?? []) {
      this.scheduler.close(taskId);
      this.spawn(taskId, { type: 'task.adopt', output, fromExecutionId: adopted!.fromExecutionId });
    }
    if (this.pendingCancel !== null) this.cancel(this.pendingCancel);
    else this.pump();
  }

  /**
   * Continues from a persisted supervisor snapshot whose children are the restored live tasks:
   * running ones re-run their attempt, retrying ones sleep until their recorded deadline.
   */
  restore(supervisor: object, liveTasks: ReadonlyMap<string, unknown>, mode: Mode): void {
    this.mode = mode;
    this.reason = (supervisor as { context?: { reason?: string | null } }).context?.reason ?? null;
    const children: Record<string, unknown> = {};
    for (const [taskId, snapshot] of liveTasks) children[this.takeSlot(taskId)] = { snapshot, src: 'task', syncSnapshot: false };
    this.actor = this.createSupervisor({ ...supervisor, children });
    this.actor.start();
    const restored = this.actor.getSnapshot().children as Record<string, AnyActorRef>;
    if (!this.lastValue.has(this.actor)) this.lastValue.set(this.actor, String(this.actor.getSnapshot().value));
    for (const child of Object.values(restored)) {
      const { status, error, context } = child.getSnapshot() as { status: string; error?: unknown; context?: TaskMachineContext };
      if (status === 'error') throw new Error(`task ${JSON.stringify(context?.taskId ?? child.id)}: ${String(error)}`);
      if (!this.lastValue.has(child)) this.lastValue.set(child, String((child.getSnapshot() as { value: unknown }).value));
    }
    if (mode !== 'running') this.cancelLiveTasks();
    for (const { taskId, blockedBy } of this.scheduler.closeBlocked(new Map([...this.rows].map(([id, row]) => [id, row.status])))) {
      this.spawn(taskId, { type: 'task.skip', reason: `upstream task ${JSON.stringify(blockedBy)} did not succeed` });
    }
    this.pump();
  }

  /** The store refused the execution row: the run never started. */
  failToStart(error: unknown): void {
    this.finished = true;
    this.runtime.runs.delete(this.id);
    this.rejectResult(error instanceof Error ? error : new Error(String(error)));
  }

  cancel(reason: string): void {
    if (this.finished || this.mode !== 'running') return;
    if (!this.actor) {
      this.pendingCancel = reason;
      return;
    }
    this.mode = 'cancelling';
    this.reason = reason;
    this.actor.send({ type: 'execution.cancel', reason });
    this.cancelLiveTasks();
    this.pump();
  }

  /**
   * Stops the actors without recording anything more: the execution stays resumable. `reason`
   * is what the result rejects with: the engine closing, or another engine taking it over.
   */
  detach(reason: Error = new EngineClosedError(`finish execution ${this.id}`)): void {
    if (this.finished) return;
    this.detached = true;
    this.finished = true;
    this.actor?.stop();
    this.runtime.runs.delete(this.id);
    this.rejectResult(reason);
  }

  /**
   * Resolves once the task's transition into `retrying` is committed (at once if none is on its
   * way): the task machine's `sleepUntil` waits for it, so that the next attempt never starts
   * before the failure of the last one is durable.
   */
  retryCommitted(taskId: string): Promise<void> {
    return this.retryCommits.get(taskId)?.promise ?? Promise.resolve();
  }

  /** Called by the task machine's `runAttempt` actor. */
  runAttempt(input: AttemptInput, signal: AbortSignal): Promise<AttemptOutcome> {
    const task = this.workflow.tasks.get(input.taskId)!;
    const { input: merged, upstream } = buildAttemptInput(this.record.input, this.workflow.upstream.get(input.taskId)!, (id) => this.rows.get(id)?.output);
    const logger = this.runtime.logger.child({ executionId: this.id, taskId: input.taskId, attempt: input.attempt });
    const startedAt = new Date();
    return executeAttempt({
      task,
      policy: resolveRetryPolicy(this.runtime.defaultRetry, task.retry),
      input: merged,
      context: {
        executionId: this.id,
        workflowId: this.workflow.id,
        taskId: input.taskId,
        attempt: input.attempt,
        idempotencyKey: `${this.id}:${input.taskId}:${input.attempt}`,
        upstream,
        logger,
      },
      signal,
      maxOutputBytes: this.runtime.maxOutputBytes,
    }).then((outcome) => {
      if (outcome.kind === 'retry' && !signal.aborted) {
        let resolve!: () => void;
        const promise = new Promise<void>((done) => (resolve = done));
        this.retryCommits.set(input.taskId, { promise, resolve });
      }
      this.runtime.telemetry.addSpan({
        spanId: spanId(),
        parentSpanId: this.id,
        executionId: this.id,
        taskId: input.taskId,
        attempt: input.attempt,
        name: task.name,
        status: signal.aborted ? 'cancelled' : outcome.kind === 'succeeded' ? 'ok' : 'error',
        startedAt,
        finishedAt: new Date(),
        attributes: outcome.kind === 'succeeded' ? {} : { error: outcome.error },
      });
      return outcome;
    });
  }

  private createSupervisor(snapshot: unknown): Actor<ExecutionMachine> {
    const options = {
      input: { executionId: this.id, workflowId: this.workflow.id, workflowVersion: this.workflow.version },
      inspect: (event: InspectionEvent) => this.observe(event),
      ...(snapshot === undefined ? {} : { snapshot: snapshot as never }),
    };
    return createActor(this.runtime.machine, options);
  }

  /** Sends `task.cancel` to every live task actor (running or backing off); they end `cancelled`. */
  private cancelLiveTasks(): void {
    const reason = this.reason ?? 'execution cancelled';
    for (const child of Object.values(this.actor!.getSnapshot().children as Record<string, AnyActorRef>)) {
      child.send({ type: 'task.cancel', reason });
    }
  }

  /** Starts ready tasks while there is room; closes unstarted ones when cancelling or aborting. */
  private pump(): void {
    if (this.finished || this.settling) return;
    if (this.mode !== 'running') {
      for (const taskId of this.scheduler.closeUnstarted()) {
        this.spawn(taskId, { type: 'task.cancel', reason: this.reason ?? 'execution cancelled' });
      }
    } else {
      while (this.scheduler.live < this.record.concurrency && this.hasRoom()) {
        const taskId = this.scheduler.take();
        if (taskId === undefined) break;
        this.spawn(taskId, { type: 'task.start' });
      }
    }
    if (this.scheduler.isSettled) this.settle();
  }

  /** True while the store commits and the telemetry buffer has room; else pumps again later. */
  private hasRoom(): boolean {
    const { writer, telemetry } = this.runtime;
    if (writer.isHealthy && !telemetry.isFull) return true;
    if (!this.waitingForRoom && this.scheduler.hasReady) {
      this.waitingForRoom = true;
      void Promise.all([writer.whenHealthy(), telemetry.whenNotFull()]).then(() => {
        this.waitingForRoom = false;
        this.pump();
      });
    }
    return false;
  }

  private spawn(taskId: string, command: TaskCommand): void {
    this.actor!.send({
      type: 'task.spawn',
      actorId: this.takeSlot(taskId),
      input: { executionId: this.id, taskId },
      command,
    });
  }

  /** A free child id for a task. Freed only when its final transition is committed, long after the actor stopped. */
  private takeSlot(taskId: string): string {
    const slot = this.freeSlots.pop() ?? String(this.slotOf.size + this.freeSlots.length);
    this.slotOf.set(taskId, slot);
    return slot;
  }

  private freeSlot(taskId: string): void {
    const slot = this.slotOf.get(taskId);
    if (slot === undefined) return;
    this.slotOf.delete(taskId);
    this.freeSlots.push(slot);
  }

  private settle(): void {
    this.settling = true;
    this.actor!.send({ type: 'execution.settle', failed: this.anyFailed });
  }

  /** The persistence listener: every actor snapshot passes here. */
  private observe(event: InspectionEvent): void {
    this.runtime.inspect?.(event);
    if (event.type !== '@xstate.snapshot' || this.detached) return;
    const ref = event.actorRef as AnyActorRef;
    const isSupervisor = ref === this.actor;
    if (!isSupervisor && ref.src !== 'task') return;
    const snapshot = event.snapshot as unknown as { value: unknown; context: unknown };
    const to = String(snapshot.value);
    const from = this.lastValue.get(ref);
    this.lastValue.set(ref, to);
    if (from === undefined || from === to) return;
    this.record_(ref, isSupervisor ? null : (snapshot.context as TaskMachineContext).taskId, from, to, event.event, snapshot.context);
  }

  private record_(ref: AnyActorRef, taskId: string | null, from: string, to: string, cause: EventObject, context: unknown): void {
    const at = new Date();
    const transition: TransitionRecord = {
      executionId: this.id,
      seq: ++this.seq,
      taskId,
      from,
      to,
      event: cause.type,
      attempt: 0,
      at,
      data: { event: recordableEvent(cause) },
      snapshot: ref.getPersistedSnapshot(),
      snapshotFormat: SNAPSHOT_FORMAT,
      machineVersion: taskId === null ? EXECUTION_MACHINE_VERSION : TASK_MACHINE_VERSION,
    };
    let row: TaskRunRecord | null = null;
    let execution: ExecutionUpdate | null = null;
    if (taskId === null) {
      execution = this.executionUpdate(to, at);
      if (isTerminalExecutionStatus(to as ExecutionStatus)) this.finalUpdate = execution;
    } else {
      const task = context as TaskMachineContext;
      transition.attempt = task.attempt;
      transition.data = { ...transition.data, ...taskTransitionData(to, task) };
      row = this.updateRow(taskId, to as TaskStatus, task, at);
    }
    const urgent = taskId === null ? isTerminalExecutionStatus(to as ExecutionStatus) : isTerminalTaskStatus(to as TaskStatus);
    this.runtime.writer.enqueue({ transition, taskRun: row, execution, urgent, onCommitted: () => this.onCommitted(transition) });
  }

  private updateRow(taskId: string, status: TaskStatus, task: TaskMachineContext, at: Date): TaskRunRecord {
    const previous = this.rows.get(taskId)!;
    this.counts[previous.status] -= 1;
    this.counts[status] += 1;
    const row: TaskRunRecord = {
      ...previous,
      status,
      attempt: task.attempt,
      output: status === 'succeeded' ? task.output : null,
      error: status === 'succeeded' ? null : task.error,
      startedAt: previous.startedAt ?? (status === 'running' ? at : null),
      finishedAt: isTerminalTaskStatus(status) ? at : null,
      nextRetryAt: status === 'retrying' && task.retryAt !== null ? new Date(task.retryAt) : null,
    };
    this.rows.set(taskId, row);
    return row;
  }

  private executionUpdate(to: string, at: Date): ExecutionUpdate | null {
    if (to === 'running') return { id: this.id, status: 'running', startedAt: at };
    if (to !== 'succeeded' && to !== 'failed' && to !== 'cancelled') return null;
    const output = leafOutputs(this.workflow, (taskId) => this.rows.get(taskId)!);
    return { id: this.id, status: to, finishedAt: at, output, error: executionError(to, this.reason, this.rows.values()) };
  }

  /** A transition is durable: act on it. */
  private onCommitted(transition: TransitionRecord): void {
    if (this.detached) return;
    this.emit(transition);
    const { taskId, to } = transition;
    if (taskId === null) {
      if (to === 'running') this.record.startedAt ??= transition.at;
      if (to === 'succeeded' || to === 'failed' || to === 'cancelled') this.finish(to, transition.at);
      return;
    }
    if (to === 'retrying') {
      this.retryCommits.get(taskId)?.resolve();
      this.retryCommits.delete(taskId);
    }
    if (!isTerminalTaskStatus(to as TaskStatus)) return;
    this.freeSlot(taskId);
    this.scheduler.settle(taskId, to as TaskStatus);
    if (to === 'failed' || to === 'skipped' || (to === 'cancelled' && this.mode === 'running')) {
      if (to === 'failed') this.anyFailed = true;
      for (const closed of this.scheduler.closeDownstream(taskId)) {
        this.spawn(closed.taskId, { type: 'task.skip', reason: `upstream task ${JSON.stringify(closed.blockedBy)} did not succeed` });
      }
      if (to === 'failed' && this.record.failurePolicy === 'fail-fast' && this.mode === 'running') {
        this.mode = 'aborting';
        this.reason = `fail-fast: task ${JSON.stringify(taskId)} failed`;
        this.actor!.send({ type: 'execution.abort', reason: this.reason });
        this.cancelLiveTasks();
      }
    }
    this.pump();
  }

  /** The final transition is committed: `finishedAt` is its time, as stored. */
  private finish(status: ExecutionStatus, finishedAt: Date): void {
    this.finished = true;
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
    this.resolveResult(buildExecutionResult(this.record, this.rows.values(), this.workflow.topologicalOrder));
    this.runtime.onExecutionFinished();
  }

  private emit(transition: TransitionRecord): void {
    const event = toEngineEvent(transition, this.workflow.id);
    if (event) emitSafely(this.runtime.events, event, this.runtime.logger);
  }
}
