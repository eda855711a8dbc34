/**
 * The scenarios that chain several worker processes on one store (targets 6 and 7).
 *
 * - resume, per run, on a fresh store: a `victim` process runs a lattice and SIGKILLs itself once
 *   half of the tasks succeeded (it must end by SIGKILL after a `killing` line, else the run
 *   fails); a fresh `resume` process resumes the execution to its end; a fresh `readback` process
 *   times getExecution, replay and verifyReplay of it. Metrics of the three are merged, plus
 *   `restVsUninterrupted`: the resumed run's rate over the victim's rate before the kill.
 * - inspect: one process runs a lattice to its end on a fresh store (not measured); then `runs`
 *   fresh processes time its HTML report.
 * - retention: per run, one process on a fresh store (see runRetention in taskGraphJobs.ts).
 */
import { describeRun, freshStoreFor, metricsOf, repeat, RunFailure } from './cells.js';
import type { Cell, CellContext } from './cells.js';
import { CONCURRENCY, contenderSpec, RETENTION_BASELINE } from './plan.js';
import type { ContenderId, ScenarioSpec } from './plan.js';
import { spawnWorker } from './spawnWorker.js';
import type { Metrics } from './workerProtocol.js';

function metricsOrThrow(outcome: Metrics | { problem: string }, step: string): Metrics {
  if ('problem' in outcome) throw new RunFailure(`${step}: ${outcome.problem}`);
  return outcome;
}

export function runResumeCell(context: CellContext, spec: ScenarioSpec, contender: ContenderId, size: number): Promise<Cell> {
  const { label } = contenderSpec(contender);
  return repeat(context, spec, contender, async (run, extra) => {
    const store = (await freshStoreFor(contender))!;
    try {
      const base = ['--size', String(size), '--storage', store.url, ...extra];
      const victim = await spawnWorker(['victim', contender, ...base, '--concurrency', String(CONCURRENCY)], context.worker);
      const started = victim.notes.find((note) => note.bench === 'started');
      const killing = victim.notes.find((note) => note.bench === 'killing');
      if (victim.signal !== 'SIGKILL' || !started || !killing) {
        const why = metricsOf(victim, context.worker.heapMb);
        throw new RunFailure(`the victim was not killed half-way (${'problem' in why ? why.problem : 'it finished'})`);
      }
      const executionId = String(started.executionId);
      const withId = [...base, '--execution', executionId];
      const resumed = metricsOrThrow(metricsOf(await spawnWorker(['resume', contender, ...withId], context.worker), context.worker.heapMb), 'resume');
      const readBack = metricsOrThrow(metricsOf(await spawnWorker(['readback', contender, ...withId], context.worker), context.worker.heapMb), 'read-back');
      const uninterruptedRate = Number(killing.rate);
      const metrics: Metrics = {
        ...resumed,
        getExecutionMs: readBack.getExecutionMs!,
        replayMs: readBack.replayMs!,
        verifyReplayMs: readBack.verifyReplayMs!,
        replaySteps: readBack.replaySteps!,
        readBackPeakRssMb: readBack.peakRssMb!,
        killedAtSucceeded: Number(killing.succeeded),
        uninterruptedRate,
        restVsUninterrupted: resumed.restRate! / uninterruptedRate,
        storeMb: await store.sizeMb(),
      };
      context.log(
        `  ${label} run ${run}/${context.runs}: killed at ${metrics.killedAtSucceeded}/${size} succeeded; ` +
          `resume() to first task ${Math.round(metrics.resumeToFirstTaskMs!)} ms, rest at ${Math.round(metrics.restRate!)}/s ` +
          `(${Math.round(uninterruptedRate)}/s before the kill); getExecution ${Math.round(metrics.getExecutionMs!)} ms, ` +
          `replay ${Math.round(metrics.replayMs!)} ms, verifyReplay ${Math.round(metrics.verifyReplayMs!)} ms`,
      );
      return metrics;
    } finally {
      await store.drop();
    }
  });
}

export async function runInspectCell(context: CellContext, spec: ScenarioSpec, contender: ContenderId, size: number): Promise<Cell> {
  const { label } = contenderSpec(contender);
  const store = await freshStoreFor(contender);
  if (!store) throw new Error(`inspect needs a task-graph store, not ${contender}`);
  try {
    let executionId: string | null = null;
    return await repeat(context, spec, contender, async (run, extra) => {
      const base = ['--size', String(size), '--storage', store.url, ...extra];
      if (executionId === null) {
        const setup = await spawnWorker(['lattice', contender, ...base, '--concurrency', String(CONCURRENCY)], context.worker);
        metricsOrThrow(metricsOf(setup, context.worker.heapMb), 'running the execution to inspect');
        executionId = setup.result!.info.executionId!;
      }
      const exit = await spawnWorker(['inspect', contender, ...base, '--execution', executionId], context.worker);
      const metrics = metricsOrThrow(metricsOf(exit, context.worker.heapMb), 'inspect');
      context.log(`  ${label} run ${run}/${context.runs}: inspect html ${Math.round(metrics.inspectHtmlMs!)} ms, ${metrics.htmlMb!.toFixed(1)} MB of HTML`);
      return metrics;
    });
  } finally {
    await store.drop();
  }
}

export function runRetentionCell(context: CellContext, spec: ScenarioSpec, contender: ContenderId, size: number, executions: number): Promise<Cell> {
  const { label } = contenderSpec(contender);
  return repeat(context, spec, contender, async (run, extra) => {
    const store = (await freshStoreFor(contender))!;
    try {
      const args = ['retention', contender, '--size', String(size), '--executions', String(executions), '--baseline', String(RETENTION_BASELINE)];
      const exit = await spawnWorker([...args, '--storage', store.url, ...extra], context.worker);
      const metrics = metricsOrThrow(metricsOf(exit, context.worker.heapMb), 'retention');
      context.log(
        `  ${label} run ${run}/${context.runs}: heap ${metrics.heapBaselineMb!.toFixed(1)} MB after ${RETENTION_BASELINE} executions, ` +
          `${metrics.heapAfterMb!.toFixed(1)} MB after ${executions} (${describeRun(metrics)})`,
      );
      return metrics;
    } finally {
      await store.drop();
    }
  });
}
