/**
 * The execution machine: the supervisor of one run of a workflow.
 *
 *   pending ──execution.start──▶ running ──execution.settle──▶ succeeded | failed
 *      │                          │
 *      │                          ├──execution.cancel──▶ cancelling ──execution.settle──▶ cancelled
 *      │                          └──execution.abort───▶ aborting   ──execution.settle──▶ failed
 *      └──execution.cancel──▶ cancelled
 *
 * While running it spawns one task actor (logic registered by name, `task`) per `task.spawn`
 * event, and stops each child as soon as it reaches a final state (the `xstate.done.actor.*`
 * event), so only live tasks are children: spawning and stopping copy the children map, and a
 * supervisor that kept every child would be O(n²). Children are named by small slot numbers
 * ('0', '1', ...) reused once their task has settled, not by task id (which is in their
 * context): V8 copies an object of a few dozen integer keys several times faster than one whose
 * string keys keep changing, and that copy is done on every spawn and every stop. Which task is ready, the in-degrees and the
 * concurrency limit are the scheduler's plain data (lib/engine/Scheduler.ts), not machine context.
 *
 * In `cancelling` (a cancel request) and `aborting` (fail-fast after a failure) the engine sends
 * `task.cancel` to every live child, after the supervisor's own transition, so that the recorded
 * log reads cause before effect (an entry action here would cancel the children inside the
 * supervisor's step, and their transitions would be observed first). The scheduler sends
 * `execution.settle` once every task has settled.
 */
import { assign, enqueueActions, setup, stopChild } from 'xstate';
import { taskMachine } from './task.js';
import type { TaskMachineInput } from './task.js';

export const EXECUTION_MACHINE_VERSION = 'execution@1';

export interface ExecutionMachineInput {
  executionId: string;
  workflowId: string;
  workflowVersion: string;
}

export interface ExecutionContext extends ExecutionMachineInput {
  /** Why the execution was cancelled or aborted, once it was. */
  reason: string | null;
}

/** What a spawned task is told to do at once. */
export type TaskCommand =
  | { type: 'task.start' }
  | { type: 'task.skip'; reason: string }
  | { type: 'task.cancel'; reason: string }
  | { type: 'task.adopt'; output: unknown; fromExecutionId: string };

export type ExecutionEvent =
  | { type: 'execution.start' }
  /** `actorId` is the child's id: a small slot number reused once its task has settled (see ExecutionRun). */
  | { type: 'task.spawn'; actorId: string; input: TaskMachineInput; command: TaskCommand }
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
    spawnTask: enqueueActions(({ enqueue, event }) => {
      if (event.type !== 'task.spawn') return;
      enqueue.spawnChild('task', { id: event.actorId, input: event.input });
      enqueue.sendTo(event.actorId, event.command);
    }),
    // `xstate.done.actor.<id>` events carry the settled child's id as `actorId`.
    releaseSettledChild: stopChild(({ event }) => (event as unknown as { actorId: string }).actorId),
  },
  guards: {
    anyFailed: ({ event }) => event.type === 'execution.settle' && event.failed,
  },
}).createMachine({
  id: 'execution',
  context: ({ input }) => ({ ...input, reason: null }),
  initial: 'pending',
  on: { 'xstate.done.actor.*': { actions: 'releaseSettledChild' } } as Record<string, { actions: 'releaseSettledChild' }>,
  states: {
    pending: {
      on: {
        'execution.start': 'running',
        'execution.cancel': { target: 'cancelled', actions: assign({ reason: ({ event }) => event.reason }) },
      },
    },
    running: {
      on: {
        'task.spawn': { actions: 'spawnTask' },
        'execution.cancel': { target: 'cancelling', actions: assign({ reason: ({ event }) => event.reason }) },
        'execution.abort': { target: 'aborting', actions: assign({ reason: ({ event }) => event.reason }) },
        'execution.settle': [{ guard: 'anyFailed', target: 'failed' }, { target: 'succeeded' }],
      },
    },
    cancelling: {
      on: { 'task.spawn': { actions: 'spawnTask' }, 'execution.settle': 'cancelled' },
    },
    aborting: {
      on: { 'task.spawn': { actions: 'spawnTask' }, 'execution.settle': 'failed' },
    },
    succeeded: { type: 'final' },
    failed: { type: 'final' },
    cancelled: { type: 'final' },
  },
});

export type ExecutionMachine = typeof executionMachine;
