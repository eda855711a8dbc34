/**
 * The bench's report as Markdown: one table per scenario (medians of the runs, ratios against the
 * peers of the same run), then the targets' summary. Ratios compare tasks per second: "3.0x
 * slower" means a third of the peer's tasks per second (three times its wall time).
 */
import type { Cell } from './cells.js';
import { CONTENDERS, RETENTION_BASELINE } from './plan.js';
import type { ScenarioSpec } from './plan.js';
import type { Verdict } from './targets.js';

const integer = (value: number): string => Math.round(value).toLocaleString('en-US');
const decimal = (value: number, digits = 1): string => value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
const ms = (value: number | undefined): string => (value === undefined ? '' : value < 10 ? `${decimal(value, 2)} ms` : `${integer(value)} ms`);
const mb = (value: number | undefined): string => (value === undefined ? '' : value < 10 ? `${decimal(value)} MB` : `${integer(value)} MB`);

/** A Markdown table; the first column, and every column when `numeric` is false, aligned left. */
function table(header: readonly string[], rows: readonly (readonly string[])[], numeric = true): string {
  const line = (cells: readonly string[]): string => `| ${header.map((_, i) => cells[i] ?? '').join(' | ')} |`;
  const rule = `|${header.map((_, i) => (i === 0 || !numeric ? ' --- ' : ' ---: ')).join('|')}|`;
  return [line(header), rule, ...rows.map(line)].join('\n');
}

function failedRow(cell: Cell, width: number): string[] {
  return [cell.label, `**${cell.status.toUpperCase()}**: ${cell.reason ?? ''}`, ...Array.from({ length: width - 2 }, () => '')];
}

/** This cell's speed against a peer's, in tasks per second. */
export function ratioText(cell: Cell, peer: Cell): string {
  if (cell === peer) return '-';
  const times = cell.median.wallMs! / peer.median.wallMs!;
  const shown = times >= 1 ? times : 1 / times;
  return `${decimal(shown, shown >= 100 ? 0 : 1)}x ${times >= 1 ? 'slower' : 'faster'}`;
}

function throughputTable(spec: ScenarioSpec, cells: readonly Cell[]): string {
  const peers = CONTENDERS.filter((contender) => contender.peer)
    .map((contender) => cells.find((cell) => cell.contender === contender.id && cell.status === 'ok'))
    .filter((cell): cell is Cell => cell !== undefined);
  const perTask = spec.metric === 'latency' ? 'ms/step' : 'µs/task';
  const header = ['contender', 'wall', 'tasks/s', perTask, 'cpu', 'server cpu', 'peak RSS', 'heap after', ...peers.map((p) => `vs ${p.label}`), 'commits', 'trans/commit', 'store'];
  const rows = cells.map((cell) => {
    if (cell.status !== 'ok') return failedRow(cell, header.length);
    const m = cell.median;
    const each = (m.wallMs! * 1000) / m.tasks!;
    return [
      cell.label,
      ms(m.wallMs),
      integer((m.tasks! / m.wallMs!) * 1000),
      spec.metric === 'latency' ? decimal(each / 1000, 2) : decimal(each, each < 10 ? 2 : 1),
      ms(m.cpuMs),
      ms(m.serverCpuMs),
      mb(m.peakRssMb),
      mb(m.heapUsedMb),
      ...peers.map((peer) => ratioText(cell, peer)),
      m.commits === undefined ? '' : integer(m.commits),
      m.commits === undefined ? '' : decimal(m.transitions! / m.commits),
      m.storeMb === undefined ? '' : mb(m.storeMb),
    ];
  });
  const build = cells.find((cell) => cell.median.buildMs !== undefined)?.median.buildMs;
  const note = build === undefined ? '' : `\n\nBuilding task-graph's workflow (addTask, addDependency, build) took ${ms(build)}, not in wall.`;
  return table(header, rows) + note;
}

function resumeTable(cells: readonly Cell[]): string {
  const header = ['store', 'killed at', 'createEngine', 'resume() to first task', 'rest', 'before the kill', 'rest / before', 'getExecution', 'replay', 'steps', 'verifyReplay', 'peak RSS (read-back)', 'database'];
  const rows = cells.map((cell) => {
    if (cell.status !== 'ok') return failedRow(cell, header.length);
    const m = cell.median;
    return [
      cell.label,
      `${integer(m.killedAtSucceeded!)} succeeded`,
      ms(m.createEngineMs),
      ms(m.resumeToFirstTaskMs),
      `${integer(m.restRate!)}/s`,
      `${integer(m.uninterruptedRate!)}/s`,
      `${integer(m.restVsUninterrupted! * 100)} %`,
      ms(m.getExecutionMs),
      ms(m.replayMs),
      integer(m.replaySteps!),
      ms(m.verifyReplayMs),
      mb(m.readBackPeakRssMb),
      mb(m.storeMb),
    ];
  });
  return table(header, rows);
}

function inspectTable(cells: readonly Cell[]): string {
  const header = ['store', 'inspect html', 'HTML', 'peak RSS'];
  const rows = cells.map((cell) =>
    cell.status !== 'ok' ? failedRow(cell, header.length) : [cell.label, ms(cell.median.inspectHtmlMs), `${decimal(cell.median.htmlMb!)} MB`, mb(cell.median.peakRssMb)],
  );
  return table(header, rows);
}

function retentionTable(cells: readonly Cell[]): string {
  const header = ['store', 'executions', `heap after ${RETENTION_BASELINE}`, 'heap after all', 'growth', 'wall', 'peak RSS'];
  const rows = cells.map((cell) => {
    if (cell.status !== 'ok') return failedRow(cell, header.length);
    const m = cell.median;
    return [cell.label, integer(m.executions!), `${decimal(m.heapBaselineMb!)} MB`, `${decimal(m.heapAfterMb!)} MB`, `${decimal(m.heapGrowthMb!)} MB`, ms(m.wallMs), mb(m.peakRssMb)];
  });
  return table(header, rows);
}

/** One scenario's section: its title and table. */
export function formatScenario(spec: ScenarioSpec, title: string, cells: readonly Cell[]): string {
  const body =
    spec.kind === 'resume' ? resumeTable(cells) : spec.kind === 'inspect' ? inspectTable(cells) : spec.kind === 'retention' ? retentionTable(cells) : throughputTable(spec, cells);
  return `### ${spec.name}: ${title}\n\n${body}\n`;
}

/** The targets' summary block. */
export function formatTargets(verdicts: readonly Verdict[]): string {
  const rows = verdicts.map((v) => [v.target, v.wording, v.measured, `${v.status === 'PASS' ? 'PASS' : `**${v.status}**`}${v.reduced ? '*' : ''}`]);
  const reduced = verdicts.some((v) => v.reduced)
    ? '\n\n\\* measured below the target\'s size (quick mode or --scale): an indication only; `npm run bench -- --full` measures the targets.'
    : '';
  return `### Targets of issue 8\n\n${table(['target', 'the issue asks', 'measured', 'verdict'], rows, false)}${reduced}\n`;
}
