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
      const child = spawn(process.execPath, ['--import', 'tsx', RUN, target.url], { stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (out += chunk.toString()));
      const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
      expect(code, out).to.equal(0);
      expect(out).to.match(/killing engine \S+ \(pid \d+\) with SIGKILL/);
      expect(out).to.match(/: succeeded, taken over by engine \S+ \(fencing token 2\)/);
      const ranIn = /steps ran in: (.*)/.exec(out)![1]!.split(', ').map((step) => step.split('@')[1]);
      expect(new Set(ranIn).size, 'two processes ran the steps').to.equal(2);
    });
  });
}
