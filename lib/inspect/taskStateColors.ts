/**
 * The colour of each task state, shared by every rendering of an execution (Mermaid classDefs,
 * DOT fill colours, the HTML report's SVG): succeeded green, failed red, skipped grey, cancelled
 * orange, running blue, retrying yellow, pending white.
 */
import type { TaskStatus } from '../store/records.js';

export interface StateColor {
  fill: string;
  stroke: string;
  text: string;
}

export const TASK_STATE_COLORS: Readonly<Record<TaskStatus, StateColor>> = {
  pending: { fill: '#ffffff', stroke: '#9e9e9e', text: '#212121' },
  running: { fill: '#42a5f5', stroke: '#1565c0', text: '#ffffff' },
  retrying: { fill: '#ffeb3b', stroke: '#f9a825', text: '#212121' },
  succeeded: { fill: '#66bb6a', stroke: '#2e7d32', text: '#ffffff' },
  failed: { fill: '#ef5350', stroke: '#c62828', text: '#ffffff' },
  skipped: { fill: '#bdbdbd', stroke: '#757575', text: '#212121' },
  cancelled: { fill: '#ffa726', stroke: '#e65100', text: '#212121' },
};

export const TASK_STATES = Object.keys(TASK_STATE_COLORS) as TaskStatus[];

/** The colour of a state; an unknown state (a machine with other states) is drawn as pending. */
export function colorOf(status: string): StateColor {
  return (TASK_STATE_COLORS as Record<string, StateColor | undefined>)[status] ?? TASK_STATE_COLORS.pending;
}
