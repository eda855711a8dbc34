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
 * registered by name, `task`) for each task the scheduler released, and `task.release` stops
 * the task actors whose final transition is committed, so only live tasks are children: spawning
 * and stopping copy the children map, and a supervisor that kept every child would be O(n²).
 * Both take a batch (every task a pump releases, every task a commit settles): one supervisor
 * step for many tasks.
 *
 * Children are named by small slot numbers ('0', '1', ...) reused once their task has settled,
 * not by task id (which is in their context): V8 copies an object of a few dozen integer keys
 * several times faster than one whose string keys keep changing, and that copy is made on every
 * spawn and every stop. Which task is ready, the in-degrees and the concurrency limit are the
 * scheduler's plain data (lib/engine/Scheduler.ts), not machine context.
 *
 * In `cancelling` (a cancel request) and `aborting` (fail-fast after a failure) the engine sends
 * `task.cancel` to every live child after the supervisor's own transition, so that the recorded
 * log reads cause before effect. The engine sends `execution.settle` once every task has settled.
 */
import { assign, enqueueActions, setup } from 'xstate';
import { taskMachine } from './task.js';
import type { TaskMachineInput } from './task.js';

/** execution@2 spawns and releases task actors in batches; its states and their events are execution@1's. */
export const EXECUTION_MACHINE_VERSION = 'execution@2';

/** Versions whose snapshots and logs this machine still reads. */
export const EXECUTION_MACHINE_VERSIONS_READ: readonly string[] = ['execution@1', 'execution@2'];

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
  | { type: 'task.release'; actorIds: readonly string[] }
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
    releaseTasks: enqueueActions(({ enqueue, event }) => {
      if (event.type === 'task.release') for (const actorId of event.actorIds) enqueue.stopChild(actorId);
    }),
  },
  guards: {
    anyFailed: ({ event }) => event.type === 'execution.settle' && event.failed,
  },
}).createMachine({
  id: 'execution',
  context: ({ input }) => ({ ...input, reason: null }),
  initial: 'pending',
  on: { 'task.release': { actions: 'releaseTasks' } },
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
