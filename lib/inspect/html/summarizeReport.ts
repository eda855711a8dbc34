/**
 * What a report of a large execution keeps. Every task and transition drawn made a 100,000-task
 * report a 256 MB file that took 11 s to write and that no browser opens usefully. Above
 * `DETAIL_LIMIT` tasks the report keeps the tasks worth reading (those that failed, were
 * cancelled, retried or are still unfinished come first, then the rest in display order) up to
 * that limit for the timeline and the task table, skips the DAG (columns of thousands of boxes
 * say nothing; the dashboard draws it with search and zoom), and keeps the first and last
 * `TRANSITION_ENDS` transitions. Each section says what it left out.
 */
import type { TaskRunRecord, TransitionRecord } from '../../store/records.js';

export const DETAIL_LIMIT = 2_000;
export const TRANSITION_ENDS = 1_000;

export interface ReportSelection {
  /** Whether the report is summarised (the execution has more than `DETAIL_LIMIT` tasks). */
  summarised: boolean;
  tasks: TaskRunRecord[];
  transitionsHead: TransitionRecord[];
  transitionsTail: TransitionRecord[];
  /** Transitions between head and tail, left out. */
  transitionsOmitted: number;
}

const NOTABLE = new Set(['failed', 'cancelled', 'running', 'retrying', 'pending']);

export function selectReportDetail(tasks: readonly TaskRunRecord[], transitions: readonly TransitionRecord[]): ReportSelection {
  if (tasks.length <= DETAIL_LIMIT) {
    return { summarised: false, tasks: [...tasks], transitionsHead: [...transitions], transitionsTail: [], transitionsOmitted: 0 };
  }
  const notable = tasks.filter((task) => NOTABLE.has(task.status) || task.attempt > 1);
  const rest = tasks.filter((task) => !(NOTABLE.has(task.status) || task.attempt > 1));
  const kept = [...notable, ...rest].slice(0, DETAIL_LIMIT);
  const ends = transitions.length > TRANSITION_ENDS * 2;
  return {
    summarised: true,
    tasks: kept,
    transitionsHead: ends ? transitions.slice(0, TRANSITION_ENDS) : [...transitions],
    transitionsTail: ends ? transitions.slice(-TRANSITION_ENDS) : [],
    transitionsOmitted: ends ? transitions.length - TRANSITION_ENDS * 2 : 0,
  };
}
