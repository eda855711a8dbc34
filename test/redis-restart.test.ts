/**
 * Redis restarted mid-run (issue 11: "the run continues or fails clearly, nothing recorded twice").
 * A private redis-server without persistence (test/support/privateRedis.ts) is SIGKILLed while a
 * worker runs three remote attempts of an execution, and started again on the same port, empty:
 * the jobs, their locks and their results are gone.
 */
import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createEngine, createWorkflow } from '../lib/index.js';
import type { Engine, TaskContext, Workflow } from '../lib/index.js';
import { createDefaultLogger } from '../lib/telemetry/createLogger.js';
import { createWorker } from '../lib/worker/index.js';
import type { TaskWorker } from '../lib/worker/index.js';
import { freePort, hasRedisServer, PrivateRedis } from './support/privateRedis.js';
import { waitUntil } from './support/waitUntil.js';

const REMOTE_TASKS = ['r1', 'r2', 'r3'];

interface Gate {
  open: boolean;
  started: string[];
}

function restartWorkflow(gate: Gate): Workflow {
  const remote = async (_input: unknown, ctx: TaskContext) => {
    gate.started.push(`${ctx.taskId}#${ctx.attempt}`);
    while (!gate.open) await new Promise((resolve) => setTimeout(resolve, 20));
    return { taskId: ctx.taskId, attempt: ctx.attempt };
  };
  let builder = createWorkflow('redis-restart', { version: '1' }).addTask('prep', 'Prep', () => 'ready');
  for (const id of REMOTE_TASKS) builder = builder.addTask(id, id, remote, { queue: 'restart', retry: { maxAttempts: 3, initialDelayMs: 10, jitter: 'none' } }).addDependency('prep', id);
  builder = builder.addTask('join', 'Join', (input: unknown) => input);
  for (const id of REMOTE_TASKS) builder = builder.addDependency(id, 'join');
  return builder.build();
}

const available = hasRedisServer();
if (!available) console.log('Redis restart test skipped: redis-server is not on PATH');

(available ? describe : describe.skip)('Redis restarted mid-run', function () {
  this.timeout(120_000);
  let dir: string;
  let redis: PrivateRedis;
  let engine: Engine | null = null;
  let worker: TaskWorker | null = null;

  beforeEach(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'tg-redis-restart-'));
    redis = new PrivateRedis(await freePort());
    await redis.start();
  });
  afterEach(async () => {
    await worker?.close();
    worker = null;
    await engine?.close();
    engine = null;
    await redis.kill();
    rmSync(dir, { recursive: true, force: true });
  });

  it('an execution whose remote attempts run while Redis is killed and restarted empty finishes, each success recorded once, seq gap-free', async () => {
    const gate: Gate = { open: false, started: [] };
    const workflow = restartWorkflow(gate);
    const connection = { host: '127.0.0.1', port: redis.port };
    const quiet = createDefaultLogger('error'); // the worker warns of every lost connection and job
    worker = await createWorker({ connection, queue: 'restart', workflows: [workflow], concurrency: 3, logger: quiet });
    engine = await createEngine({ storage: `sqlite:${path.join(dir, 'tg.db')}`, logLevel: 'error', redis: connection, workflows: [workflow] });
    const handle = engine.start('redis-restart', {});
    await waitUntil(() => gate.started.length === 3, 'the worker runs the three remote attempts');

    await redis.kill();
    await new Promise((resolve) => setTimeout(resolve, 1_500)); // the engine's waits and the worker's loops meet a dead Redis
    await redis.start();
    gate.open = true;

    const result = await handle.result;
    expect(result.status, `${JSON.stringify(result.tasks)} ${JSON.stringify(gate.started)}`).to.equal('succeeded');
    const transitions = await engine.listTransitions(handle.id);
    expect(transitions.map((t) => t.seq)).to.deep.equal(transitions.map((_, i) => i + 1));
    const successes = transitions.filter((t) => t.taskId !== null && t.to === 'succeeded').map((t) => t.taskId!);
    expect(successes.sort()).to.deep.equal(['join', 'prep', ...REMOTE_TASKS]);
    for (const id of REMOTE_TASKS) expect(result.outputs[id]).to.include({ taskId: id });
    // The jobs Redis lost were dispatched again: the same attempt ran again (at least once), and
    // only its one outcome is recorded (attempt 1: no retry was spent on Redis).
    const story = `${JSON.stringify(gate.started)} ${transitions.map((t) => `${t.taskId}:${t.to}#${t.attempt}${t.to === 'retrying' ? JSON.stringify(t.data) : ''}`).join(' ')}`;
    expect(transitions.filter((t) => REMOTE_TASKS.includes(t.taskId!) && t.to === 'succeeded').map((t) => t.attempt), story).to.deep.equal([1, 1, 1]);
    for (const id of REMOTE_TASKS) expect(gate.started.filter((run) => run === `${id}#1`).length, `${id}: ${story}`).to.be.at.least(2);
    const logs = await engine.listLogs(handle.id);
    expect(logs.filter((log) => log.level === 'warn' && log.message.includes('is gone from Redis')).length).to.be.at.least(3);
  });
});
