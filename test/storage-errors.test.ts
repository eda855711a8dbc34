/**
 * What a user sees when the storage option is wrong or the database cannot be reached, and how
 * the default storage is chosen.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import mysql from 'mysql2/promise';
import { InvalidOptionsError, StorageError } from '../lib/errors.js';
import { createEngine } from '../lib/index.js';
import { defaultStorageUrl } from '../lib/defaults.js';
import { MemoryStore } from '../lib/store/MemoryStore.js';
import { createStore } from '../lib/store/createStore.js';
import type { Store } from '../lib/store/Store.js';
import { SequelizeStore } from '../lib/store/sequelize/SequelizeStore.js';
import { MYSQL_ENV, POSTGRES_ENV, dropPostgresDatabase, onPostgresServer, postgresDatabaseUrl } from './support/stores.js';

async function openError(store: Store): Promise<unknown> {
  try {
    await store.open();
  } catch (error) {
    return error;
  } finally {
    await store.close();
  }
  return null;
}

describe('storage errors', () => {
  it('fails fast with a StorageError naming host, port and database, never the password', async function () {
    this.timeout(15_000); // the connect timeout is 5 s; a refused port fails at once
    const error = await openError(createStore('mysql://root:secret@127.0.0.1:1/nope'));
    expect(error).to.be.instanceOf(StorageError);
    const message = (error as StorageError).message;
    expect(message).to.contain('127.0.0.1:1').and.to.contain('"nope"');
    expect(message).not.to.contain('secret');
    expect((error as StorageError).cause).to.be.instanceOf(Error);
    expect((error as StorageError).code).to.equal('STORAGE_ERROR');
  });

  it('does not leak the password when the server refuses the login', async function () {
    const server = process.env[MYSQL_ENV];
    if (!server) this.skip();
    const url = new URL(server);
    const error = await openError(createStore(`mysql://tg_no_such_user:s3cr3t-pw@${url.host}/tg_never_created`));
    expect(error).to.be.instanceOf(StorageError);
    expect((error as StorageError).message).to.contain('tg_never_created').and.not.to.contain('s3cr3t-pw');
  });

  it('creates a missing MySQL database on open, in utf8mb4', async function () {
    const server = process.env[MYSQL_ENV];
    if (!server) this.skip();
    const database = `tg_test_${randomBytes(6).toString('hex')}`;
    const store = createStore(`${server.replace(/\/$/, '')}/${database}`);
    const admin = await mysql.createConnection(server);
    try {
      await store.open();
      const [rows] = await admin.query<mysql.RowDataPacket[]>(
        'SELECT DEFAULT_CHARACTER_SET_NAME AS charset FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?',
        [database],
      );
      expect(rows.map((row) => row['charset'])).to.deep.equal(['utf8mb4']);
      expect(await store.listExecutions()).to.deep.equal([]);
    } finally {
      await store.close();
      await admin.query(`DROP DATABASE IF EXISTS \`${database}\``);
      await admin.end();
    }
  });

  it('fails fast on PostgreSQL with a StorageError naming the server, never the password', async function () {
    this.timeout(15_000);
    const error = await openError(createStore('postgres://app:secret@127.0.0.1:1/nope'));
    expect(error).to.be.instanceOf(StorageError);
    const message = (error as StorageError).message;
    expect(message).to.contain('Cannot connect to PostgreSQL at 127.0.0.1:1').and.to.contain('"nope"').and.to.contain('"app"');
    expect(message).not.to.contain('secret');
  });

  it('does not leak the password when PostgreSQL refuses the login', async function () {
    const server = process.env[POSTGRES_ENV];
    if (!server) this.skip();
    const url = new URL(server);
    const error = await openError(createStore(`postgres://tg_no_such_user:s3cr3t-pw@${url.host}/tg_never_created`));
    expect(error).to.be.instanceOf(StorageError);
    expect((error as StorageError).message).to.contain('tg_no_such_user').and.not.to.contain('s3cr3t-pw');
  });

  it('creates a missing PostgreSQL database on open, in UTF8', async function () {
    const server = process.env[POSTGRES_ENV];
    if (!server) this.skip();
    const database = `tg_test_${randomBytes(6).toString('hex')}`;
    const store = createStore(postgresDatabaseUrl(server, database));
    try {
      await store.open();
      const { rows } = await onPostgresServer(server, 'SELECT pg_encoding_to_char(encoding) AS encoding FROM pg_database WHERE datname = $1', [database]);
      expect(rows.map((row: Record<string, unknown>) => row['encoding'])).to.deep.equal(['UTF8']);
      expect(await store.listExecutions()).to.deep.equal([]);
    } finally {
      await store.close();
      await dropPostgresDatabase(server, database);
    }
  });

  it('reports a SQLite file that cannot be opened', async () => {
    const directory = await mkdtemp(path.join(os.tmpdir(), 'task-graph-test-'));
    try {
      const file = path.join(directory, 'not-a-database.db');
      await writeFile(file, 'this is not a SQLite database, it is plain text '.repeat(100));
      const error = await openError(createStore(`sqlite:${file}`));
      expect(error).to.be.instanceOf(StorageError);
      expect((error as StorageError).message).to.contain(file);
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  });

  it('reports an existing directory given as the SQLite path with a StorageError naming it', async () => {
    const directory = await mkdtemp(path.join(os.tmpdir(), 'task-graph-test-'));
    try {
      const error = await createEngine({ storage: `sqlite:${directory}`, logLevel: 'error' }).then(
        (engine) => engine.close().then(() => null),
        (caught: unknown) => caught,
      );
      expect(error).to.be.instanceOf(StorageError);
      expect((error as StorageError).message).to.contain(directory).and.to.contain('is a directory');
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  });

  it('reports a SQLite file that cannot be created (a name longer than the file system allows) instead of hanging', async () => {
    const directory = await mkdtemp(path.join(os.tmpdir(), 'task-graph-test-'));
    try {
      const file = path.join(directory, `${'x'.repeat(300)}.db`);
      const error = await openError(createStore(`sqlite:${file}`));
      expect(error).to.be.instanceOf(StorageError);
      expect((error as StorageError).message).to.contain(file).and.to.contain('SQLITE_CANTOPEN');
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  });

  it('refuses a SQLite path that ends with a slash (a directory, not a file), creating nothing', async () => {
    const directory = await mkdtemp(path.join(os.tmpdir(), 'task-graph-test-'));
    try {
      for (const storage of [`sqlite:${directory}/data/`, `sqlite://${directory}/data/`]) {
        const error = await createEngine({ storage, logLevel: 'error' }).then(
          (engine) => engine.close().then(() => null),
          (caught: unknown) => caught,
        );
        expect(error, storage).to.be.instanceOf(InvalidOptionsError);
        expect((error as InvalidOptionsError).message).to.contain(`${directory}/data/`).and.to.contain('a file path');
      }
      expect(await readdir(directory)).to.deep.equal([]);
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  });

  it('leaves the schema alone with runMigrations: false', async () => {
    const store = createStore('sqlite::memory:', { runMigrations: false });
    await store.open();
    try {
      const error = await store.listExecutions().then(
        () => null,
        (caught: unknown) => caught,
      );
      expect(error).to.be.instanceOf(StorageError);
      expect((error as StorageError).message).to.contain('tg_executions');
    } finally {
      await store.close();
    }
  });

  it('refuses to work before open() with a StorageError', async () => {
    const store = createStore('sqlite::memory:');
    const error = await store.getExecution('x').then(
      () => null,
      (caught: unknown) => caught,
    );
    expect(error).to.be.instanceOf(StorageError);
    expect((error as StorageError).message).to.contain('open()');
  });

  for (const bad of ['', 'memry', 'sqlite:', 'mongodb://user:hunter2@localhost/db', 'mysql://user:hunter2@localhost', 'postgres://user:hunter2@localhost', 'mysql://:x@/db']) {
    it(`rejects the storage string ${JSON.stringify(bad)} with InvalidOptionsError`, () => {
      let error: unknown;
      try {
        createStore(bad);
      } catch (caught) {
        error = caught;
      }
      expect(error).to.be.instanceOf(InvalidOptionsError);
      expect((error as InvalidOptionsError).option).to.equal('storage');
      expect((error as InvalidOptionsError).message).to.contain("'sqlite:<path>'").and.not.to.contain('hunter2');
    });
  }

  it('rejects a storage value that is neither a string nor a Store', () => {
    expect(() => createStore({ open() {} } as unknown as Store)).to.throw(InvalidOptionsError);
    expect(() => createStore(42 as unknown as string)).to.throw(InvalidOptionsError);
  });
});

describe('createStore', () => {
  it('picks the store for each storage string', () => {
    expect(createStore('memory')).to.be.instanceOf(MemoryStore);
    const inMemory = createStore('sqlite::memory:');
    expect(inMemory).to.be.instanceOf(SequelizeStore);
    expect([inMemory.kind, inMemory.location]).to.deep.equal(['sqlite', 'sqlite::memory:']);
    const file = createStore('sqlite:data/tg.db');
    expect([file.kind, file.location]).to.deep.equal(['sqlite', `sqlite:${path.resolve('data/tg.db')}`]);
    expect(createStore('sqlite:/var/tg.db').location).to.equal('sqlite:/var/tg.db');
    const mysql = createStore('mysql://root:p%40ss@db.example:3307/app');
    expect([mysql.kind, mysql.location]).to.deep.equal(['mysql', 'mysql://root:***@db.example:3307/app']);
    expect(createStore('mysql://root@127.0.0.1/app').location).to.equal('mysql://root@127.0.0.1/app');
    const postgres = createStore('postgres://app:p%40ss@db.example:5433/tasks');
    expect([postgres.kind, postgres.location]).to.deep.equal(['postgres', 'postgres://app:***@db.example:5433/tasks']);
    expect(createStore('postgresql://db.example/tasks').kind).to.equal('postgres');
  });

  it('uses a Store object as it is', () => {
    const store = new MemoryStore();
    expect(createStore(store)).to.equal(store);
  });

  it('uses TASK_GRAPH_STORAGE when no storage is given', () => {
    const saved = process.env['TASK_GRAPH_STORAGE'];
    process.env['TASK_GRAPH_STORAGE'] = 'memory';
    try {
      expect(createStore(undefined)).to.be.instanceOf(MemoryStore);
    } finally {
      if (saved === undefined) delete process.env['TASK_GRAPH_STORAGE'];
      else process.env['TASK_GRAPH_STORAGE'] = saved;
    }
  });
});

describe('defaultStorageUrl', () => {
  it('is a SQLite file under <cwd>/.task-graph by default', () => {
    expect(defaultStorageUrl({}, '/srv/app')).to.equal('sqlite:/srv/app/.task-graph/task-graph.db');
  });

  it('honours TASK_GRAPH_HOME, relative to cwd when relative', () => {
    expect(defaultStorageUrl({ TASK_GRAPH_HOME: '/var/lib/tg' }, '/srv/app')).to.equal('sqlite:/var/lib/tg/task-graph.db');
    expect(defaultStorageUrl({ TASK_GRAPH_HOME: 'state' }, '/srv/app')).to.equal('sqlite:/srv/app/state/task-graph.db');
  });

  it('prefers TASK_GRAPH_STORAGE over TASK_GRAPH_HOME', () => {
    const env = { TASK_GRAPH_STORAGE: 'mysql://root@127.0.0.1:3306/tg', TASK_GRAPH_HOME: '/ignored' };
    expect(defaultStorageUrl(env, '/srv/app')).to.equal('mysql://root@127.0.0.1:3306/tg');
  });

  it('ignores empty variables', () => {
    expect(defaultStorageUrl({ TASK_GRAPH_STORAGE: '', TASK_GRAPH_HOME: ' ' }, '/x')).to.equal('sqlite:/x/.task-graph/task-graph.db');
  });
});
