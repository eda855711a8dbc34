import type { AttemptOutcome } from '../../machines/task.js';
import type { AttemptOutcomeLabel } from '../telemetry/otel/names.js';

/**
 * What an attempt came to, as its span and the `task_graph.task.attempts` counter say it: stopped
 * from outside (cancel, fail-fast, close) is `cancelled`; a timeout is `timed_out` (retried or
 * not); another failure is `retrying` when the task will try again, else `failed`.
 * @example attemptOutcomeLabel({ kind: 'failed', error }, false); // 'failed'
 */
export function attemptOutcomeLabel(outcome: AttemptOutcome, stopped: boolean): AttemptOutcomeLabel {
  if (stopped) return 'cancelled';
  if (outcome.kind === 'succeeded') return 'succeeded';
  if (outcome.error.code === 'TASK_TIMEOUT') return 'timed_out';
  return outcome.kind === 'retry' ? 'retrying' : 'failed';
}
