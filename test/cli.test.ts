/**
 * The task-graph command, run as a user runs it: a child process per command, on a SQLite file.
 */
import { expect } from 'chai';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { waitUntil } from './support/waitUntil.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const BIN = path.join(ROOT, 'lib', 'cli', 'main.ts');
const MODULE = path.join(ROOT, 'test', 'fixtures', 'cliWorkflows.ts');

describe('task-graph CLI', function () {
  this.timeout(120_000);
  let dir: string;
  let storage: string;

  const cli = (...args: string[]) => {
    const result = spawnSync(process.execPath, ['--import', 'tsx', BIN, ...args, '--storage', storage], { cwd: ROOT, encoding: 'utf8' });
    return { code: result.status, stdout: result.stdout, stderr: result.stderr };
  };

  before(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'tg-cli-'));
    storage = `sqlite:${path.join(dir, 'cli.db')}`;
  });
  after(() => rmSync(dir, { recursive: true, force: true }));
  /** An empty directory inside the test's own. */
  const cliDirectory = () => mkdtempSync(path.join(dir, 'empty-'));

  let id = '';

  // Regression: there was no --version.
  it('--version: prints the version of package.json', () => {
    const { version } = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string };
    for (const flag of ['--version', '-V']) {
      const result = spawnSync(process.execPath, ['--import', 'tsx', BIN, flag], { cwd: ROOT, encoding: 'utf8' });
      expect(result.status, result.stderr).to.equal(0);
      expect(result.stdout).to.equal(`${version}\n`);
    }
  });

  it('run: runs a workflow from a module and exits non-zero when it failed', () => {
    const run = cli('run', MODULE, '--workflow', 'small', '--input', '{"x":1}');
    expect(run.code).to.equal(1);
    expect(run.stdout).to.match(/Execution [0-9a-f-]{36}: failed/);
    id = /Execution ([0-9a-f-]{36})/.exec(run.stdout)![1]!;
    expect(run.stderr).to.contain('4/4');
  });

  it('list and show: the execution and its tasks', () => {
    const list = cli('list');
    expect(list.code).to.equal(0);
    expect(list.stdout).to.contain(id).and.to.contain('failed');
    const show = cli('show', id);
    expect(show.code).to.equal(0);
    expect(show.stdout).to.match(/b\s+succeeded\s+2/);
    expect(show.stdout).to.match(/broken\s+failed\s+1\s+.*always fails/);
    expect(show.stdout).to.match(/after-broken\s+skipped/);
  });

  it('inspect: mermaid to stdout, html to a file', () => {
    const mermaid = cli('inspect', id, '--format', 'mermaid');
    expect(mermaid.code).to.equal(0);
    expect(mermaid.stdout).to.match(/^flowchart LR\n/).and.to.not.contain('stateDiagram');
    const statechart = cli('inspect', id, '--statechart');
    expect(statechart.code, statechart.stderr).to.equal(0);
    expect(statechart.stdout).to.match(/^stateDiagram-v2\n/).and.to.not.contain('flowchart');
    expect(cli('inspect', id, '--statechart', '--format', 'dot').stdout).to.match(/^digraph/);
    const out = path.join(dir, 'report.html');
    const html = cli('inspect', id, '--format', 'html', '--out', out);
    expect(html.code).to.equal(0);
    expect(readFileSync(out, 'utf8')).to.match(/^<!DOCTYPE html>/i);
    const dot = cli('inspect', id, '--format', 'dot');
    expect(dot.stdout).to.contain('digraph');
  });

  it('replay: every step, one step, and verification', () => {
    const replay = cli('replay', id, '--verify');
    expect(replay.code).to.equal(0);
    const steps = replay.stdout.split('\n').filter((line) => /^\s+\d+\s/.test(line));
    expect(steps.length).to.be.greaterThan(8);
    expect(replay.stdout).to.contain('verifyReplay: ok');
    const step = cli('replay', id, '--step', '2');
    expect(step.code).to.equal(0);
    const parsed = JSON.parse(step.stdout) as { seq: number; state: { status: string } };
    expect(parsed.seq).to.equal(2);
    expect(parsed.state.status).to.equal('running');
  });

  it('fork: re-runs the failed execution from a task onward', () => {
    const fork = cli('fork', id, '--from', 'b', '--module', MODULE);
    expect(fork.stderr).to.match(new RegExp(`Execution [0-9a-f-]{36} forks ${id} from "b"`));
    // 'broken' still fails in the fork (it is not downstream of b, and it did not succeed).
    expect(fork.code).to.equal(1);
    const forkId = /Execution ([0-9a-f-]{36}): failed/.exec(fork.stdout)![1]!;
    const show = cli('show', forkId);
    expect(show.stdout).to.match(/a\s+succeeded\s+0/); // adopted, never ran
    expect(show.stdout).to.match(/b\s+succeeded\s+2/);
  });

  // Regression: it said "Invalid option fromTask" (the API's name) and listed every task id.
  it('fork: an unknown --from names the option as typed and lists the tasks readably', () => {
    const fork = cli('fork', id, '--from', 'nope', '--module', MODULE);
    expect(fork.code).to.equal(1);
    expect(fork.stdout).to.equal('');
    expect(fork.stderr).to.equal('task-graph: --from "nope" is not a task of workflow "small"; its tasks: "a", "b", "broken", "after-broken".\n');
  });

  it('errors: one line on stderr and a non-zero exit code', () => {
    for (const args of [
      ['show', 'no-such-id'],
      ['inspect', 'no-such-id', '--format', 'html'],
      ['inspect', id, '--format', 'png'],
      ['replay', id, '--step', '999'],
      ['run', MODULE, '--workflow', 'nope'],
      ['resume', id, '--module', MODULE],
      ['run', path.join(dir, 'missing.ts'), '--workflow', 'small'],
    ]) {
      const result = cli(...args);
      expect(result.code, args.join(' ')).to.not.equal(0);
      const lines = result.stderr.trim().split('\n');
      expect(lines[0], args.join(' ')).to.match(/^(task-graph: |error: )/);
    }
    expect(cli('show', 'no-such-id').stderr.trim()).to.equal('task-graph: No execution "no-such-id" exists in this store.');
    expect(cli('resume', id, '--module', MODULE).stderr).to.contain('already finished');
  });

  it('errors: a directory as the SQLite path is one line and exit code 1, and so is a path ending with a slash', () => {
    const withStorage = (target: string) =>
      spawnSync(process.execPath, ['--import', 'tsx', BIN, 'list', '--storage', target], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
    const directory = cliDirectory();
    const refused = withStorage(`sqlite:${directory}`);
    expect(refused.status).to.equal(1);
    expect(refused.stderr.trim().split('\n')).to.have.length(1);
    expect(refused.stderr).to.match(/^task-graph: /).and.to.contain(`${directory}: it is a directory`);
    const slash = withStorage(`sqlite:${path.join(directory, 'data')}/`);
    expect(slash.status).to.equal(1);
    expect(slash.stderr.trim().split('\n')).to.have.length(1);
    expect(slash.stderr).to.match(/^task-graph: /).and.to.contain('a file path');
    expect(existsSync(path.join(directory, 'data'))).to.equal(false);
  });

  // Regression: --concurrency 0 was taken for "not given" and the run started at the default.
  it('run: refuses --concurrency 0 (and other non-positive counts) in one line, starting nothing', () => {
    for (const value of ['0', '-1', '1.5', 'four']) {
      const result = cli('run', MODULE, '--workflow', 'slow', '--concurrency', value);
      expect(result.code, value).to.equal(1);
      expect(result.stdout, value).to.equal('');
      expect(result.stderr, value).to.equal(`task-graph: option '--concurrency <n>' argument '${value}' is invalid. expected an integer >= 1, got "${value}"\n`);
    }
  });

  // Regression: a module that threw on import was reported by its error alone, without its path.
  it('run: names the module that fails to load or to publish its workflows, in one line', () => {
    const modules: [string, string, string][] = [
      ['throws.ts', "throw new Error('DATABASE_URL is not set');\nexport default () => undefined;\n", 'failed to load: Error: DATABASE_URL is not set'],
      ['syntax.ts', 'export default function register( {\n', 'failed to load: TransformError: Transform failed with 1 error: '],
      ['register.mjs', "export default () => { throw new TypeError('no workflows here'); };\n", 'failed while publishing its workflows: TypeError: no workflows here'],
    ];
    for (const [name, source, expected] of modules) {
      const file = path.join(dir, name);
      writeFileSync(file, source);
      const result = cli('run', file, '--workflow', 'small');
      expect(result.code, name).to.equal(1);
      const lines = result.stderr.trimEnd().split('\n');
      expect(lines, name).to.have.length(1);
      expect(lines[0], name).to.contain(`task-graph: Workflow module ${file} ${expected}`);
    }
    const missing = cli('run', path.join(dir, 'missing.ts'), '--workflow', 'small');
    expect(missing.stderr).to.equal(`task-graph: Workflow module ${path.join(dir, 'missing.ts')} does not exist.\n`);
  });

  // Regression: list showed an execution that nothing runs any more as plain "running".
  it('list: says an execution left by an interrupted run is orphaned and resumable', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', BIN, 'run', MODULE, '--workflow', 'slow', '--storage', storage], { cwd: ROOT });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    // The progress line comes once a task runs, so the execution is recorded by then.
    await waitUntil(() => /\] \d+\/40 /.test(stderr), 'the CLI prints its first progress line');
    const interruptedId = /Execution ([0-9a-f-]{36})/.exec(stderr)![1]!;
    child.kill('SIGINT'); // the engine closes and gives the execution up (no owner)
    expect(await exited).to.equal(130);
    const list = cli('list', '--status', 'running');
    expect(list.code, list.stderr).to.equal(0);
    expect(list.stdout).to.match(new RegExp(`^${interruptedId}  slow +running \\(orphaned, resumable\\)  `, 'm'));
  });

  it('resume: continues a run whose process was killed', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', BIN, 'run', MODULE, '--workflow', 'slow', '--storage', storage], { cwd: ROOT });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise((resolve) => child.on('exit', resolve));
    await waitUntil(() => /Execution ([0-9a-f-]{36})/.test(stderr), 'the CLI prints the execution id');
    const slowId = /Execution ([0-9a-f-]{36})/.exec(stderr)![1]!;
    await new Promise((resolve) => setTimeout(resolve, 600));
    child.kill('SIGKILL');
    await exited;
    const shown = cli('show', slowId);
    expect(shown.stdout).to.match(/status\s+running/);
    // Its owner's heartbeat is recent: nothing says yet that the owner is gone.
    expect(cli('list', '--status', 'running').stdout).to.match(new RegExp(`^${slowId}  slow +running +\\d{4}-`, 'm'));
    const resumed = cli('resume', slowId, '--module', MODULE);
    expect(resumed.code, resumed.stderr).to.equal(0);
    expect(resumed.stdout).to.contain(`Execution ${slowId}: succeeded`);
    expect(existsSync(path.join(dir, 'cli.db'))).to.equal(true);
  });

  it('prune: deletes finished executions older than a duration, and says how many', () => {
    const none = cli('prune', '--older-than', '1h');
    expect(none.code, none.stderr).to.equal(0);
    expect(none.stdout).to.match(/^Deleted 0 executions \(succeeded, failed, cancelled\) that finished 1h or more ago, from sqlite:/);
    const failed = cli('prune', '--older-than', '0s', '--status', 'failed,cancelled');
    expect(failed.code, failed.stderr).to.equal(0);
    expect(failed.stdout).to.match(/^Deleted 2 executions \(failed, cancelled\) that finished 0s or more ago/); // the run and its fork
    expect(cli('show', id).stderr.trim()).to.equal(`task-graph: No execution "${id}" exists in this store.`);
    const list = cli('list');
    expect(list.stdout).to.contain('succeeded').and.not.to.contain('failed'); // the resumed run is kept

    for (const [args, message] of [
      [['--older-than', '30'], /^task-graph: .*'--older-than <duration>' argument '30' is invalid\. expected a number and a unit/],
      [['--older-than', '1d', '--status', 'running'], /^task-graph: Invalid option status: "running"\. .*only finished executions are pruned/],
      [[], /^task-graph: required option '--older-than <duration>' not specified/],
    ] as const) {
      const result = cli('prune', ...args);
      expect(result.code, args.join(' ')).to.equal(1);
      expect(result.stderr.trim().split('\n'), args.join(' ')).to.have.length(1);
      expect(result.stderr.trim(), args.join(' ')).to.match(message);
    }
  });
});
