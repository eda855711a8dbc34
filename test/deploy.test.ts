/**
 * Safe deploys: an execution of v1 is running in a process killed with SIGKILL while v2 is
 * deployed. The new process holds both versions: the v1 execution resumes and finishes on v1,
 * new executions run v2. With v1 no longer published, resume refuses with VERSION_MISMATCH.
 */
import { expect } from 'chai';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ResumeError, createEngine } from '../lib/index.js';
import { publishDeploy } from './fixtures/deployWorkflow.js';
import { storeFactories } from './support/stores.js';
import type { StoreUnderTest } from './support/stores.js';
import { waitUntil } from './support/waitUntil.js';

const CHILD = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures', 'deployWorkflow.ts');

/** Starts v1 in a child process and kills it with SIGKILL while task b runs; returns the execution id. */
async function startAndKill(storage: string): Promise<string> {
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD, 'start', storage], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  const exited = new Promise((resolve) => child.on('exit', resolve));
  await waitUntil(() => out.includes('b running'), 'task b runs in the child');
  child.kill('SIGKILL');
  await exited;
  return out.split('\n')[0]!.trim();
}

for (const factory of storeFactories().filter((f) => f.name !== 'memory')) {
  describe(`deploying a new version while an execution runs [${factory.name}]`, function () {
    this.timeout(60_000);
    let target: StoreUnderTest;
    beforeEach(async () => (target = await factory.create()));
    afterEach(() => target.cleanup());

    it('resumes the killed v1 execution on v1 while new executions run v2', async () => {
      const id = await startAndKill(target.url);
      const log: string[] = [];
      const engine = await createEngine({ storage: target.url, logLevel: 'error' });
      try {
        publishDeploy(engine, 'v1', log); // keep the old version published until its executions drain
        publishDeploy(engine, 'v2', log);
        expect(engine.listWorkflows()).to.deep.equal([{ id: 'deploy', latest: 'v2', versions: ['v1', 'v2'] }]);
        expect((await engine.getExecution(id)).status).to.equal('running');

        const resumed = await engine.resume(id);
        expect(resumed.status).to.equal('succeeded');
        expect(resumed.workflowVersion).to.equal('v1');
        expect(Object.keys(resumed.tasks)).to.deep.equal(['a', 'b', 'c']);
        expect(log).to.deep.equal(['v1:b', 'v1:c']); // a was committed before the kill

        const next = await engine.execute('deploy');
        expect(next.workflowVersion).to.equal('v2');
        expect(next.outputs).to.deep.include({ d: 'v2:d' });
      } finally {
        await engine.close();
      }
    });

    it('refuses to resume it on v2 alone, naming both versions', async () => {
      const id = await startAndKill(target.url);
      const engine = await createEngine({ storage: target.url, logLevel: 'error' });
      try {
        publishDeploy(engine, 'v2', []);
        const error = await engine.resume(id).then(() => null, (caught: unknown) => caught);
        expect(error).to.be.instanceOf(ResumeError);
        expect((error as ResumeError).reason).to.equal('VERSION_MISMATCH');
        expect((error as Error).message).to.include('v1').and.include('v2');
        expect((await engine.getExecution(id)).status).to.equal('running'); // left as it was, resumable later
      } finally {
        await engine.close();
      }
    });
  });
}
