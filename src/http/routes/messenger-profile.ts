import { Type } from 'typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { RouteModule } from '../app.ts';
import { AnyObject, errorResponses, IdParams, Nullable, NullableDateTime, StringEnum } from '../schema-types.ts';
import { getMessengerProfile, putMessengerProfile } from '../../modules/messenger-profile/messenger-profile.ts';

const List = (description: string) => Type.Optional(Nullable(Type.Array(AnyObject()), { description }));

export const MessengerProfileSchema = Type.Object({
  page_id: Type.String(),
  get_started: Nullable(AnyObject()),
  greeting: Nullable(Type.Array(AnyObject())),
  ice_breakers: Nullable(Type.Array(AnyObject())),
  persistent_menu: Nullable(Type.Array(AnyObject())),
  push: Nullable(
    Type.Object({
      status: StringEnum(['pending', 'pushed', 'failed'] as const),
      pushed_at: NullableDateTime(),
      next_attempt_at: NullableDateTime({
        description: 'when a pending push goes to Meta (its 10 calls/10 min limit)',
      }),
      error: Nullable(Type.Object({ code: Nullable(Type.Integer()), message: Type.String() }), {
        description: "Meta's error for the last push",
      }),
    }),
  ),
  updated_at: NullableDateTime(),
});

/** A Page's Messenger profile: read it, replace it (pushed to Meta's Messenger Profile API in the background). */
export const messengerProfileRoutes: RouteModule = (server, ctx) => {
  const app = server.withTypeProvider<TypeBoxTypeProvider>();
  app.get(
    '/api/v1/pages/:pageId/messenger-profile',
    {
      config: { auth: 'token' },
      schema: {
        tags: ['messenger profile'],
        summary:
          "A Page's Get Started, greeting, ice breakers and persistent menu, and the state of their push to Meta",
        params: IdParams('pageId'),
        response: { 200: MessengerProfileSchema, ...errorResponses },
      },
    },
    async (req) => getMessengerProfile(ctx, req.actor!, req.params.pageId),
  );

  app.put(
    '/api/v1/pages/:pageId/messenger-profile',
    {
      config: { auth: 'token' },
      schema: {
        tags: ['messenger profile'],
        summary:
          "Replace a Page's Messenger profile (owner or admin; audited); checked against Meta's limits (400 naming the field) and pushed to Meta within 10 calls per 10 minutes",
        params: IdParams('pageId'),
        body: Type.Object(
          {
            get_started: Type.Optional(Nullable(AnyObject(), { description: '{"payload"} (≤ 1000 characters)' })),
            greeting: List('[{"locale": "default"|"en_US"…, "text" (≤ 160 characters)}], "default" required'),
            ice_breakers: List('[{"locale", "call_to_actions": [{"question" (≤ 80), "payload"}] (≤ 4 per locale)}]'),
            persistent_menu: List(
              '[{"locale", "composer_input_disabled"?, "call_to_actions": [postback|web_url] (≤ 20, flat)}]; needs get_started',
            ),
          },
          { additionalProperties: false },
        ),
        response: { 200: MessengerProfileSchema, ...errorResponses },
      },
    },
    async (req) => putMessengerProfile(ctx, req.actor!, req.params.pageId, req.body),
  );
};
