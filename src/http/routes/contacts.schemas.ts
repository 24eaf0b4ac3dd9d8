const time = { type: ['string', 'null'], format: 'date-time' } as const;
const text = { type: ['string', 'null'] } as const;

export const contactSchema = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    page_id: { type: 'string' },
    psid: { type: 'string', description: 'only for tokens allowed to read identifiers; each such read is audited' },
    name: text, first_name: text, last_name: text, locale: text,
    picture_url: { type: ['string', 'null'], description: 'only for tokens allowed to read identifiers (a platform URL that identifies the person)' },
    timezone: { type: ['number', 'null'] },
    status: { type: 'string', enum: ['active', 'unreachable', 'erased'], description: '`unreachable`: Meta refused a send to this person (blocked the Page, deactivated, or no longer knows the PSID); sends are refused with 422 `unreachable` until they act again' },
    unreachable_since: { ...time, description: 'when the contact became unreachable; null unless status is unreachable' },
    unreachable_reason: { type: ['string', 'null'], description: '`invalid_recipient` (Meta knows no such PSID), `unreachable` (blocked or deactivated), …; null unless status is unreachable' },
    window: {
      type: 'object',
      properties: { last_user_action_at: time, standard_ends_at: time, human_agent_ends_at: time },
      required: ['last_user_action_at', 'standard_ends_at', 'human_agent_ends_at'],
    },
    consent: {
      type: 'object',
      properties: { replies: { type: 'string' }, replies_at: time, marketing: { type: 'string' }, marketing_at: time },
      required: ['replies', 'marketing'],
    },
    tags: { type: 'array', items: { type: 'string' } },
    attributes: { type: 'object', additionalProperties: true },
    merged_into: text,
    links: {
      type: 'array',
      description: 'only in the detail view: other records of the same person the token may see (another Page, linked by account linking, ids_for_pages or an operator; or merged)',
      items: {
        type: 'object',
        properties: {
          contact_id: { type: 'string' },
          page_id: { type: 'string' },
          source: { type: 'string', enum: ['account_linking', 'ids_for_pages', 'operator', 'merge'] },
          created_at: { type: 'string', format: 'date-time' },
        },
        required: ['contact_id', 'page_id', 'source', 'created_at'],
      },
    },
    created_at: { type: 'string', format: 'date-time' },
    last_seen_at: { type: 'string', format: 'date-time' },
  },
  required: ['id', 'page_id', 'name', 'first_name', 'last_name', 'locale', 'timezone', 'status', 'unreachable_since', 'unreachable_reason', 'window', 'consent', 'tags', 'attributes', 'created_at', 'last_seen_at'],
} as const;

export const messageSchema = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    mid: text,
    contact_id: { type: 'string' },
    direction: { type: 'string', enum: ['inbound', 'outbound'] },
    author: { type: 'string', enum: ['contact', 'agent', 'automation', 'campaign', 'page'] },
    text,
    attachments: {
      type: 'array',
      items: { type: 'object', properties: { type: { type: 'string' }, url: { type: 'string' }, title: { type: 'string' }, sticker_id: { type: 'string' }, payload: {} }, required: ['type'] },
    },
    quick_reply_payload: { type: 'string' },
    reply_to_mid: { type: 'string' },
    created_at: { type: 'string', format: 'date-time' },
    delivery_id: { type: 'string' },
  },
  required: ['id', 'mid', 'direction', 'author', 'text', 'attachments', 'created_at'],
} as const;
