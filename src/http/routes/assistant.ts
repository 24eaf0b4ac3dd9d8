import { Type } from 'typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { RouteModule } from '../app.ts';
import { AnyObject, DateTime, ErrorBody, errorResponses, IdParams, Nullable, StringEnum } from '../schema-types.ts';
import {
  createFaq,
  deleteFaq,
  getAssistantSettings,
  listFaq,
  MAX_PHRASE_CHARS,
  MAX_PHRASES,
  MAX_QUESTION_CHARS,
  PERSONAL_ANSWERS,
  updateAssistantSettings,
  updateFaq,
} from '../../modules/assistant/faq.ts';
import { tryAssistant, MAX_TRY_CHARS } from '../../modules/assistant/try-assistant.ts';
import {
  addUnansweredAsPhrase,
  convertUnanswered,
  dismissUnanswered,
  listUnanswered,
} from '../../modules/assistant/unanswered.ts';

const Status = () => StringEnum(['draft', 'approved'] as const);
const Personal = () =>
  Type.Unsafe<(typeof PERSONAL_ANSWERS)[number] | null>({
    type: ['string', 'null'],
    enum: [...PERSONAL_ANSWERS, null],
    description:
      "answered from the asker's own data when it has it (their order's status, the Page's opening hours, their last order's delivery estimate); otherwise the entry's answer",
  });
const Question = () => Type.String({ minLength: 1, maxLength: MAX_QUESTION_CHARS });
const Phrases = () =>
  Type.Array(Type.String({ maxLength: MAX_PHRASE_CHARS }), {
    maxItems: MAX_PHRASES,
    description: 'other ways people ask it; the assistant learns from these and the question',
  });
const Answer = () =>
  AnyObject({ description: 'the message to send, as for a send: {"text"} or {"attachment"}, with quick_replies' });

const FaqSchema = Type.Object({
  id: Type.String(),
  page_id: Type.String(),
  question: Type.String(),
  phrases: Type.Array(Type.String()),
  answer: AnyObject(),
  personal: Personal(),
  status: Status(),
  created_at: DateTime(),
  updated_at: DateTime(),
});

const SettingsSchema = Type.Object({
  page_id: Type.String(),
  enabled: Type.Boolean(),
  threshold: Type.Number(),
  margin: Type.Number(),
  handoff_after: Type.Integer(),
  opening_hours: Nullable(Type.String()),
  delivery_days: Nullable(Type.Integer()),
  approved_entries: Type.Integer(),
  faq_version: Type.Integer(),
});

const DecisionSchema = Type.Object({
  action: StringEnum(['answer', 'handoff', 'none'] as const),
  faq_id: Type.Optional(Type.String({ description: 'answer: the entry answered with; none: the closest entry' })),
  reply: Type.Optional(AnyObject({ description: 'answer: the message that would be sent' })),
  confidence: Type.Number({ description: "0..1: the best entry's score" }),
  margin: Type.Number({ description: "the best entry's score minus the next one's" }),
  reason: Type.String(),
  source: StringEnum(['offline', 'model'] as const),
});

const UnansweredSchema = Type.Object({
  id: Type.String(),
  page_id: Type.String(),
  text: Nullable(Type.String()),
  count: Type.Integer(),
  status: StringEnum(['open', 'converted', 'dismissed'] as const),
  faq_id: Nullable(Type.String()),
  first_asked_at: DateTime(),
  last_asked_at: DateTime(),
});

/** The FAQ assistant: entries, settings, a "try it" decision, and the questions it could not answer. */
export const assistantRoutes: RouteModule = (server, ctx) => {
  const app = server.withTypeProvider<TypeBoxTypeProvider>();
  const tags = ['assistant'];
  app.get(
    '/api/v1/pages/:pageId/faq',
    {
      config: { auth: 'token' },
      schema: {
        tags,
        summary: "A Page's FAQ entries, drafts and approved",
        params: IdParams('pageId'),
        response: { 200: Type.Object({ data: Type.Array(FaqSchema) }), ...errorResponses },
      },
    },
    async (req) => ({ data: await listFaq(ctx, req.actor!, req.params.pageId) }),
  );

  app.post(
    '/api/v1/pages/:pageId/faq',
    {
      config: { auth: 'token' },
      schema: {
        tags,
        summary: 'A new FAQ entry (owner or admin; audited); a draft unless status is approved',
        params: IdParams('pageId'),
        body: Type.Object(
          {
            question: Question(),
            phrases: Type.Optional(Phrases()),
            answer: Answer(),
            personal: Type.Optional(Personal()),
            status: Type.Optional(Status()),
          },
          { additionalProperties: false },
        ),
        response: { 201: FaqSchema, 409: ErrorBody, ...errorResponses },
      },
    },
    async (req, reply) => reply.code(201).send(await createFaq(ctx, req.actor!, req.params.pageId, req.body)),
  );

  app.patch(
    '/api/v1/faq/:faqId',
    {
      config: { auth: 'token' },
      schema: {
        tags,
        summary: "Change an FAQ entry's question, phrasings, answer or status (owner or admin; audited)",
        params: IdParams('faqId'),
        body: Type.Object(
          {
            question: Type.Optional(Question()),
            phrases: Type.Optional(Phrases()),
            answer: Type.Optional(Answer()),
            personal: Type.Optional(Personal()),
            status: Type.Optional(Status()),
          },
          { additionalProperties: false, minProperties: 1 },
        ),
        response: { 200: FaqSchema, ...errorResponses },
      },
    },
    async (req) => updateFaq(ctx, req.actor!, req.params.faqId, req.body),
  );

  app.delete(
    '/api/v1/faq/:faqId',
    {
      config: { auth: 'token' },
      schema: {
        tags,
        summary: 'Delete an FAQ entry (owner or admin; audited)',
        params: IdParams('faqId'),
        response: { 204: Type.Null(), ...errorResponses },
      },
    },
    async (req, reply) => {
      await deleteFaq(ctx, req.actor!, req.params.faqId);
      return reply.code(204).send(null);
    },
  );

  app.get(
    '/api/v1/pages/:pageId/assistant',
    {
      config: { auth: 'token' },
      schema: {
        tags,
        summary: "A Page's assistant settings (off until turned on)",
        params: IdParams('pageId'),
        response: { 200: SettingsSchema, ...errorResponses },
      },
    },
    async (req) => getAssistantSettings(ctx, req.actor!, req.params.pageId),
  );

  app.patch(
    '/api/v1/pages/:pageId/assistant',
    {
      config: { auth: 'token' },
      schema: {
        tags,
        summary:
          "Change a Page's assistant settings (owner or admin; audited); turning it on needs an approved FAQ entry",
        params: IdParams('pageId'),
        body: Type.Object(
          {
            enabled: Type.Optional(Type.Boolean()),
            threshold: Type.Optional(Type.Number({ minimum: 0, maximum: 1 })),
            margin: Type.Optional(Type.Number({ minimum: 0, maximum: 1 })),
            handoff_after: Type.Optional(
              Type.Integer({
                minimum: 0,
                maximum: 20,
                description: 'unanswered questions in a row before a handover; 0: never',
              }),
            ),
            opening_hours: Type.Optional(Nullable(Type.String({ maxLength: 500 }))),
            delivery_days: Type.Optional(Nullable(Type.Integer({ minimum: 0, maximum: 365 }))),
          },
          { additionalProperties: false, minProperties: 1 },
        ),
        response: { 200: SettingsSchema, 409: ErrorBody, ...errorResponses },
      },
    },
    async (req) => updateAssistantSettings(ctx, req.actor!, req.params.pageId, req.body),
  );

  app.post(
    '/api/v1/pages/:pageId/assistant/try',
    {
      config: { auth: 'token' },
      schema: {
        tags,
        summary: 'What the assistant would do with a message: answer, handoff or none (nothing is sent or recorded)',
        params: IdParams('pageId'),
        body: Type.Object(
          {
            text: Type.String({ maxLength: MAX_TRY_CHARS }),
            contact_id: Type.Optional(
              Type.String({ description: "answer personal questions from this contact's data" }),
            ),
          },
          { additionalProperties: false },
        ),
        response: { 200: DecisionSchema, ...errorResponses },
      },
    },
    async (req) => tryAssistant(ctx, req.actor!, req.params.pageId, req.body),
  );

  app.get(
    '/api/v1/pages/:pageId/assistant/unanswered',
    {
      config: { auth: 'token' },
      schema: {
        tags,
        summary: 'Questions the assistant could not answer, most asked first',
        params: IdParams('pageId'),
        response: { 200: Type.Object({ data: Type.Array(UnansweredSchema) }), ...errorResponses },
      },
    },
    async (req) => ({ data: await listUnanswered(ctx, req.actor!, req.params.pageId) }),
  );

  app.post(
    '/api/v1/assistant/unanswered/:questionId/faq',
    {
      config: { auth: 'token' },
      schema: {
        tags,
        summary: 'Turn an unanswered question into an FAQ entry (owner or admin; audited)',
        params: IdParams('questionId'),
        body: Type.Object(
          {
            question: Type.Optional(Question()),
            phrases: Type.Optional(Phrases()),
            answer: Answer(),
            personal: Type.Optional(Personal()),
            status: Type.Optional(Status()),
          },
          { additionalProperties: false },
        ),
        response: { 201: FaqSchema, 409: ErrorBody, ...errorResponses },
      },
    },
    async (req, reply) =>
      reply.code(201).send(await convertUnanswered(ctx, req.actor!, req.params.questionId, req.body)),
  );

  app.post(
    '/api/v1/assistant/unanswered/:questionId/phrase',
    {
      config: { auth: 'token' },
      schema: {
        tags,
        summary:
          "Add an unanswered question's words to an existing FAQ entry of its Page as one more phrasing (owner or admin; audited)",
        params: IdParams('questionId'),
        body: Type.Object({ faq_id: Type.String({ minLength: 1 }) }, { additionalProperties: false }),
        response: { 200: FaqSchema, 409: ErrorBody, ...errorResponses },
      },
    },
    async (req) => addUnansweredAsPhrase(ctx, req.actor!, req.params.questionId, req.body.faq_id),
  );

  app.post(
    '/api/v1/assistant/unanswered/:questionId/dismiss',
    {
      config: { auth: 'token' },
      schema: {
        tags,
        summary:
          'Dismiss an unanswered question: it leaves the list and stays out when asked again (owner or admin; audited)',
        params: IdParams('questionId'),
        response: { 204: Type.Null(), ...errorResponses },
      },
    },
    async (req, reply) => {
      await dismissUnanswered(ctx, req.actor!, req.params.questionId);
      return reply.code(204).send(null);
    },
  );
};
