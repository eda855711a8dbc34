/**
 * Crash and resume: a child process runs a 220-task workflow whose tasks append to a file; the
 * parent kills it with SIGKILL at several points, and a new process resumes it each time.
 */
import { expect } from 'chai';
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { storeFactories } from './support/stores.js';
import type { StoreUnderTest } from './support/stores.js';
import { CONCURRENCY, LAYERS, WIDTH } from './fixtures/crashWorkflow.js';
import { waitUntil } from './support/waitUntil.js';

const CHILD = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures', 'crashWorkflow.ts');
const TOTAL = LAYERS * WIDTH;

function runChild(args: string[]): { child: ChildProcess; stdout: () => string; exited: Promise<number | null> } {
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout!.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => {
    if (code !== 0 && code !== null) process.stderr.write(`child stderr: ${err}\n`);
    resolve(code);
  }));
  return { child, stdout: () => out, exited };
}

function logLines(file: string): string[] {
  return existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean) : [];
}

for (const factory of storeFactories().filter((f) => f.name !== 'memory')) {
  describe(`crash and resume on ${factory.name}`, function () {
    this.timeout(180_000);
    let target: StoreUnderTest;
    let dir: string;

    beforeEach(async () => {
      target = await factory.create();
      dir = mkdtempSync(path.join(os.tmpdir(), 'tg-crash-'));
    });
    afterEach(async () => {
      await target.cleanup();
      rmSync(dir, { recursive: true, force: true });
    });

    it('survives SIGKILL at several points: committed successes never rerun, every success recorded once, no seq gaps', async () => {
      const storage = target.url;
      const logFile = path.join(dir, 'ran.log');
      const started = runChild(['start', storage, logFile]);
      await waitUntil(() => started.stdout().includes('\n'), 'the execution id');
      const executionId = started.stdout().trim().split('\n')[0]!;

      let current = started;
      const killPoints = [25, 90, 160];
      /** At each kill: the tasks whose success was committed, and how many log lines were written. */
      const kills: { committed: Set<string>; linesAtKill: number }[] = [];
      for (const point of killPoints) {
        await waitUntil(() => logLines(logFile).length >= point, `${point} task runs`);
        current.child.kill('SIGKILL');
        await current.exited;
        const linesAtKill = logLines(logFile).length;
        const store = await target.openAnother();
        const committed = (await store.listTaskRuns(executionId)).filter((row) => row.status === 'succeeded').map((row) => row.taskId);
        expect((await store.getExecution(executionId))!.status).to.equal('running');
        current = runChild(['resume', storage, logFile, executionId]);
        kills.push({ committed: new Set(committed), linesAtKill });
        await waitUntil(() => logLines(logFile).length > linesAtKill || current.child.exitCode !== null, 'the resumed process to run a task');
      }
      expect(await current.exited).to.equal(0);
      expect(current.stdout().trim()).to.equal('succeeded');

      const store = await target.openAnother();
      const execution = await store.getExecution(executionId);
      expect(execution!.status).to.equal('succeeded');
      const rows = await store.listTaskRuns(executionId);
      expect(rows).to.have.length(TOTAL);
      expect(rows.every((row) => row.status === 'succeeded')).to.equal(true);

      const transitions = await store.listTransitions(executionId);
      expect(transitions.map((t) => t.seq)).to.deep.equal(transitions.map((_, i) => i + 1));
      const successes = new Map<string, number>();
      for (const t of transitions) if (t.taskId !== null && t.to === 'succeeded') successes.set(t.taskId, (successes.get(t.taskId) ?? 0) + 1);
      expect(successes.size).to.equal(TOTAL);
      expect([...successes.values()].every((count) => count === 1)).to.equal(true);

      const lines = logLines(logFile);
      const runsPerTask = new Map<string, number>();
      for (const line of lines) runsPerTask.set(line.split(' ')[0]!, (runsPerTask.get(line.split(' ')[0]!) ?? 0) + 1);
      expect(runsPerTask.size).to.equal(TOTAL);
      // The headline claim, over the whole rest of the run: no task whose success was committed
      // before a kill ran again at any time after that kill.
      for (const [k, { committed, linesAtKill }] of kills.entries()) {
        expect(committed.size, `kill ${k + 1} came after some commits`).to.be.greaterThan(0);
        const rerunCommitted = lines.slice(linesAtKill).map((line) => line.split(' ')[0]!).filter((id) => committed.has(id));
        expect(rerunCommitted, `tasks committed before kill ${k + 1} (at ${killPoints[k]} runs) ran again`).to.deep.equal([]);
      }
      // Re-runs happen only for tasks that were running at a kill (at-least-once), with the same key.
      const keys = new Map<string, Set<string>>();
      for (const line of lines) {
        const [taskId, , key] = line.split(' ');
        if (!keys.has(taskId!)) keys.set(taskId!, new Set());
        keys.get(taskId!)!.add(key!);
      }
      expect([...keys.values()].every((set) => set.size === 1), 'a re-run keeps its idempotency key').to.equal(true);
      const reruns = [...runsPerTask.values()].filter((n) => n > 1).length;
      // At most the tasks running at each kill run again: the fixture runs CONCURRENCY at once.
      expect(reruns).to.be.at.most(killPoints.length * CONCURRENCY);
    });
  });
}
