/**
 * Two engines on one database, one killed, the execution survives.
 *
 *   npx tsx examples/cluster/run.ts [storage]
 *
 * Storage: the argument, else TASK_GRAPH_STORAGE, else a SQLite file in a temp directory (a
 * MySQL/MariaDB or PostgreSQL URL works the same). This process is the "web" replica: it submits
 * an execution and waits for its result, and runs nothing itself (`recover: false`). Two engine
 * processes (engine.ts) have the workflow published; one claims the execution and runs it; after
 * its second step this script kills it with SIGKILL. Its lease ends on the database's clock and
 * the other engine takes the execution over, from the last committed step. With TASK_GRAPH_REDIS
 * (redis://host:port) set, a worker process (worker.ts) runs the 'aggregate' step for the engines.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createEngine } from '../../lib/index.js';
import { redis, reportWorkflow } from './workflow.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const storage = process.argv[2] ?? process.env['TASK_GRAPH_STORAGE'] ?? `sqlite:${path.join(mkdtempSync(path.join(os.tmpdir(), 'tg-cluster-example-')), 'cluster.db')}`;
console.log(`storage: ${storage.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:***@')}`);

const web = await createEngine({ storage, logLevel: 'warn', workflows: [reportWorkflow], recover: false, ...(redis ? { redis } : {}) });
const engines = new Map<string, ChildProcess>();
let worker: ChildProcess | null = null;
function startWorker(): Promise<void> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(here, 'worker.ts')], { stdio: ['ignore', 'pipe', 'inherit'] });
  worker = child;
  return new Promise((resolve) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      process.stdout.write(chunk);
      if (chunk.toString().includes('ready')) resolve();
    });
  });
}
function startEngine(): Promise<void> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(here, 'engine.ts'), storage], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      process.stdout.write(chunk);
      const ready = /engine (\S+) ready/.exec(chunk.toString());
      if (ready) {
        engines.set(ready[1]!, child);
        resolve();
      }
    });
  });
}

try {
  await Promise.all([startEngine(), startEngine(), ...(redis ? [startWorker()] : [])]);
  const { id } = await web.submit('nightly-report', { day: '2026-11-27' });
  console.log(`submitted execution ${id}`);

  // Wait until an engine has run two steps of it, then kill that engine.
  let owner: string | null = null;
  for (;;) {
    const details = await web.getExecution(id);
    const record = (await web.listExecutions({ workflowId: 'nightly-report' })).find((each) => each.id === id)!;
    if (Object.values(details.tasks).filter((task) => task.status === 'succeeded').length >= 2 && record.ownerId !== null) {
      owner = record.ownerId;
      break;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const victim = engines.get(owner)!;
  console.log(`killing engine ${owner} (pid ${victim.pid}) with SIGKILL, two steps done`);
  victim.kill('SIGKILL');
  const killedAt = Date.now();

  const result = await web.waitFor(id);
  const finalOwner = (await web.listExecutions({ workflowId: 'nightly-report' })).find((each) => each.id === id)!;
  console.log(`execution ${id}: ${result.status}, taken over ${finalOwner.ownerId === owner ? 'by nobody' : `by engine ${finalOwner.ownerId}`} (fencing token ${finalOwner.fencingToken})`);
  console.log(`finished ${Date.now() - killedAt} ms after the kill; steps ran in: ${Object.entries(result.outputs).map(([task, output]) => `${task}@${(output as { ranIn: number }).ranIn}`).join(', ')}`);
  process.exitCode = result.status === 'succeeded' && finalOwner.ownerId !== owner ? 0 : 1;
} finally {
  const children = [...engines.values(), ...(worker ? [worker] : [])];
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
  await Promise.all(children.map((child) => (child.exitCode !== null || child.signalCode !== null ? null : new Promise((resolve) => child.once('exit', resolve)))));
  await web.close();
}
