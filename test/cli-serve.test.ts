/**
 * `task-graph serve`, run as a user runs it (a child process on a SQLite file): it says where it
 * listens and to whom, serves the API on the store (executions run by another process show), answers
 * only to this machine's names when bound to a loopback address (DNS rebinding), asks
 * for the token it was given, generates one for --allow-actions, and stops on SIGTERM.
 */
import { expect } from 'chai';
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { waitUntil } from './support/waitUntil.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const BIN = path.join(ROOT, 'lib', 'cli', 'main.ts');
const MODULE = path.join(ROOT, 'test', 'fixtures', 'cliWorkflows.ts');

describe('task-graph serve', function () {
  this.timeout(120_000);
  let dir: string;
  let storage: string;
  const children: ChildProcessWithoutNullStreams[] = [];

  before(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'tg-serve-'));
    storage = `sqlite:${path.join(dir, 'serve.db')}`;
  });
  afterEach(() => {
    for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  async function serve(...args: string[]): Promise<{ child: ChildProcessWithoutNullStreams; out: () => string; url: string }> {
    const child = spawn(process.execPath, ['--import', 'tsx', BIN, 'serve', '--port', '0', '--storage', storage, ...args], { cwd: ROOT });
    children.push(child);
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
    await waitUntil(() => /Actions \(/.test(out) || child.exitCode !== null, 'serve printed where it listens');
    const url = /task-graph dashboard: (\S+)/.exec(out)?.[1];
    if (!url) throw new Error(`serve did not start:\n${out}`);
    return { child, out: () => out, url };
  }

  async function stop(child: ChildProcessWithoutNullStreams): Promise<number | null> {
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    return exited;
  }

  it('prints the URL and the bind address, serves executions run by another process, and stops on SIGTERM', async () => {
    const run = spawnSync(process.execPath, ['--import', 'tsx', BIN, 'run', MODULE, '--workflow', 'small', '--storage', storage], { cwd: ROOT, encoding: 'utf8' });
    const id = /Execution ([0-9a-f-]{36})/.exec(run.stdout)![1]!;
    const { child, out, url } = await serve();
    expect(url).to.match(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    expect(out()).to.contain(`Listening on 127.0.0.1:${new URL(url).port} (this machine only`);
    expect(out()).to.contain('Actions (cancel, resume, fork): off');
    const list = (await (await fetch(new URL('api/executions', url))).json()) as { executions: { id: string }[] };
    expect(list.executions.map((e) => e.id)).to.deep.equal([id]);
    const page = await fetch(url);
    expect(page.status).to.equal(200);
    // another name pointed at 127.0.0.1 (DNS rebinding) is refused; this machine's names answer
    const withHost = (host: string) =>
      new Promise<number>((resolve, reject) => {
        http.get({ host: '127.0.0.1', port: Number(new URL(url).port), path: '/api/executions', headers: { host } }, (response) => {
          response.resume();
          resolve(response.statusCode ?? 0);
        }).on('error', reject);
      });
    expect(await withHost(`evil.example:${new URL(url).port}`)).to.equal(403);
    expect(await withHost(`localhost:${new URL(url).port}`)).to.equal(200);
    expect(await stop(child)).to.equal(0);
  });

  it('requires the token it was given, and generates one for --allow-actions', async () => {
    const guarded = await serve('--token', 'secret-1');
    expect(guarded.url).to.match(/#token=secret-1$/);
    expect((await fetch(new URL('api/executions', guarded.url))).status).to.equal(401);
    expect((await fetch(new URL('api/executions', guarded.url), { headers: { authorization: 'Bearer secret-1' } })).status).to.equal(200);
    expect(await stop(guarded.child)).to.equal(0);

    const acting = await serve('--allow-actions', '--module', MODULE);
    const token = /generated: (\S+)\)/.exec(acting.out())?.[1];
    expect(token).to.be.a('string').with.length.greaterThan(20);
    expect(acting.url).to.contain(`#token=${token}`);
    expect((await fetch(new URL('api/executions', acting.url))).status).to.equal(401);
    expect(await stop(acting.child)).to.equal(0);
  });
});
