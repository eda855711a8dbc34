/**
 * The `cursor` of `GET /api/executions`: where the next page starts, as the last execution of
 * the page (its creation time and id), encoded as base64url JSON so that scripts pass it back
 * as it is. A cursor stays valid while executions are added: a new execution is newer than every
 * cursor, so pages never shift.
 */
import { DashboardRequestError } from '../errors.js';
import type { ExecutionRecord } from '../store/records.js';

export function encodeCursor(record: Pick<ExecutionRecord, 'createdAt' | 'id'>): string {
  return Buffer.from(JSON.stringify([record.createdAt.getTime(), record.id]), 'utf8').toString('base64url');
}

/** @throws DashboardRequestError (BAD_REQUEST) for a cursor this module did not make */
export function decodeCursor(cursor: string): { createdAt: Date; id: string } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    parsed = undefined;
  }
  if (Array.isArray(parsed) && parsed.length === 2 && Number.isFinite(parsed[0]) && typeof parsed[1] === 'string') {
    return { createdAt: new Date(parsed[0] as number), id: parsed[1] };
  }
  throw new DashboardRequestError('BAD_REQUEST', 400, `Invalid cursor ${JSON.stringify(cursor)}: pass back the nextCursor of a previous page.`);
}
