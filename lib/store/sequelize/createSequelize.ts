/**
 * Builds the Sequelize instance of a `SequelizeStore`.
 *
 * MySQL/MariaDB: utf8mb4 on the connection and on every table, times in UTC, a 5 s connect
 * timeout and no query retry (a failed connect fails `open()` at once; retrying commits is the
 * engine's business). `FOUND_ROWS` is switched back on (Sequelize switches it off) so that an
 * UPDATE reports the rows it matched, not only the rows whose values changed: `claimExecution`
 * and the "execution exists" check of `commit` rely on it. `jsonStrings` makes a MySQL 8 JSON
 * column come back as text, like MariaDB's (JSON is LONGTEXT there), so decoding is the same.
 *
 * PostgreSQL: through node-postgres (`pg`), sessions in UTC, the same timeouts, no retry and
 * pool as MySQL. A `json` column comes back as its text (see createPostgresDriver.ts), as on
 * MySQL with `jsonStrings`.
 *
 * SQLite: Sequelize's SQLite dialect does not use its pool. It keeps one connection for plain
 * queries and opens a new connection for every transaction, so `pool.max` has no effect and
 * SQLITE_BUSY is avoided by other means: the store runs one operation at a time (see
 * `SequelizeStore`), write transactions start with BEGIN IMMEDIATE (they take the write lock
 * first, instead of failing when a read lock cannot be upgraded), and every connection gets
 * `busy_timeout=5000`, so a second process or store on the same file waits up to 5 s for the
 * lock instead of failing at once. `busy_timeout` and `synchronous` are per-connection settings,
 * which is why they are applied to each connection Sequelize opens.
 *
 * Durability of `synchronous=NORMAL` in WAL mode: a committed transaction survives a crash of
 * the process; a crash of the operating system or a power loss may lose the last transactions
 * committed before it, but never corrupts the database.
 */
import { Sequelize, Transaction } from 'sequelize';
import type { Options } from 'sequelize';
import type { Database } from 'sqlite3';
import { createPostgresDriver } from './createPostgresDriver.js';
import type { ServerTarget, StorageTarget } from './parseStorageUrl.js';

export type SqlLogger = (sql: string, timingMs?: number) => void;

const SQLITE_CONNECTION_PRAGMAS = 'PRAGMA busy_timeout = 5000; PRAGMA synchronous = NORMAL;';
const SERVER_CONNECT_TIMEOUT_MS = 5_000;
/** The database a PostgreSQL connection made "without a database" opens (to create the store's). */
export const POSTGRES_MAINTENANCE_DATABASE = 'postgres';

/**
 * @example
 * const sequelize = createSequelize(parseStorageUrl('sqlite::memory:'), { logging: false });
 */
export function createSequelize(
  target: StorageTarget,
  options: { logging: false | SqlLogger; withoutDatabase?: boolean },
): Sequelize {
  const common: Options = {
    logging: options.logging,
    benchmark: options.logging !== false,
    define: { timestamps: false, freezeTableName: true },
  };
  if (target.dialect === 'sqlite') {
    const sequelize = new Sequelize({
      ...common,
      dialect: 'sqlite',
      storage: target.storage,
      pool: { max: 1, min: 0 },
      transactionType: Transaction.TYPES.IMMEDIATE,
    });
    configureSqliteConnections(sequelize);
    return sequelize;
  }
  return target.dialect === 'postgres' ? createPostgres(target, common, options) : createMysql(target, common, options);
}

function createMysql(target: ServerTarget, common: Options, options: { withoutDatabase?: boolean }): Sequelize {
  return new Sequelize({
    ...common,
    ...serverOptions(target),
    dialect: 'mysql',
    ...(options.withoutDatabase ? {} : { database: target.database }),
    define: { ...common.define, charset: 'utf8mb4', collate: 'utf8mb4_unicode_ci' },
    dialectOptions: {
      charset: 'utf8mb4',
      connectTimeout: SERVER_CONNECT_TIMEOUT_MS,
      jsonStrings: true,
      flags: ['FOUND_ROWS'],
      // A group commit sends its writes and COMMIT as one query (mysqlCommit.ts). Values are
      // always parameters, escaped by mysql2: no statement text comes from outside.
      multipleStatements: true,
    },
  });
}

function createPostgres(target: ServerTarget, common: Options, options: { withoutDatabase?: boolean }): Sequelize {
  return new Sequelize({
    ...common,
    ...serverOptions(target),
    dialect: 'postgres',
    dialectModule: createPostgresDriver(),
    database: options.withoutDatabase ? POSTGRES_MAINTENANCE_DATABASE : target.database,
    dialectOptions: { connectionTimeoutMillis: SERVER_CONNECT_TIMEOUT_MS, application_name: 'task-graph' },
  });
}

/** What MySQL and PostgreSQL share: where, who, UTC sessions, no query retry, the pool. */
function serverOptions(target: ServerTarget): Options {
  return {
    host: target.host,
    port: target.port,
    username: target.username,
    ...(target.password === undefined ? {} : { password: target.password }),
    timezone: '+00:00',
    retry: { max: 1 },
    pool: { max: 5, min: 0, acquire: 30_000, idle: 10_000 },
  };
}

/**
 * Applies the per-connection pragmas to every SQLite connection Sequelize opens, and forgets a
 * connection whose file could not be opened (see {@link forgetUnopenedConnections}).
 */
function configureSqliteConnections(sequelize: Sequelize): void {
  const manager = sequelize.connectionManager;
  const getConnection = manager.getConnection.bind(manager);
  const configured = new WeakSet<object>();
  manager.getConnection = async (options) => {
    let connection: object;
    try {
      connection = await getConnection(options);
    } catch (error) {
      forgetUnopenedConnections(manager);
      throw error;
    }
    if (!configured.has(connection)) {
      configured.add(connection);
      await execSqlite(connection as Database, SQLITE_CONNECTION_PRAGMAS);
    }
    return connection;
  };
}

/**
 * Sequelize keeps a connection whose file could not be opened (SQLITE_CANTOPEN: a name too long,
 * a directory without write permission) in its map, and `sequelize.close()` then waits for ever:
 * sqlite3 never calls back the close of a database that never opened. Dropping it lets a failed
 * open fail instead of hang. A connection that is `open === false` is one that failed (the store
 * opens one connection at a time).
 */
function forgetUnopenedConnections(manager: Sequelize['connectionManager']): void {
  const connections: unknown = Reflect.get(manager, 'connections');
  if (connections === null || typeof connections !== 'object') return;
  for (const [key, connection] of Object.entries(connections)) {
    if ((connection as { open?: unknown }).open === false) Reflect.deleteProperty(connections, key);
  }
}

function execSqlite(database: Database, sql: string): Promise<void> {
  return new Promise((resolve, reject) => {
    database.exec(sql, (error: Error | null) => (error ? reject(error) : resolve()));
  });
}
