/**
 * What every API request must pass before a route runs:
 * - with a token configured, `Authorization: Bearer <token>` (compared in constant time): the token
 *   travels in that header only, never in a cookie, so a page of another site cannot send it;
 * - a POST (an action) must have a JSON body (`Content-Type: application/json`): an HTML form
 *   cannot send one, and a cross-site `fetch` with it needs a CORS preflight this server never
 *   grants; when the request says where it comes from (`Origin`), that must be this host.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { DashboardRequestError } from '../errors.js';

function digest(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

/** Throws UNAUTHORIZED (401) unless the request carries the token. */
export function checkToken(request: FastifyRequest, token: string | undefined): void {
  if (token === undefined) return;
  const header = request.headers.authorization;
  const match = typeof header === 'string' ? /^Bearer (.+)$/i.exec(header.trim()) : null;
  if (!match || !timingSafeEqual(digest(match[1]!), digest(token))) {
    throw new DashboardRequestError(
      'UNAUTHORIZED',
      401,
      match ? 'The bearer token is wrong.' : 'This dashboard requires a token: send the header Authorization: Bearer <token>.',
    );
  }
}

/** Throws UNSUPPORTED_MEDIA_TYPE (415) or FORBIDDEN_ORIGIN (403) for a request that may be cross-site. */
export function checkActionRequest(request: FastifyRequest): void {
  const type = request.headers['content-type'];
  if (typeof type !== 'string' || !/^application\/json\s*(;|$)/i.test(type)) {
    throw new DashboardRequestError('UNSUPPORTED_MEDIA_TYPE', 415, `Actions take a JSON body (Content-Type: application/json), not ${JSON.stringify(type ?? 'none')}.`);
  }
  const origin = request.headers.origin;
  if (typeof origin === 'string' && origin !== 'null') {
    let host: string | undefined;
    try {
      host = new URL(origin).host;
    } catch {
      host = undefined;
    }
    if (host !== request.headers.host) {
      throw new DashboardRequestError('FORBIDDEN_ORIGIN', 403, `Refused an action from origin ${JSON.stringify(origin)}: only pages of this dashboard may act.`);
    }
  } else if (origin === 'null') {
    throw new DashboardRequestError('FORBIDDEN_ORIGIN', 403, 'Refused an action from an opaque origin.');
  }
}
