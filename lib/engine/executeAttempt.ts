/**
 * One run of one attempt of a task: call the function, enforce its timeout, check the output can
 * be stored, and turn any failure into a retry decision. It never rejects: a failing task is
 * state (an {@link AttemptOutcome}), not an exception.
 *
 * The timeout (`task.timeoutMs`) counts from the moment this run starts the function. A run is
 * what the function gets: an attempt re-run after a restore (its first run died with its process)
 * gets the whole timeout again, not what was left of the crashed run's.
 */
import { context as otelContext } from '@opentelemetry/api';
import type { Context } from '@opentelemetry/api';
import { InvalidOptionsError, TaskOutputError, TaskTimeoutError, serializeError, toError } from '../errors.js';
import type { AttemptOutcome } from '../../machines/task.js';
import type { RetryPolicy, TaskDefinition } from '../workflow/types.js';
import type { AttemptContext } from './AttemptContext.js';
import { canRetry, chooseDelay } from './retryPolicy.js';
import { setLongTimeout } from './setLongTimeout.js';
import type { LongTimeout } from './setLongTimeout.js';

export interface AttemptRequest {
  task: TaskDefinition;
  policy: RetryPolicy;
  input: unknown;
  /** The task's `ctx`; aborting it aborts the attempt's signal. */
  context: AttemptContext;
  maxOutputBytes: number;
  /** The OpenTelemetry context the function runs in (its attempt span active); null: called as it is (not traced). */
  traceContext: Context | null;
}

export async function executeAttempt(request: AttemptRequest): Promise<AttemptOutcome> {
  const { task, context } = request;
  const timeoutMs = task.timeoutMs;
  let timer: LongTimeout | undefined;
  try {
    const call = () => task.fn(request.input, context);
    const traceContext = request.traceContext;
    const running = Promise.resolve().then(traceContext ? () => otelContext.with(traceContext, call) : call);
    let output: unknown;
    if (timeoutMs === null) {
      output = await running;
    } else {
      const timedOut = new Promise<never>((_, reject) => {
        timer = setLongTimeout(() => {
          const error = new TaskTimeoutError(task.id, context.attempt, timeoutMs);
          context.abort(error);
          reject(error);
        }, timeoutMs);
      });
      running.catch(() => undefined); // a late rejection after the timeout is not unhandled
      output = await Promise.race([running, timedOut]);
    }
    return { kind: 'succeeded', output: toStorableOutput(output, task.id, request.maxOutputBytes) };
  } catch (thrown) {
    const error = toError(thrown);
    const recorded = serializeError(thrown); // the thrown value's own stack, if it has one
    if (!canRetry(request.policy, context.attempt, error)) return { kind: 'failed', error: recorded };
    const delayMs = chooseDelay(request.policy, context.attempt);
    return { kind: 'retry', error: recorded, delayMs, retryAt: Date.now() + delayMs };
  } finally {
    timer?.clear();
  }
}

/**
 * The output as the store will hold it (its JSON round trip), so memory and database stores
 * return the same values. `undefined` becomes null.
 * @throws TaskOutputError when the value is not JSON-serialisable or too large.
 */
export function toStorableOutput(output: unknown, taskId: string, maxBytes: number): unknown {
  if (output === undefined) return null;
  if (output === null || typeof output === 'boolean' || (typeof output === 'number' && Number.isFinite(output))) return output; // its own JSON round trip
  let json: string | undefined;
  try {
    json = JSON.stringify(output, rejectUnstorable('the output'));
  } catch (error) {
    throw new TaskOutputError(
      'OUTPUT_NOT_SERIALIZABLE',
      `Task ${JSON.stringify(taskId)} returned a value that is not JSON-serialisable: ${toError(error).message}. Return plain data (objects, arrays, strings, numbers, booleans, null).`,
      taskId,
    );
  }
  if (json === undefined) return null;
  const bytes = Buffer.byteLength(json);
  if (bytes > maxBytes) {
    throw new TaskOutputError(
      'OUTPUT_TOO_LARGE',
      `Task ${JSON.stringify(taskId)} returned ${bytes} bytes of JSON, more than the limit of ${maxBytes} (createEngine({ maxOutputBytes })). Store large data elsewhere and return a reference.`,
      taskId,
    );
  }
  return JSON.parse(json) as unknown;
}

/**
 * The execution input as the store will hold it (its JSON round trip); `undefined` becomes null.
 * @throws InvalidOptionsError (option `input`) naming what cannot be stored
 * @example toStorableInput({ file: 'a.csv' }); // { file: 'a.csv' }
 */
export function toStorableInput(input: unknown): unknown {
  try {
    const json = JSON.stringify(input, rejectUnstorable('it'));
    return json === undefined ? null : (JSON.parse(json) as unknown);
  } catch (error) {
    throw new InvalidOptionsError('input', input, 'JSON-serialisable data', {
      message:
        `The execution input is not JSON-serialisable: ${toError(error).message.replace(/\s*\n\s*/g, ' ')}. ` +
        'Pass plain data (objects, arrays, strings, numbers, booleans, null).',
    });
  }
}

/** A JSON.stringify replacer refusing what JSON would drop or change; `root` names the value itself. */
function rejectUnstorable(root: string) {
  return function (this: unknown, key: string, value: unknown): unknown {
    const where = key === '' ? root : `key ${JSON.stringify(key)}`;
    if (typeof value === 'function') throw new TypeError(`${where} is a function`);
    if (typeof value === 'symbol') throw new TypeError(`${where} is a symbol`);
    if (typeof value === 'bigint') throw new TypeError(`${where} is a BigInt (${value}n)`);
    if (typeof value === 'number' && !Number.isFinite(value)) throw new TypeError(`${where} is ${value}`);
    if (value instanceof Map || value instanceof Set) throw new TypeError(`${where} is a ${value.constructor.name}; convert it to an object or array`);
    return value;
  };
}
