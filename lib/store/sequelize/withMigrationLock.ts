/**
 * Runs the migrations of a database under a lock that every process opening it takes, so that
 * replicas booting at once on a new database migrate it once, one after the other, instead of
 * all creating the same tables and indexes (which failed with "Duplicate key name" on MariaDB).
 * The lock is taken before the list of applied migrations is read: the process that waited finds
 * everything applied and has nothing to do.
 *
 * - MySQL/MariaDB: `GET_LOCK`, a named lock held by a session. Its names are server-wide, so the
 *   name includes (a hash of) the database's. Held on a connection taken from the pool for the
 *   purpose; the migrations run on the others.
 * - PostgreSQL: `pg_advisory_lock` on a fixed key (advisory locks are per database), held by a
 *   session the same way. Not in a transaction: a transaction left open while migrating would
 *   block `CREATE INDEX CONCURRENTLY`.
 * - SQLite: the migrations run in one BEGIN IMMEDIATE … COMMIT on the store's connection (every
 *   statement of the migration uses that connection), which holds the file's write lock: the
 *   other processes wait for it, and a crash mid-migration leaves nothing half done. SQLite's own
 *   wait (busy_timeout, 5 s) is renewed while the lock is busy, up to the same limit.
 *
 * A session-held lock is released by the server when its process dies, so a replica killed while
 * migrating does not block the others. A process that waits longer than `timeoutMs` gives up with
 * a `StorageError` saying another process holds the lock.
 */
import { createHash } from 'node:crypto';
import type { Sequelize } from 'sequelize';
import { MIGRATION_LOCK_TIMEOUT_MS } from '../../defaults.js';
import { StorageError } from '../../errors.js';
import { driverCode } from './connectDatabase.js';
import { execute, selectRows } from './rawStatements.js';
import type { SqlDialect } from './parseStorageUrl.js';

/** PostgreSQL's advisory lock key: the ASCII of 'tgmigrat', as a bigint (in pg_locks: classid 1952935273, objid 1735549300). */
export const POSTGRES_MIGRATION_LOCK_KEY = '8387793130475381108';

interface PooledConnections {
  getConnection(options: { type: 'write' }): Promise<object>;
  releaseConnection(connection: object): Promise<void> | void;
}

/**
 * @example
 * const applied = await withMigrationLock(sequelize, 'postgres', 'postgres://…/app', () => umzug.up());
 */
export async function withMigrationLock<T>(
  sequelize: Sequelize,
  dialect: SqlDialect,
  location: string,
  work: () => Promise<T>,
  timeoutMs: number = MIGRATION_LOCK_TIMEOUT_MS,
): Promise<T> {
  if (dialect === 'sqlite') return inImmediateTransaction(sequelize, location, work, timeoutMs);
  const manager = sequelize.connectionManager as unknown as PooledConnections;
  const session = { connection: await manager.getConnection({ type: 'write' }) };
  try {
    const held = dialect === 'mysql' ? await getMysqlLock(sequelize, session, timeoutMs) : await getPostgresLock(sequelize, session, timeoutMs);
    if (!held) throw lockTimeout(location, timeoutMs);
    try {
      return await work();
    } finally {
      const unlock = dialect === 'mysql' ? 'SELECT RELEASE_LOCK(?)' : 'SELECT pg_advisory_unlock(?)';
      await execute(sequelize, session, unlock, [dialect === 'mysql' ? mysqlLockName(sequelize) : POSTGRES_MIGRATION_LOCK_KEY]).catch(() => undefined);
    }
  } finally {
    await manager.releaseConnection(session.connection);
  }
}

async function getMysqlLock(sequelize: Sequelize, session: { connection: object }, timeoutMs: number): Promise<boolean> {
  const [row] = await selectRows(sequelize, session, 'SELECT GET_LOCK(?, ?) AS held', [mysqlLockName(sequelize), Math.ceil(timeoutMs / 1000)]);
  return Number(row?.['held']) === 1;
}

/** At most 64 characters (MySQL's limit), the same for every process on this database. */
function mysqlLockName(sequelize: Sequelize): string {
  const database = String(sequelize.config.database);
  return `task-graph migrations ${createHash('sha256').update(database).digest('hex').slice(0, 32)}`;
}

/** lock_timeout bounds the wait (lock_not_available, 55P03, when it runs out); the session's setting is put back after. */
async function getPostgresLock(sequelize: Sequelize, session: { connection: object }, timeoutMs: number): Promise<boolean> {
  await execute(sequelize, session, `SET lock_timeout = ${Math.ceil(timeoutMs)}`);
  try {
    await execute(sequelize, session, 'SELECT pg_advisory_lock(?)', [POSTGRES_MIGRATION_LOCK_KEY]);
    return true;
  } catch (error) {
    if (driverCode(error) === '55P03') return false;
    throw error;
  } finally {
    await execute(sequelize, session, 'RESET lock_timeout').catch(() => undefined);
  }
}

async function inImmediateTransaction<T>(sequelize: Sequelize, location: string, work: () => Promise<T>, timeoutMs: number): Promise<T> {
  const giveUpAt = Date.now() + timeoutMs;
  for (;;) {
    try {
      await execute(sequelize, undefined, 'BEGIN IMMEDIATE');
      break;
    } catch (error) {
      if (driverCode(error) !== 'SQLITE_BUSY') throw error;
      if (Date.now() >= giveUpAt) throw lockTimeout(location, timeoutMs);
    }
  }
  try {
    const result = await work();
    await execute(sequelize, undefined, 'COMMIT');
    return result;
  } catch (error) {
    await execute(sequelize, undefined, 'ROLLBACK').catch(() => undefined);
    throw error;
  }
}

function lockTimeout(location: string, timeoutMs: number): StorageError {
  return new StorageError(
    `Cannot migrate the database at ${location}: another process has been migrating it for more than ${Math.round(timeoutMs / 1000)} s` +
      ' (it holds the migration lock). Wait for it to finish, or stop it, then open the store again.',
  );
}
