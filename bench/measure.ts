/**
 * What a contender is, what one run reports, and the arithmetic of the report: medians, rates,
 * ratios and the table.
 */
import type { Dag } from './dags.js';

export interface RunMeasure {
  ms: number;
  /** Tasks that ran (and, for task-graph, succeeded). */
  done: number;
  /** Why the run is wrong (not every task done, bad status), or null. */
  problem: string | null;
  /** task-graph only: transitions recorded, commits, largest batch (engine.stats()). */
  transitions?: number;
  commits?: number;
  largestBatch?: number;
}

export interface Contender {
  readonly name: string;
  /** Why it cannot run on this machine (server unreachable), or null. */
  unavailable(): Promise<string | null>;
  /** Builds what the runs share (engine, workflow, queue); not timed as a run. */
  prepare(dag: Dag): Promise<{ buildMs?: number }>;
  run(concurrency: number): Promise<RunMeasure>;
  dispose(): Promise<void>;
}

/** A contender that needs no setup: a function of the DAG run in this process. */
export function inProcessContender(
  name: string,
  runner: (dag: Dag, concurrency: number) => Promise<number>,
): Contender {
  let current: Dag | null = null;
  return {
    name,
    unavailable: async () => null,
    prepare: async (dag) => {
      current = dag;
      return {};
    },
    run: async (concurrency) => {
      const dag = current!;
      const started = performance.now();
      const done = await runner(dag, concurrency);
      const ms = performance.now() - started;
      return { ms, done, problem: done === dag.ids.length ? null : `${done}/${dag.ids.length} tasks ran` };
    },
    dispose: async () => {
      current = null;
    },
  };
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** "3.1x slower" / "1.4x faster" of `ms` against `peerMs`. */
export function ratio(ms: number, peerMs: number): string {
  const times = ms >= peerMs ? ms / peerMs : peerMs / ms;
  return `${times.toFixed(times >= 100 ? 0 : 1)}x ${ms >= peerMs ? 'slower' : 'faster'}`;
}

/** A plain text table, columns padded, numbers right-aligned. */
export function formatTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    cells.map((cell, column) => (/^[\d.,]+( ms| µs)?$/.test(cell) ? cell.padStart(widths[column]!) : cell.padEnd(widths[column]!))).join('  ').trimEnd();
  return [line(header), widths.map((width) => '-'.repeat(width)).join('  '), ...rows.map(line)].join('\n');
}
