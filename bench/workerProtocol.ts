/**
 * What a worker process prints and how it measures itself.
 *
 * A worker writes one JSON object per line on stdout, each with a `bench` field: `started` or
 * `killing` lines while it runs (the parent may act on them), then one `result` line:
 * `{ bench: 'result', problem, metrics, info }`. `problem` is null for a run that did everything it
 * was asked (every task ran once and succeeded), else why not: a wrong run is never a number.
 * `metrics` are numbers the parent takes medians of (wallMs, cpuMs, peakRssMb, heapUsedMb, …);
 * `info` is text (an execution id). Any other output (a library's log line) is not JSON with a
 * `bench` field and is passed through to the parent's stderr.
 */
import { readFileSync } from 'node:fs';

export type Metrics = Record<string, number>;

export interface WorkerResult {
  bench: 'result';
  problem: string | null;
  metrics: Metrics;
  info: Record<string, string>;
}

export interface WorkerNote {
  bench: 'started' | 'killing';
  [key: string]: unknown;
}

export type WorkerLine = WorkerResult | WorkerNote;

/** Writes one protocol line (synchronous on a pipe, so it is out before a SIGKILL). */
export function emit(line: WorkerLine): void {
  process.stdout.write(`${JSON.stringify(line)}\n`);
}

/** The protocol line in `text`, or null for any other output. */
export function parseLine(text: string): WorkerLine | null {
  if (!text.startsWith('{"bench":')) return null;
  try {
    return JSON.parse(text) as WorkerLine;
  } catch {
    return null;
  }
}

const MB = 1024 * 1024;

/** Forces full collections (the worker runs with --expose-gc) and returns the heap in use, in MB. */
export async function settledHeapMb(): Promise<number> {
  const gc = (globalThis as { gc?: () => void }).gc;
  await new Promise((resolve) => setTimeout(resolve, 50));
  for (let i = 0; i < 3; i++) {
    gc?.();
    await new Promise((resolve) => setImmediate(resolve));
  }
  return process.memoryUsage().heapUsed / MB;
}

/** Peak resident set size of this process so far, in MB. */
export function peakRssMb(): number {
  return (process.resourceUsage().maxRSS * 1024) / MB;
}

/** CPU time (user + system) of another process on this machine, from /proc; null where unreadable. */
export function processCpuMs(pid: number | undefined): number | null {
  if (!pid) return null;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // fields[11] and [12] are utime and stime (fields 14 and 15 of proc(5)), in clock ticks of 10 ms.
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return null;
  }
}

/**
 * Times `work`: wall ms, this process's CPU ms (all threads), and the server's CPU ms when its pid
 * is known. The server is shared with whatever else uses it meanwhile.
 */
export async function measure<T>(work: () => Promise<T>, serverPid?: number): Promise<{ value: T; metrics: Metrics }> {
  const serverBefore = processCpuMs(serverPid);
  const cpu = process.cpuUsage();
  const started = performance.now();
  const value = await work();
  const wallMs = performance.now() - started;
  const used = process.cpuUsage(cpu);
  const serverAfter = processCpuMs(serverPid);
  const metrics: Metrics = { wallMs, cpuMs: (used.user + used.system) / 1000 };
  if (serverBefore !== null && serverAfter !== null) metrics.serverCpuMs = serverAfter - serverBefore;
  return { value, metrics };
}

export interface CountingTask {
  task: (id: string) => Promise<null>;
  calls: () => number;
  /** performance.now() of the first and the latest call, null before the first. */
  firstCallAt: () => number | null;
  lastCallAt: () => number | null;
}

/** A no-op task that counts its calls and notes when the first and the latest came. */
export function countingTask(): CountingTask {
  let calls = 0;
  let firstCallAt: number | null = null;
  let lastCallAt: number | null = null;
  return {
    task: async () => {
      calls += 1;
      lastCallAt = performance.now();
      firstCallAt ??= lastCallAt;
      return null;
    },
    calls: () => calls,
    firstCallAt: () => firstCallAt,
    lastCallAt: () => lastCallAt,
  };
}

/** Task calls per second between the first call and the latest (the scheduler's pace, setup and tail left out). */
export function callRate(counter: CountingTask): number {
  const first = counter.firstCallAt();
  const last = counter.lastCallAt();
  return first === null || last === null || last === first ? 0 : ((counter.calls() - 1) / (last - first)) * 1000;
}
