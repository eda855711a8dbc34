/**
 * examples/cluster/run.ts, run as a user would: two engine processes, one SIGKILLed while it runs
 * the submitted execution, which the other takes over and finishes.
 */
import { expect } from 'chai';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { storeFactories } from './support/stores.js';
import type { StoreUnderTest } from './support/stores.js';

const RUN = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'examples', 'cluster', 'run.ts');

for (const factory of storeFactories().filter((f) => f.name !== 'memory')) {
  describe(`examples/cluster on ${factory.name}`, function () {
    this.timeout(120_000);
    let target: StoreUnderTest;
    beforeEach(async () => {
      target = await factory.create();
    });
    afterEach(() => target.cleanup());

    it('shows an execution surviving the SIGKILL of the engine running it', async () => {
      // With a Redis for the tests, the example's 'aggregate' step runs on its worker process.
      const redis = process.env['TASK_GRAPH_TEST_REDIS'];
      const env: NodeJS.ProcessEnv = { ...process.env, ...(redis ? { TASK_GRAPH_REDIS: redis } : {}) };
      delete env['TASK_GRAPH_STORAGE'];
      if (!redis) delete env['TASK_GRAPH_REDIS'];
      const child = spawn(process.execPath, ['--import', 'tsx', RUN, target.url], { stdio: ['ignore', 'pipe', 'pipe'], env });
      let out = '';
      child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (out += chunk.toString()));
      const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
      expect(code, out).to.equal(0);
      expect(out).to.match(/killing engine \S+ \(pid \d+\) with SIGKILL/);
      expect(out).to.match(/: succeeded, taken over by engine \S+ \(fencing token 2\)/);
      const ranIn = new Map(/steps ran in: (.*)/.exec(out)![1]!.split(', ').map((step) => step.split('@') as [string, string]));
      const engines = new Set([...ranIn].filter(([step]) => step !== 'aggregate' || !redis).map(([, pid]) => pid));
      expect(engines.size, 'both engines ran steps').to.equal(2);
      if (redis) expect(ranIn.get('aggregate'), 'the worker ran aggregate').to.equal(/\[pid (\d+)\] worker of queue cpu ready/.exec(out)?.[1]);
    });
  });
}
