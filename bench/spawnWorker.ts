/**
 * Starts one worker process (`bench/worker.ts`, compiled: see compileWorker.ts) and collects what it printed: its protocol lines
 * as they come (the parent may act on them), its result, how it ended. Workers run with
 * `--expose-gc` (so that the heap they report is measured after full collections) and a heap
 * limit (so that a run that would eat the shared machine's memory dies with an out-of-memory
 * error instead). A worker that outlives `timeoutMs` is SIGKILLed. Lines that are not protocol
 * lines, and the worker's stderr, go to this process's stderr.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseLine } from './workerProtocol.js';
import type { WorkerNote, WorkerResult } from './workerProtocol.js';

/** The repository: workers run there (SQLite paths and the like are absolute anyway). */
export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export interface WorkerOptions {
  /** The compiled worker script. */
  workerPath: string;
  heapMb: number;
  timeoutMs: number;
  /** Called with each protocol line other than the result, as it arrives. */
  onNote?: (note: WorkerNote) => void;
}

export interface WorkerExit {
  result: WorkerResult | null;
  notes: WorkerNote[];
  code: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  /** The last lines of its stderr, for the failure message. */
  stderrTail: string;
}

/** Runs the worker with `args` to its end. @example await spawnWorker(['lattice', 'memory', '--size', '1000'], options) */
export function spawnWorker(args: readonly string[], options: WorkerOptions): Promise<WorkerExit> {
  const nodeArgs = ['--expose-gc', `--max-old-space-size=${options.heapMb}`, options.workerPath, ...args];
  const child = spawn(process.execPath, nodeArgs, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  const notes: WorkerNote[] = [];
  let result: WorkerResult | null = null;
  let stderrTail = '';
  let timedOut = false;
  createInterface({ input: child.stdout }).on('line', (text) => {
    const line = parseLine(text);
    if (line === null) process.stderr.write(`    | ${text}\n`);
    else if (line.bench === 'result') result = line;
    else {
      notes.push(line);
      options.onNote?.(line);
    }
  });
  child.stderr.on('data', (data: Buffer) => {
    stderrTail = (stderrTail + data.toString()).slice(-4_000);
  });
  const timer = setTimeout(() => {
    timedOut = true;
    child.kill('SIGKILL');
  }, options.timeoutMs);
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ result, notes, code, signal, timedOut, stderrTail });
    });
  });
}

/** Why a worker that was expected to finish did not give a good result, or null. */
export function exitProblem(exit: WorkerExit, heapMb: number): string | null {
  if (exit.timedOut) return 'timed out (killed)';
  if (/heap out of memory|Allocation failed/.test(exit.stderrTail)) return `out of memory (worker heap limit ${heapMb} MB)`;
  if (exit.signal) return `killed by ${exit.signal}`;
  if (exit.code !== 0 || !exit.result) {
    const lastLines = exit.stderrTail.trim().split('\n').slice(-3).join(' / ');
    return `worker exited with code ${exit.code}${lastLines ? `: ${lastLines}` : ''}`;
  }
  return exit.result.problem;
}
