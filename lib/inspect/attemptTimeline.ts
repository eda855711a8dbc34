/**
 * The timeline of an execution, from its transition log: one bar per attempt of each task (from
 * the transition into `running` to the transition out of it), one bar per backoff (the time spent
 * `retrying`), and a mark for each task that settled without running (skipped, or cancelled while
 * pending). A bar still open when the log ends (the execution is still running, or was left
 * unfinished by a crash) ends at the last recorded instant and is marked `open`.
 *
 * A resume writes no transition: a task restored in `running` runs the same attempt again. The
 * engine's log record of the resume (see {@link resumesFromLogs}) says when and from where (seq
 * N), so every attempt opened at or before seq N and closed after it is split at the resume: an
 * `interrupted` bar up to it, then the attempt's run again.
 */
import type { LogRecord, TransitionRecord } from '../store/records.js';

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
  /** The part of an attempt before a resume: its process stopped while it ran. */
  interrupted?: boolean;
  /** Seqs of the transitions that opened and closed the bar (closed: null while open). */
  startSeq: number;
  endSeq: number | null;
}

/** A resume of the execution: when, and the last seq it read back. */
export interface ResumeMark {
  at: number;
  afterSeq: number;
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
  resumes: ResumeMark[];
}

/** The attribute of the engine's log record of a resume that holds the seq it continued after. */
export const RESUMED_AFTER_SEQ = 'resumedAfterSeq';

/**
 * The resumes the engine recorded about an execution: its records with the attribute
 * `resumedAfterSeq`, and, in logs written before that attribute, its records
 * `Resumed execution … from seq N` (read from the message).
 */
export function resumesFromLogs(logs: readonly LogRecord[]): ResumeMark[] {
  return logs.flatMap((log) => {
    if (log.taskId !== null) return [];
    const recorded = log.attributes?.[RESUMED_AFTER_SEQ];
    const afterSeq = typeof recorded === 'number' ? recorded : Number(/^Resumed execution .* from seq (\d+)$/.exec(log.message)?.[1] ?? Number.NaN);
    return Number.isSafeInteger(afterSeq) ? [{ at: new Date(log.at).getTime(), afterSeq }] : [];
  });
}

export function buildTimeline(
  transitions: readonly TransitionRecord[],
  bounds: { start?: Date | null; end?: Date | null } = {},
  resumes: readonly ResumeMark[] = [],
): Timeline {
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
      current.endSeq = transition.seq;
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
        startSeq: transition.seq,
        endSeq: null,
      };
      bars.push(bar);
      open.set(taskId, bar);
    }
  }
  const start = Math.min(first, bounds.start ? new Date(bounds.start).getTime() : Infinity);
  const end = Math.max(last, bounds.end ? new Date(bounds.end).getTime() : -Infinity);
  for (const bar of open.values()) bar.end = Math.max(bar.start, end);
  const split = splitAtResumes(bars, resumes);
  if (!Number.isFinite(start) || !Number.isFinite(end)) return { start: 0, end: 0, bars: split, marks, resumes: [...resumes] };
  return { start, end, bars: split, marks, resumes: [...resumes] };
}

function splitAtResumes(bars: TimelineBar[], resumes: readonly ResumeMark[]): TimelineBar[] {
  if (resumes.length === 0) return bars;
  const split: TimelineBar[] = [];
  for (const bar of bars) {
    const at =
      bar.kind === 'attempt'
        ? resumes
            .filter((resume) => bar.startSeq <= resume.afterSeq && (bar.endSeq === null || bar.endSeq > resume.afterSeq))
            .map((resume) => Math.min(Math.max(resume.at, bar.start), bar.end))
        : [];
    let from = bar.start;
    for (const resumedAt of at) {
      split.push({ ...bar, start: from, end: resumedAt, outcome: 'interrupted', open: false, interrupted: true });
      from = resumedAt;
    }
    split.push(at.length === 0 ? bar : { ...bar, start: from });
  }
  return split;
}
