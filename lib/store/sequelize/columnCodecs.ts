/**
 * Conversions between record values and column values, the same on every dialect.
 *
 * JSON: the store serialises with JSON.stringify itself and reads text back (JSON columns come
 * back as text on MariaDB, on MySQL with `jsonStrings`, and on SQLite where they are TEXT), so a
 * stored JSON string such as "123" is never parsed twice. For fields typed `unknown` (input,
 * task output, snapshot) JSON `null` is stored as the text 'null' and `undefined` as SQL NULL,
 * so both come back as they went in. For fields typed `T | null`, null is SQL NULL.
 *
 * Free text (a log message, a span name): PostgreSQL's text cannot hold the character U+0000,
 * and refuses the whole row; there it is stored as U+FFFD (the replacement character), so a log
 * record holding one is written rather than retried for ever. JSON never holds it raw (it is
 * written as the escape \u0000), and ids are stored exactly or not at all.
 *
 * Dates: MySQL returns Date objects; SQLite returns the text Sequelize wrote
 * ('2024-05-01 12:00:00.123 +00:00'). Both become Date objects with their milliseconds.
 */
import { Buffer } from 'node:buffer';
import type { SqlDialect } from './parseStorageUrl.js';

/** Free text as the dialect can hold it: U+0000 becomes U+FFFD on PostgreSQL. */
export function toText(text: string, dialect: SqlDialect): string {
  return dialect === 'postgres' && text.includes('\u0000') ? text.replaceAll('\u0000', '\uFFFD') : text;
}

/** `undefined` → SQL NULL, anything else (null included) → its JSON text. */
export function toJson(value: unknown): string | null {
  if (value === undefined) return null;
  const json = JSON.stringify(value);
  return json === undefined ? null : json;
}

/** null → SQL NULL; for `T | null` fields. */
export function toNullableJson(value: unknown): string | null {
  return value === null || value === undefined ? null : toJson(value);
}

/** SQL NULL → undefined; for fields typed `unknown`. */
export function fromJson(value: unknown): unknown {
  if (value === null || value === undefined) return undefined;
  return parseJsonColumn(value);
}

/** SQL NULL → null; for `T | null` fields. */
export function fromNullableJson<T>(value: unknown): T | null {
  if (value === null || value === undefined) return null;
  return parseJsonColumn(value) as T;
}

function parseJsonColumn(value: unknown): unknown {
  if (typeof value === 'string') return JSON.parse(value);
  if (Buffer.isBuffer(value)) return JSON.parse(value.toString('utf8'));
  return value; // a number from a NUMERIC-affinity SQLite column, or a value a driver parsed already
}

export function fromDate(value: unknown): Date {
  const date = fromNullableDate(value);
  if (date === null) throw new TypeError('A required date column is NULL');
  return date;
}

export function fromNullableDate(value: unknown): Date | null {
  if (value === null || value === undefined) return null;
  if (value instanceof Date) return value;
  if (typeof value === 'number') return new Date(value);
  if (typeof value === 'string') return parseDateText(value);
  throw new TypeError(`Unexpected date column value ${String(value)}`);
}

/**
 * What this store writes on SQLite: 'YYYY-MM-DD HH:MM:SS.mmm +00:00'. Read digit by digit: a
 * 100,000-task execution's task rows hold 200,000 of them, and the general pattern below took a
 * sixth of reading those rows back.
 */
const WRITTEN_DATE_ZONE = ' +00:00';

function parseWrittenDate(text: string): Date | null {
  if (text.length !== 30 || !text.endsWith(WRITTEN_DATE_ZONE)) return null;
  const separators = text[4] === '-' && text[7] === '-' && text[10] === ' ' && text[13] === ':' && text[16] === ':' && text[19] === '.';
  const year = digitsAt(text, 0, 4);
  const month = digitsAt(text, 5, 2);
  const day = digitsAt(text, 8, 2);
  const hour = digitsAt(text, 11, 2);
  const minute = digitsAt(text, 14, 2);
  const second = digitsAt(text, 17, 2);
  const millisecond = digitsAt(text, 20, 3);
  if (!separators || (year | month | day | hour | minute | second | millisecond) < 0) return null;
  return new Date(Date.UTC(year, month - 1, day, hour, minute, second, millisecond));
}

/** The number written by `count` decimal digits at `start`; -1 when one of them is not a digit. */
function digitsAt(text: string, start: number, count: number): number {
  let value = 0;
  for (let index = start; index < start + count; index += 1) {
    const digit = text.charCodeAt(index) - 48;
    if (digit < 0 || digit > 9) return -1;
    value = value * 10 + digit;
  }
  return value;
}

const DATE_TEXT = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))?\s*(Z|[+-]\d{2}:?\d{2})?$/;

function parseDateText(text: string): Date {
  const written = parseWrittenDate(text);
  if (written) return written;
  const match = DATE_TEXT.exec(text);
  if (!match) {
    const parsed = new Date(text);
    if (Number.isNaN(parsed.getTime())) throw new TypeError(`Unreadable date column value ${JSON.stringify(text)}`);
    return parsed;
  }
  const [, year, month, day, hour, minute, second, fraction = '0', zone = 'Z'] = match;
  const milliseconds = Math.round(Number(`0.${fraction}`) * 1000);
  const utc = Date.UTC(Number(year), Number(month) - 1, Number(day), Number(hour), Number(minute), Number(second), milliseconds);
  return new Date(utc - zoneOffsetMs(zone));
}

function zoneOffsetMs(zone: string): number {
  if (zone === 'Z') return 0;
  const sign = zone.startsWith('-') ? -1 : 1;
  const digits = zone.slice(1).replace(':', '');
  return sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4))) * 60_000;
}

export function fromNullableString(value: unknown): string | null {
  return value === null || value === undefined ? null : String(value);
}

export function fromNullableNumber(value: unknown): number | null {
  return value === null || value === undefined ? null : Number(value);
}
