/**
 * `npm run bench -- [--full] [--json] [--only scenarios] [--with contenders] [--runs n]`
 *
 * The parent process: it plans the scenarios of the mode (plan.ts), checks which servers are up,
 * starts the persisting Redis of the `BullMQ(aof)` column, then runs every cell, one worker
 * process after another (never two at once: each run has the machine to itself, as far as this
 * bench is concerned), and prints one Markdown table per scenario as it finishes, then the targets'
 * summary. Progress goes to stderr, the report (or, with --json, one JSON document) to stdout.
 * See bench/README.md.
 */
import os from 'node:os';
import { runPlainCell } from './cells.js';
import { compileWorker } from './compileWorker.js';
import type { Cell, CellContext } from './cells.js';
import { OptionError, parseOptions } from './options.js';
import { CONTENDERS, contenderSpec, SCENARIOS, scaledExecutions, scaledSize } from './plan.js';
import type { ContenderId, ScenarioName, ScenarioSpec } from './plan.js';
import { runInspectCell, runResumeCell, runRetentionCell } from './recoveryCells.js';
import { formatScenario, formatTargets } from './report.js';
import { probeMysql, probeRedis, REDIS, startDurableRedis } from './servers.js';
import { ROOT } from './spawnWorker.js';
import type { DurableRedis } from './servers.js';
import { evaluateTargets } from './targets.js';
import type { RunView } from './targets.js';

const log = (line: string): void => void process.stderr.write(`${line}\n`);

function machine(): string {
  const cpus = os.cpus();
  const load = os.loadavg().map((value) => value.toFixed(1)).join(' ');
  return `${cpus.length} cores (${cpus[0]?.model.trim()}), ${Math.round(os.totalmem() / 2 ** 30)} GB, Node ${process.version}, load average ${load}`;
}

type Availability = { pid: number } | { unavailable: string };

/** Probes or starts what the planned contenders need; returns each contender's worker arguments. */
async function prepareServers(contenders: ReadonlySet<ContenderId>): Promise<{ argsOf: CellContext['contenderArgs']; durable: DurableRedis | null }> {
  const redis: Availability | null = contenders.has('bullmq') ? await probeRedis() : null;
  const mysql: Availability | null = contenders.has('mysql') ? await probeMysql() : null;
  let durable: DurableRedis | null = null;
  let durableProblem = '';
  if (contenders.has('bullmq-aof')) {
    try {
      durable = await startDurableRedis();
      log(`Started redis-server on port ${durable.port} (appendonly yes, appendfsync everysec) for BullMQ(aof)`);
    } catch (error) {
      durableProblem = `could not start a persisting redis-server (${(error as Error).message})`;
    }
  }
  const withPid = (availability: Availability | null, base: string[]): string[] | { unavailable: string } => {
    if (!availability) return { unavailable: 'not probed' };
    if ('unavailable' in availability) return availability;
    return availability.pid ? [...base, '--server-pid', String(availability.pid)] : base;
  };
  const argsOf = (id: ContenderId): string[] | { unavailable: string } => {
    switch (contenderSpec(id).needs) {
      case 'redis':
        return withPid(redis, ['--redis', `${REDIS.host}:${REDIS.port}`]);
      case 'durable-redis':
        return durable ? ['--redis', `${REDIS.host}:${durable.port}`, '--server-pid', String(durable.pid)] : { unavailable: durableProblem };
      case 'mysql':
        return withPid(mysql, []);
      default:
        return [];
    }
  };
  return { argsOf, durable };
}

function runCell(context: CellContext, spec: ScenarioSpec, contender: ContenderId, size: number, executions: number): Promise<Cell> {
  switch (spec.kind) {
    case 'resume':
      return runResumeCell(context, spec, contender, size);
    case 'inspect':
      return runInspectCell(context, spec, contender, size);
    case 'retention':
      return runRetentionCell(context, spec, contender, size, executions);
    default:
      return runPlainCell(context, spec, contender, size, executions);
  }
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  const scenarios = SCENARIOS.filter((spec) => (options.only.length > 0 ? options.only.includes(spec.name) : options.mode === 'full' || spec.inQuick));
  const contendersOf = (spec: ScenarioSpec): ContenderId[] =>
    spec.contenders.filter((id) => (options.with.length > 0 ? options.with.includes(id) : options.mode === 'full' || id !== 'bullmq-aof'));
  const planned = new Set(scenarios.flatMap(contendersOf));
  const started = performance.now();
  const startedAt = new Date().toISOString();
  log(`task-graph bench, ${startedAt}, ${options.mode} mode, ${machine()}; each cell the median of ${options.runs} fresh processes`);
  const compiling = performance.now();
  const build = await compileWorker(ROOT);
  log(`Compiled the worker in ${Math.round(performance.now() - compiling)} ms: ${build.workerPath}`);
  const { argsOf, durable } = await prepareServers(planned);
  const worker = { workerPath: build.workerPath, heapMb: options.heapMb, timeoutMs: options.timeoutMs };
  const context: CellContext = { runs: options.runs, worker, log, contenderArgs: argsOf };
  const cells: Cell[] = [];
  const sizes: RunView['sizes'] = {};
  const sections: { scenario: ScenarioName; title: string; size: number; executions: number }[] = [];
  try {
    for (const spec of scenarios) {
      const size = scaledSize(spec, options.mode, options.scale);
      const executions = scaledExecutions(spec, options.mode, options.scale);
      sizes[spec.name] = { size, executions: spec.executions ? executions : 1 };
      const title = spec.describe(size) + (spec.executions ? `, ${executions.toLocaleString('en-US')} executions` : '');
      sections.push({ scenario: spec.name, title, size, executions });
      log(`\n${spec.name}: ${title}`);
      const scenarioCells: Cell[] = [];
      for (const contender of contendersOf(spec)) scenarioCells.push(await runCell(context, spec, contender, size, executions));
      cells.push(...scenarioCells);
      if (!options.json) console.log(formatScenario(spec, title, scenarioCells));
    }
  } finally {
    await durable?.stop();
    await build.remove();
  }
  const verdicts = evaluateTargets({ cells, sizes });
  const minutes = (performance.now() - started) / 60_000;
  if (options.json) {
    const contenders = CONTENDERS.filter((contender) => planned.has(contender.id));
    console.log(JSON.stringify({ startedAt, minutes, machine: machine(), mode: options.mode, runs: options.runs, scale: options.scale, contenders, sections, cells, targets: verdicts }, null, 2));
  } else {
    console.log(formatTargets(verdicts));
    console.log(`${options.mode} run of ${startedAt}: ${minutes.toFixed(1)} minutes; ${machine()}; median of ${options.runs} fresh processes per cell.`);
  }
  log(`\nDone in ${minutes.toFixed(1)} minutes.`);
}

process.once('SIGINT', () => process.exit(130)); // the 'exit' hook stops the persisting Redis

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error instanceof OptionError ? error.message : error);
    process.exit(1);
  },
);
