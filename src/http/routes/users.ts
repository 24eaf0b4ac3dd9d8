import { Type } from 'typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { RouteModule } from '../app.ts';
import {
  DateTime,
  ErrorBody,
  errorResponses,
  IdParams,
  ListOf,
  Nullable,
  NullableDateTime,
  PagingQuery,
  StringEnum,
} from '../schema-types.ts';
import { listBody, parsePaging } from '../pagination.ts';
import { ROLES } from '../../modules/access/roles.ts';
import { createUser } from '../../modules/users/create-user.ts';
import { disableUser } from '../../modules/users/disable-user.ts';
import { listUsers } from '../../modules/users/list-users.ts';
import { createLoginLink } from '../../modules/users/login-links.ts';
import { updateUser } from '../../modules/users/update-user.ts';
import { openEmail } from '../../modules/users/user-email.ts';
import { presentUser } from '../../modules/users/user.presenter.ts';
import { toIso } from '../../lib/time.ts';
import type { UserTable } from '../../db/tables/users.ts';

const Pages = Nullable(Type.Array(Type.String()), {
  description: 'the Pages the account is limited to; null: every Page',
});

export const UserSchema = Type.Object({
  id: Type.String(),
  email: Type.String(),
  role: StringEnum(ROLES),
  pages: Pages,
  status: StringEnum(['active', 'locked', 'disabled', 'invited'], {
    description: 'invited: has not set a password yet; locked: too many wrong passwords, for a while',
  }),
  created_at: DateTime(),
  password_changed_at: NullableDateTime(),
  disabled_at: NullableDateTime(),
});

const LoginLinkSchema = Type.Object({
  id: Type.String({ description: 'the account' }),
  login_url: Type.String({ description: 'one-time sign-in link, valid 24 hours; shown once, only its hash is kept' }),
  expires_at: DateTime(),
});

const PageIds = Type.Array(Type.String({ maxLength: 64 }), {
  maxItems: 1000,
  description: 'the Pages the account is limited to; empty or absent: every Page',
});

const UserParams = IdParams('userId', { maxLength: 64 });

/**
 * The people who sign in, for owners and admins (`users:manage`): list, add (with a one-time sign-in link), change
 * role or Pages, a new link, disable. The same commands as `pagescope users`; an admin never grants or touches an
 * owner, nobody disables or demotes themselves or the last owner.
 */
export const userRoutes: RouteModule = (server, ctx) => {
  const app = server.withTypeProvider<TypeBoxTypeProvider>();
  const view = (row: UserTable) => presentUser(row, openEmail(ctx, row), ctx.clock.now());

  app.get(
    '/api/v1/users',
    {
      config: { auth: 'token' },
      schema: {
        tags: ['users'],
        summary: 'Accounts of people who sign in (owner, admin): never a password or its hash',
        querystring: PagingQuery,
        response: { 200: ListOf(UserSchema), ...errorResponses },
      },
    },
    async (req) => {
      const { limit, cursor } = parsePaging(req.query);
      const { rows, nextCursor } = await listUsers(ctx, req.actor!, cursor, limit);
      const now = ctx.clock.now();
      return listBody(
        rows.map((u) => presentUser(u.row, u.email, now)),
        nextCursor,
      );
    },
  );

  app.post(
    '/api/v1/users',
    {
      config: { auth: 'token' },
      schema: {
        tags: ['users'],
        summary: 'Add an account (owner, admin); the answer carries its one-time sign-in link, shown this once',
        description:
          'The person opens the link within 24 hours and sets a password. 409 when an account has this email; only an owner adds an owner.',
        body: Type.Object(
          {
            email: Type.String({ minLength: 3, maxLength: 320 }),
            role: StringEnum(ROLES),
            pages: Type.Optional(PageIds),
          },
          { additionalProperties: false },
        ),
        response: {
          201: Type.Object({ ...UserSchema.properties, login_url: LoginLinkSchema.properties.login_url }),
          409: ErrorBody,
          ...errorResponses,
        },
      },
    },
    async (req, reply) => {
      const r = await createUser(ctx, req.actor!, {
        email: req.body.email,
        role: req.body.role,
        pageIds: req.body.pages ?? [],
      });
      return reply.status(201).send({ ...presentUser(r.user, r.email, ctx.clock.now()), login_url: r.login_url });
    },
  );

  app.patch(
    '/api/v1/users/:userId',
    {
      config: { auth: 'token' },
      schema: {
        tags: ['users'],
        summary: "Change an account's role or Pages (owner, admin); it applies from the account's next request",
        params: UserParams,
        body: Type.Object(
          { role: Type.Optional(StringEnum(ROLES)), pages: Type.Optional(PageIds) },
          { additionalProperties: false, minProperties: 1 },
        ),
        response: { 200: UserSchema, 409: ErrorBody, ...errorResponses },
      },
    },
    async (req) => {
      const { role, pages } = req.body;
      return view(
        await updateUser(ctx, req.actor!, req.params.userId, {
          ...(role !== undefined ? { role } : {}),
          ...(pages !== undefined ? { pageIds: pages } : {}),
        }),
      );
    },
  );

  app.post(
    '/api/v1/users/:userId/login-link',
    {
      config: { auth: 'token' },
      schema: {
        tags: ['users'],
        summary: 'A new one-time sign-in link for an account (owner, admin): an invitation again, or a way back in',
        params: UserParams,
        response: { 201: LoginLinkSchema, 409: ErrorBody, ...errorResponses },
      },
    },
    async (req, reply) => {
      const l = await createLoginLink(ctx, req.actor!, req.params.userId);
      return reply.status(201).send({ id: req.params.userId, login_url: l.login_url, expires_at: toIso(l.expires_at) });
    },
  );

  app.post(
    '/api/v1/users/:userId/disable',
    {
      config: { auth: 'token' },
      schema: {
        tags: ['users'],
        summary: 'Disable an account (owner, admin): its sessions end at once and it can no longer sign in',
        params: UserParams,
        response: { 200: UserSchema, 409: ErrorBody, ...errorResponses },
      },
    },
    async (req) => view(await disableUser(ctx, req.actor!, req.params.userId)),
  );
};
