import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AppContext } from '../kernel/context.ts';
import type { Actor } from '../modules/access/actor.ts';
import { authenticate } from '../modules/access/authenticate.ts';
import { csrfMatches, resolveSession } from '../modules/users/sessions.ts';
import { AppError, isAppError } from '../errors.ts';
import { parseCookies, SESSION_COOKIE, sessionCookie } from './cookies.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** Set when the request was authenticated by the session cookie (not by a bearer token). */
    userSession?: { id: string; csrfToken: string };
  }
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Whether the request reached us over TLS (the server trusts no proxy header). */
export function overHttps(req: FastifyRequest): boolean {
  return req.protocol === 'https';
}

/**
 * Who a request acts as: a bearer token when an Authorization header is sent (it wins over any cookie), else the
 * session cookie. A cookie-authenticated request that changes anything must carry the session's `x-csrf-token`
 * (403 `csrf_failed`): a cookie is sent by the browser on its own, a header only by our own page. An unknown,
 * expired or revoked session answers 401 `session_expired` and clears the cookie.
 */
export async function authenticateRequest(ctx: AppContext, req: FastifyRequest, reply: FastifyReply): Promise<Actor> {
  const cookie =
    req.headers.authorization === undefined ? parseCookies(req.headers.cookie).get(SESSION_COOKIE) : undefined;
  if (cookie === undefined || cookie === '')
    return authenticate(ctx, req.headers.authorization, String(req.id), req.ip);
  try {
    const s = await resolveSession(ctx, cookie, String(req.id));
    if (!SAFE_METHODS.has(req.method) && !csrfMatches(s.csrfToken, headerOf(req, 'x-csrf-token'))) {
      throw new AppError(
        'csrf_failed',
        'a change made with the session cookie needs the x-csrf-token header (its value is in GET /api/v1/me)',
      );
    }
    req.userSession = { id: s.session.id, csrfToken: s.csrfToken };
    return s.actor;
  } catch (err) {
    if (isAppError(err) && err.code === 'session_expired')
      void reply.header('set-cookie', sessionCookie(null, { secure: overHttps(req) }));
    throw err;
  }
}

function headerOf(req: FastifyRequest, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}
