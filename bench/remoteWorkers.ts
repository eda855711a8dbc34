/**
 * Remote task workers (issue 11 section 6): throughput of CPU-bound tasks (10 ms of busy work)
 * run in the engine's process vs on 1 and 2 worker processes, and the cost per task of remote
 * dispatch (a chain of no-op tasks, remote vs local). The engine uses the memory store, so what
 * is measured is the dispatch, not the database. Needs Redis on 127.0.0.1:6379.
 *
 *   npx tsx bench/remoteWorkers.ts [--tasks 200] [--chain 100]
 *
 * Run as `remoteWorkers.ts worker <queue>` it is one worker process.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { Queue } from 'bullmq';
import { createEngine, createWorkflow } from '../lib/index.js';
import type { Workflow } from '../lib/index.js';
import { createWorker } from '../lib/worker/index.js';

const REDIS = { host: '127.0.0.1', port: 6379 };
const BUSY_MS = 10;

function busy(): { spun: number } {
  const until = performance.now() + BUSY_MS;
  let spun = 0;
  while (performance.now() < until) spun++;
  return { spun };
}

/** `tasks` independent CPU-bound tasks (on `queue`, or local). */
function fanOut(tasks: number, queue: string | undefined): Workflow {
  const builder = createWorkflow(`fan-${tasks}`, { version: '1' });
  for (let i = 0; i < tasks; i++) builder.addTask(`t${i}`, `t${i}`, busy, queue ? { queue } : {});
  return builder.build();
}

/** A chain of `length` no-op tasks (on `queue`, or local). */
function chain(length: number, queue: string | undefined): Workflow {
  const builder = createWorkflow(`chain-${length}`, { version: '1' });
  for (let i = 0; i < length; i++) {
    builder.addTask(`c${i}`, `c${i}`, () => i, queue ? { queue } : {});
    if (i > 0) builder.addDependency(`c${i - 1}`, `c${i}`);
  }
  return builder.build();
}

const sizes = () => {
  const arg = (name: string, fallback: number) => {
    const index = process.argv.indexOf(`--${name}`);
    return index > 0 ? Number(process.argv[index + 1]) : fallback;
  };
  return { tasks: arg('tasks', 200), chain: arg('chain', 100) };
};

async function runWorker(queue: string): Promise<void> {
  const { tasks, chain: length } = sizes();
  const worker = await createWorker({ connection: REDIS, queue, workflows: [fanOut(tasks, queue), chain(length, queue)], concurrency: 1, logger: undefined });
  process.stdout.write('ready\n');
  const alive = setInterval(() => undefined, 60_000);
  process.on('SIGTERM', () => {
    clearInterval(alive);
    void worker.close().then(() => process.exit(0));
  });
}

function startWorker(queue: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), 'worker', queue, ...process.argv.slice(2)], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve) => child.stdout!.on('data', (chunk: Buffer) => chunk.toString().includes('ready') && resolve(child)));
}

async function timed(workflow: Workflow, concurrency: number): Promise<number> {
  const engine = await createEngine({ storage: 'memory', logLevel: 'error', redis: REDIS, workflows: [workflow], concurrency });
  try {
    const started = performance.now();
    const result = await engine.execute(workflow.id, {});
    if (result.status !== 'succeeded') throw new Error(`${workflow.id}: ${result.status}`);
    return performance.now() - started;
  } finally {
    await engine.close();
  }
}

async function main(): Promise<void> {
  if (process.argv[2] === 'worker') return runWorker(process.argv[3]!);
  const { tasks, chain: length } = sizes();
  const queue = `bench${randomBytes(4).toString('hex')}`;
  const workers: ChildProcess[] = [];
  const lines: string[] = [];
  const say = (line: string) => {
    lines.push(line);
    process.stderr.write(`${line}\n`);
  };
  try {
    const local = await timed(fanOut(tasks, undefined), 16);
    say(`| ${tasks} tasks of ${BUSY_MS} ms CPU, in the engine's process | ${local.toFixed(0)} ms | ${((tasks / local) * 1000).toFixed(0)} tasks/s |`);
    workers.push(await startWorker(queue));
    const one = await timed(fanOut(tasks, queue), 16);
    say(`| the same on 1 worker process (concurrency 1) | ${one.toFixed(0)} ms | ${((tasks / one) * 1000).toFixed(0)} tasks/s |`);
    workers.push(await startWorker(queue));
    const two = await timed(fanOut(tasks, queue), 16);
    say(`| the same on 2 worker processes | ${two.toFixed(0)} ms | ${((tasks / two) * 1000).toFixed(0)} tasks/s |`);
    const localChain = await timed(chain(length, undefined), 1);
    const remoteChain = await timed(chain(length, queue), 1);
    say(`| chain of ${length} no-op tasks, local | ${localChain.toFixed(0)} ms | ${(localChain / length).toFixed(2)} ms/task |`);
    say(`| chain of ${length} no-op tasks, remote | ${remoteChain.toFixed(0)} ms | ${(remoteChain / length).toFixed(2)} ms/task (dispatch ${((remoteChain - localChain) / length).toFixed(2)} ms/task more) |`);
  } finally {
    for (const worker of workers) worker.kill('SIGTERM');
    await Promise.all(workers.map((worker) => new Promise((resolve) => worker.once('exit', resolve))));
    const bull = new Queue(`tg-${queue}`, { connection: REDIS });
    await bull.obliterate({ force: true });
    await bull.close();
  }
  process.stdout.write(`| scenario | wall time | rate |\n| --- | --- | --- |\n${lines.join('\n')}\n`);
}

await main();
