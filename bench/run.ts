/**
 * `npm run bench -- [--quick] [--only dag10k,chain200,fanout10k] [--with memory,kahn] [--runs 5] [--json]`
 *   --quick  one run each, on smaller graphs (5,000 nodes; the chain stays 200): about 30 s
 *   --only   these scenarios;  --with  only contenders whose name contains one of these
 *   --runs   runs per contender (default 3, 1 with --quick);  --json  print JSON, not tables
 *
 * Runs each scenario's contenders one after another in this process (never two at once), each
 * `runs` times on the same DAG, checks every run (all tasks done; task-graph: status
 * 'succeeded'), and prints per scenario the median wall time, the rate, the CPU time of this
 * process, the ratio against each peer measured in the same run, and task-graph's commit counters.
 * A contender whose server is unreachable is skipped with a message. Nothing is written to disk.
 */
import os from 'node:os';
import { formatTable, median, ratio } from './measure.js';
import type { RunMeasure } from './measure.js';
import type { Dag } from './dags.js';
import { chain200 } from './scenarios/chain200.js';
import { dag10k } from './scenarios/dag10k.js';
import { fanOut10k } from './scenarios/fanOut10k.js';
import { PEERS } from './scenarios/Scenario.js';
import type { Scenario } from './scenarios/Scenario.js';

const SCENARIOS: Scenario[] = [dag10k, chain200, fanOut10k];

interface Summary {
  contender: string;
  skipped?: string;
  failed?: string;
  runs: number;
  wallMs: number;
  cpuMs: number;
  tasks: number;
  buildMs?: number;
  transitions?: number;
  commits?: number;
  largestBatch?: number;
}

function parseArgs(argv: readonly string[]): { quick: boolean; runs: number; only: string[]; with: string[]; json: boolean } {
  const value = (flag: string): string | undefined => {
    const at = argv.indexOf(flag);
    return at >= 0 ? argv[at + 1] : undefined;
  };
  const list = (flag: string): string[] => (value(flag) ?? '').split(',').filter(Boolean);
  const quick = argv.includes('--quick');
  const runs = Number(value('--runs') ?? (quick ? 1 : 3));
  if (!Number.isInteger(runs) || runs < 1) throw new Error(`--runs must be an integer >= 1, got ${value('--runs')}`);
  const only = list('--only');
  const unknown = only.filter((name) => !SCENARIOS.some((scenario) => scenario.name === name));
  if (unknown.length > 0) throw new Error(`Unknown scenario ${unknown.join(', ')}: choose from ${SCENARIOS.map((s) => s.name).join(', ')}`);
  return { quick, runs, only, with: list('--with'), json: argv.includes('--json') };
}

async function runScenario(scenario: Scenario, dag: Dag, runs: number, filter: string[], log: (line: string) => void): Promise<Summary[]> {
  const summaries: Summary[] = [];
  for (const contender of scenario.contenders()) {
    if (filter.length > 0 && !filter.some((part) => contender.name.includes(part))) continue;
    const base = { contender: contender.name, runs: 0, wallMs: NaN, cpuMs: NaN, tasks: dag.ids.length };
    const why = await contender.unavailable();
    if (why) {
      log(`  ${contender.name}: skipped, ${why}`);
      summaries.push({ ...base, skipped: why });
      continue;
    }
    const measures: (RunMeasure & { cpuMs: number })[] = [];
    let buildMs: number | undefined;
    try {
      ({ buildMs } = await contender.prepare(dag));
      for (let i = 0; i < runs; i++) {
        const cpu = process.cpuUsage();
        const measure = await contender.run(scenario.concurrency);
        const used = process.cpuUsage(cpu);
        if (measure.problem) throw new Error(`run ${i + 1} is wrong: ${measure.problem}`);
        measures.push({ ...measure, cpuMs: (used.user + used.system) / 1000 });
        log(`  ${contender.name} run ${i + 1}/${runs}: ${measure.ms.toFixed(0)} ms`);
      }
    } catch (error) {
      log(`  ${contender.name}: FAILED, ${(error as Error).message}`);
      summaries.push({ ...base, failed: (error as Error).message });
      continue;
    } finally {
      await contender.dispose().catch((error: Error) => log(`  ${contender.name}: dispose failed, ${error.message}`));
    }
    const last = measures[measures.length - 1]!;
    summaries.push({
      ...base,
      runs,
      wallMs: median(measures.map((m) => m.ms)),
      cpuMs: median(measures.map((m) => m.cpuMs)),
      ...(buildMs === undefined ? {} : { buildMs }),
      ...(last.transitions === undefined ? {} : { transitions: last.transitions, commits: last.commits, largestBatch: last.largestBatch }),
    });
  }
  return summaries;
}

function formatScenario(scenario: Scenario, summaries: readonly Summary[]): string {
  const peerMs = new Map(summaries.filter((s) => !s.skipped && !s.failed).map((s) => [s.contender, s.wallMs]));
  const peers = PEERS.filter((peer) => peerMs.has(peer));
  const rate = scenario.metric === 'latency' ? ['ms/step'] : ['tasks/s', 'µs/task'];
  const header = ['contender', 'wall (median)', ...rate, 'cpu', ...peers.map((p) => `vs ${p}`), 'transitions', 'commits', 'trans/commit', 'max batch'];
  const rows = summaries.map((s) => {
    if (s.skipped || s.failed) return [s.contender, s.skipped ? 'skipped' : 'FAILED'];
    const rates =
      scenario.metric === 'latency'
        ? [(s.wallMs / s.tasks).toFixed(3)]
        : [Math.round((s.tasks / s.wallMs) * 1000).toLocaleString('en-US'), ((s.wallMs * 1000) / s.tasks).toFixed(1)];
    const commits = s.commits === undefined ? ['', '', '', ''] : [String(s.transitions), String(s.commits), (s.transitions! / s.commits!).toFixed(1), String(s.largestBatch)];
    const vs = peers.map((peer) => (peer === s.contender ? '-' : ratio(s.wallMs, peerMs.get(peer)!)));
    return [s.contender, `${s.wallMs.toFixed(s.wallMs < 10 ? 2 : 0)} ms`, ...rates, `${s.cpuMs.toFixed(0)} ms`, ...vs, ...commits];
  });
  const buildMs = summaries.find((s) => s.buildMs !== undefined)?.buildMs;
  const note = buildMs === undefined ? '' : `\n(task-graph: building the workflow, addTask + addDependency + build, took ${buildMs.toFixed(0)} ms, not in wall)`;
  return formatTable(header, rows) + note;
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const scenarios = SCENARIOS.filter((scenario) => args.only.length === 0 || args.only.includes(scenario.name));
  const log = (line: string): void => void process.stderr.write(`${line}\n`);
  const machine = `${os.cpus().length} cores (${os.cpus()[0]?.model.trim()}), Node ${process.version}, load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`;
  log(`task-graph bench, ${new Date().toISOString()}, ${machine}; median of ${args.runs} run(s)`);
  const results: { scenario: string; dag: string; summaries: Summary[] }[] = [];
  for (const scenario of scenarios) {
    const dag = scenario.dag(args.quick);
    const title = `${scenario.name}${args.quick ? ' (QUICK)' : ''}: ${dag.name}, ${scenario.description}`;
    log(`\n${title}`);
    const summaries = await runScenario(scenario, dag, args.runs, args.with, log);
    results.push({ scenario: scenario.name, dag: dag.name, summaries });
    if (!args.json) console.log(`\n## ${title}\n${formatScenario(scenario, summaries)}`);
  }
  if (args.json) console.log(JSON.stringify({ date: new Date().toISOString(), machine, runs: args.runs, results }, null, 2));
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
