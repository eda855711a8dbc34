/**
 * Sorts a failed store operation into one of two kinds, as graphile-worker's
 * `RETRYABLE_ERROR_CODES` and BullMQ's `retryIfFailed` do before retrying:
 *
 * - transient: the same work may succeed later. The connection (refused, reset, lost, timed out,
 *   killed), a lock (deadlock, lock wait timeout, serialization failure, SQLITE_BUSY /
 *   SQLITE_LOCKED), or the server's resources (too many connections, shutting down, read-only
 *   during a failover, a full disk).
 *   The group-commit writer retries these with backoff, for ever.
 * - permanent: the same work fails again. A row the database refuses (a constraint, a value too
 *   long, a trigger), a table or execution that does not exist, a bug. Everything not recognised
 *   as transient is permanent: retrying it would stall every execution sharing the writer.
 *
 * The error is read along its chain of causes: a `StorageError` wraps the Sequelize error as
 * `cause`, which wraps the driver's error as `parent`/`original`. One transient link makes the
 * whole error transient. A link is transient when its `code` is in {@link TRANSIENT_CODES}
 * (mysql2's and Node's network codes, MySQL's server codes, sqlite3's primary result codes), when
 * mysql2 marks it `fatal` (the connection is dead, whatever the code), when its SQLSTATE (mysql2's
 * `sqlState`, node-postgres's `code`) is in a transient class or one of
 * {@link TRANSIENT_SQLSTATES}, when it is one of node-postgres's errors for a lost connection
 * (which carry no code, only a message), or when it is one of Sequelize's connection errors
 * (acquiring a pooled connection timed out, host not reachable, ...).
 */

/** Driver codes of transient failures (mysql2, Node's sockets, MySQL/MariaDB servers, sqlite3); PostgreSQL's are SQLSTATEs, below. */
export const TRANSIENT_CODES: ReadonlySet<string> = new Set([
  // The network, as Node and mysql2 report it.
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENETDOWN',
  'PROTOCOL_CONNECTION_LOST',
  'PROTOCOL_SEQUENCE_TIMEOUT',
  // The MySQL/MariaDB server: locks, connections, shutdown, resources.
  'ER_LOCK_DEADLOCK',
  'ER_LOCK_WAIT_TIMEOUT',
  'ER_CON_COUNT_ERROR',
  'ER_TOO_MANY_USER_CONNECTIONS',
  'ER_SERVER_SHUTDOWN',
  'ER_NORMAL_SHUTDOWN',
  'ER_SHUTDOWN_COMPLETE',
  'ER_CONNECTION_KILLED',
  'ER_QUERY_INTERRUPTED',
  'ER_NET_READ_ERROR',
  'ER_NET_READ_INTERRUPTED',
  'ER_NET_ERROR_ON_WRITE',
  'ER_NET_WRITE_INTERRUPTED',
  'ER_CLIENT_INTERACTION_TIMEOUT',
  'ER_OUT_OF_RESOURCES',
  'ER_OUTOFMEMORY',
  'ER_DISK_FULL',
  'ER_OPTION_PREVENTS_STATEMENT',
  'ER_READ_ONLY_MODE',
  // SQLite: another connection holds the lock, or the file system or memory failed.
  'SQLITE_BUSY',
  'SQLITE_LOCKED',
  'SQLITE_IOERR',
  'SQLITE_FULL',
  'SQLITE_NOMEM',
  'SQLITE_INTERRUPT',
  'SQLITE_PROTOCOL',
  'SQLITE_CANTOPEN',
]);

/**
 * SQLSTATE classes of transient failures: 08 connection exception, 40 transaction rollback
 * (serialization failure 40001, deadlock 40P01), 53 insufficient resources (too many
 * connections, out of memory, disk full).
 */
const TRANSIENT_SQLSTATE_CLASSES: ReadonlySet<string> = new Set(['08', '40', '53']);

/**
 * Transient SQLSTATEs outside those classes (PostgreSQL's): lock not available, query cancelled,
 * the server shutting down, crashed or starting up, and a read-only transaction (a standby
 * reached after a failover).
 */
export const TRANSIENT_SQLSTATES: ReadonlySet<string> = new Set(['55P03', '57014', '57P01', '57P02', '57P03', '25006']);

/** A SQLSTATE: five digits or upper-case letters. */
const SQLSTATE = /^[0-9A-Z]{5}$/;

/**
 * node-postgres's errors for a connection that is lost, timed out or unusable: plain Errors with
 * no code, told apart by their message.
 */
const NODE_POSTGRES_CONNECTION_MESSAGES: ReadonlySet<string> = new Set([
  'Connection terminated',
  'Connection terminated unexpectedly',
  'Connection terminated due to connection timeout',
  'Client has encountered a connection error and is not queryable',
  'Client was closed and is not queryable',
  'Query read timeout',
  'timeout expired',
]);

/** Sequelize's errors about getting or keeping a connection (their driver error may carry no code). */
const TRANSIENT_SEQUELIZE_ERRORS: ReadonlySet<string> = new Set([
  'SequelizeConnectionError',
  'SequelizeConnectionRefusedError',
  'SequelizeConnectionTimedOutError',
  'SequelizeConnectionAcquireTimeoutError',
  'SequelizeHostNotFoundError',
  'SequelizeHostNotReachableError',
  'SequelizeInvalidConnectionError',
  'SequelizeTimeoutError',
]);

/** How far down the chain of causes to look (a chain is short; a cycle must not hang). */
const MAX_LINKS = 8;

/**
 * Whether retrying the failed store operation later may succeed (see the module comment).
 * @example
 * isTransientStoreError(new StorageError('Cannot commit', { cause: Object.assign(new Error('reset'), { code: 'ECONNRESET' }) })); // true
 * isTransientStoreError(new StorageError('Cannot update execution "x": it does not exist in the store.')); // false
 */
export function isTransientStoreError(error: unknown): boolean {
  return causeChain(error).some(isTransientLink);
}

function isTransientLink(link: object): boolean {
  const code = Reflect.get(link, 'code');
  if (typeof code === 'string' && TRANSIENT_CODES.has(code)) return true;
  if (Reflect.get(link, 'fatal') === true) return true;
  if (isTransientSqlState(Reflect.get(link, 'sqlState')) || isTransientSqlState(code)) return true;
  if (code === undefined && NODE_POSTGRES_CONNECTION_MESSAGES.has(String(Reflect.get(link, 'message')))) return true;
  const name = Reflect.get(link, 'name');
  return typeof name === 'string' && TRANSIENT_SEQUELIZE_ERRORS.has(name);
}

function isTransientSqlState(state: unknown): boolean {
  if (typeof state !== 'string' || !SQLSTATE.test(state)) return false;
  return TRANSIENT_SQLSTATE_CLASSES.has(state.slice(0, 2)) || TRANSIENT_SQLSTATES.has(state);
}

/** The error and what it wraps: `cause` (StorageError), `parent` and `original` (Sequelize). */
function causeChain(error: unknown): object[] {
  const chain: object[] = [];
  const pending: unknown[] = [error];
  while (pending.length > 0 && chain.length < MAX_LINKS) {
    const link = pending.shift();
    if (link === null || typeof link !== 'object' || chain.includes(link)) continue;
    chain.push(link);
    pending.push(Reflect.get(link, 'cause'), Reflect.get(link, 'parent'), Reflect.get(link, 'original'));
  }
  return chain;
}
