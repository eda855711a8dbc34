/**
 * Splits the rows of a multi-row INSERT so that one statement stays well under MySQL's
 * max_allowed_packet (16 MB by default on MariaDB) and SQLite's statement limits: at most 500
 * rows, and at most about 4 MB of JSON/text per statement.
 */
import { Buffer } from 'node:buffer';

export const MAX_ROWS_PER_STATEMENT = 500;
export const MAX_BYTES_PER_STATEMENT = 4 * 1024 * 1024;

/**
 * @example
 * chunkRows([1, 2, 3], () => 0, 2); // [[1, 2], [3]]
 */
export function chunkRows<T>(
  rows: readonly T[],
  sizeOf: (row: T) => number = () => 0,
  maxRows: number = MAX_ROWS_PER_STATEMENT,
  maxBytes: number = MAX_BYTES_PER_STATEMENT,
): T[][] {
  const chunks: T[][] = [];
  let current: T[] = [];
  let bytes = 0;
  for (const row of rows) {
    const size = sizeOf(row);
    if (current.length > 0 && (current.length >= maxRows || bytes + size > maxBytes)) {
      chunks.push(current);
      current = [];
      bytes = 0;
    }
    current.push(row);
    bytes += size;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}

/** The approximate size in bytes, in a statement, of the given text columns. */
export function textSize(...values: Array<string | null>): number {
  let size = 0;
  for (const value of values) size += value === null ? 4 : Buffer.byteLength(value, 'utf8') + 2;
  return size;
}
