/**
 * A cell is one contender in one scenario: `runs` fresh worker processes, one after another, and
 * the median of each metric over them. A run that fails (a crash, a timeout, a wrong result)
 * fails the whole cell, which then reports why and no number; the runs after it are not started.
 *
 * This file runs the plain cells (one DAG, or many small executions, per worker process); the
 * recovery scenarios, which chain several processes on one store, are in recoveryCells.ts.
 */
import { contenderSpec, CONCURRENCY } from './plan.js';
import type { ContenderId, ScenarioName, ScenarioSpec } from './plan.js';
import { createFreshStore } from './servers.js';
import type { FreshStore } from './servers.js';
import { exitProblem, spawnWorker } from './spawnWorker.js';
import type { WorkerExit, WorkerOptions } from './spawnWorker.js';
import type { Metrics } from './workerProtocol.js';

export interface Cell {
  scenario: ScenarioName;
  contender: ContenderId;
  label: string;
  status: 'ok' | 'failed' | 'skipped';
  /** Why it failed or was skipped. */
  reason?: string;
  /** Each run's metrics, in order. */
  runs: Metrics[];
  /** The median of each metric over the runs. */
  median: Metrics;
}

/** What the cells of one bench run share: options, where each contender's server is, the log. */
export interface CellContext {
  runs: number;
  worker: Omit<WorkerOptions, 'onNote'>;
  log: (line: string) => void;
  /** Worker arguments a contender needs (`--redis`, `--server-pid`), or why it cannot run here. */
  contenderArgs: (id: ContenderId) => string[] | { unavailable: string };
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

export function medianMetrics(runs: readonly Metrics[]): Metrics {
  const names = new Set(runs.flatMap((run) => Object.keys(run)));
  const result: Metrics = {};
  for (const name of names) result[name] = median(runs.map((run) => run[name]).filter((value): value is number => value !== undefined));
  return result;
}

export function failedCell(scenario: ScenarioName, contender: ContenderId, status: 'failed' | 'skipped', reason: string, runs: Metrics[] = []): Cell {
  return { scenario, contender, label: contenderSpec(contender).label, status, reason, runs, median: {} };
}

export function okCell(scenario: ScenarioName, contender: ContenderId, runs: Metrics[]): Cell {
  return { scenario, contender, label: contenderSpec(contender).label, status: 'ok', runs, median: medianMetrics(runs) };
}

/** A fresh store for one run of a task-graph contender, or null for a peer. */
export function freshStoreFor(contender: ContenderId): Promise<FreshStore> | null {
  const needs = contenderSpec(contender).needs;
  return needs === 'memory' || needs === 'sqlite' || needs === 'mysql' ? createFreshStore(needs) : null;
}

/** The worker's result metrics, or the reason the run is not a number. */
export function metricsOf(exit: WorkerExit, heapMb: number): Metrics | { problem: string } {
  const problem = exitProblem(exit, heapMb);
  return problem === null ? { ...exit.result!.metrics } : { problem };
}

export function describeRun(metrics: Metrics): string {
  const parts = [`${Math.round(metrics.wallMs ?? 0).toLocaleString('en-US')} ms`];
  if (metrics.peakRssMb !== undefined) parts.push(`peak RSS ${Math.round(metrics.peakRssMb)} MB`);
  return parts.join(', ');
}

/** A run that failed: `repeat` fails its cell with the message. */
export class RunFailure extends Error {}

/** `runs` repetitions of `once` (each given its run number), as a cell; a RunFailure fails the cell. */
export async function repeat(context: CellContext, spec: ScenarioSpec, contender: ContenderId, once: (run: number, extra: string[]) => Promise<Metrics>): Promise<Cell> {
  const { label } = contenderSpec(contender);
  const extra = context.contenderArgs(contender);
  if (!Array.isArray(extra)) {
    context.log(`  ${label}: skipped, ${extra.unavailable}`);
    return failedCell(spec.name, contender, 'skipped', extra.unavailable);
  }
  const runs: Metrics[] = [];
  for (let run = 1; run <= context.runs; run++) {
    try {
      runs.push(await once(run, extra));
    } catch (error) {
      if (!(error instanceof RunFailure)) throw error;
      context.log(`  ${label} run ${run}/${context.runs}: FAILED, ${error.message}`);
      return failedCell(spec.name, contender, 'failed', `run ${run}: ${error.message}`, runs);
    }
  }
  return okCell(spec.name, contender, runs);
}

/** Runs a plain cell: `runs` worker processes of `spec.job` for `contender`, each on a fresh store. */
export function runPlainCell(context: CellContext, spec: ScenarioSpec, contender: ContenderId, size: number, executions: number): Promise<Cell> {
  const { label } = contenderSpec(contender);
  return repeat(context, spec, contender, async (run, extra) => {
    const store = await freshStoreFor(contender);
    const args = [spec.job, contender, '--size', String(size), '--concurrency', String(CONCURRENCY), ...extra];
    if (spec.kind === 'many') args.push('--executions', String(executions));
    if (store) args.push('--storage', store.url);
    try {
      const outcome = metricsOf(await spawnWorker(args, context.worker), context.worker.heapMb);
      if ('problem' in outcome) throw new RunFailure(String(outcome.problem));
      if (store && store.url !== 'memory') outcome.storeMb = await store.sizeMb();
      context.log(`  ${label} run ${run}/${context.runs}: ${describeRun(outcome)}`);
      return outcome;
    } finally {
      await store?.drop();
    }
  });
}
