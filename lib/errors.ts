/**
 * The error family of task-graph.
 *
 * Every error the engine raises is a `TaskGraphError` with a stable `code` (safe to switch on) and
 * readonly context fields naming what it concerns. Task authors use `NonRetryableError` to stop
 * retries. Unknown thrown values (strings, plain objects) pass through {@link toError} before
 * they are stored, so every recorded failure has a readable `name` and `message`.
 */
import { MAX_RECORDED_STACK_CHARS, MAX_RECORDED_STACK_LINES } from './defaults.js';
import { describeValue } from './describeValue.js';

export { describeValue };

export interface TaskGraphErrorContext {
  readonly workflowId?: string | undefined;
  readonly taskId?: string | undefined;
  readonly executionId?: string | undefined;
  readonly cause?: unknown;
}

/** Base class of every error raised by task-graph. */
export class TaskGraphError extends Error {
  readonly code: string;
  readonly workflowId: string | undefined;
  readonly taskId: string | undefined;
  readonly executionId: string | undefined;

  constructor(code: string, message: string, context: TaskGraphErrorContext = {}) {
    super(message, context.cause === undefined ? undefined : { cause: context.cause });
    this.name = new.target.name;
    this.code = code;
    this.workflowId = context.workflowId;
    this.taskId = context.taskId;
    this.executionId = context.executionId;
  }
}

/** `build()` found the workflow invalid. `ids` names the offending task ids (the cycle's path for a cycle). */
export class WorkflowValidationError extends TaskGraphError {
  readonly ids: readonly string[];
  readonly reason: string;
  constructor(reason: string, message: string, ids: readonly string[], workflowId?: string) {
    super('WORKFLOW_INVALID', message, { workflowId });
    this.reason = reason;
    this.ids = ids;
  }
}

/** No workflow with that id is published on this engine. */
export class WorkflowNotFoundError extends TaskGraphError {
  constructor(workflowId: string, published: readonly string[]) {
    super(
      'WORKFLOW_NOT_FOUND',
      `No workflow ${JSON.stringify(workflowId)} is published on this engine` +
        ` (published: ${published.length ? published.map((id) => JSON.stringify(id)).join(', ') : 'none'}).` +
        ' Call engine.publishWorkflow(workflow) first.',
      { workflowId },
    );
  }
}

/** No execution with that id exists in the store. */
export class ExecutionNotFoundError extends TaskGraphError {
  constructor(executionId: string) {
    super('EXECUTION_NOT_FOUND', `No execution ${JSON.stringify(executionId)} exists in this store.`, { executionId });
  }
}

/**
 * The brand of a `NonRetryableError`, shared by every copy of this package loaded in a process
 * (`Symbol.for` is process-wide): a workflow module that loads its own copy of task-graph (the
 * CLI's `--module`, a monorepo) throws errors of another class, which the engine still knows.
 */
const NON_RETRYABLE = Symbol.for('task-graph.NonRetryableError');

/**
 * Thrown by a task to fail it at once, without further retries. Recognised by a brand, not by
 * its class alone, so `instanceof NonRetryableError` holds for one made by another copy of the
 * package too.
 * @example throw new NonRetryableError(`No file ${path}`);
 */
export class NonRetryableError extends TaskGraphError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super('NON_RETRYABLE', message, { cause: options.cause });
    Object.defineProperty(this, NON_RETRYABLE, { value: true });
  }

  /** `instanceof NonRetryableError` by brand; a subclass keeps the ordinary prototype check. */
  static override [Symbol.hasInstance](value: unknown): boolean {
    if (this !== NonRetryableError) return Function.prototype[Symbol.hasInstance].call(this, value);
    return isNonRetryableError(value);
  }
}

/**
 * Whether `value` is a `NonRetryableError` of any copy of task-graph: it carries the brand, or
 * (a copy from before the brand) the name `NonRetryableError` with the code `NON_RETRYABLE`.
 * @example if (isNonRetryableError(error)) console.log('not retried');
 */
export function isNonRetryableError(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return false;
  if (Reflect.get(value, NON_RETRYABLE) === true) return true;
  return Reflect.get(value, 'name') === 'NonRetryableError' && Reflect.get(value, 'code') === 'NON_RETRYABLE';
}

/** An attempt ran longer than its `timeoutMs`. */
export class TaskTimeoutError extends TaskGraphError {
  readonly timeoutMs: number;
  constructor(taskId: string, attempt: number, timeoutMs: number) {
    super('TASK_TIMEOUT', `Task ${JSON.stringify(taskId)} attempt ${attempt} timed out after ${timeoutMs} ms.`, { taskId });
    this.timeoutMs = timeoutMs;
  }
}

/** A task returned a value that cannot be stored (not JSON-serialisable, or larger than the limit). */
export class TaskOutputError extends TaskGraphError {
  constructor(code: 'OUTPUT_NOT_SERIALIZABLE' | 'OUTPUT_TOO_LARGE', message: string, taskId: string) {
    super(code, message, { taskId });
  }
}

/** The engine was used after `close()`. */
export class EngineClosedError extends TaskGraphError {
  constructor(operation: string) {
    super('ENGINE_CLOSED', `Cannot ${operation}: the engine is closed. Create a new engine with createEngine().`);
  }
}

/**
 * An option passed to the engine or to an execution is invalid, or unknown (a misspelt key:
 * `suggestion` is then the known option it most likely meant, if one is close).
 */
export class InvalidOptionsError extends TaskGraphError {
  readonly option: string;
  readonly suggestion: string | undefined;
  /** `details.message` replaces the default text, `Invalid option <option>: <value>. Expected <expected>.` */
  constructor(option: string, value: unknown, expected: string, details: { message?: string; suggestion?: string | undefined } = {}) {
    super('INVALID_OPTIONS', details.message ?? `Invalid option ${option}: ${describeValue(value)}. Expected ${expected}.`);
    this.option = option;
    this.suggestion = details.suggestion;
  }
}

/** The store could not be reached or could not commit. The message never contains a password. */
export class StorageError extends TaskGraphError {
  constructor(message: string, options: { cause?: unknown; executionId?: string; code?: string } = {}) {
    super(options.code ?? 'STORAGE_ERROR', message, options);
  }
}

/**
 * A commit touched executions that another engine has taken over (by `resume`): this engine's
 * runs of them must stop. Not retried.
 */
export class OwnershipLostError extends StorageError {
  readonly executionIds: readonly string[];
  constructor(executionIds: readonly string[], ownerId: string) {
    super(
      `Engine ${ownerId} no longer owns execution${executionIds.length === 1 ? '' : 's'} ${executionIds.map((id) => JSON.stringify(id)).join(', ')}: ` +
        'another engine took it over (resume). Nothing of this commit was written.',
      { code: 'OWNERSHIP_LOST' },
    );
    this.executionIds = executionIds;
  }
}

/** `resume()` refused to continue an execution; `reason` says why. */
export class ResumeError extends TaskGraphError {
  readonly reason: 'WORKFLOW_NOT_PUBLISHED' | 'VERSION_MISMATCH' | 'ALREADY_FINISHED' | 'SNAPSHOT_FORMAT' | 'OWNED_ELSEWHERE';
  constructor(reason: ResumeError['reason'], message: string, context: TaskGraphErrorContext) {
    super(`RESUME_${reason}`, message, context);
    this.reason = reason;
  }
}

/**
 * The dashboard refused a request: a bad query value, a missing or wrong token, an action that is
 * off, a body that is not JSON. `statusCode` is the HTTP status it answers with.
 */
export class DashboardRequestError extends TaskGraphError {
  readonly statusCode: number;
  constructor(
    code: 'BAD_REQUEST' | 'UNAUTHORIZED' | 'ACTIONS_DISABLED' | 'ACTIONS_NEED_ENGINE' | 'FORBIDDEN_ORIGIN' | 'FORBIDDEN_HOST' | 'UNSUPPORTED_MEDIA_TYPE' | 'NOT_FOUND',
    statusCode: number,
    message: string,
    context: TaskGraphErrorContext = {},
  ) {
    super(code, message, context);
    this.statusCode = statusCode;
  }
}

/** Turns any thrown value into an `Error` with a readable message. */
export function toError(value: unknown): Error {
  if (value instanceof Error) return value;
  if (typeof value === 'string') return new Error(value);
  if (value && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    const message = typeof record['message'] === 'string' ? record['message'] : describeValue(value);
    const error = new Error(message);
    if (typeof record['name'] === 'string') error.name = record['name'];
    return error;
  }
  return new Error(`Non-error value thrown: ${describeValue(value)}`);
}

/** The stored shape of an error: what `result.tasks[id].error` holds. */
export interface SerializedError {
  name: string;
  message: string;
  code?: string;
  /**
   * The stack of the thrown `Error` where it was thrown (a remote worker's, for a remote task),
   * its first 50 lines and 8 KB at most (cut with a line saying so). Absent for a thrown value
   * that is not an Error (a string, a plain object without a `stack`), for the errors the engine
   * makes up (an execution's failure or cancel, a skip), and in records older than the field.
   */
  stack?: string;
}

export function serializeError(value: unknown): SerializedError {
  const error = toError(value);
  const serialized: SerializedError = { name: error.name || 'Error', message: error.message };
  const code = error instanceof TaskGraphError ? error.code : codeOf(error);
  if (code !== undefined) serialized.code = code;
  // toError's own Error for a string or an object would show where toError ran, not the throw
  const stack: unknown = value !== null && typeof value === 'object' ? Reflect.get(value, 'stack') : undefined;
  if (typeof stack === 'string' && stack !== '') serialized.stack = capStack(stack);
  return serialized;
}

/**
 * A stack as it is recorded: its first {@link MAX_RECORDED_STACK_LINES} lines and
 * {@link MAX_RECORDED_STACK_CHARS} characters at most; a cut stack ends with a line saying how
 * much was left out.
 * @example capStack(new Error('x').stack!) // the whole stack, a few lines
 */
export function capStack(stack: string): string {
  const lines = stack.split('\n');
  let kept = lines.length > MAX_RECORDED_STACK_LINES ? lines.slice(0, MAX_RECORDED_STACK_LINES).join('\n') : stack;
  if (kept.length > MAX_RECORDED_STACK_CHARS) kept = kept.slice(0, MAX_RECORDED_STACK_CHARS).replace(/[\uD800-\uDBFF]$/, '');
  if (kept.length === stack.length) return stack;
  return `${kept}\n    … (stack cut: ${stack.length - kept.length} of its ${stack.length} characters, ${lines.length} lines, left out)`;
}

function codeOf(error: Error): string | undefined {
  const code: unknown = Reflect.get(error, 'code');
  return typeof code === 'string' ? code : undefined;
}
