import { Type } from 'typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { RouteModule } from '../app.ts';
import {
  ErrorBody,
  errorResponses,
  IdParams,
  Nullable,
  NullableDateTime,
  pagingProperties,
  StringEnum,
  DateTime,
} from '../schema-types.ts';
import { parsePaging } from '../pagination.ts';
import { ifMatchVersion } from '../if-match.ts';
import { listConversations } from '../../modules/conversations/list-conversations.ts';
import { getConversation } from '../../modules/conversations/get-conversation.ts';
import { updateConversation } from '../../modules/conversations/update-conversation.ts';
import { addNote, MAX_NOTE_CHARS } from '../../modules/conversations/add-note.ts';
import { markConversationRead } from '../../modules/conversations/mark-read.ts';
import {
  changeThreadControl,
  listHandoverApps,
  THREAD_CONTROL_ACTIONS,
} from '../../modules/conversations/thread-control.ts';
import { EditedSchema, MessageSchema } from './contacts.schemas.ts';

const STATUSES = ['open', 'pending', 'snoozed', 'resolved'] as const;

const WindowSchema = Type.Object({
  last_user_action_at: NullableDateTime(),
  standard_ends_at: NullableDateTime(),
  human_agent_ends_at: NullableDateTime(),
});

export const ConversationSchema = Type.Object({
  id: Type.String(),
  page_id: Type.String(),
  contact: Type.Object({ id: Type.String(), name: Nullable(Type.String()), status: Type.String() }),
  status: StringEnum(STATUSES),
  assignee: Nullable(Type.Object({ id: Type.String(), email: Nullable(Type.String()) })),
  labels: Type.Array(Type.String()),
  unread_count: Type.Integer(),
  waiting_since: NullableDateTime({ description: 'when the oldest unanswered customer message was sent' }),
  last_message: Nullable(
    Type.Object({
      id: Type.String(),
      direction: StringEnum(['inbound', 'outbound']),
      kind: StringEnum(['message', 'postback']),
      author: Type.String(),
      text: Nullable(Type.String()),
      created_at: NullableDateTime(),
      edited: Type.Optional(EditedSchema),
    }),
  ),
  window: WindowSchema,
  handled_by: StringEnum(['bot', 'human']),
  thread_owner: Type.Object(
    {
      app_id: Nullable(Type.String({ description: "the owning app's Meta app id (pagescope's is META_APP_ID)" })),
      is_pagescope: Type.Boolean({
        description: 'false while another app (a helpdesk bot, the Page Inbox) owns the thread: replies are refused',
      }),
    },
    { description: "Messenger's handover protocol: which app may answer the person now" },
  ),
  thread_request: Nullable(
    Type.Object({
      app_id: Type.String({ description: 'the app that asked' }),
      at: NullableDateTime(),
    }),
    {
      description:
        'another app asked for the thread pagescope controls (request_thread_control), until the thread changes hands or an operator declines',
    },
  ),
  snoozed_until: NullableDateTime(),
  last_activity_at: NullableDateTime(),
  version: Type.Integer({
    description: 'send it back as If-Match: a change to a conversation that moved on since is refused with 409',
  }),
  created_at: NullableDateTime(),
  updated_at: NullableDateTime(),
});

const Counts = Type.Object({ mine: Type.Integer(), unassigned: Type.Integer(), all: Type.Integer() });
const Bool = () => Type.Optional(StringEnum(['true', 'false']));

/** The inbox's conversations: list with tab counts, one, change, notes, read. Thin: parse, call one command, answer. */
export const conversationRoutes: RouteModule = (server, ctx) => {
  const app = server.withTypeProvider<TypeBoxTypeProvider>();
  app.get(
    '/api/v1/pages/:pageId/conversations',
    {
      config: { auth: 'token' },
      schema: {
        tags: ['conversations'],
        summary:
          "One Page's inbox: a tab (assignee) of conversations in one status, with the three tabs' counts; `q` finds words of messages and the start of names (through keyed tokens: no text is stored in the clear)",
        params: IdParams('pageId'),
        querystring: Type.Object({
          ...pagingProperties,
          assignee: Type.Optional(StringEnum(['me', 'unassigned', 'all'], { default: 'all' })),
          status: Type.Optional(StringEnum(STATUSES, { default: 'open' })),
          q: Type.Optional(Type.String({ maxLength: 200 })),
          sort: Type.Optional(StringEnum(['waiting_since', 'last_activity'], { default: 'last_activity' })),
          unread: Bool(),
          unreplied: Bool(),
          window: Type.Optional(
            StringEnum(['open', 'closing_soon', 'human_agent', 'closed'], {
              description: 'closing_soon: the 24-hour window ends within 2 hours',
            }),
          ),
        }),
        response: {
          200: Type.Object({
            data: Type.Array(ConversationSchema),
            counts: Counts,
            next_cursor: Nullable(Type.String()),
          }),
          ...errorResponses,
        },
      },
    },
    async (req) => {
      const { limit, cursor } = parsePaging(req.query);
      const q = req.query;
      return listConversations(ctx, req.actor!, req.params.pageId, {
        assignee: q.assignee ?? 'all',
        status: q.status ?? 'open',
        q: q.q?.trim() || null,
        sort: q.sort ?? 'last_activity',
        unread: q.unread === 'true',
        unreplied: q.unreplied === 'true',
        window: q.window ?? null,
        cursor,
        limit,
      });
    },
  );

  app.get(
    '/api/v1/conversations/:conversationId',
    {
      config: { auth: 'token' },
      schema: {
        tags: ['conversations'],
        summary: 'One conversation',
        params: IdParams('conversationId'),
        response: { 200: ConversationSchema, ...errorResponses },
      },
    },
    async (req) => getConversation(ctx, req.actor!, req.params.conversationId),
  );

  app.patch(
    '/api/v1/conversations/:conversationId',
    {
      config: { auth: 'token' },
      schema: {
        tags: ['conversations'],
        summary:
          'Change status, assignee, labels, snooze or owner (audited). With If-Match: 409 when the conversation changed since that version',
        params: IdParams('conversationId'),
        headers: Type.Object({ 'if-match': Type.Optional(Type.String({ maxLength: 40 })) }),
        body: Type.Object(
          {
            status: Type.Optional(StringEnum(STATUSES)),
            assignee_id: Type.Optional(Nullable(Type.String({ maxLength: 64 }))),
            labels: Type.Optional(Type.Array(Type.String({ maxLength: 50 }), { maxItems: 20 })),
            snoozed_until: Type.Optional(Nullable(DateTime())),
            handled_by: Type.Optional(StringEnum(['bot', 'human'])),
          },
          { additionalProperties: false },
        ),
        response: { 200: ConversationSchema, 409: ErrorBody, ...errorResponses },
      },
    },
    async (req) =>
      updateConversation(
        ctx,
        req.actor!,
        req.params.conversationId,
        req.body,
        ifMatchVersion(req.headers['if-match'], 'conversation'),
      ),
  );

  app.post(
    '/api/v1/conversations/:conversationId/notes',
    {
      config: { auth: 'token' },
      schema: {
        tags: ['conversations'],
        summary: 'A private note in the history (author `note`): never sent to Meta, allowed whatever the window',
        params: IdParams('conversationId'),
        body: Type.Object(
          { text: Type.String({ minLength: 1, maxLength: MAX_NOTE_CHARS }) },
          { additionalProperties: false },
        ),
        response: { 201: MessageSchema, ...errorResponses },
      },
    },
    async (req, reply) => {
      const note = await addNote(ctx, req.actor!, req.params.conversationId, req.body.text);
      return reply.code(201).send(note);
    },
  );

  app.post(
    '/api/v1/conversations/:conversationId/thread-control',
    {
      config: { auth: 'token' },
      schema: {
        tags: ['conversations'],
        summary:
          "Messenger's handover protocol (audited): `take` the thread from another app, `pass` it to one (`target_app_id`), `request` it from its owner, or `decline` another app's request (`thread_request`; nothing is sent to Meta). 409 with Meta's reason when Meta refuses",
        params: IdParams('conversationId'),
        body: Type.Object(
          {
            action: StringEnum(THREAD_CONTROL_ACTIONS),
            target_app_id: Type.Optional(Type.String({ pattern: '^[0-9]{1,20}$', description: 'pass only' })),
          },
          { additionalProperties: false },
        ),
        response: { 200: ConversationSchema, 409: ErrorBody, ...errorResponses },
      },
    },
    async (req) => changeThreadControl(ctx, req.actor!, req.params.conversationId, req.body),
  );

  app.get(
    '/api/v1/conversations/:conversationId/handover-apps',
    {
      config: { auth: 'token' },
      schema: {
        tags: ['conversations'],
        summary:
          "The other apps on the conversation's Page a thread can be passed to (Meta's secondary receivers, asked live)",
        params: IdParams('conversationId'),
        response: {
          200: Type.Object({ data: Type.Array(Type.Object({ id: Type.String(), name: Type.String() })) }),
          409: ErrorBody,
          ...errorResponses,
        },
      },
    },
    async (req) => ({ data: await listHandoverApps(ctx, req.actor!, req.params.conversationId) }),
  );

  app.post(
    '/api/v1/conversations/:conversationId/read',
    {
      config: { auth: 'token' },
      schema: {
        tags: ['conversations'],
        summary: "The customer's messages have been read in the inbox: unread 0",
        params: IdParams('conversationId'),
        response: { 204: Type.Null(), ...errorResponses },
      },
    },
    async (req, reply) => {
      await markConversationRead(ctx, req.actor!, req.params.conversationId);
      return reply.code(204).send(null);
    },
  );
};
