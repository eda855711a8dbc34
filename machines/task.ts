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
 *   clock and the randomness of jitter stay out of this file. It also enforces the task's
 *   timeout, counted from the moment it starts the function: an attempt re-run after a restore
 *   (XState re-runs an in-flight invoked actor) is a new run and gets the whole timeout again.
 * - `sleepUntil` resolves at an absolute deadline (epoch ms), and not before the transition into
 *   `retrying` is committed (the engine's side of it). Backoff is a deadline in context, not an
 *   `after:` timer, because `after:` timers are lost when a snapshot is restored: a restored
 *   `retrying` task re-invokes `sleepUntil` with its saved deadline and wakes on time.
 */
import { assign, fromPromise, setup } from 'xstate';
import type { SerializedError } from '../lib/errors.js';

/**
 * Bump when this machine changes. task@2 added `task.adopt`. task@3 dropped the attempt's
 * absolute deadline (`attemptDeadline`, `timeoutMs` and the `now` of `task.start`): the attempt
 * runner counts the timeout itself. Each reads the logs of the versions before it unchanged: the
 * fields it dropped are ignored where older snapshots and events still carry them.
 */
export const TASK_MACHINE_VERSION = 'task@3';

/** Versions whose snapshots and logs this machine still reads. */
export const TASK_MACHINE_VERSIONS_READ: readonly string[] = ['task@1', 'task@2', 'task@3'];

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

export interface AttemptInput {
  executionId: string;
  taskId: string;
  attempt: number;
}

export type AttemptOutcome =
  | { kind: 'succeeded'; output: unknown }
  | { kind: 'retry'; error: SerializedError; delayMs: number; retryAt: number }
  | { kind: 'failed'; error: SerializedError };

export interface SleepInput {
  /** The task backing off (absent in snapshots written before task@3). */
  executionId?: string;
  taskId?: string;
  deadline: number | null;
}

export type TaskEvent =
  | { type: 'task.start' }
  | { type: 'task.skip'; reason: string }
  | { type: 'task.adopt'; output: unknown; fromExecutionId: string }
  | { type: 'task.cancel'; reason: string };

function notProvided(name: string): never {
  throw new Error(`The task machine's ${name} actor was not provided: use taskMachine.provide({ actors })`);
}

export const taskMachine = setup({
  types: {
    context: {} as TaskMachineContext,
    events: {} as TaskEvent,
    input: {} as TaskMachineInput,
  },
  actors: {
    runAttempt: fromPromise<AttemptOutcome, AttemptInput>(async () => notProvided('runAttempt')),
    sleepUntil: fromPromise<void, SleepInput>(async () => notProvided('sleepUntil')),
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
    attempt: 0,
    retryAt: null,
    retryDelayMs: null,
    output: undefined,
    error: null,
  }),
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
      invoke: {
        id: 'attempt',
        src: 'runAttempt',
        input: ({ context }) => ({
          executionId: context.executionId,
          taskId: context.taskId,
          attempt: context.attempt,
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
        input: ({ context }) => ({ executionId: context.executionId, taskId: context.taskId, deadline: context.retryAt }),
        onDone: {
          target: 'running',
          actions: assign(({ context }) => ({ attempt: context.attempt + 1, retryAt: null, retryDelayMs: null })),
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
