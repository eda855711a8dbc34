/**
 * Turns a storage URL into the connection settings of a `SequelizeStore`.
 *
 * Accepted forms:
 * - `sqlite::memory:`: a private in-memory SQLite database, gone when the store closes.
 * - `sqlite:<path>` (or `sqlite://<path>`): a SQLite file; a relative path is resolved against
 *   the working directory. A path ending with a slash names a directory and is refused.
 * - `mysql://user:password@host:port/database` (also `mariadb://`): MySQL or MariaDB. User and
 *   password may be percent-encoded; the port defaults to 3306, the user to root.
 * - `postgres://user:password@host:port/database` (also `postgresql://`): PostgreSQL, the same
 *   way; the port defaults to 5432, the user to postgres.
 *
 * `location` is the URL with the password replaced by `***`: the only form that may appear in
 * a message or a log.
 */
import path from 'node:path';
import { InvalidOptionsError } from '../../errors.js';

export const STORAGE_URL_FORMS =
  "'memory', 'sqlite::memory:', 'sqlite:<path>', 'mysql://user:password@host:port/database' or 'postgres://user:password@host:port/database'";

export type StorageTarget = SqliteTarget | ServerTarget;

/** The SQL dialects of `SequelizeStore`. */
export type SqlDialect = StorageTarget['dialect'];

export interface SqliteTarget {
  readonly dialect: 'sqlite';
  /** An absolute file path, or ':memory:'. */
  readonly storage: string;
  readonly location: string;
}

/** A database on a server: MySQL/MariaDB or PostgreSQL. */
export interface ServerTarget {
  readonly dialect: 'mysql' | 'postgres';
  readonly host: string;
  readonly port: number;
  readonly database: string;
  readonly username: string;
  readonly password: string | undefined;
  readonly location: string;
}

/**
 * @example
 * parseStorageUrl('mysql://root:secret@127.0.0.1:3306/app').location
 * // 'mysql://root:***@127.0.0.1:3306/app'
 */
export function parseStorageUrl(url: string, cwd: string = process.cwd()): StorageTarget {
  if (url === 'sqlite::memory:' || url === 'sqlite://:memory:') {
    return { dialect: 'sqlite', storage: ':memory:', location: 'sqlite::memory:' };
  }
  if (url.startsWith('sqlite:')) {
    const rest = url.slice('sqlite:'.length);
    const file = rest.startsWith('//') ? rest.slice(2) : rest;
    if (file === '') throw invalid(url);
    if (/[/\\]$/.test(file)) {
      throw new InvalidOptionsError('storage', url, `a file path after 'sqlite:', not a directory (e.g. 'sqlite:${file}task-graph.db')`);
    }
    const storage = path.resolve(cwd, file);
    return { dialect: 'sqlite', storage, location: `sqlite:${storage}` };
  }
  if (url.startsWith('mysql://') || url.startsWith('mariadb://')) return parseServerUrl(url, SERVERS.mysql);
  if (url.startsWith('postgres://') || url.startsWith('postgresql://')) return parseServerUrl(url, SERVERS.postgres);
  throw invalid(redactUnparsable(url));
}

const SERVERS = {
  mysql: { dialect: 'mysql', port: 3306, username: 'root' },
  postgres: { dialect: 'postgres', port: 5432, username: 'postgres' },
} as const;

function parseServerUrl(url: string, server: (typeof SERVERS)[keyof typeof SERVERS]): ServerTarget {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw invalid(redactUnparsable(url));
  }
  const database = decodeURIComponent(parsed.pathname.replace(/^\//, ''));
  if (parsed.hostname === '' || database === '' || database.includes('/')) throw invalid(redact(parsed));
  const port = parsed.port === '' ? server.port : Number(parsed.port);
  const password = parsed.password === '' ? undefined : decodeURIComponent(parsed.password);
  return {
    dialect: server.dialect,
    host: parsed.hostname.replace(/^\[(.*)\]$/, '$1'),
    port,
    database,
    username: parsed.username === '' ? server.username : decodeURIComponent(parsed.username),
    password,
    location: redact(parsed),
  };
}

function redact(parsed: URL): string {
  const user = parsed.username === '' ? '' : `${parsed.username}${parsed.password === '' ? '' : ':***'}@`;
  return `${parsed.protocol}//${user}${parsed.host}${parsed.pathname}`;
}

/** A URL `new URL()` rejects may still hold a password between `:` and `@`. */
function redactUnparsable(url: string): string {
  return url.replace(/^([a-z]+:\/\/[^:@/]*):[^@]*@/i, '$1:***@');
}

function invalid(value: string): InvalidOptionsError {
  return new InvalidOptionsError('storage', value, STORAGE_URL_FORMS);
}
