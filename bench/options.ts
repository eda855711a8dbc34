/**
 * The command line of `npm run bench -- [options]`. A bad option is one line naming it and what
 * would be valid; see bench/README.md for what each one does.
 */
import { CONTENDERS, SCENARIOS } from './plan.js';
import type { ContenderId, Mode, ScenarioName } from './plan.js';

/** A bad command line: the parent prints its message alone, no stack. */
export class OptionError extends Error {}

export interface BenchOptions {
  mode: Mode;
  json: boolean;
  /** Scenarios named with --only (empty: the mode's default set). */
  only: ScenarioName[];
  /** Contenders named with --with (empty: the mode's default set). */
  with: ContenderId[];
  /** Fresh worker processes per cell; the cell is their median. */
  runs: number;
  /** Multiplies graph sizes: a development aid (`--scale 0.01`), never for published numbers. */
  scale: number;
  /** Heap limit of each worker (--max-old-space-size). */
  heapMb: number;
  /** A worker running longer is killed and its cell fails. */
  timeoutMs: number;
}

export const USAGE = `usage: npm run bench -- [--full] [--json] [--only ${SCENARIOS.map((s) => s.name).join(',')}]
  [--with ${CONTENDERS.map((c) => c.id).join(',')}] [--runs n (>= 3)] [--scale f] [--heap-mb n] [--timeout-min n]`;

export function parseOptions(argv: readonly string[]): BenchOptions {
  const values = new Map<string, string>();
  const flags = new Set<string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--full' || arg === '--json' || arg === '--help') flags.add(arg);
    else if (['--only', '--with', '--runs', '--scale', '--heap-mb', '--timeout-min'].includes(arg) && argv[i + 1] !== undefined) values.set(arg, argv[++i]!);
    else throw new OptionError(`Unknown or incomplete option ${JSON.stringify(arg)}\n${USAGE}`);
  }
  if (flags.has('--help')) throw new OptionError(USAGE);
  const list = <T extends string>(flag: string, known: readonly T[]): T[] => {
    const names = (values.get(flag) ?? '').split(',').filter(Boolean).map((name) => name.toLowerCase());
    const unknown = names.filter((name) => !(known as readonly string[]).includes(name));
    if (unknown.length > 0) throw new OptionError(`${flag}: unknown ${unknown.join(', ')}; choose from ${known.join(', ')}`);
    return names as T[];
  };
  const number = (flag: string, fallback: number, valid: (value: number) => boolean, expected: string): number => {
    const text = values.get(flag);
    const value = text === undefined ? fallback : Number(text);
    if (!valid(value)) throw new OptionError(`${flag} must be ${expected}, got ${JSON.stringify(text)}`);
    return value;
  };
  return {
    mode: flags.has('--full') ? 'full' : 'quick',
    json: flags.has('--json'),
    only: list('--only', SCENARIOS.map((scenario) => scenario.name)),
    with: list('--with', CONTENDERS.map((contender) => contender.id)),
    runs: number('--runs', 3, (v) => Number.isInteger(v) && v >= 1, 'an integer >= 1 (3 or more for numbers worth publishing)'),
    scale: number('--scale', 1, (v) => v > 0 && v <= 1, 'a number in (0, 1]'),
    heapMb: number('--heap-mb', 4096, (v) => Number.isInteger(v) && v >= 256, 'an integer >= 256'),
    timeoutMs: number('--timeout-min', 30, (v) => v > 0, 'a positive number of minutes') * 60_000,
  };
}
