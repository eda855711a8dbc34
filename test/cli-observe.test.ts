/**
 * `task-graph logs`, `trace` and `show` read what another process recorded: each command is a child
 * process of its own, on a SQLite file, and on MySQL/MariaDB and PostgreSQL when their variables
 * are set. `logs --follow` prints the records of an execution another process is running, as
 * they are stored, and exits once it has finished.
 */
import { expect } from 'chai';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { storeFactories } from './support/stores.js';
import type { StoreUnderTest } from './support/stores.js';
import { waitUntil } from './support/waitUntil.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const BIN = path.join(ROOT, 'lib', 'cli', 'main.ts');
const MODULE = path.join(ROOT, 'test', 'fixtures', 'cliLogWorkflows.ts');

for (const factory of storeFactories().filter((candidate) => candidate.name !== 'memory')) {
  describe(`task-graph logs, trace and show on ${factory.name}`, function () {
    this.timeout(120_000);
    let target: StoreUnderTest;
    let id = '';
    let runProgress = '';

    const cli = (...args: string[]) => {
      const result = spawnSync(process.execPath, ['--import', 'tsx', BIN, ...args, '--storage', target.url], { cwd: ROOT, encoding: 'utf8' });
      return { code: result.status, stdout: result.stdout, stderr: result.stderr };
    };

    before(async () => {
      target = await factory.create();
      const run = cli('run', MODULE, '--workflow', 'logged');
      expect(run.code, run.stderr).to.equal(0);
      id = /Execution ([0-9a-f-]{36}): succeeded/.exec(run.stdout)![1]!;
      runProgress = run.stderr;
    });
    after(() => target.cleanup());

    it('run: the progress bar shows the percent done and ends at 100 %', () => {
      expect(runProgress).to.match(/\] 2\/2 100%/);
    });

    it('logs: every stored record in order, with its task, attempt and metadata', () => {
      const logs = cli('logs', id);
      expect(logs.code, logs.stderr).to.equal(0);
      const lines = logs.stdout.trim().split('\n');
      expect(lines.map((line) => line.replace(/^\S+ \S+\s+/, ''))).to.deep.equal([
        'info   [extract #1]  read rows {"rows":3}',
        'warn   [load #1]  slow insert {"table":"facts"}',
        'info   [load #2]  loaded',
      ]);
    });

    it('logs --level and --task: only those records', () => {
      expect(cli('logs', id, '--level', 'warn').stdout.trim()).to.match(/^\S+ \S+\s+warn\s+\[load #1\]\s+slow insert/);
      expect(cli('logs', id, '--level', 'warn').stdout.trim().split('\n')).to.have.length(1);
      const extract = cli('logs', id, '--task', 'extract').stdout.trim().split('\n');
      expect(extract).to.have.length(1);
      expect(extract[0]).to.contain('read rows');
      const refused = cli('logs', id, '--level', 'loud');
      expect(refused.code).to.equal(1);
      expect(refused.stderr).to.contain('expected one of error, warn, info');
    });

    it('trace: the execution span over each attempt in start order, with durations and a waterfall', () => {
      const trace = cli('trace', id);
      expect(trace.code, trace.stderr).to.equal(0);
      const lines = trace.stdout.trim().split('\n');
      expect(lines[0]).to.match(/^span\s+status\s+duration\s+0 ms\s+\d+ (ms|s)$/);
      const rows = lines.slice(1).map((line) => /^(.+?)\s{2,}(\S+)\s+(\d+(?:\.\d+)? m?s)\s+\|([ #]+)\|$/.exec(line));
      expect(rows.every((row) => row !== null), trace.stdout).to.equal(true);
      expect(rows.map((row) => [row![1]!.trimEnd(), row![2]])).to.deep.equal([
        ['execution logged', 'succeeded'],
        ['  task extract #1', 'ok'],
        ['  task load #1', 'error'],
        ['  task load #2', 'ok'],
      ]);
      const bars = rows.map((row) => row![4]!);
      expect(bars[0]).to.match(/^#+$/); // the execution spans the whole axis
      for (const bar of bars) expect(bar).to.have.length(40);
      const firstMark = (bar: string) => bar.indexOf('#');
      expect(firstMark(bars[1]!)).to.be.at.most(firstMark(bars[2]!));
      expect(firstMark(bars[2]!)).to.be.at.most(firstMark(bars[3]!));
    });

    it('show: durations, attempts and the retry delays of each task', () => {
      const show = cli('show', id);
      expect(show.code, show.stderr).to.equal(0);
      expect(show.stdout).to.match(/retry delays/);
      expect(show.stdout).to.match(/load\s+succeeded\s+2\s+\d+ ms\s+5 ms\s+\{"loaded":true\}/);
      expect(show.stdout).to.match(/extract\s+succeeded\s+1\s+\d+ ms\s+\{"rows":3\}/);
    });

    it('logs --follow: prints the records of a run in another process as they come, and exits when it has finished', async () => {
      const gateDirectory = mkdtempSync(path.join(os.tmpdir(), 'tg-gate-'));
      const gate = path.join(gateDirectory, 'open');
      const runner = spawn(process.execPath, ['--import', 'tsx', BIN, 'run', MODULE, '--workflow', 'trickle', '--storage', target.url], {
        cwd: ROOT,
        env: { ...process.env, TRICKLE_GATE: gate },
      });
      let runnerErr = '';
      runner.stderr.on('data', (chunk: Buffer) => (runnerErr += chunk.toString()));
      const runnerExit = new Promise<number | null>((resolve) => runner.on('exit', resolve));
      await waitUntil(() => /Execution [0-9a-f-]{36} of trickle started/.test(runnerErr), 'the run has started', 60_000);
      const running = /Execution ([0-9a-f-]{36}) of trickle started/.exec(runnerErr)![1]!;
      const follower = spawn(process.execPath, ['--import', 'tsx', BIN, 'logs', running, '--follow', '--interval', '50', '--storage', target.url], { cwd: ROOT });
      let followed = '';
      let followErr = '';
      follower.stdout.on('data', (chunk: Buffer) => (followed += chunk.toString()));
      follower.stderr.on('data', (chunk: Buffer) => (followErr += chunk.toString()));
      const followerExit = new Promise<number | null>((resolve) => follower.on('exit', resolve));
      // Step 3 waits for the gate: the follower prints the first records while the run is held.
      await waitUntil(() => followed.includes('step 2') || followErr !== '', 'the follower printed step 2 of the running execution', 60_000);
      expect(followErr).to.equal('');
      writeFileSync(gate, '');
      expect(await runnerExit, runnerErr).to.equal(0);
      expect(await followerExit, followErr).to.equal(0);
      rmSync(gateDirectory, { recursive: true, force: true });
      const messages = followed.trim().split('\n').map((line) => line.replace(/^.*\]\s+/, ''));
      expect(messages).to.deep.equal(['step 0', 'step 1', 'step 2', 'step 3', 'step 4', 'step 5']);
    });
  });
}
