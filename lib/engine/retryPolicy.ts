/**
 * Retry decisions: exponential backoff with optional full jitter, capped, and the predicates that
 * stop retrying (`NonRetryableError`, a policy's `retryable(error)`).
 */
import { TaskOutputError, describeValue, isNonRetryableError } from '../errors.js';
import type { RetryPolicy } from '../workflow/types.js';
import { MAX_DURATION_MS } from '../defaults.js';
import { describeSuggestion, findUnknownOption, formatKey, optionKeys } from '../unknownOption.js';

/** The keys of a retry policy; any other is refused (a typo would otherwise be ignored). */
export const RETRY_POLICY_KEYS = optionKeys<RetryPolicy>({
  maxAttempts: true,
  initialDelayMs: true,
  backoffFactor: true,
  maxDelayMs: true,
  jitter: true,
  retryable: true,
});

/** The delay before the attempt after `failedAttempt` (1-based), before jitter. */
export function backoffDelay(policy: RetryPolicy, failedAttempt: number): number {
  return Math.min(policy.maxDelayMs, policy.initialDelayMs * policy.backoffFactor ** (failedAttempt - 1));
}

/** The delay actually chosen: `random` is in [0, 1). */
export function chooseDelay(policy: RetryPolicy, failedAttempt: number, random: () => number = Math.random): number {
  const delay = backoffDelay(policy, failedAttempt);
  return Math.round(policy.jitter === 'full' ? random() * delay : delay);
}

/** Whether an attempt that failed with `error` may be tried again under `policy`. */
export function canRetry(policy: RetryPolicy, failedAttempt: number, error: Error): boolean {
  if (failedAttempt >= policy.maxAttempts) return false;
  if (isNonRetryableError(error) || error instanceof TaskOutputError) return false;
  if (policy.retryable) {
    try {
      return policy.retryable(error) !== false;
    } catch {
      return false;
    }
  }
  return true;
}

/** Returns a description of what is wrong with a (partial) policy, or null when it is valid. */
export function validateRetryPolicy(policy: Partial<RetryPolicy>): string | null {
  if (policy === null || typeof policy !== 'object') return `expected an object, got ${describeValue(policy)}`;
  const unknown = findUnknownOption(policy, RETRY_POLICY_KEYS);
  if (unknown) return `unknown option ${formatKey(unknown.key)} (${describeSuggestion(unknown, RETRY_POLICY_KEYS)})`;
  const { maxAttempts, initialDelayMs, backoffFactor, maxDelayMs, jitter, retryable } = policy;
  if (maxAttempts !== undefined && !(Number.isInteger(maxAttempts) && maxAttempts >= 1)) return `maxAttempts must be an integer >= 1, got ${describeValue(maxAttempts)}`;
  if (initialDelayMs !== undefined && !isDuration(initialDelayMs)) return `initialDelayMs must be a number of ms from 0 to ${MAX_DURATION_MS} (100 years), got ${describeValue(initialDelayMs)}`;
  if (backoffFactor !== undefined && !(Number.isFinite(backoffFactor) && backoffFactor >= 1)) return `backoffFactor must be a number >= 1, got ${describeValue(backoffFactor)}`;
  if (maxDelayMs !== undefined && !isDuration(maxDelayMs)) return `maxDelayMs must be a number of ms from 0 to ${MAX_DURATION_MS} (100 years), got ${describeValue(maxDelayMs)}`;
  if (jitter !== undefined && jitter !== 'full' && jitter !== 'none') return `jitter must be 'full' or 'none', got ${describeValue(jitter)}`;
  if (retryable !== undefined && typeof retryable !== 'function') return `retryable must be a function (error) => boolean, got ${describeValue(retryable)}`;
  return null;
}

/** A number of ms from 0 to MAX_DURATION_MS. */
function isDuration(value: unknown): boolean {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 && value <= MAX_DURATION_MS;
}

/** The task's policy over the engine's default, field by field. */
export function resolveRetryPolicy(engineDefault: RetryPolicy, task: Partial<RetryPolicy> | undefined): RetryPolicy {
  return task ? { ...engineDefault, ...stripUndefined(task) } : engineDefault;
}

/** The object without its undefined fields, so that spreading it keeps the defaults. */
export function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
