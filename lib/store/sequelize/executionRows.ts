/**
 * One execution's rows of one table, in key order (task rows by task id, the log by seq), only
 * the columns asked for: on SQLite as JSON pages built by the database (sqliteJsonPages.ts), on
 * MySQL/MariaDB and PostgreSQL by one plain SELECT through `sequelize.query`, not the model's
 * `findAll` (which converts every column of every row through the model: a 100,000-task
 * execution's rows took seconds to read back).
 */
import { QueryTypes } from 'sequelize';
import type { Sequelize } from 'sequelize';
import { readJsonPages } from './sqliteJsonPages.js';
import type { JsonPagesQuery } from './sqliteJsonPages.js';

export async function readExecutionRows(sequelize: Sequelize, query: JsonPagesQuery): Promise<Record<string, unknown>[]> {
  if (sequelize.getDialect() === 'sqlite') return readJsonPages(sequelize, query);
  const quote = (name: string) => sequelize.getQueryInterface().quoteIdentifier(name);
  const { table, columns, key, executionId, after } = query;
  const where = `execution_id = ?${after === undefined ? '' : ` AND ${quote(key)} > ?`}`;
  return sequelize.query(`SELECT ${columns.map(quote).join(', ')} FROM ${quote(table)} WHERE ${where} ORDER BY ${quote(key)} ASC`, {
    replacements: after === undefined ? [executionId] : [executionId, after],
    type: QueryTypes.SELECT,
    raw: true,
  }) as unknown as Promise<Record<string, unknown>[]>;
}
