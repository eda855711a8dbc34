/**
 * The task machine: the life of one task node of one execution.
 *
 *   pending ──task.start──▶ running ──(attempt succeeded)──▶ succeeded
 *      │                     │  ▲
 *      │                     │  └──(retry deadline reached)── retrying ◀──(attempt failed, retry allowed)──┘
 *      │                     └──(attempt failed, no retry left)──▶ failed
 *      ├──task.adopt──▶ succeeded     (a fork takes the output its source execution recorded)
 *      ├──task.skip──▶ skipped        (an upstream failed or was skipped)
 *      └──task.cancel──▶ cancelled    (also from running and retrying)
 *
 * The machine is data. Its two effects are actors registered by name and provided by the engine:
 * - `runAttempt` runs one attempt of the task function and never rejects: it resolves with an
 *   {@link AttemptOutcome} that already says whether and when to retry, so the retry policy, the
 *   clock and the randomness of jitter stay out of this file.
 * - `sleepUntil` resolves at an absolute deadline (epoch ms). Backoff is a deadline in context,
 *   not an `after:` timer, because `after:` timers are lost when a snapshot is restored: a
 *   restored `retrying` task re-invokes `sleepUntil` with its saved deadline and wakes on time.
 * The attempt's timeout is an absolute deadline too (`attemptDeadline`), computed from the `now`
 * carried by the event that starts the attempt.
 */
import { assign, fromPromise, setup } from 'xstate';
import type { SerializedError } from '../lib/errors.js';

/** Bump when this machine changes. task@2 added `task.adopt`; it reads task@1 logs unchanged. */
export const TASK_MACHINE_VERSION = 'task@2';

/** Versions whose snapshots and logs this machine still reads. */
export const TASK_MACHINE_VERSIONS_READ: readonly string[] = ['task@1', 'task@2'];

export interface TaskMachineInput {
  executionId: string;
  taskId: string;
  timeoutMs: number | null;
}

export interface TaskMachineContext {
  executionId: string;
  taskId: string;
  timeoutMs: number | null;
  /** 1-based number of the current (or last) attempt; 0 before the first. */
  attempt: number;
  /** Absolute deadline (epoch ms) of the running attempt, or null without a timeout. */
  attemptDeadline: number | null;
  /** Absolute deadline (epoch ms) of the pending retry while `retrying`. */
  retryAt: number | null;
  /** The backoff chosen for the pending retry. */
  retryDelayMs: number | null;
  output: unknown;
  error: SerializedError | null;
}

export interface AttemptInput {
  executionId: string;
  taskId: string;
  attempt: number;
  deadline: number | null;
}

export type AttemptOutcome =
  | { kind: 'succeeded'; output: unknown }
  | { kind: 'retry'; error: SerializedError; delayMs: number; retryAt: number }
  | { kind: 'failed'; error: SerializedError };

export interface SleepInput {
  deadline: number | null;
}
/** `sleepUntil` resolves with the time it woke up. */
export interface SleepOutput {
  now: number;
}

export type TaskEvent =
  | { type: 'task.start'; now: number }
  | { type: 'task.skip'; reason: string }
  | { type: 'task.adopt'; output: unknown; fromExecutionId: string }
  | { type: 'task.cancel'; reason: string };

function notProvided(name: string): never {
  throw new Error(`The task machine's ${name} actor was not provided: use taskMachine.provide({ actors })`);
}

function deadlineFrom(now: number, timeoutMs: number | null): number | null {
  return timeoutMs === null ? null : now + timeoutMs;
}

export const taskMachine = setup({
  types: {
    context: {} as TaskMachineContext,
    events: {} as TaskEvent,
    input: {} as TaskMachineInput,
  },
  actors: {
    runAttempt: fromPromise<AttemptOutcome, AttemptInput>(async () => notProvided('runAttempt')),
    sleepUntil: fromPromise<SleepOutput, SleepInput>(async () => notProvided('sleepUntil')),
  },
  guards: {
    attemptSucceeded: (_, outcome: AttemptOutcome) => outcome.kind === 'succeeded',
    attemptRetries: (_, outcome: AttemptOutcome) => outcome.kind === 'retry',
  },
}).createMachine({
  id: 'task',
  context: ({ input }) => ({
    executionId: input.executionId,
    taskId: input.taskId,
    timeoutMs: input.timeoutMs,
    attempt: 0,
    attemptDeadline: null,
    retryAt: null,
    retryDelayMs: null,
    output: undefined,
    error: null,
  }),
  initial: 'pending',
  states: {
    pending: {
      on: {
        'task.start': {
          target: 'running',
          actions: assign(({ context, event }) => ({
            attempt: context.attempt + 1,
            attemptDeadline: deadlineFrom(event.now, context.timeoutMs),
          })),
        },
        'task.adopt': { target: 'succeeded', actions: assign({ output: ({ event }) => event.output }) },
        'task.skip': { target: 'skipped', actions: assign({ error: ({ event }) => ({ name: 'Skipped', message: event.reason }) }) },
        'task.cancel': 'cancelled',
      },
    },
    running: {
      invoke: {
        id: 'attempt',
        src: 'runAttempt',
        input: ({ context }) => ({
          executionId: context.executionId,
          taskId: context.taskId,
          attempt: context.attempt,
          deadline: context.attemptDeadline,
        }),
        onDone: [
          {
            guard: { type: 'attemptSucceeded', params: ({ event }) => event.output },
            target: 'succeeded',
            actions: assign(({ event }) => ({ output: event.output.kind === 'succeeded' ? event.output.output : undefined, error: null })),
          },
          {
            guard: { type: 'attemptRetries', params: ({ event }) => event.output },
            target: 'retrying',
            actions: assign(({ event }) =>
              event.output.kind === 'retry'
                ? { error: event.output.error, retryAt: event.output.retryAt, retryDelayMs: event.output.delayMs }
                : {},
            ),
          },
          {
            target: 'failed',
            actions: assign(({ event }) => (event.output.kind === 'failed' ? { error: event.output.error } : {})),
          },
        ],
      },
      on: { 'task.cancel': 'cancelled' },
    },
    retrying: {
      invoke: {
        id: 'backoff',
        src: 'sleepUntil',
        input: ({ context }) => ({ deadline: context.retryAt }),
        onDone: {
          target: 'running',
          actions: assign(({ context, event }) => ({
            attempt: context.attempt + 1,
            attemptDeadline: deadlineFrom(event.output.now, context.timeoutMs),
            retryAt: null,
            retryDelayMs: null,
          })),
        },
      },
      on: { 'task.cancel': 'cancelled' },
    },
    succeeded: { type: 'final' },
    failed: { type: 'final' },
    skipped: { type: 'final' },
    cancelled: { type: 'final' },
  },
});

export type TaskMachine = typeof taskMachine;
