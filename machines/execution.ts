/**
 * The execution machine: the supervisor of one run of a workflow.
 *
 *   pending ──execution.start──▶ running ──execution.settle──▶ succeeded | failed
 *      │                          │
 *      │                          ├──execution.cancel──▶ cancelling ──execution.settle──▶ cancelled
 *      │                          └──execution.abort───▶ aborting   ──execution.settle──▶ failed
 *      └──execution.cancel──▶ cancelled
 *
 * The supervisor owns the task actors. While it runs, `task.spawn` spawns one task actor (logic
 * registered by name, `task`) for each task the scheduler released, in one step for the batch
 * (every task a pump releases): a step that spawns copies the children map once.
 *
 * Children are named by small slot numbers ('0', '1', ...), not by task id (which is in their
 * context), and a slot is reused once its task's final transition is committed: the new actor
 * replaces the stopped one in the children map, so the map holds at most as many children as
 * tasks ever ran at once, and a supervisor that kept every child (O(n²) copies) is avoided without
 * a step to stop each finished child (execution@2 had `task.release`, which copied the map once
 * per stopped child: 5 % of a 100k lattice's time). V8 copies an object of a few dozen integer
 * keys several times faster than one whose string keys keep changing. Which task is ready, the
 * in-degrees and the concurrency limit are the scheduler's plain data (lib/engine/Scheduler.ts),
 * not machine context.
 *
 * In `cancelling` (a cancel request) and `aborting` (fail-fast after a failure) the engine sends
 * `task.cancel` to every live child after the supervisor's own transition, so that the recorded
 * log reads cause before effect. The engine sends `execution.settle` once every task has settled.
 */
import { assign, setup } from 'xstate';
import { taskMachine } from './task.js';
import type { TaskMachineInput } from './task.js';

/**
 * execution@3 spawns task actors in batches and reuses the slots of settled ones (execution@2
 * also stopped them with `task.release`, which this machine ignores in an old log); its states
 * and their events are execution@1's.
 */
export const EXECUTION_MACHINE_VERSION = 'execution@3';

/** Versions whose snapshots and logs this machine still reads. */
export const EXECUTION_MACHINE_VERSIONS_READ: readonly string[] = ['execution@1', 'execution@2', 'execution@3'];

export interface ExecutionMachineInput {
  executionId: string;
  workflowId: string;
  workflowVersion: string;
}

export interface ExecutionContext extends ExecutionMachineInput {
  /** Why the execution was cancelled or aborted, once it was. */
  reason: string | null;
}

/** One task actor to spawn: its child id (a slot number) and its input. */
export interface TaskSpawn {
  actorId: string;
  input: TaskMachineInput;
}

export type ExecutionEvent =
  | { type: 'execution.start' }
  | { type: 'task.spawn'; tasks: readonly TaskSpawn[] }
  | { type: 'execution.cancel'; reason: string }
  | { type: 'execution.abort'; reason: string }
  | { type: 'execution.settle'; failed: boolean };

export const executionMachine = setup({
  types: {
    context: {} as ExecutionContext,
    events: {} as ExecutionEvent,
    input: {} as ExecutionMachineInput,
  },
  actors: { task: taskMachine },
  actions: {
    // spawn() inside assign: one step for the whole batch (spawnChild actions would each be resolved apart).
    spawnTasks: assign(({ event, spawn }) => {
      if (event.type === 'task.spawn') for (const task of event.tasks) spawn('task', { id: task.actorId, input: task.input });
      return {};
    }),
  },
  guards: {
    anyFailed: ({ event }) => event.type === 'execution.settle' && event.failed,
  },
}).createMachine({
  id: 'execution',
  context: ({ input }) => ({ ...input, reason: null }),
  initial: 'pending',
  states: {
    pending: {
      on: {
        'execution.start': 'running',
        'execution.cancel': { target: 'cancelled', actions: assign({ reason: ({ event }) => event.reason }) },
      },
    },
    running: {
      on: {
        'task.spawn': { actions: 'spawnTasks' },
        'execution.cancel': { target: 'cancelling', actions: assign({ reason: ({ event }) => event.reason }) },
        'execution.abort': { target: 'aborting', actions: assign({ reason: ({ event }) => event.reason }) },
        'execution.settle': [{ guard: 'anyFailed', target: 'failed' }, { target: 'succeeded' }],
      },
    },
    cancelling: {
      on: { 'task.spawn': { actions: 'spawnTasks' }, 'execution.settle': 'cancelled' },
    },
    aborting: {
      on: { 'task.spawn': { actions: 'spawnTasks' }, 'execution.settle': 'failed' },
    },
    succeeded: { type: 'final' },
    failed: { type: 'final' },
    cancelled: { type: 'final' },
  },
});

export type ExecutionMachine = typeof executionMachine;
