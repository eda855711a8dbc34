/**
 * `isTransientStoreError` on errors the stores really raise: a server that refuses the
 * connection and a SQLite file locked by another connection are transient (retry later); an
 * execution that does not exist and a row the database refuses are permanent (retrying would
 * stall every execution sharing the writer). On PostgreSQL a trigger raises each SQLSTATE the
 * store sorts (deadlock, serialization failure, ...) from inside a real commit. Connections
 * killed mid-run are covered end to end by store-faults.test.ts.
 */
import { expect } from 'chai';
import pg from 'pg';
import sqlite3 from 'sqlite3';
import { StorageError } from '../lib/errors.js';
import { createStore } from '../lib/store/createStore.js';
import { isTransientStoreError } from '../lib/store/isTransientStoreError.js';
import type { TransitionRecord } from '../lib/store/records.js';
import { execution, taskRun, transition } from './support/records.js';
import { storeFactories } from './support/stores.js';
import type { StoreUnderTest } from './support/stores.js';

async function failure(work: Promise<unknown>): Promise<StorageError> {
  const error = await work.then(
    () => expect.fail('expected the store to fail'),
    (caught: unknown) => caught,
  );
  expect(error).to.be.instanceOf(StorageError);
  return error as StorageError;
}

describe('isTransientStoreError', function () {
  this.timeout(30_000);

  it('takes a server that refuses the connection for transient', async () => {
    const store = createStore('mysql://root@127.0.0.1:1/nowhere');
    try {
      expect(isTransientStoreError(await failure(store.open()))).to.equal(true);
    } finally {
      await store.close();
    }
  });

  it('takes a PostgreSQL server that refuses the connection for transient', async () => {
    const store = createStore('postgres://postgres@127.0.0.1:1/nowhere');
    try {
      expect(isTransientStoreError(await failure(store.open()))).to.equal(true);
    } finally {
      await store.close();
    }
  });

  for (const factory of storeFactories()) {
    describe(`on ${factory.name}`, () => {
      let target: StoreUnderTest;
      beforeEach(async () => {
        target = await factory.create();
      });
      afterEach(() => target.cleanup());

      it('takes a commit to an execution that does not exist for permanent', async () => {
        const error = await failure(target.store.commit({ transitions: [], taskRuns: [], executions: [{ id: 'missing', status: 'running' }] }));
        expect(error.message).to.contain('missing');
        expect(isTransientStoreError(error)).to.equal(false);
      });

      it('takes a row the database refuses (NULL in a NOT NULL column) for permanent', async function () {
        if (factory.name === 'memory') this.skip(); // the memory store has no column constraints
        await target.store.createExecution(execution('e1'), [taskRun('e1', 'a')]);
        const refused = { ...transition('e1', 1), to: null } as unknown as TransitionRecord;
        expect(isTransientStoreError(await failure(target.store.commit({ transitions: [refused], taskRuns: [], executions: [] })))).to.equal(false);
      });

      if (factory.name === 'postgres') {
        // SQLSTATEs: deadlock, serialization failure, lock not available, too many connections,
        // out of memory, disk full, query cancelled, admin shutdown, cannot connect now, read-only
        // transaction (a standby after a failover); then check violation, string too long, foreign key.
        const transient = ['40P01', '40001', '55P03', '53300', '53200', '53100', '57014', '57P01', '57P03', '25006'];
        const permanent = ['23514', '22001', '23503', '42P01'];
        for (const [sqlState, expected] of [...transient.map((s) => [s, true] as const), ...permanent.map((s) => [s, false] as const)]) {
          it(`takes SQLSTATE ${sqlState} raised during a commit for ${expected ? 'transient' : 'permanent'}`, async () => {
            await target.store.createExecution(execution('e1'), [taskRun('e1', 'a')]);
            await raiseOnInsert(target.url);
            const error = await failure(target.store.commit({ transitions: [transition('e1', 1, { taskId: `raise:${sqlState}` })], taskRuns: [], executions: [] }));
            expect(error.message).to.contain('raised by a test trigger');
            expect(isTransientStoreError(error)).to.equal(expected);
          });
        }
      }

      if (factory.name !== 'sqlite') return;
      it('takes a SQLite file locked by another connection for transient', async function () {
        this.timeout(30_000); // the store waits for its busy timeout (5 s) before it gives up
        await target.store.createExecution(execution('e1'), [taskRun('e1', 'a')]);
        const locker = await new Promise<sqlite3.Database>((resolve, reject) => {
          const opened = new sqlite3.Database(target.url.slice('sqlite:'.length), (error) => (error ? reject(error) : resolve(opened)));
        });
        const run = (sql: string) => new Promise<void>((resolve, reject) => locker.exec(sql, (error) => (error ? reject(error) : resolve())));
        try {
          await run('BEGIN IMMEDIATE');
          const error = await failure(target.store.commit({ transitions: [transition('e1', 1)], taskRuns: [], executions: [] }));
          expect(error.message).to.contain('SQLITE_BUSY');
          expect(isTransientStoreError(error)).to.equal(true);
        } finally {
          await run('ROLLBACK');
          await new Promise<void>((resolve) => locker.close(() => resolve()));
        }
      });
    });
  }
});

/** A trigger that raises, on inserting a transition of task 'raise:<SQLSTATE>', an error with that SQLSTATE. */
async function raiseOnInsert(url: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(
      "CREATE FUNCTION tg_test_raise() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN IF NEW.task_id LIKE 'raise:%' THEN" +
        " RAISE EXCEPTION 'raised by a test trigger' USING ERRCODE = substr(NEW.task_id, 7); END IF; RETURN NEW; END $$;" +
        ' CREATE TRIGGER tg_test_raise BEFORE INSERT ON tg_transitions FOR EACH ROW EXECUTE FUNCTION tg_test_raise()',
    );
  } finally {
    await client.end();
  }
}
