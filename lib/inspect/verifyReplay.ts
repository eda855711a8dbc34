/**
 * `verifyReplay`: does the machine, fed the recorded events, walk the recorded path?
 *
 * Each actor of the execution (the supervisor, and each task) is replayed on its own, with
 * xstate's pure transition functions: `initialTransition(machine, input)` gives its first
 * snapshot, then each of its transitions, in `seq` order, feeds the recorded event
 * (`transition.data.event`, see recordedEvent.ts) to `transition(machine, snapshot, event)`.
 * A step agrees when the state before it is the recorded `from`, the state after it is the
 * recorded `to` and, for a task, the context's `attempt` is the recorded attempt. The first step
 * that disagrees, in `seq` order, is the divergence. A machine that throws (a guard that cannot
 * read the event, say) diverges at that step too.
 *
 * Machines given by the caller are stepped with the pure functions: they execute no effect (the
 * actions come back as data, invoked or spawned actors are created but never started), whatever
 * the machine does. The shipped machines, which are known to hold no effect but `assign`, are
 * stepped more cheaply, to the same states: the supervisor as a live actor sent the same events
 * (stopped after its last recorded step), and every task through the task machine's own
 * `getInitialSnapshot` / `transition` with one inert scope shared by all of them (replayStepper.ts;
 * the task machine spawns and invokes nothing). Measured: a task's two steps cost about 100 µs
 * as an actor, 400-560 µs through `transition()` (which made a 100,000-task execution's
 * verification take minutes); with the shared scope a third less than as an actor.
 *
 * Only the events that changed an actor's state are recorded, so events that did not (the
 * supervisor's `task.spawn`, and execution@2's `task.release`) are not replayed; neither machine needs them to
 * reach its recorded states.
 *
 * The log is read without its snapshots: the check compares states, attempts and events.
 *
 * Inputs: the supervisor gets the execution row's ids; a task gets `{ executionId, taskId }`.
 */
import type { AnyStateMachine, StateValue } from 'xstate';
import { executionMachine } from '../../machines/execution.js';
import { taskMachine } from '../../machines/task.js';
import { ExecutionNotFoundError, toError } from '../errors.js';
import type { ExecutionRecord, TransitionRecord } from '../store/records.js';
import type { Store } from '../store/Store.js';
import { recordedEvent } from './recordedEvent.js';
import { actorStepper, inertScope, pureStepper, scopedStepper } from './replayStepper.js';
import type { ReplayStepper } from './replayStepper.js';

export interface ReplayMachines {
  execution: AnyStateMachine;
  task: AnyStateMachine;
}

export interface ReplayDivergence {
  seq: number;
  /** The task whose step diverged; null for the execution's own actor. */
  taskId: string | null;
  /** What was recorded: `from → to`, with `(attempt n)` for a task. */
  expected: string;
  /** What the machine did: `from → to`, with `(attempt n)` for a task, or `from → threw: message`. */
  actual: string;
}

export type VerifyReplayResult = { ok: true; steps: number } | { ok: false; firstDivergence: ReplayDivergence };

/**
 * Replays every recorded event through the machines and reports the first step where they do
 * not reach the recorded state. Use it to check that a changed machine still reads old logs.
 * @param machines the machines to verify against @defaultValue the engine's `executionMachine` and `taskMachine`
 * @throws ExecutionNotFoundError when the store has no such execution
 * @example
 * const result = await verifyReplay(store, executionId);
 * if (!result.ok) {
 *   const { seq, taskId, expected, actual } = result.firstDivergence;
 *   console.error(`seq ${seq} (${taskId ?? 'execution'}): recorded ${expected}, machine did ${actual}`);
 * }
 */
export async function verifyReplay(store: Store, executionId: string, machines?: ReplayMachines): Promise<VerifyReplayResult> {
  const execution = await store.getExecution(executionId, { graph: false });
  if (!execution) throw new ExecutionNotFoundError(executionId);
  const transitions = [...(await store.listTransitions(executionId, 0, { snapshots: false }))].sort((a, b) => a.seq - b.seq);
  const shipped = machines === undefined;
  const used = machines ?? { execution: executionMachine, task: taskMachine };
  const taskScope = shipped ? inertScope(taskMachine, inputOf(execution, '')) : null;
  const stepperOf = (taskId: string | null): ReplayStepper => {
    const input = inputOf(execution, taskId);
    if (!shipped) return pureStepper(taskId === null ? used.execution : used.task, input);
    return taskId === null ? actorStepper(used.execution, input) : scopedStepper(used.task, taskScope!, input);
  };
  const lastSeq = new Map<string | null, number>();
  for (const transition of transitions) lastSeq.set(transition.taskId, transition.seq);
  const steppers = new Map<string | null, ReplayStepper>();
  try {
    for (const recorded of transitions) {
      const { taskId } = recorded;
      const expected = describe(recorded.from ?? '(none)', recorded.to, taskId === null ? null : recorded.attempt);
      let stepper = steppers.get(taskId);
      if (!stepper) {
        try {
          stepper = stepperOf(taskId);
        } catch (error) {
          return diverged(recorded, expected, `initial state threw: ${toError(error).message}`);
        }
        steppers.set(taskId, stepper);
      }
      const from = stateValueToString(stepper.value());
      const step = stepper.step(recordedEvent(recorded).event);
      if (!step.ok) return diverged(recorded, expected, `${from} → ${step.threw ? 'threw' : 'error'}: ${toError(step.error).message}`);
      const to = stateValueToString(stepper.value());
      const attempt = taskId === null ? null : attemptOf(stepper.context());
      if (from !== (recorded.from ?? from) || to !== recorded.to || (attempt !== null && attempt !== recorded.attempt) || (taskId !== null && attempt === null)) {
        return diverged(recorded, expected, describe(from, to, taskId === null ? null : attempt ?? 'none'));
      }
      if (lastSeq.get(taskId) === recorded.seq) {
        stepper.stop();
        steppers.delete(taskId);
      }
    }
    return { ok: true, steps: transitions.length };
  } finally {
    for (const stepper of steppers.values()) stepper.stop();
  }
}

function inputOf(execution: ExecutionRecord, taskId: string | null): object {
  return taskId === null
    ? { executionId: execution.id, workflowId: execution.workflowId, workflowVersion: execution.workflowVersion }
    : { executionId: execution.id, taskId };
}

function attemptOf(context: unknown): number | null {
  const attempt: unknown = (context as { attempt?: unknown } | undefined)?.attempt;
  return typeof attempt === 'number' ? attempt : null;
}

/**
 * A state value as text: a string as is, a nested value as dotted paths (`running.fetching`),
 * parallel regions joined by commas. (The engine records `String(value)`, which equals this for
 * the flat machines it ships.)
 */
export function stateValueToString(value: StateValue): string {
  if (typeof value === 'string') return value;
  return Object.entries(value)
    .map(([key, child]) => (child === undefined ? key : `${key}.${stateValueToString(child)}`))
    .join(',');
}

function describe(from: string, to: string, attempt: number | string | null): string {
  return attempt === null ? `${from} → ${to}` : `${from} → ${to} (attempt ${attempt})`;
}

function diverged(recorded: TransitionRecord, expected: string, actual: string): VerifyReplayResult {
  return { ok: false, firstDivergence: { seq: recorded.seq, taskId: recorded.taskId, expected, actual } };
}
