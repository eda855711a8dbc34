/**
 * The XState event that caused a recorded transition, as `verifyReplay` feeds it back.
 *
 * The engine stores the whole event as JSON in `transition.data.event`. Rows written before it
 * did have the event's type only (`transition.event`); for them the event is rebuilt from the
 * type and the facts the row kept, as well as they allow:
 * - `task.start` and the end of a backoff carry nothing the machine reads (before task@3 they
 *   carried the time, which only fed the attempt's deadline, never the state reached);
 * - `task.skip`, `task.cancel`, `execution.cancel`, `execution.abort` get the recorded `reason`;
 * - an attempt's end gets the attempt's outcome from the row's data: a retry when it holds
 *   `delayMs`/`retryAt`, a failure when it holds an `error`, else a success with the output of
 *   the recorded snapshot. A changed machine still shows: the same outcome leads elsewhere;
 * - `execution.settle` gets `failed` = whether the recorded target is `failed`: this one says
 *   only what the row already says, so the settle step of an old row verifies nothing.
 * Any other type is fed as `{ type }`.
 *
 * Logs of task@1 to task@3, whose task actors invoked the attempt and the backoff, name those
 * events as XState named the invoked actors' completions: `xstate.done.actor.attempt` (with the
 * outcome as `output`) and `xstate.done.actor.backoff`. They are fed as the events task@4 takes
 * for the same facts: `attempt.done` (the outcome as `outcome`) and `task.retry`.
 */
import type { EventObject } from 'xstate';
import type { TransitionRecord } from '../store/records.js';

export interface RecordedEvent {
  event: EventObject;
  /** True when the row had no `data.event` and the event was rebuilt from its type. */
  reconstructed: boolean;
}

export function recordedEvent(transition: TransitionRecord): RecordedEvent {
  const stored = transition.data?.event;
  if (isEventObject(stored)) return { event: renamed(stored), reconstructed: false };
  return { event: renamed(reconstructEvent(transition)), reconstructed: true };
}

/** An event of task@1-3's invoked actors as task@4 takes it. */
function renamed(event: EventObject): EventObject {
  if (event.type === 'xstate.done.actor.attempt') return { type: 'attempt.done', outcome: (event as { output?: unknown }).output } as EventObject;
  if (event.type === 'xstate.done.actor.backoff') return { type: 'task.retry' };
  return event;
}

function reconstructEvent(transition: TransitionRecord): EventObject {
  const type = transition.event;
  const data = transition.data ?? {};
  const reason = data.reason ?? data.error?.message ?? '';
  switch (type) {
    case 'task.skip':
    case 'task.cancel':
    case 'execution.cancel':
    case 'execution.abort':
      return { type, reason } as EventObject;
    case 'task.retry':
    case 'xstate.done.actor.backoff':
      return { type: 'task.retry' };
    case 'attempt.done':
    case 'xstate.done.actor.attempt':
      return { type: 'attempt.done', outcome: attemptOutcome(transition) } as EventObject;
    case 'execution.settle':
      return { type, failed: transition.to === 'failed' } as EventObject;
    default:
      return { type };
  }
}

function attemptOutcome(transition: TransitionRecord): unknown {
  const data = transition.data ?? {};
  const error = data.error ?? { name: 'Error', message: 'unknown (not recorded)' };
  if (data.delayMs !== undefined || data.retryAt !== undefined) {
    const retryAt = data.retryAt === undefined ? new Date(transition.at).getTime() : Date.parse(data.retryAt);
    return { kind: 'retry', error, delayMs: data.delayMs ?? 0, retryAt };
  }
  if (data.error !== undefined) return { kind: 'failed', error };
  const context = (transition.snapshot as { context?: { output?: unknown } } | null)?.context;
  return { kind: 'succeeded', output: context?.output };
}

function isEventObject(value: unknown): value is EventObject {
  return typeof value === 'object' && value !== null && typeof (value as { type?: unknown }).type === 'string';
}
