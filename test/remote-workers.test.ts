/**
 * Remote task workers on BullMQ (real Redis at 127.0.0.1:6379, worker and engine child processes,
 * no mocks): a task with a `queue` runs on a worker; the engine keeps the retries and the log; a
 * worker killed mid-job has its job re-delivered; an engine killed mid-job is taken over and the
 * new owner re-attaches to the job instead of running the task again.
 */
import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Queue } from 'bullmq';
import { createEngine, InvalidOptionsError } from '../lib/index.js';
import type { Engine } from '../lib/index.js';
import { queueName } from '../lib/remote/remoteJob.js';
import { REDIS, REDIS_ENV, remoteWorkflow } from './fixtures/remoteWorkflow.js';
import type { RemoteConfig } from './fixtures/remoteWorkflow.js';
import { spawnJsonLinesChild } from './support/jsonLinesChild.js';
import type { JsonLinesChild } from './support/jsonLinesChild.js';
import { waitUntil } from './support/waitUntil.js';

const FIXTURE = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures', 'remoteWorkflow.ts');

type Child = JsonLinesChild;

function spawnRole(role: 'worker' | 'engine', config: RemoteConfig): Child {
  return spawnJsonLinesChild(['--import', 'tsx', FIXTURE, role, JSON.stringify(config)], role);
}

const message = (child: Child, key: string) => child.messages.find((each) => key in each)?.[key];
const ready = (child: Child) => waitUntil(() => message(child, 'ready') === true || child.child.exitCode !== null, 'a child is ready', 60_000);

function heavyRuns(logFile: string): { executionId: string; attempt: number; pid: number; key: string }[] {
  if (!existsSync(logFile)) return [];
  return readFileSync(logFile, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [executionId, , attempt, pid, key] = line.split(' ');
      return { executionId: executionId!, attempt: Number(attempt), pid: Number(pid), key: key! };
    });
}

if (!process.env[REDIS_ENV]) console.log(`Remote worker tests skipped: set ${REDIS_ENV}=redis://127.0.0.1:6379 to run them`);

(process.env[REDIS_ENV] ? describe : describe.skip)('remote task workers on BullMQ', function () {
  this.timeout(120_000);
  let dir: string;
  let config: RemoteConfig;
  const children: Child[] = [];
  const engines: Engine[] = [];
  const start = (role: 'worker' | 'engine', overrides: Partial<RemoteConfig> = {}) => {
    const child = spawnRole(role, { ...config, ...overrides });
    children.push(child);
    return child;
  };
  const openEngine = async (storage: string, recover = false) => {
    const engine = await createEngine({ storage, logLevel: 'error', redis: REDIS, workflows: [remoteWorkflow(config)], recover, recoveryIntervalMs: 200, leaseMs: 1_500, heartbeatIntervalMs: 300 });
    engines.push(engine);
    return engine;
  };

  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'tg-remote-'));
    config = { queue: `test${randomBytes(4).toString('hex')}`, logFile: path.join(dir, 'heavy.log') };
  });
  afterEach(async () => {
    for (const { child, exited } of children.splice(0)) {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    }
    for (const engine of engines.splice(0)) await engine.close();
    const queue = new Queue(queueName(config.queue), { connection: REDIS });
    await queue.obliterate({ force: true });
    await queue.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('runs a queued task on a worker process, the others in the engine', async () => {
    const worker = start('worker');
    await ready(worker);
    const engine = await openEngine('memory');
    const result = await engine.execute('remote', {});
    expect(result.status).to.equal('succeeded');
    const workerPid = Number(message(worker, 'pid'));
    expect(result.outputs['prep']).to.include({ preparedBy: process.pid });
    expect(result.outputs['heavy']).to.deep.equal({ ranIn: workerPid, preparedBy: process.pid, upstream: ['prep'] });
    expect(result.outputs['finish']).to.deep.equal({ heavyRanIn: workerPid, finishedBy: process.pid });
    const heavy = (await engine.listTransitions(result.id)).filter((t) => t.taskId === 'heavy').map((t) => `${t.to}#${t.attempt}`);
    expect(heavy).to.deep.equal(['running#1', 'succeeded#1']);
  });

  it('keeps retries in the engine: each attempt is one job; a NonRetryableError thrown on the worker stays one, with its stack', async () => {
    const worker = start('worker');
    await ready(worker);
    const engine = await openEngine('memory');
    const retried = await engine.execute('remote', { failTimes: 2 });
    expect(retried.status).to.equal('succeeded');
    expect(retried.tasks['heavy']?.attempts).to.equal(3);
    const runs = heavyRuns(config.logFile).filter((run) => run.executionId === retried.id);
    expect(runs.map((run) => run.attempt)).to.deep.equal([1, 2, 3]);
    expect(new Set(runs.map((run) => run.key)).size).to.equal(3);

    const refused = await engine.execute('remote', { failTimes: 1, nonRetryable: true });
    expect(refused.status).to.equal('failed');
    expect(refused.tasks['heavy']?.attempts).to.equal(1);
    expect(refused.tasks['heavy']?.error).to.include({ name: 'NonRetryableError', message: 'heavy refuses (attempt 1)' });
    // the stack recorded is the worker's, where the task threw, not the engine's that rebuilt the error
    expect(refused.tasks['heavy']?.error?.stack).to.match(/^NonRetryableError: heavy refuses \(attempt 1\)\n\s+at .*remoteWorkflow\.ts/);
    expect(refused.tasks['heavy']?.error?.stack).not.to.include('RemoteDispatcher');
  });

  it('a cancel reaches the job running on the worker: its ctx.signal is aborted', async () => {
    config.gateFile = path.join(dir, 'gate'); // never opened: only the abort ends the task
    const worker = start('worker');
    await ready(worker);
    const engine = await openEngine('memory');
    const handle = engine.start('remote', {});
    await waitUntil(() => heavyRuns(config.logFile).length === 1, 'the worker runs heavy');
    handle.cancel('the user changed their mind');
    const result = await handle.result;
    expect(result.status).to.equal('cancelled');
    await waitUntil(() => readFileSync(config.logFile, 'utf8').includes(' aborted '), 'the worker saw its signal aborted');
    const aborted = readFileSync(config.logFile, 'utf8').split('\n').find((line) => line.includes(' aborted '))!;
    expect(aborted.split(' ')[3]).to.equal(String(message(worker, 'pid')));
  });

  it('refuses a workflow with a queued task on an engine without redis', async () => {
    const engine = await createEngine({ storage: 'memory', logLevel: 'error' });
    engines.push(engine);
    expect(() => engine.publishWorkflow(remoteWorkflow(config))).to.throw(InvalidOptionsError, /queue/);
  });

  it('re-delivers the job of a worker killed mid-job to another worker (same attempt, same idempotency key)', async () => {
    const gateFile = path.join(dir, 'gate');
    config.gateFile = gateFile;
    const workers = [start('worker', { lockDurationMs: 1_000, stalledIntervalMs: 500 }), start('worker', { lockDurationMs: 1_000, stalledIntervalMs: 500 })];
    for (const worker of workers) await ready(worker);
    const engine = await openEngine('memory');
    const handle = engine.start('remote', {});
    await waitUntil(() => heavyRuns(config.logFile).length === 1, 'a worker runs heavy');
    const first = heavyRuns(config.logFile)[0]!;
    const victim = workers.find((worker) => worker.child.pid === first.pid)!;
    victim.child.kill('SIGKILL');
    await victim.exited;
    writeFileSync(gateFile, '');
    const result = await handle.result;
    expect(result.status).to.equal('succeeded');
    const runs = heavyRuns(config.logFile);
    expect(runs).to.have.length(2);
    expect(runs[1]!.pid).to.not.equal(first.pid);
    expect(runs.map((run) => run.attempt)).to.deep.equal([1, 1]);
    expect(runs[1]!.key).to.equal(first.key);
    expect((result.outputs['heavy'] as { ranIn: number }).ranIn).to.equal(runs[1]!.pid);
  });

  it('an engine killed while its job runs: the engine taking the execution over re-attaches to the job, the task runs once', async () => {
    const storage = `sqlite:${path.join(dir, 'runs.db')}`;
    const gateFile = path.join(dir, 'gate');
    config.gateFile = gateFile;
    const worker = start('worker');
    await ready(worker);
    const doomed = start('engine', { storage });
    await waitUntil(() => message(doomed, 'started') !== undefined, 'the doomed engine started an execution', 60_000);
    const id = String(message(doomed, 'started'));
    await waitUntil(() => heavyRuns(config.logFile).length === 1, 'the worker runs heavy');
    doomed.child.kill('SIGKILL');
    await doomed.exited;
    writeFileSync(gateFile, ''); // the job finishes while no engine listens
    const rescuer = await openEngine(storage, true);
    const result = await rescuer.waitFor(id, { pollIntervalMs: 50 });
    expect(result.status).to.equal('succeeded');
    expect(heavyRuns(config.logFile), 'heavy ran once').to.have.length(1);
    expect((result.outputs['heavy'] as { ranIn: number }).ranIn).to.equal(Number(message(worker, 'pid')));
    expect(rescuer.stats().recovered).to.equal(1);
    const transitions = await rescuer.listTransitions(id);
    expect(transitions.map((t) => t.seq)).to.deep.equal(transitions.map((_, i) => i + 1));
    expect(transitions.filter((t) => t.taskId === 'heavy' && t.to === 'succeeded')).to.have.length(1);
  });
});
