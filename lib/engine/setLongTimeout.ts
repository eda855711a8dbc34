/**
 * `setTimeout` for any delay. Node's timers hold at most 2^31-1 ms (about 24.8 days): a longer
 * delay fires after 1 ms, with a TimeoutOverflowWarning. A timeout of days (an attempt limit, a
 * retry backoff) is kept here as a chain of timers, each at most that long, re-armed against the
 * absolute time it must fire at.
 */

/** The longest delay one Node timer holds. */
export const MAX_TIMER_DELAY_MS = 2 ** 31 - 1;

export interface LongTimeout {
  /** Stops the timer; the callback will not run. */
  clear(): void;
}

/**
 * Calls `callback` once, `delayMs` from now (at once for a delay <= 0).
 * @example
 * const timer = setLongTimeout(() => console.log('a month later'), 30 * 24 * 3600 * 1000);
 * timer.clear();
 */
export function setLongTimeout(callback: () => void, delayMs: number): LongTimeout {
  const fireAt = Date.now() + Math.max(0, delayMs);
  let timer: NodeJS.Timeout;
  const arm = (): void => {
    const left = fireAt - Date.now();
    timer = left > MAX_TIMER_DELAY_MS ? setTimeout(arm, MAX_TIMER_DELAY_MS) : setTimeout(callback, Math.max(0, left));
  };
  arm();
  return { clear: () => clearTimeout(timer) };
}
