/**
 * Query string values of the JSON API, checked: each parser names the parameter and the value it
 * refused (DashboardRequestError BAD_REQUEST, HTTP 400).
 */
import { DashboardRequestError } from '../errors.js';
import type { ExecutionStatus } from '../store/records.js';

const EXECUTION_STATUSES: readonly ExecutionStatus[] = ['pending', 'running', 'succeeded', 'failed', 'cancelled'];

export type Query = Record<string, string | string[] | undefined>;

function refuse(name: string, value: string, expected: string): never {
  throw new DashboardRequestError('BAD_REQUEST', 400, `Invalid query parameter ${name}=${JSON.stringify(value)}: expected ${expected}.`);
}

/** The parameter's one value (the last, when repeated), or undefined when absent or empty. */
export function single(query: Query, name: string): string | undefined {
  const value = query[name];
  const last = Array.isArray(value) ? value[value.length - 1] : value;
  return last === undefined || last === '' ? undefined : last;
}

export function integerParam(query: Query, name: string, min: number, max = Number.MAX_SAFE_INTEGER): number | undefined {
  const text = single(query, name);
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(value) || value < min || value > max) refuse(name, text, `an integer from ${min} to ${max}`);
  return value;
}

/** `status=failed,cancelled` or the parameter repeated. */
export function statusParam(query: Query, name: string): ExecutionStatus[] | undefined {
  const raw = query[name];
  if (raw === undefined || raw === '') return undefined;
  const values = ([] as string[]).concat(raw).flatMap((part) => part.split(',')).map((part) => part.trim()).filter((part) => part !== '');
  for (const value of values) {
    if (!(EXECUTION_STATUSES as readonly string[]).includes(value)) refuse(name, value, EXECUTION_STATUSES.join(', '));
  }
  return values.length === 0 ? undefined : (values as ExecutionStatus[]);
}

/** An ISO 8601 time or epoch milliseconds. */
export function timeParam(query: Query, name: string): Date | undefined {
  const text = single(query, name);
  if (text === undefined) return undefined;
  const date = /^\d+$/.test(text) ? new Date(Number(text)) : new Date(text);
  if (Number.isNaN(date.getTime())) refuse(name, text, 'an ISO 8601 time or epoch milliseconds');
  return date;
}

export function booleanParam(query: Query, name: string): boolean {
  const text = single(query, name);
  if (text === undefined) return false;
  if (text === 'true' || text === '1') return true;
  if (text === 'false' || text === '0') return false;
  return refuse(name, text, 'true or false');
}
