/**
 * The timeline of an execution, from its transition log: one bar per attempt of each task (from
 * the transition into `running` to the transition out of it), one bar per backoff (the time spent
 * `retrying`), and a mark for each task that settled without running (skipped, or cancelled while
 * pending). A bar still open when the log ends (the execution is still running, or was left
 * unfinished by a crash) ends at the last recorded instant and is marked `open`.
 */
import type { TransitionRecord } from '../store/records.js';

export interface TimelineBar {
  taskId: string;
  kind: 'attempt' | 'backoff';
  /** The attempt this bar belongs to (for a backoff: the attempt that failed before it). */
  attempt: number;
  start: number;
  end: number;
  /** The state the task left `running` (or `retrying`) for; `running`/`retrying` when still open. */
  outcome: string;
  open: boolean;
}

export interface TimelineMark {
  taskId: string;
  at: number;
  status: string;
}

export interface Timeline {
  start: number;
  end: number;
  bars: TimelineBar[];
  marks: TimelineMark[];
}

export function buildTimeline(transitions: readonly TransitionRecord[], bounds: { start?: Date | null; end?: Date | null } = {}): Timeline {
  const bars: TimelineBar[] = [];
  const marks: TimelineMark[] = [];
  const open = new Map<string, TimelineBar>();
  let first = Infinity;
  let last = -Infinity;
  for (const transition of transitions) {
    const at = new Date(transition.at).getTime();
    first = Math.min(first, at);
    last = Math.max(last, at);
    const { taskId } = transition;
    if (taskId === null) continue;
    const current = open.get(taskId);
    if (current) {
      current.end = at;
      current.outcome = transition.to;
      current.open = false;
      open.delete(taskId);
    } else if (transition.from === 'pending' && transition.to !== 'running') {
      marks.push({ taskId, at, status: transition.to });
    }
    if (transition.to === 'running' || transition.to === 'retrying') {
      const bar: TimelineBar = {
        taskId,
        kind: transition.to === 'running' ? 'attempt' : 'backoff',
        attempt: transition.attempt,
        start: at,
        end: at,
        outcome: transition.to,
        open: true,
      };
      bars.push(bar);
      open.set(taskId, bar);
    }
  }
  const start = Math.min(first, bounds.start ? new Date(bounds.start).getTime() : Infinity);
  const end = Math.max(last, bounds.end ? new Date(bounds.end).getTime() : -Infinity);
  for (const bar of open.values()) bar.end = Math.max(bar.start, end);
  if (!Number.isFinite(start) || !Number.isFinite(end)) return { start: 0, end: 0, bars, marks };
  return { start, end, bars, marks };
}
