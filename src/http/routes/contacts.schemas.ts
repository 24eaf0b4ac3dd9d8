import { Type } from 'typebox';
import { AnyObject, DateTime, Nullable, NullableDateTime, StringEnum } from '../schema-types.ts';

const time = NullableDateTime;
const text = () => Nullable(Type.String());

export const ContactSchema = Type.Object({
  id: Type.String(),
  page_id: Type.String(),
  psid: Type.Optional(
    Nullable(Type.String(), {
      description: 'only for tokens allowed to read identifiers; each such read is audited (null once erased)',
    }),
  ),
  name: text(),
  first_name: text(),
  last_name: text(),
  locale: text(),
  picture_url: Type.Optional(
    Nullable(Type.String(), {
      description: 'only for tokens allowed to read identifiers (a platform URL that identifies the person)',
    }),
  ),
  timezone: Nullable(Type.Number()),
  status: StringEnum(['active', 'unreachable', 'erased'], {
    description:
      '`unreachable`: Meta refused a send to this person (blocked the Page, deactivated, or no longer knows the PSID); sends are refused with 422 `unreachable` until they act again',
  }),
  unreachable_since: time({ description: 'when the contact became unreachable; null unless status is unreachable' }),
  unreachable_reason: Nullable(Type.String(), {
    description:
      '`invalid_recipient` (Meta knows no such PSID), `unreachable` (blocked or deactivated), …; null unless status is unreachable',
  }),
  window: Type.Object({ last_user_action_at: time(), standard_ends_at: time(), human_agent_ends_at: time() }),
  consent: Type.Object({
    replies: Type.String(),
    replies_at: Type.Optional(time()),
    marketing: Type.String(),
    marketing_at: Type.Optional(time()),
  }),
  tags: Type.Array(Type.String()),
  attributes: AnyObject(),
  merged_into: Type.Optional(text()),
  links: Type.Optional(
    Type.Array(
      Type.Object({
        contact_id: Type.String(),
        page_id: Type.String(),
        source: StringEnum(['account_linking', 'ids_for_pages', 'operator', 'merge']),
        created_at: DateTime(),
      }),
      {
        description:
          'only in the detail view: other records of the same person the token may see (another Page, linked by account linking, ids_for_pages or an operator; or merged)',
      },
    ),
  ),
  created_at: DateTime(),
  last_seen_at: DateTime(),
});

/** A person's message they edited in Messenger: its newest edit. */
export const EditedSchema = Type.Object(
  {
    text: Type.String({ description: 'what the message says now' }),
    at: DateTime(),
    count: Type.Integer({ minimum: 1, description: 'how many times the person edited it' }),
  },
  {
    description: "a person's message they edited in Messenger: its newest text (`text` stays what they first sent)",
  },
);

export const MessageSchema = Type.Object({
  id: Type.String(),
  mid: text(),
  contact_id: Type.Optional(Type.String()),
  direction: StringEnum(['inbound', 'outbound']),
  kind: StringEnum(['message', 'postback'], {
    description: 'postback: a button the person pressed (text is its title)',
  }),
  author: StringEnum(['contact', 'agent', 'automation', 'campaign', 'page', 'note'], {
    description: "note: an operator's private note, never sent",
  }),
  text: text(),
  attachments: Type.Array(
    Type.Object({
      type: Type.String(),
      url: Type.Optional(Type.String()),
      title: Type.Optional(Type.String()),
      sticker_id: Type.Optional(Type.String()),
      payload: Type.Optional(Type.Unknown()),
    }),
  ),
  quick_reply_payload: Type.Optional(Type.String()),
  postback_payload: Type.Optional(Type.String()),
  reply_to_mid: Type.Optional(Type.String()),
  created_at: DateTime(),
  delivery_id: Type.Optional(Type.String()),
  delivery: Type.Optional(
    Type.Object(
      {
        id: Type.String(),
        status: StringEnum(['queued', 'sending', 'sent', 'delivered', 'read', 'failed', 'skipped']),
        error: Type.Optional(
          Type.Object({
            code: Type.String({ description: 'the stable code of the failure or skip reason' }),
            meta_code: Type.Optional(Type.Integer()),
            meta_subcode: Type.Optional(Type.Integer()),
          }),
        ),
      },
      { description: 'our own sends: where the message stands (a read receipt marks every earlier send read)' },
    ),
  ),
  quick_replies: Type.Optional(
    Type.Array(
      Type.Object({
        content_type: Type.String(),
        title: Type.Optional(Type.String()),
        payload: Type.Optional(Type.String()),
      }),
      { description: 'the quick replies our own send offered' },
    ),
  ),
  edited: Type.Optional(EditedSchema),
  reaction: Type.Optional(
    Type.Object(
      {
        emoji: Nullable(Type.String()),
        reaction: Nullable(Type.String({ description: "Meta's name for it: love, like, smile, … or other" })),
        at: DateTime(),
      },
      { description: "the person's reaction to this message now (one they took back is gone)" },
    ),
  ),
});

export const ContactIdentifiersSchema = Type.Object({
  psid: Nullable(Type.String()),
  picture_url: Nullable(Type.String(), { description: 'null when Meta gave no picture' }),
});

export const ContactActivitySchema = Type.Object({
  contact_id: Type.String(),
  first_seen_at: time(),
  last_seen_at: time(),
  last_inbound_at: time({ description: 'the last message the person sent' }),
  last_outbound_at: time({ description: 'the last message written to them (agent, automation, campaign or the Page)' }),
  messages: Type.Object({
    received: Type.Integer(),
    sent: Type.Integer({ description: 'by agents, automations, campaigns and the Page' }),
    notes: Type.Integer(),
  }),
  conversation: Nullable(
    Type.Object({
      id: Type.String(),
      status: StringEnum(['open', 'pending', 'snoozed', 'resolved']),
      created_at: time(),
      last_activity_at: time(),
      last_resolved_at: time({ description: 'when an operator last resolved it' }),
    }),
  ),
});
