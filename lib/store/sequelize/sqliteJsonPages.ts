/**
 * Reading many rows of one execution from SQLite as JSON pages: the database builds each page of
 * rows as one JSON array of objects (`json_group_array(json_object(...))`), and the store parses
 * it with one `JSON.parse`.
 *
 * Why: node-sqlite3 builds every value of every row as its own JavaScript value on the main
 * thread, which made reading a 100,000-task execution's 100,000 task rows or 200,000 transitions
 * take most of a `getExecution`, `replay` or `verifyReplay` (measured: 0.6-1.4 s for the task rows
 * as rows, 0.25-0.33 s as JSON). SQLite builds the JSON in its own thread; V8 parses it faster
 * than the binding builds rows.
 *
 * The values are those of a row read: text stays text (JSON columns are parsed by the caller as
 * before), integers are numbers, NULL is null. Pages are `PAGE_ROWS` rows, by the key after the
 * last one read, so no single string grows with the execution (V8 caps a string near 512 MB, and
 * SQLite a value at 1 GB): a page that is still too big for one (huge outputs) is read as rows.
 */
import { QueryTypes } from 'sequelize';
import type { Sequelize } from 'sequelize';

const PAGE_ROWS = 5_000;

export interface JsonPagesQuery {
  table: string;
  columns: readonly string[];
  /** The column the rows are ordered and paged by (unique within the execution). */
  key: string;
  executionId: string;
  /** Only rows whose key is greater. */
  after?: number | string;
}

/** The execution's rows of `table`, by `key`, each an object of `columns`. */
export async function readJsonPages(sequelize: Sequelize, query: JsonPagesQuery): Promise<Record<string, unknown>[]> {
  const quote = (name: string) => sequelize.getQueryInterface().quoteIdentifier(name);
  const { table, columns, key, executionId } = query;
  const fields = columns.map((column) => `'${column}', ${quote(column)}`).join(', ');
  const rows: Record<string, unknown>[] = [];
  let after = query.after;
  for (;;) {
    const where = `execution_id = ?${after === undefined ? '' : ` AND ${quote(key)} > ?`}`;
    const replacements = after === undefined ? [executionId] : [executionId, after];
    const page = await readPage(sequelize, {
      json: `SELECT json_group_array(json_object(${fields})) AS page FROM (SELECT ${columns.map(quote).join(', ')} FROM ${quote(table)} WHERE ${where} ORDER BY ${quote(key)} LIMIT ${PAGE_ROWS})`,
      rows: `SELECT ${columns.map(quote).join(', ')} FROM ${quote(table)} WHERE ${where} ORDER BY ${quote(key)} LIMIT ${PAGE_ROWS}`,
      replacements,
    });
    for (const row of page) rows.push(row);
    if (page.length < PAGE_ROWS) return inKeyOrder(rows, key);
    after = page[page.length - 1]![key] as number | string;
  }
}

async function readPage(sequelize: Sequelize, page: { json: string; rows: string; replacements: unknown[] }): Promise<Record<string, unknown>[]> {
  const select = (sql: string) => sequelize.query(sql, { replacements: page.replacements, type: QueryTypes.SELECT, raw: true }) as unknown as Promise<Record<string, unknown>[]>;
  let text: unknown;
  try {
    [{ page: text }] = (await select(page.json)) as [{ page: unknown }];
  } catch (error) {
    if (!isTooBig(error)) throw error;
    return select(page.rows);
  }
  return JSON.parse(String(text)) as Record<string, unknown>[];
}

/** SQLite's "string or blob too big", or the binding failing to make a string that long. */
function isTooBig(error: unknown): boolean {
  const message = error instanceof Error ? `${error.message} ${String((error as { parent?: unknown }).parent ?? '')}` : String(error);
  return /too big|SQLITE_TOOBIG|string longer than|Invalid string length/i.test(message);
}

/**
 * The rows by key. The subquery's ORDER BY orders the aggregate in every SQLite this store has
 * met, but SQL does not promise it (an aggregate's own ORDER BY needs SQLite 3.44): checked, and
 * sorted only if it did not hold.
 */
function inKeyOrder(rows: Record<string, unknown>[], key: string): Record<string, unknown>[] {
  for (let index = 1; index < rows.length; index += 1) {
    if ((rows[index - 1]![key] as number | string) >= (rows[index]![key] as number | string)) {
      return rows.sort((a, b) => ((a[key] as number | string) < (b[key] as number | string) ? -1 : 1));
    }
  }
  return rows;
}
