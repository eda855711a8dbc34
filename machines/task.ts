/**
 * The task machine: the life of one task node of one execution.
 *
 *   pending ──task.start──▶ running ──attempt.done (succeeded)──▶ succeeded
 *      │                     │  ▲
 *      │                     │  └──task.retry── retrying ◀──attempt.done (retry allowed)──┘
 *      │                     └──attempt.done (failed, no retry left)──▶ failed
 *      ├──task.adopt──▶ succeeded     (a fork takes the output its source execution recorded)
 *      ├──task.skip──▶ skipped        (an upstream failed or was skipped)
 *      └──task.cancel──▶ cancelled    (also from running and retrying)
 *
 * The machine is pure data: it invokes nothing and imports no clock. The engine drives it with
 * events and records every transition it takes:
 * - it runs the task function when the task enters `running`, and sends the attempt's outcome
 *   as `attempt.done`. The outcome already says whether and when to retry (`retryAt`, an
 *   absolute deadline kept in context), so the retry policy, the clock and the randomness of
 *   jitter stay out of this file;
 * - it sends `task.retry` once the transition into `retrying` is committed and `retryAt` has
 *   passed. The deadline is absolute, so a backoff interrupted by a crash ends when it was meant
 *   to; a task restored in `running` has its attempt run again (same attempt number).
 *
 * An earlier shape (task@1 to task@3) invoked the attempt and the backoff as XState actors; their
 * logs are read by lib/inspect/recordedEvent.ts, which renames their events to these.
 */
import { assign, setup } from 'xstate';
import type { SerializedError } from '../lib/errors.js';

/**
 * Bump when this machine changes. task@2 added `task.adopt`; task@3 dropped the attempt's
 * absolute deadline; task@4 takes the attempt's outcome and the end of the backoff as events
 * (`attempt.done`, `task.retry`) instead of invoking them. Each reads the logs before it.
 */
export const TASK_MACHINE_VERSION = 'task@4';

/** Versions whose snapshots and logs this machine still reads. */
export const TASK_MACHINE_VERSIONS_READ: readonly string[] = ['task@1', 'task@2', 'task@3', 'task@4'];

export interface TaskMachineInput {
  executionId: string;
  taskId: string;
}

export interface TaskMachineContext {
  executionId: string;
  taskId: string;
  /** 1-based number of the current (or last) attempt; 0 before the first. */
  attempt: number;
  /** Absolute deadline (epoch ms) of the pending retry while `retrying`. */
  retryAt: number | null;
  /** The backoff chosen for the pending retry. */
  retryDelayMs: number | null;
  output: unknown;
  error: SerializedError | null;
}

/** A task's context before its first attempt. */
export function initialTaskContext(input: TaskMachineInput): TaskMachineContext {
  return { executionId: input.executionId, taskId: input.taskId, attempt: 0, retryAt: null, retryDelayMs: null, output: undefined, error: null };
}

/** What one attempt came to: the retry decision is part of it. */
export type AttemptOutcome =
  | { kind: 'succeeded'; output: unknown }
  | { kind: 'retry'; error: SerializedError; delayMs: number; retryAt: number }
  | { kind: 'failed'; error: SerializedError };

export type TaskEvent =
  | { type: 'task.start' }
  | { type: 'attempt.done'; outcome: AttemptOutcome }
  | { type: 'task.retry' }
  | { type: 'task.skip'; reason: string }
  | { type: 'task.adopt'; output: unknown; fromExecutionId: string }
  | { type: 'task.cancel'; reason: string };

export const taskMachine = setup({
  types: {
    context: {} as TaskMachineContext,
    events: {} as TaskEvent,
    input: {} as TaskMachineInput,
  },
  guards: {
    attemptSucceeded: ({ event }) => event.type === 'attempt.done' && event.outcome.kind === 'succeeded',
    attemptRetries: ({ event }) => event.type === 'attempt.done' && event.outcome.kind === 'retry',
  },
}).createMachine({
  id: 'task',
  context: ({ input }) => initialTaskContext(input),
  initial: 'pending',
  states: {
    pending: {
      on: {
        'task.start': { target: 'running', actions: assign({ attempt: ({ context }) => context.attempt + 1 }) },
        'task.adopt': { target: 'succeeded', actions: assign({ output: ({ event }) => event.output }) },
        'task.skip': { target: 'skipped', actions: assign({ error: ({ event }) => ({ name: 'Skipped', message: event.reason }) }) },
        'task.cancel': 'cancelled',
      },
    },
    running: {
      on: {
        'attempt.done': [
          {
            guard: 'attemptSucceeded',
            target: 'succeeded',
            actions: assign(({ event }) => ({ output: event.outcome.kind === 'succeeded' ? event.outcome.output : undefined, error: null })),
          },
          {
            guard: 'attemptRetries',
            target: 'retrying',
            actions: assign(({ event }) =>
              event.outcome.kind === 'retry' ? { error: event.outcome.error, retryAt: event.outcome.retryAt, retryDelayMs: event.outcome.delayMs } : {},
            ),
          },
          {
            target: 'failed',
            actions: assign(({ event }) => (event.outcome.kind === 'failed' ? { error: event.outcome.error } : {})),
          },
        ],
        'task.cancel': 'cancelled',
      },
    },
    retrying: {
      on: {
        'task.retry': {
          target: 'running',
          actions: assign(({ context }) => ({ attempt: context.attempt + 1, retryAt: null, retryDelayMs: null })),
        },
        'task.cancel': 'cancelled',
      },
    },
    succeeded: { type: 'final' },
    failed: { type: 'final' },
    skipped: { type: 'final' },
    cancelled: { type: 'final' },
  },
});

export type TaskMachine = typeof taskMachine;
