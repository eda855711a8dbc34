/**
 * The stores a suite runs against, one factory per kind: memory, a SQLite file in a fresh temp
 * directory, MySQL/MariaDB in a fresh database named tg_test_<random> when TASK_GRAPH_TEST_MYSQL
 * holds a server URL (e.g. mysql://root@127.0.0.1:3306), and PostgreSQL the same way when
 * TASK_GRAPH_TEST_POSTGRES does (e.g. postgres://postgres@127.0.0.1:5432). Every factory cleans
 * up what it made: stores closed, temp directory removed, database dropped.
 *
 * @example
 * for (const factory of storeFactories()) {
 *   describe(`engine on ${factory.name}`, () => {
 *     let target: StoreUnderTest;
 *     beforeEach(async () => { target = await factory.create(); });
 *     afterEach(() => target.cleanup());
 *     it('runs', async () => {
 *       const engine = createEngine({ storage: target.storage });
 *       // ... a second engine on the same data: createEngine({ storage: target.storage })
 *     });
 *   });
 * }
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { MemoryStore } from '../../lib/store/MemoryStore.js';
import type { Store } from '../../lib/store/Store.js';
import { SequelizeStore } from '../../lib/store/sequelize/SequelizeStore.js';

export type StoreKind = 'memory' | 'sqlite' | 'sqlite-memory' | 'mysql' | 'postgres';

export interface StoreUnderTest {
  readonly name: StoreKind;
  /** The storage URL: 'memory', 'sqlite::memory:', 'sqlite:<file>', 'mysql://.../tg_test_<random>' or 'postgres://.../tg_test_<random>'. */
  readonly url: string;
  /**
   * What to pass as `storage` to reach this data: the URL for SQL stores; for memory the store
   * object itself, since every 'memory' URL makes a new, empty store.
   */
  readonly storage: string | Store;
  /** An opened store on the data. */
  readonly store: Store;
  /** Whether `openAnother()` sees the data of `store` (false only for sqlite::memory:). */
  readonly shared: boolean;
  /** Opens another store on the same data (memory: the same instance). Closed by cleanup(). */
  openAnother(): Promise<Store>;
  /** Closes the stores opened here; removes the temp directory or drops the database. */
  cleanup(): Promise<void>;
}

export interface StoreFactory {
  readonly name: StoreKind;
  create(): Promise<StoreUnderTest>;
}

export const MYSQL_ENV = 'TASK_GRAPH_TEST_MYSQL';
export const POSTGRES_ENV = 'TASK_GRAPH_TEST_POSTGRES';
const skipNoticesPrinted = new Set<string>();

/**
 * memory, sqlite (file) and, when their variables are set, mysql and postgres. `sqliteMemory`
 * adds 'sqlite::memory:' (a private database per store: `shared` is false).
 */
export function storeFactories(options: { sqliteMemory?: boolean } = {}): StoreFactory[] {
  const factories: StoreFactory[] = [
    { name: 'memory', create: createMemory },
    { name: 'sqlite', create: createSqliteFile },
  ];
  if (options.sqliteMemory) factories.push({ name: 'sqlite-memory', create: createSqliteMemory });
  const mysqlServer = serverUrl(MYSQL_ENV, 'MySQL', 'mysql://root@127.0.0.1:3306');
  if (mysqlServer) factories.push({ name: 'mysql', create: () => createMysql(mysqlServer) });
  const postgresServer = serverUrl(POSTGRES_ENV, 'PostgreSQL', 'postgres://postgres@127.0.0.1:5432');
  if (postgresServer) factories.push({ name: 'postgres', create: () => createPostgres(postgresServer) });
  return factories;
}

/** The server URL in `variable`, or undefined after saying once that its tests are skipped. */
function serverUrl(variable: string, server: string, example: string): string | undefined {
  const url = process.env[variable];
  if (url) return url;
  if (!skipNoticesPrinted.has(variable)) {
    skipNoticesPrinted.add(variable);
    console.log(`${server} store tests skipped: set ${variable}=${example} to run them`);
  }
  return undefined;
}

/** A storage URL naming a database that does not exist yet, and how to remove whatever was made there. */
export interface EmptyStorage {
  readonly url: string;
  cleanup(): Promise<void>;
}

/**
 * A SQLite file (in a fresh temp directory), MySQL or PostgreSQL database that does not exist
 * yet: the first store opened on it creates it. Undefined when the server's variable is not set.
 */
export async function emptyStorage(kind: 'sqlite' | 'mysql' | 'postgres'): Promise<EmptyStorage | undefined> {
  const database = `tg_test_${randomBytes(6).toString('hex')}`;
  if (kind === 'sqlite') {
    const directory = await mkdtemp(path.join(os.tmpdir(), 'task-graph-test-'));
    return { url: `sqlite:${path.join(directory, 'data', 'task-graph.db')}`, cleanup: () => rm(directory, { recursive: true, force: true }) };
  }
  if (kind === 'postgres') {
    const server = process.env[POSTGRES_ENV];
    return server ? { url: postgresDatabaseUrl(server, database), cleanup: () => dropPostgresDatabase(server, database) } : undefined;
  }
  const server = process.env[MYSQL_ENV];
  if (!server) return undefined;
  const url = new URL(server);
  url.pathname = `/${database}`;
  return {
    url: url.toString(),
    cleanup: async () => {
      const connection = await mysql.createConnection(serverConnectionOptions(new URL(server)));
      try {
        await connection.query(`DROP DATABASE IF EXISTS \`${database}\``);
      } finally {
        await connection.end();
      }
    },
  };
}

async function createMemory(): Promise<StoreUnderTest> {
  const store = new MemoryStore();
  await store.open();
  return {
    name: 'memory',
    url: 'memory',
    storage: store,
    store,
    shared: true,
    openAnother: async () => store,
    cleanup: () => store.close(),
  };
}

async function createSqliteFile(): Promise<StoreUnderTest> {
  const directory = await mkdtemp(path.join(os.tmpdir(), 'task-graph-test-'));
  const url = `sqlite:${path.join(directory, 'task-graph.db')}`;
  return sqlTarget('sqlite', url, true, () => rm(directory, { recursive: true, force: true }));
}

async function createSqliteMemory(): Promise<StoreUnderTest> {
  return sqlTarget('sqlite-memory', 'sqlite::memory:', false, async () => {});
}

async function createMysql(serverUrl: string): Promise<StoreUnderTest> {
  const database = `tg_test_${randomBytes(6).toString('hex')}`;
  const server = new URL(serverUrl);
  const connection = await mysql.createConnection(serverConnectionOptions(server));
  try {
    await connection.query(`CREATE DATABASE \`${database}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  } finally {
    await connection.end();
  }
  const url = `${server.protocol}//${server.username ? `${server.username}${server.password ? `:${server.password}` : ''}@` : ''}${server.host}/${database}`;
  return sqlTarget('mysql', url, true, async () => {
    const cleanup = await mysql.createConnection(serverConnectionOptions(server));
    try {
      await cleanup.query(`DROP DATABASE IF EXISTS \`${database}\``);
    } finally {
      await cleanup.end();
    }
  });
}

async function createPostgres(serverUrl: string): Promise<StoreUnderTest> {
  const database = `tg_test_${randomBytes(6).toString('hex')}`;
  await onPostgresServer(serverUrl, `CREATE DATABASE "${database}" ENCODING 'UTF8' TEMPLATE template0`);
  return sqlTarget('postgres', postgresDatabaseUrl(serverUrl, database), true, () => dropPostgresDatabase(serverUrl, database));
}

/** The URL of `database` on the PostgreSQL server of `serverUrl` (whose path is ignored). */
export function postgresDatabaseUrl(serverUrl: string, database: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

/** Drops `database`, ending the sessions still connected to it (an engine a failed test left open). */
export async function dropPostgresDatabase(serverUrl: string, database: string): Promise<void> {
  await onPostgresServer(serverUrl, `DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
}

/** Runs `sql` on the server's maintenance database `postgres`. */
export async function onPostgresServer(serverUrl: string, sql: string, params: unknown[] = []): Promise<pg.QueryResult> {
  const client = new pg.Client({ connectionString: postgresDatabaseUrl(serverUrl, 'postgres') });
  await client.connect();
  try {
    return await client.query(sql, params);
  } finally {
    await client.end();
  }
}

function serverConnectionOptions(server: URL): mysql.ConnectionOptions {
  return {
    host: server.hostname,
    port: server.port ? Number(server.port) : 3306,
    user: server.username ? decodeURIComponent(server.username) : 'root',
    ...(server.password ? { password: decodeURIComponent(server.password) } : {}),
  };
}

async function sqlTarget(
  name: StoreKind,
  url: string,
  shared: boolean,
  removeData: () => Promise<void>,
): Promise<StoreUnderTest> {
  const opened: Store[] = [];
  const open = async (): Promise<Store> => {
    const store = new SequelizeStore({ url });
    await store.open();
    opened.push(store);
    return store;
  };
  let store: Store;
  try {
    store = await open();
  } catch (error) {
    await removeData();
    throw error;
  }
  return {
    name,
    url,
    storage: url,
    store,
    shared,
    openAnother: open,
    cleanup: async () => {
      for (const each of opened) await each.close();
      await removeData();
    },
  };
}
