/**
 * Replicas starting together: four processes open an engine at the same moment on a database
 * that does not exist yet (MariaDB, PostgreSQL, and a SQLite file), so they race to create it and
 * to migrate it. Each must open and run an execution, and all four executions are in the store,
 * whole. On SQLite this is also four writers taking turns on one file.
 * (Before migrations ran under a database lock, MariaDB failed with "Duplicate key name".)
 * Then the lock itself: a second holder waits for the first, and gives up after its timeout
 * with a StorageError, without running its migrations.
 */
import { expect } from 'chai';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { StorageError } from '../lib/errors.js';
import { createStore } from '../lib/store/createStore.js';
import { connectDatabase } from '../lib/store/sequelize/connectDatabase.js';
import { parseStorageUrl } from '../lib/store/sequelize/parseStorageUrl.js';
import { withMigrationLock } from '../lib/store/sequelize/withMigrationLock.js';
import { deferred } from './support/engines.js';
import { emptyStorage } from './support/stores.js';
import type { EmptyStorage } from './support/stores.js';
import { waitUntil } from './support/waitUntil.js';

const CHILD = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures', 'startTogether.ts');
const PROCESSES = 4;

interface Child {
  write(line: string): void;
  output(): string;
  readonly exited: Promise<{ code: number | null; stderr: string }>;
}

function startChild(storage: string): Child {
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD, storage], { stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
  return {
    write: (line) => child.stdin.write(`${line}\n`),
    output: () => out,
    exited: new Promise((resolve) => child.on('exit', (code) => resolve({ code, stderr: err }))),
  };
}

for (const kind of ['mysql', 'postgres', 'sqlite'] as const) {
  describe(`${PROCESSES} engines starting together on an empty database [${kind}]`, function () {
    this.timeout(120_000);
    let storage: EmptyStorage | undefined;

    beforeEach(async function () {
      storage = await emptyStorage(kind);
      if (!storage) this.skip();
    });
    afterEach(() => storage?.cleanup());

    it('all open and run an execution', async () => {
      const children = Array.from({ length: PROCESSES }, () => startChild(storage!.url));
      await waitUntil(() => children.every((child) => child.output().includes('ready')), 'every child has loaded task-graph', 60_000);
      for (const child of children) child.write('go');
      const exits = await Promise.all(children.map((child) => child.exited));
      expect(exits.map((exit) => exit.stderr.trim()), 'errors of the children').to.deep.equal(Array(PROCESSES).fill(''));
      expect(exits.map((exit) => exit.code)).to.deep.equal(Array(PROCESSES).fill(0));
      const results = children.map((child) => child.output().split('\n')[1]!.split(' '));
      expect(results.map(([status]) => status)).to.deep.equal(Array(PROCESSES).fill('succeeded'));

      const store = createStore(storage!.url, { runMigrations: false });
      await store.open();
      try {
        const executions = await store.listExecutions();
        expect(executions.map((execution) => execution.id).sort()).to.deep.equal(results.map(([, id]) => id).sort());
        expect(executions.every((execution) => execution.status === 'succeeded')).to.equal(true);
        for (const execution of executions) {
          const transitions = await store.listTransitions(execution.id);
          expect(transitions.map((t) => t.seq), 'seq is gap-free').to.deep.equal(transitions.map((_, index) => index + 1));
          expect(transitions.filter((t) => t.taskId !== null && t.to === 'succeeded')).to.have.length(10);
        }
      } finally {
        await store.close();
      }
    });
  });
}

for (const kind of ['mysql', 'postgres', 'sqlite'] as const) {
  describe(`the migration lock [${kind}]`, function () {
    this.timeout(60_000);
    let storage: EmptyStorage | undefined;

    beforeEach(async function () {
      storage = await emptyStorage(kind);
      if (!storage) this.skip();
    });
    afterEach(() => storage?.cleanup());

    it('makes a second holder wait for the first, and give up after its timeout without running', async () => {
      const target = parseStorageUrl(storage!.url);
      const first = await connectDatabase(target, false);
      const second = await connectDatabase(target, false);
      try {
        const order: string[] = [];
        const release = deferred();
        const holding = deferred();
        const held = withMigrationLock(first, target.dialect, target.location, async () => {
          order.push('first runs');
          holding.resolve();
          await release.promise;
          order.push('first done');
        });
        await holding.promise;
        const error = await withMigrationLock(second, target.dialect, target.location, async () => order.push('second ran'), 1_000).then(
          () => null,
          (caught: unknown) => caught,
        );
        expect(error).to.be.instanceOf(StorageError);
        expect((error as StorageError).message).to.contain(target.location).and.to.contain('another process');
        const waiting = withMigrationLock(second, target.dialect, target.location, async () => order.push('second runs'));
        order.push('first released');
        release.resolve();
        await held;
        await waiting;
        expect(order).to.deep.equal(['first runs', 'first released', 'first done', 'second runs']);
      } finally {
        await first.close();
        await second.close();
      }
    });
  });
}
