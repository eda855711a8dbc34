/**
 * The engine's event bus: an EventEmitter2 with wildcards and '.' as delimiter, so
 * `engine.events.on('task.*', ...)` works. Events are emitted after the transition they report is
 * committed, in commit order. A listener that throws, or returns a rejected promise, is logged and
 * never breaks the engine.
 */
import EventEmitter2Module from 'eventemitter2';
import type { Logger } from 'winston';

const { EventEmitter2 } = EventEmitter2Module;
type EventEmitter2Instance = InstanceType<typeof EventEmitter2>;

/** A listener of engine events; it may be async (a rejection is logged, never thrown). */
export type EngineEventListener = (event: EngineEvent) => void | Promise<void>;

/**
 * The engine's EventEmitter2, with its listener methods typed for {@link EngineEvent}. Patterns
 * use '.' and wildcards: 'task.*', 'execution.failed', '**'.
 */
export interface EngineEventEmitter
  extends Omit<EventEmitter2Instance, 'on' | 'once' | 'off' | 'addListener' | 'removeListener' | 'prependListener' | 'many'> {
  on(pattern: string | string[], listener: EngineEventListener): this;
  once(pattern: string | string[], listener: EngineEventListener): this;
  many(pattern: string | string[], times: number, listener: EngineEventListener): this;
  off(pattern: string | string[], listener: EngineEventListener): this;
  addListener(pattern: string | string[], listener: EngineEventListener): this;
  removeListener(pattern: string | string[], listener: EngineEventListener): this;
  prependListener(pattern: string | string[], listener: EngineEventListener): this;
}

export type ExecutionEventName = 'execution.started' | 'execution.progress' | 'execution.succeeded' | 'execution.failed' | 'execution.cancelled';
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
  /**
   * For task.retrying: the chosen delay; for failures: the error; for execution.progress: the
   * progress (`ExecutionProgress`: counts, done, percent, elapsedMs, remainingMs).
   */
  data: Record<string, unknown> | null;
}

export function createEventEmitter(): EngineEventEmitter {
  return new EventEmitter2({ wildcard: true, delimiter: '.', maxListeners: 100, ignoreErrors: true }) as unknown as EngineEventEmitter;
}

/** Whether anything listens to events of `type` (a pattern matching it, or `onAny`): build the event only then. */
export function isListenedTo(emitter: EngineEventEmitter, type: EngineEvent['type']): boolean {
  return emitter.listenersAny().length > 0 || emitter.listeners(type).length > 0;
}

/**
 * Calls every listener of the event (wildcard matches and `onAny` listeners included), each on
 * its own: one that throws or rejects is logged and the others still run.
 */
export function emitSafely(emitter: EngineEventEmitter, event: EngineEvent, logger: Logger): void {
  const listeners = [...emitter.listeners(event.type), ...emitter.listenersAny()];
  if (listeners.length === 0) return;
  const report = (error: unknown) =>
    logger.warn(`An engine event listener for ${event.type} threw: ${error instanceof Error ? error.message : String(error)}`, {
      executionId: event.executionId, // stored with the execution's logs
      ...(event.taskId === null ? {} : { taskId: event.taskId }),
    });
  for (const listener of listeners) {
    try {
      const returned: unknown = (listener as (this: unknown, payload: EngineEvent) => unknown).call(emitter, event);
      if (returned instanceof Promise) returned.catch(report);
    } catch (error) {
      report(error);
    }
  }
}
