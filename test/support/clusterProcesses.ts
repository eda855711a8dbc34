/**
 * Child engines for the cluster tests (test/fixtures/clusterEngine.ts): spawn one with its
 * configuration (and, optionally, a process clock off by some ms), read the JSON lines it prints,
 * kill it. Every child spawned is killed by `killAll()`.
 */
import type { ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ClusterEngineConfig } from '../fixtures/clusterEngine.js';
import { spawnJsonLinesChild } from './jsonLinesChild.js';
import { waitUntil } from './waitUntil.js';

const FIXTURES = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures');

export interface ClusterChild {
  readonly child: ChildProcess;
  /** The JSON lines printed so far. */
  readonly messages: Record<string, unknown>[];
  readonly exited: Promise<number | null>;
  /** The engine id (owner id) once ready. */
  ownerId(): string;
  /** The ids it started itself (config.start). */
  started(): string[];
  /** Its process's Date.now() when it was ready. */
  clock(): number;
  /** Executions its recovery scan claimed so far. */
  claimed(): number;
  ready(): Promise<void>;
}

const children = new Set<ChildProcess>();

export function spawnEngine(config: ClusterEngineConfig, clockOffsetMs = 0): ClusterChild {
  const args = ['--import', 'tsx', ...(clockOffsetMs === 0 ? [] : ['--import', path.join(FIXTURES, 'clockOffset.ts')]), path.join(FIXTURES, 'clusterEngine.ts'), JSON.stringify(config)];
  const { child, messages, exited: childExited, stderr } = spawnJsonLinesChild(args, 'cluster engine', { ...process.env, TG_CLOCK_OFFSET_MS: String(clockOffsetMs) });
  children.add(child);
  const exited = childExited.finally(() => children.delete(child));
  const find = (key: string) => messages.find((message) => key in message)?.[key];
  return {
    child,
    messages,
    exited,
    ownerId: () => String(find('id')),
    clock: () => Number(find('clock')),
    started: () => (find('started') as string[] | undefined) ?? [],
    claimed: () => Number(messages.filter((message) => 'claimed' in message).at(-1)?.['claimed'] ?? 0),
    ready: () => waitUntil(() => find('ready') === true || child.exitCode !== null, 'a cluster engine is ready', 60_000).then(() => {
      if (child.exitCode !== null) throw new Error(`The cluster engine exited (${child.exitCode}): ${stderr()}`);
    }),
  };
}

/** SIGKILLs every child still running. */
export async function killAll(): Promise<void> {
  const running = [...children];
  for (const child of running) child.kill('SIGKILL');
  await Promise.all(running.map((child) => new Promise((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve(null) : child.once('exit', resolve)))));
}

/** SIGTERMs a child (it closes its engine) and waits for it to exit. */
export async function stopEngine(engine: ClusterChild): Promise<void> {
  if (engine.child.exitCode !== null || engine.child.signalCode !== null) return;
  engine.child.kill('SIGTERM');
  await engine.exited;
}

/** One line of the task log: `executionId taskId attempt pid`. */
export interface TaskRunLine {
  executionId: string;
  taskId: string;
  attempt: number;
  pid: number;
}

export function readTaskLog(file: string): TaskRunLine[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [executionId, taskId, attempt, pid] = line.split(' ');
      return { executionId: executionId!, taskId: taskId!, attempt: Number(attempt), pid: Number(pid) };
    });
}
