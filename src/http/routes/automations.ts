import { Type } from 'typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { RouteModule } from '../app.ts';
import {
  AnyObject,
  DateTime,
  errorResponses,
  ErrorBody,
  IdParams,
  ListOf,
  PagingQuery,
  StringEnum,
} from '../schema-types.ts';
import {
  createAutomation,
  deleteAutomation,
  getAutomation,
  listAutomationRuns,
  listAutomations,
  updateAutomation,
} from '../../modules/automations/automations.ts';
import { getBusinessHours, setBusinessHours } from '../../modules/automations/business-hours.ts';
import { ACTION_TYPES, TRIGGER_TYPES } from '../../modules/automations/rules.policy.ts';
import { WEEKDAYS } from '../../modules/automations/business-hours.policy.ts';

const Trigger = () =>
  Type.Object(
    { type: StringEnum(TRIGGER_TYPES) },
    {
      additionalProperties: true,
      description:
        'get_started {payload?="GET_STARTED"}; keyword {match: is|contains|regex, keywords: […]} (case- and ' +
        'accent-insensitive; a regex that could backtrack without end is refused); postback / quick_reply ' +
        '{payloads: […]}; referral {refs: […]}; first_message; outside_hours {cap_minutes?=720}; unanswered ' +
        '{minutes}; order_status (the message names an order of this contact); default {cap_minutes?=60} (when no ' +
        'other rule matched a message)',
    },
  );
const Action = () =>
  Type.Object(
    { type: StringEnum(ACTION_TYPES) },
    {
      additionalProperties: true,
      description:
        'send {text | attachment, quick_replies?} (may use {{order.number}} and {{order.status}}); tag / untag ' +
        '{tag}; set_attribute {key, value}; assign {user_id}; set_status {status: open|pending|resolved}; handover ' +
        '{max_open_per_agent?=20}; start_sequence {sequence_id} (a sequence of the same Page: subscribes the person once)',
    },
  );
const Conditions = () =>
  Type.Union([AnyObject({ description: 'a segment filter, evaluated for the one contact' }), Type.Null()]);

export const AutomationSchema = Type.Object({
  id: Type.String(),
  page_id: Type.String(),
  name: Type.String(),
  enabled: Type.Boolean(),
  trigger: Trigger(),
  conditions: Conditions(),
  actions: Type.Array(Action()),
  created_at: DateTime(),
  updated_at: DateTime(),
});

const RunSchema = Type.Object({
  id: Type.String(),
  rule_id: Type.String(),
  contact_id: Type.String(),
  outcome: StringEnum(['fired', 'skipped_human', 'conditions_unmet', 'refused', 'loop_stopped', 'capped']),
  reason: Type.Union([Type.String(), Type.Null()], {
    description: "the send policy's refusal, or what an action lacked (attribute_invalid, no_agent_available, …)",
  }),
  at: DateTime(),
});

const Interval = () =>
  Type.Array(Type.String({ pattern: '^([01][0-9]|2[0-3]):[0-5][0-9]$|^24:00$' }), { minItems: 2, maxItems: 2 });
const Hours = () =>
  Type.Object(Object.fromEntries(WEEKDAYS.map((d) => [d, Type.Optional(Type.Array(Interval()))])), {
    additionalProperties: false,
    description: 'per weekday, [open, close] intervals in local time (close may be 24:00); a day left out is closed',
  });
const BusinessHoursSchema = Type.Object({
  time_zone: Type.String({ description: 'IANA time zone, e.g. Europe/Paris' }),
  hours: Hours(),
  holidays: Type.Array(Type.String({ format: 'date' }), { description: 'local dates when the business is closed' }),
  open_now: Type.Boolean(),
});

const body = (required: boolean) => {
  const opt = <T extends Parameters<typeof Type.Optional>[0]>(s: T) => (required ? s : Type.Optional(s));
  return {
    name: opt(Type.String({ minLength: 1, maxLength: 100 })),
    enabled: Type.Optional(Type.Boolean()),
    trigger: opt(Trigger()),
    conditions: Type.Optional(Conditions()),
    actions: opt(Type.Array(Action(), { minItems: 1, maxItems: 10 })),
  };
};

/** Automation rules (list, create, change, delete, runs) and the business hours the outside_hours trigger reads. */
export const automationRoutes: RouteModule = (server, ctx) => {
  const app = server.withTypeProvider<TypeBoxTypeProvider>();
  app.get(
    '/api/v1/pages/:pageId/automations',
    {
      config: { auth: 'token' },
      schema: {
        tags: ['automations'],
        summary: "A Page's automation rules, in the order they run",
        params: IdParams('pageId'),
        response: { 200: Type.Object({ data: Type.Array(AutomationSchema) }), ...errorResponses },
      },
    },
    async (req) => ({ data: await listAutomations(ctx, req.actor!, req.params.pageId) }),
  );

  app.post(
    '/api/v1/pages/:pageId/automations',
    {
      config: { auth: 'token' },
      schema: {
        tags: ['automations'],
        summary: 'A new automation rule (owner or admin; audited); a 400 names the field that is wrong',
        params: IdParams('pageId'),
        body: Type.Object(body(true), { additionalProperties: false }),
        response: { 201: AutomationSchema, 409: ErrorBody, ...errorResponses },
      },
    },
    async (req, reply) => reply.code(201).send(await createAutomation(ctx, req.actor!, req.params.pageId, req.body)),
  );

  app.get(
    '/api/v1/automations/:automationId',
    {
      config: { auth: 'token' },
      schema: {
        tags: ['automations'],
        summary: 'One automation rule',
        params: IdParams('automationId'),
        response: { 200: AutomationSchema, ...errorResponses },
      },
    },
    async (req) => getAutomation(ctx, req.actor!, req.params.automationId),
  );

  app.patch(
    '/api/v1/automations/:automationId',
    {
      config: { auth: 'token' },
      schema: {
        tags: ['automations'],
        summary: "Change a rule's name, enabled, trigger, conditions or actions (owner or admin; audited)",
        params: IdParams('automationId'),
        body: Type.Object(body(false), { additionalProperties: false, minProperties: 1 }),
        response: { 200: AutomationSchema, ...errorResponses },
      },
    },
    async (req) => updateAutomation(ctx, req.actor!, req.params.automationId, req.body),
  );

  app.delete(
    '/api/v1/automations/:automationId',
    {
      config: { auth: 'token' },
      schema: {
        tags: ['automations'],
        summary: 'Delete a rule and the record of its runs (owner or admin; audited)',
        params: IdParams('automationId'),
        response: { 204: Type.Null(), ...errorResponses },
      },
    },
    async (req, reply) => {
      await deleteAutomation(ctx, req.actor!, req.params.automationId);
      return reply.code(204).send(null);
    },
  );

  app.get(
    '/api/v1/automations/:automationId/runs',
    {
      config: { auth: 'token' },
      schema: {
        tags: ['automations'],
        summary: "A rule's runs, newest first: which contact, and what happened (fired, skipped, refused …)",
        params: IdParams('automationId'),
        querystring: PagingQuery,
        response: { 200: ListOf(RunSchema), ...errorResponses },
      },
    },
    async (req) => listAutomationRuns(ctx, req.actor!, req.params.automationId, req.query),
  );

  app.get(
    '/api/v1/pages/:pageId/business-hours',
    {
      config: { auth: 'token' },
      schema: {
        tags: ['automations'],
        summary: "A Page's business hours (404 until set)",
        params: IdParams('pageId'),
        response: { 200: BusinessHoursSchema, ...errorResponses },
      },
    },
    async (req) => getBusinessHours(ctx, req.actor!, req.params.pageId),
  );

  app.put(
    '/api/v1/pages/:pageId/business-hours',
    {
      config: { auth: 'token' },
      schema: {
        tags: ['automations'],
        summary: "Set a Page's business hours, time zone and holidays (owner or admin; audited)",
        params: IdParams('pageId'),
        body: Type.Object(
          {
            time_zone: Type.String({ minLength: 1, maxLength: 64 }),
            hours: Hours(),
            holidays: Type.Optional(Type.Array(Type.String())),
          },
          { additionalProperties: false },
        ),
        response: { 200: BusinessHoursSchema, ...errorResponses },
      },
    },
    async (req) => setBusinessHours(ctx, req.actor!, req.params.pageId, req.body),
  );
};
