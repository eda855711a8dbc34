/**
 * Raw statements for the hot path of a group commit: multi-row INSERTs (transitions, task rows,
 * spans) and the ownership check, sent to the driver with positional parameters (`?` on SQLite
 * and MySQL, `$1, $2, ...` on PostgreSQL: callers write `?` and {@link positional} numbers them),
 * under the caller's transaction.
 *
 * Why not `bulkCreate`: it builds a model instance per row, escapes every value into the SQL
 * text (each snapshot's JSON, character by character) and formats dates with moment. Measured on
 * SQLite for one commit of 128 transitions and 64 task rows: 11.6 ms of CPU through `bulkCreate`,
 * 3.0 ms through this. (Sequelize's own `bind` is no way out on SQLite: it binds by name, and
 * sqlite3 looks each of thousands of names up in turn.)
 *
 * The connection: on SQLite, the store's one connection, inside its BEGIN IMMEDIATE ... COMMIT;
 * on MySQL and PostgreSQL, the Sequelize transaction's connection. Dates are written as the text
 * Sequelize writes for DATE(3) columns on each dialect (with its zone where the column keeps
 * one), so the models read these rows back unchanged.
 *
 * Conflicts: `ON CONFLICT DO NOTHING` / `DO UPDATE SET c = excluded.c` on SQLite and PostgreSQL,
 * `ON DUPLICATE KEY UPDATE` on MySQL.
 */
import type { Sequelize, Transaction } from 'sequelize';
import type { SqlDialect } from './parseStorageUrl.js';

export interface RowInsert {
  table: string;
  columns: readonly string[];
  /** On a key conflict: fail ('fail'), keep the stored row ('keep'), or take these columns from the new one. */
  onConflict: 'fail' | 'keep' | { key: readonly string[]; update: readonly string[] };
}

/** The SQL dialect a statement is built for. */
export type Dialect = SqlDialect;

/**
 * Where a raw statement runs: a Sequelize transaction, or any scope holding a connection the
 * caller took from the pool (the migration lock's own session). On SQLite, nothing: the store's
 * one connection.
 */
export type StatementScope = Transaction | { readonly connection: unknown } | undefined;

interface RawConnection {
  /**
   * sqlite3 Database.run / .all, mysql2 Connection.query and node-postgres Client.query all take
   * (sql, params, callback); mysql2 calls back with the rows, node-postgres with `{ rows }`.
   */
  run?: (sql: string, params: unknown[], callback: (error: Error | null) => void) => void;
  all?: (sql: string, params: unknown[], callback: (error: Error | null, rows: Record<string, unknown>[]) => void) => void;
  query?: (sql: string, params: unknown[], callback: (error: Error | null, result?: unknown) => void) => void;
}

/** Inserts `rows` (each the values of `insert.columns`, in order) in one statement. */
export async function insertRows(
  sequelize: Sequelize,
  transaction: StatementScope,
  insert: RowInsert,
  rows: readonly (readonly unknown[])[],
): Promise<void> {
  if (rows.length === 0) return;
  const { sql, params } = insertStatement(insert, rows, sequelize.getDialect() as SqlDialect);
  await execute(sequelize, transaction, sql, params);
}

/** One statement (parameters written `?`) and its positional parameters. */
export interface Statement {
  sql: string;
  params: unknown[];
}

/** The multi-row INSERT of `rows` (each the values of `insert.columns`, in order), not run. */
export function insertStatement(insert: RowInsert, rows: readonly (readonly unknown[])[], dialect: SqlDialect): Statement {
  const params: unknown[] = [];
  const tuple = `(${insert.columns.map(() => '?').join(',')})`;
  for (const row of rows) {
    if (row.length !== insert.columns.length) throw new Error(`insertRows: ${row.length} values for ${insert.columns.length} columns of ${insert.table}`);
    for (const value of row) params.push(sqlValue(value, dialect));
  }
  return { sql: `${statementHead(insert, dialect)} VALUES ${rows.map(() => tuple).join(',')}${conflictClause(insert, dialect)}`, params };
}

/** A value as the driver takes it: Dates as the text Sequelize writes for DATE(3) columns. */
export function sqlValue(value: unknown, dialect: SqlDialect): unknown {
  return value instanceof Date ? formatDate(value, dialect) : value;
}

/** Runs one query (parameters written `?`) on the raw connection and returns its rows. */
export async function selectRows(sequelize: Sequelize, transaction: StatementScope, sql: string, params: unknown[] = []): Promise<Record<string, unknown>[]> {
  const dialect = sequelize.getDialect() as SqlDialect;
  const connection = await rawConnection(sequelize, transaction, dialect);
  return new Promise((resolve, reject) => {
    if (dialect === 'sqlite') connection.all!(sql, params, (error, rows) => (error ? reject(error) : resolve(rows)));
    else connection.query!(positional(sql, dialect), params, (error, result) => (error ? reject(error) : resolve(resultRows(result, dialect))));
  });
}

/** Runs one statement (parameters written `?`) on the raw connection (see the module comment for which). */
export async function execute(sequelize: Sequelize, transaction: StatementScope, sql: string, params: unknown[] = []): Promise<void> {
  const dialect = sequelize.getDialect() as SqlDialect;
  const connection = await rawConnection(sequelize, transaction, dialect);
  await new Promise<void>((resolve, reject) => {
    const done = (error: Error | null) => (error ? reject(error) : resolve());
    if (dialect === 'sqlite') connection.run!(sql, params, done);
    else connection.query!(positional(sql, dialect), params, done);
  });
}

/**
 * The statement with its `?` parameters as the dialect numbers them: `$1, $2, ...` on
 * PostgreSQL. The statements of this module hold no `?` of their own (values are parameters,
 * never literals), so every `?` is a parameter.
 */
export function positional(sql: string, dialect: SqlDialect): string {
  if (dialect !== 'postgres') return sql;
  let index = 0;
  return sql.replace(/\?/g, () => `$${++index}`);
}

function resultRows(result: unknown, dialect: SqlDialect): Record<string, unknown>[] {
  return (dialect === 'postgres' ? (result as { rows: Record<string, unknown>[] }).rows : result) as Record<string, unknown>[];
}

async function rawConnection(sequelize: Sequelize, transaction: StatementScope, dialect: SqlDialect): Promise<RawConnection> {
  if (dialect !== 'sqlite') {
    const connection = (transaction as { connection?: RawConnection } | undefined)?.connection;
    if (!connection) throw new Error(`A raw statement on ${dialect} needs a started transaction or a connection`);
    return connection;
  }
  // Sequelize's SQLite dialect keeps its 'default' connection for work outside its transactions.
  const manager = sequelize.connectionManager as unknown as { getConnection(options: object): Promise<RawConnection> };
  return manager.getConnection({});
}

function statementHead({ table, columns }: RowInsert, dialect: SqlDialect): string {
  const quote = quoter(dialect);
  return `INSERT INTO ${quote(table)} (${columns.map(quote).join(',')})`;
}

function conflictClause({ columns, onConflict }: RowInsert, dialect: SqlDialect): string {
  if (onConflict === 'fail') return '';
  const quote = quoter(dialect);
  if (dialect !== 'mysql') {
    if (onConflict === 'keep') return ' ON CONFLICT DO NOTHING';
    return ` ON CONFLICT (${onConflict.key.map(quote).join(',')}) DO UPDATE SET ${onConflict.update.map((c) => `${quote(c)}=excluded.${quote(c)}`).join(',')}`;
  }
  // MySQL/MariaDB: a no-op update keeps the stored row and, unlike INSERT IGNORE, turns no other error into a warning.
  const first = quote(columns[0]!);
  if (onConflict === 'keep') return ` ON DUPLICATE KEY UPDATE ${first}=${first}`;
  return ` ON DUPLICATE KEY UPDATE ${onConflict.update.map((c) => `${quote(c)}=VALUES(${quote(c)})`).join(',')}`;
}

/**
 * Sequelize's text for a DATE(3) value: '2026-11-27 17:23:32.298 +00:00' on SQLite and
 * PostgreSQL (TIMESTAMP WITH TIME ZONE), without the zone on MySQL (UTC sessions).
 */
function formatDate(date: Date, dialect: SqlDialect): string {
  const time = date.getTime();
  let text = formattedDates.get(time);
  if (text === undefined) {
    if (formattedDates.size >= FORMATTED_DATES_KEPT) formattedDates.clear();
    text = date.toISOString().replace('T', ' ').replace('Z', '');
    formattedDates.set(time, text);
  }
  return dialect === 'mysql' ? text : `${text} +00:00`;
}

/**
 * Dates formatted lately, by epoch ms: a commit's transitions and task rows fall in a few
 * milliseconds (a commit of 64 tasks writes about 260 dates, a few distinct), and
 * `toISOString` was a fifth of the CPU of building a commit's SQL on SQLite.
 */
const formattedDates = new Map<number, string>();
const FORMATTED_DATES_KEPT = 256;

/** An identifier quoted for the dialect. */
export function quoteIdentifier(identifier: string, dialect: SqlDialect): string {
  return quoter(dialect)(identifier);
}

/** Backquotes on MySQL and SQLite (which reads them too), SQL's double quotes on PostgreSQL. */
function quoter(dialect: SqlDialect): (identifier: string) => string {
  return dialect === 'postgres' ? quoteStandard : quoteBackquoted;
}

function quoteBackquoted(identifier: string): string {
  return `\`${identifier.replace(/`/g, '``')}\``;
}

function quoteStandard(identifier: string): string {
  return `"${identifier.replace(/"/g, '""')}"`;
}
