/**
 * Sorts a failed store operation into one of two kinds, as graphile-worker's
 * `RETRYABLE_ERROR_CODES` and BullMQ's `retryIfFailed` do before retrying:
 *
 * - transient: the same work may succeed later. The connection (refused, reset, lost, timed out,
 *   killed), a lock (deadlock, lock wait timeout, SQLITE_BUSY / SQLITE_LOCKED), or the server's
 *   resources (too many connections, shutting down, read-only during a failover, a full disk).
 *   The group-commit writer retries these with backoff, for ever.
 * - permanent: the same work fails again. A row the database refuses (a constraint, a value too
 *   long, a trigger), a table or execution that does not exist, a bug. Everything not recognised
 *   as transient is permanent: retrying it would stall every execution sharing the writer.
 *
 * The error is read along its chain of causes: a `StorageError` wraps the Sequelize error as
 * `cause`, which wraps the driver's error as `parent`/`original`. One transient link makes the
 * whole error transient. A link is transient when its `code` is in {@link TRANSIENT_CODES}
 * (mysql2's and Node's network codes, MySQL's server codes, sqlite3's primary result codes), when
 * mysql2 marks it `fatal` (the connection is dead, whatever the code), when its SQLSTATE class is
 * 08 (connection exception) or 40 (transaction rollback), or when it is one of Sequelize's
 * connection errors (acquiring a pooled connection timed out, host not reachable, ...).
 */

/** Driver codes of transient failures (mysql2, Node's sockets, MySQL/MariaDB servers, sqlite3). */
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
  const sqlState = Reflect.get(link, 'sqlState');
  if (typeof sqlState === 'string' && (sqlState.startsWith('08') || sqlState.startsWith('40'))) return true;
  const name = Reflect.get(link, 'name');
  return typeof name === 'string' && TRANSIENT_SEQUELIZE_ERRORS.has(name);
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
