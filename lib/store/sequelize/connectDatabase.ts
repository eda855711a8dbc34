/**
 * Opens the connection of a `SequelizeStore` and proves it works, or fails with a
 * `StorageError` whose message names where it tried to connect (never the password).
 *
 * MySQL and PostgreSQL: a database that does not exist yet is created through a second
 * connection made without a database (MySQL: utf8mb4, utf8mb4_unicode_ci; PostgreSQL: UTF8, from
 * the maintenance database `postgres`), then the connection is tried again. Several processes
 * may find it missing at once: the ones that lose the race to create it go on with it.
 * SQLite: a path naming a directory is refused; the file's directory is created, and the file is
 * switched to write-ahead logging
 * (a property of the file, kept across connections). See createSequelize.ts for the
 * per-connection settings.
 */
import { mkdir, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Sequelize } from 'sequelize';
import { StorageError } from '../../errors.js';
import { createSequelize } from './createSequelize.js';
import type { SqlLogger } from './createSequelize.js';
import type { ServerTarget, SqliteTarget, StorageTarget } from './parseStorageUrl.js';

/**
 * @example
 * const sequelize = await connectDatabase(parseStorageUrl('sqlite:./data/tg.db'), false);
 */
export async function connectDatabase(target: StorageTarget, logging: false | SqlLogger): Promise<Sequelize> {
  return target.dialect === 'sqlite' ? connectSqlite(target, logging) : connectServer(target, logging);
}

async function connectSqlite(target: SqliteTarget, logging: false | SqlLogger): Promise<Sequelize> {
  const inMemory = target.storage === ':memory:';
  let sequelize: Sequelize | undefined;
  if (!inMemory && (await isDirectory(target.storage))) {
    throw new StorageError(
      `Cannot open the SQLite database file ${target.storage}: it is a directory. The storage must name a file,` +
        ` e.g. sqlite:${path.join(target.storage, 'task-graph.db')}.`,
    );
  }
  try {
    if (!inMemory) await mkdir(path.dirname(target.storage), { recursive: true });
    sequelize = createSequelize(target, { logging });
    await sequelize.authenticate();
    if (!inMemory) await sequelize.query('PRAGMA journal_mode = WAL');
    return sequelize;
  } catch (error) {
    await sequelize?.close().catch(() => undefined);
    throw new StorageError(
      `Cannot open the SQLite database ${inMemory ? 'in memory' : `file ${target.storage}`}: ${describeCause(error)}.` +
        (inMemory ? '' : ' Check that the directory is writable and the file is a SQLite database.'),
      { cause: error },
    );
  }
}

async function isDirectory(file: string): Promise<boolean> {
  const stats = await stat(file).catch(() => null);
  return stats?.isDirectory() ?? false;
}

const SERVER_NAMES = { mysql: 'MySQL', postgres: 'PostgreSQL' } as const;

/** The driver's code for "no such database": MySQL's ER_BAD_DB_ERROR, PostgreSQL's invalid_catalog_name. */
const MISSING_DATABASE_CODES: ReadonlySet<string> = new Set(['ER_BAD_DB_ERROR', '3D000']);

async function connectServer(target: ServerTarget, logging: false | SqlLogger): Promise<Sequelize> {
  let sequelize = createSequelize(target, { logging });
  try {
    try {
      await sequelize.authenticate();
    } catch (error) {
      if (!MISSING_DATABASE_CODES.has(driverCode(error) ?? '')) throw error;
      await sequelize.close();
      await createServerDatabase(target, logging);
      sequelize = createSequelize(target, { logging });
      await sequelize.authenticate();
    }
    return sequelize;
  } catch (error) {
    await sequelize.close().catch(() => undefined);
    throw new StorageError(
      `Cannot connect to ${SERVER_NAMES[target.dialect]} at ${target.host}:${target.port}, database ${JSON.stringify(target.database)},` +
        ` user ${JSON.stringify(target.username)}: ${describeCause(error)}.` +
        ' Check that the server is running and that the storage URL is right.',
      { cause: error },
    );
  }
}

/**
 * PostgreSQL has no CREATE DATABASE IF NOT EXISTS: a process that finds the database created
 * meanwhile gets duplicate_database (42P04), or unique_violation (23505) when both inserted the
 * catalog row at once. Either means it exists now.
 */
const DATABASE_EXISTS_CODES: ReadonlySet<string> = new Set(['42P04', '23505']);

async function createServerDatabase(target: ServerTarget, logging: false | SqlLogger): Promise<void> {
  const server = createSequelize(target, { logging, withoutDatabase: true });
  try {
    const name = server.getQueryInterface().quoteIdentifier(target.database);
    if (target.dialect === 'mysql') {
      await server.query(`CREATE DATABASE IF NOT EXISTS ${name} CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
      return;
    }
    await server.query(`CREATE DATABASE ${name} ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C' TEMPLATE template0`).catch((error: unknown) => {
      if (!DATABASE_EXISTS_CODES.has(driverCode(error) ?? '')) throw error;
    });
  } finally {
    await server.close();
  }
}

/** The driver's error code (mysql2's, sqlite3's, node-postgres's SQLSTATE `code`) behind a Sequelize error. */
export function driverCode(error: unknown): string | undefined {
  for (const candidate of [error, property(error, 'parent'), property(error, 'original')]) {
    const code = property(candidate, 'code');
    if (typeof code === 'string') return code;
  }
  return undefined;
}

/** The most telling message of an error: Sequelize's own is often just "Validation error". */
export function describeCause(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const parent = property(error, 'parent');
  if (parent instanceof Error && parent.message && parent.message !== message) return `${message}: ${parent.message}`;
  return message;
}

function property(value: unknown, key: string): unknown {
  return value !== null && typeof value === 'object' ? Reflect.get(value, key) : undefined;
}
