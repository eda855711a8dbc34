/**
 * The engine's event bus: an EventEmitter2 with wildcards and '.' as delimiter, so
 * `engine.events.on('task.*', ...)` works. Events are emitted after the transition they report is
 * committed, in commit order. A listener that throws, or returns a rejected promise, is logged and
 * never breaks the engine.
 */
import EventEmitter2Module from 'eventemitter2';
import type { Logger } from 'winston';

const { EventEmitter2 } = EventEmitter2Module;
export type EngineEventEmitter = InstanceType<typeof EventEmitter2>;

export type ExecutionEventName = 'execution.started' | 'execution.succeeded' | 'execution.failed' | 'execution.cancelled';
export type TaskEventName = 'task.running' | 'task.retrying' | 'task.succeeded' | 'task.failed' | 'task.skipped' | 'task.cancelled';

/** The payload of every event. */
export interface EngineEvent {
  type: ExecutionEventName | TaskEventName;
  executionId: string;
  workflowId: string;
  /** null for execution events. */
  taskId: string | null;
  attempt: number;
  seq: number;
  timestamp: Date;
  /** For task.retrying: the chosen delay; for failures: the error. */
  data: Record<string, unknown> | null;
}

export function createEventEmitter(): EngineEventEmitter {
  return new EventEmitter2({ wildcard: true, delimiter: '.', maxListeners: 100, ignoreErrors: true });
}

/**
 * Calls every listener of the event (wildcard matches and `onAny` listeners included), each on
 * its own: one that throws or rejects is logged and the others still run.
 */
export function emitSafely(emitter: EngineEventEmitter, event: EngineEvent, logger: Logger): void {
  const listeners = [...emitter.listeners(event.type), ...emitter.listenersAny()];
  if (listeners.length === 0) return;
  const report = (error: unknown) =>
    logger.warn(`An engine event listener for ${event.type} threw: ${error instanceof Error ? error.message : String(error)}`);
  for (const listener of listeners) {
    try {
      const returned: unknown = listener.call(emitter, event);
      if (returned instanceof Promise) returned.catch(report);
    } catch (error) {
      report(error);
    }
  }
}
