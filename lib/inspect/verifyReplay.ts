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
 * Pure transitions execute no effect: the actions come back as data and invoked or spawned
 * actors are created but never started, so the task machine's placeholder actors (which throw
 * when run) are safe here. Only the events that changed an actor's state are recorded, so events
 * that did not (the supervisor's `task.spawn`, `xstate.done.actor.*`) are not replayed; neither
 * machine needs them to reach its recorded states.
 *
 * Inputs: the supervisor gets the execution row's ids; a task gets `{ executionId, taskId }`.
 */
import { initialTransition, transition as machineTransition } from 'xstate';
import type { AnyMachineSnapshot, AnyStateMachine, StateValue } from 'xstate';
import { executionMachine } from '../../machines/execution.js';
import { taskMachine } from '../../machines/task.js';
import { ExecutionNotFoundError, toError } from '../errors.js';
import type { ExecutionRecord, TransitionRecord } from '../store/records.js';
import type { Store } from '../store/Store.js';
import { recordedEvent } from './recordedEvent.js';

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
export async function verifyReplay(
  store: Store,
  executionId: string,
  machines: ReplayMachines = { execution: executionMachine, task: taskMachine },
): Promise<VerifyReplayResult> {
  const execution = await store.getExecution(executionId);
  if (!execution) throw new ExecutionNotFoundError(executionId);
  const transitions = [...(await store.listTransitions(executionId))].sort((a, b) => a.seq - b.seq);
  const snapshots = new Map<string | null, AnyMachineSnapshot>();
  for (const recorded of transitions) {
    const { taskId } = recorded;
    const machine = taskId === null ? machines.execution : machines.task;
    const expected = describe(recorded.from ?? '(none)', recorded.to, taskId === null ? null : recorded.attempt);
    let before: AnyMachineSnapshot;
    let after: AnyMachineSnapshot;
    try {
      before = snapshots.get(taskId) ?? initialSnapshot(machine, execution, recorded);
    } catch (error) {
      return diverged(recorded, expected, `initial state threw: ${toError(error).message}`);
    }
    const from = stateValueToString(before.value);
    try {
      [after] = machineTransition(machine, before, recordedEvent(recorded).event);
    } catch (error) {
      return diverged(recorded, expected, `${from} → threw: ${toError(error).message}`);
    }
    if (after.status === 'error') return diverged(recorded, expected, `${from} → error: ${toError(after.error).message}`);
    const to = stateValueToString(after.value);
    const attempt = taskId === null ? null : attemptOf(after);
    if (from !== (recorded.from ?? from) || to !== recorded.to || (attempt !== null && attempt !== recorded.attempt) || (taskId !== null && attempt === null)) {
      return diverged(recorded, expected, describe(from, to, taskId === null ? null : attempt ?? 'none'));
    }
    snapshots.set(taskId, after);
  }
  return { ok: true, steps: transitions.length };
}

function initialSnapshot(machine: AnyStateMachine, execution: ExecutionRecord, first: TransitionRecord): AnyMachineSnapshot {
  const input =
    first.taskId === null
      ? { executionId: execution.id, workflowId: execution.workflowId, workflowVersion: execution.workflowVersion }
      : { executionId: execution.id, taskId: first.taskId };
  const [snapshot] = initialTransition(machine, input);
  return snapshot;
}

function attemptOf(snapshot: AnyMachineSnapshot): number | null {
  const attempt: unknown = (snapshot.context as { attempt?: unknown } | undefined)?.attempt;
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
