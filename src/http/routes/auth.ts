import { Type } from 'typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { RouteModule } from '../app.ts';
import { ErrorBody, errorResponses, Nullable, StringEnum } from '../schema-types.ts';
import { ROLES } from '../../modules/access/roles.ts';
import { sessionCookie } from '../cookies.ts';
import { overHttps } from '../session-auth.ts';
import { AppError } from '../../errors.ts';
import type { OpenedSession } from '../../modules/users/sessions.ts';
import { presentMe, presentPasswordChange, presentSignedIn } from '../../modules/users/user.presenter.ts';
import { setPassword } from '../../modules/users/set-password.ts';
import { signIn, signInWithLink, signOut } from '../../modules/users/sign-in.ts';
import { currentUser } from '../../modules/users/current-user.ts';

export const SignedInUserSchema = Type.Object({
  id: Type.String(),
  email: Type.String(),
  role: StringEnum(ROLES),
  pages: Nullable(Type.Array(Type.String()), { description: 'the Pages the account is limited to; null: every Page' }),
});

const MeSchema = Type.Object(
  {
    user: Type.Optional(SignedInUserSchema),
    csrf_token: Type.Optional(
      Type.String({ description: 'send it as x-csrf-token with every change made with the session cookie' }),
    ),
    token: Type.Optional(
      Type.Object({ id: Type.String(), role: Type.String(), pages: Nullable(Type.Array(Type.String())) }),
    ),
  },
  { description: 'either `user` and `csrf_token` (a session) or `token` (a bearer token)' },
);

const limited = { 429: ErrorBody };

function setSession(req: FastifyRequest, reply: FastifyReply, session: OpenedSession, now: number): void {
  void reply.header(
    'set-cookie',
    sessionCookie(session.token, { secure: overHttps(req), maxAgeSeconds: (session.expiresAt - now) / 1000 }),
  );
}

/**
 * Sign-in for people: password sign-in and one-time links open a session held in an HttpOnly cookie; `me` tells a
 * browser who it is and its CSRF token; sign-out and password changes. Thin: each calls one command of the users
 * module.
 */
export const authRoutes: RouteModule = (server, ctx) => {
  const app = server.withTypeProvider<TypeBoxTypeProvider>();
  app.post(
    '/api/v1/auth/login',
    {
      config: { auth: 'public' },
      schema: {
        tags: ['auth'],
        summary:
          'Sign in with an email and a password; answers the account and sets the session cookie (HttpOnly, SameSite=Lax)',
        description:
          'Every refusal is 401 `invalid_credentials`, whether the email is unknown, the password wrong, or the account locked ' +
          '(after PAGESCOPE_LOGIN_LOCK_AFTER wrong passwords, for PAGESCOPE_LOGIN_LOCK_MINUTES) or disabled. An address that ' +
          'fails too often in a minute is answered 429 `too_many_attempts` with Retry-After.',
        security: [],
        body: Type.Object(
          {
            email: Type.String({ minLength: 1, maxLength: 320 }),
            password: Type.String({ minLength: 1, maxLength: 1024 }),
          },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ user: SignedInUserSchema }), ...errorResponses, ...limited },
      },
    },
    async (req, reply) => {
      const r = await signIn(ctx, req.body, { source: req.ip, requestId: String(req.id) });
      setSession(req, reply, r.session, ctx.clock.now());
      return { user: presentSignedIn(r.user, r.email) };
    },
  );

  app.get(
    '/login/:token',
    {
      config: { auth: 'public' },
      schema: {
        tags: ['auth'],
        summary:
          'A one-time sign-in link (24 hours): opens a session, sets the cookie and redirects (303) to / — to /?set_password=1 when the account has no password yet',
        security: [],
        params: Type.Object({ token: Type.String({ maxLength: 200 }) }),
        response: { ...errorResponses, ...limited },
      },
    },
    async (req, reply) => {
      const r = await signInWithLink(ctx, req.params.token, { source: req.ip, requestId: String(req.id) });
      setSession(req, reply, r.session, ctx.clock.now());
      // The link must not linger in a Referer or a shared history entry beyond this answer.
      void reply.header('referrer-policy', 'no-referrer').header('cache-control', 'no-store');
      return reply.redirect(r.needsPassword ? '/?set_password=1' : '/', 303);
    },
  );

  app.post(
    '/api/v1/auth/logout',
    {
      config: { auth: 'token' },
      schema: {
        tags: ['auth'],
        summary: 'Sign out: ends this session at once and clears the cookie (needs x-csrf-token)',
        response: { 204: Type.Null(), ...errorResponses },
      },
    },
    async (req, reply) => {
      await signOut(ctx, req.actor!);
      return reply
        .status(204)
        .header('set-cookie', sessionCookie(null, { secure: overHttps(req) }))
        .send(null);
    },
  );

  app.get(
    '/api/v1/me',
    {
      config: { auth: 'token' },
      schema: {
        tags: ['auth'],
        summary: 'Who the request acts as: the signed-in account and its CSRF token, or the bearer token',
        response: { 200: MeSchema, ...errorResponses },
      },
    },
    async (req) => {
      const actor = req.actor!;
      if (actor.type === 'user') {
        if (!req.userSession) throw new AppError('session_expired', 'the session has ended; sign in again');
        const { row, email } = await currentUser(ctx, actor);
        return presentMe({ user: presentSignedIn(row, email), csrfToken: req.userSession.csrfToken });
      }
      return presentMe({ actor });
    },
  );

  app.post(
    '/api/v1/auth/password',
    {
      config: { auth: 'token' },
      schema: {
        tags: ['auth'],
        summary: "Set the signed-in account's password (12+ characters, not the email); ends its other sessions",
        description:
          '`current_password` is required unless the session was opened by a sign-in link. Needs x-csrf-token.',
        body: Type.Object(
          {
            current_password: Type.Optional(Type.String({ maxLength: 1024 })),
            new_password: Type.String({ minLength: 1, maxLength: 1024 }),
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({
            sessions_revoked: Type.Integer({ description: 'other sessions of the account that were ended' }),
          }),
          ...errorResponses,
        },
      },
    },
    async (req) => {
      const body = req.body;
      const r = await setPassword(ctx, req.actor!, {
        newPassword: body.new_password,
        ...(body.current_password !== undefined && { currentPassword: body.current_password }),
      });
      return presentPasswordChange(r);
    },
  );
};
