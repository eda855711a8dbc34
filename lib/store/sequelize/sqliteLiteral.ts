/**
 * A value written as an SQLite literal, for statements sent as text (sqliteCommit.ts): NULL,
 * a number, a quoted string (quotes doubled), or, for a string holding a NUL character (which
 * the SQL text, a C string, cannot carry), its UTF-8 bytes as a blob cast back to TEXT. Only the
 * kinds of value the store writes are accepted; anything else is an error, never a guess.
 *
 * @example
 * sqliteLiteral("it's")   // "'it''s'"
 * sqliteLiteral(null)     // 'NULL'
 * sqliteLiteral('a\u0000b') // "CAST(X'610062' AS TEXT)"
 */
import { Buffer } from 'node:buffer';

export function sqliteLiteral(value: unknown): string {
  if (value === null || value === undefined) return 'NULL';
  if (typeof value === 'string') {
    if (value.includes('\u0000')) return `CAST(X'${Buffer.from(value, 'utf8').toString('hex')}' AS TEXT)`;
    return `'${value.replace(/'/g, "''")}'`;
  }
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new TypeError(`Cannot write ${value} to SQLite`);
    return String(value);
  }
  if (typeof value === 'boolean') return value ? '1' : '0';
  throw new TypeError(`Cannot write a ${typeof value} to SQLite as a literal`);
}

/** A statement with `?` parameters as SQL text with their literals in place. */
export function inlineParameters(sql: string, params: readonly unknown[]): string {
  const pieces = sql.split('?');
  if (pieces.length - 1 !== params.length) throw new Error(`inlineParameters: ${pieces.length - 1} placeholders for ${params.length} parameters`);
  let text = pieces[0]!;
  for (let i = 0; i < params.length; i++) text += sqliteLiteral(params[i]) + pieces[i + 1]!;
  return text;
}
