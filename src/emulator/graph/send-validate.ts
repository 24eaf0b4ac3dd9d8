// Validation of the Send API's `message` object and message tags, with Meta's limits (reference §3.2, §3.4).
import { errors } from '../graph-error-answers.ts';
import { obj, str } from './request.ts';

export const MESSAGING_TYPES = ['RESPONSE', 'UPDATE', 'MESSAGE_TAG', 'UTILITY'] as const;
export const CURRENT_TAGS = ['HUMAN_AGENT', 'CUSTOMER_FEEDBACK'] as const;
export const DEPRECATED_TAGS = ['CONFIRMED_EVENT_UPDATE', 'ACCOUNT_UPDATE', 'POST_PURCHASE_UPDATE'] as const;
const ATTACHMENT_TYPES = ['image', 'audio', 'video', 'file', 'template'];
const BUTTON_TYPES = ['web_url', 'postback', 'phone_number', 'account_link', 'account_unlink', 'game_play'];
const QR_TYPES = ['text', 'user_phone_number', 'user_email'];

export interface ValidMessage {
  text?: string;
  attachment?: { type: string; payload: Record<string, unknown> };
  quick_replies?: Record<string, unknown>[];
  metadata?: string;
  sticker_id?: number;
}

const chars = (s: string) => [...s].length;

function validateButtons(buttons: unknown): void {
  if (!Array.isArray(buttons) || buttons.length < 1 || buttons.length > 3) {
    throw errors.param('param message[attachment][payload][buttons] must have between 1 and 3 elements');
  }
  for (const b of buttons) {
    const button = obj(b);
    const type = str(button?.type);
    if (!button || !type || !BUTTON_TYPES.includes(type)) throw errors.param('Invalid button type');
    const title = str(button.title);
    if (type !== 'account_unlink' && type !== 'account_link' && (!title || chars(title) > 20)) {
      throw errors.param('Button title is required and must be at most 20 characters');
    }
    if (type === 'postback' && chars(str(button.payload) ?? '') > 1000)
      throw errors.param('Postback payload must be at most 1000 characters');
  }
}

const COUPON_FIELDS = [
  'template_type',
  'title',
  'subtitle',
  'coupon_code',
  'coupon_url',
  'coupon_url_button_title',
  'coupon_pre_message',
  'image_url',
  'payload',
];

const isUrl = (v: string) => /^https?:\/\/\S+$/.test(v);

/** Messenger's coupon template: a title and a code, optionally a subtitle, a picture, a pre-message and a shop button. */
function validateCoupon(payload: Record<string, unknown>): void {
  const p = (field: string) => `param message[attachment][payload][${field}]`;
  const unknown = Object.keys(payload).find((k) => !COUPON_FIELDS.includes(k));
  if (unknown !== undefined) throw errors.param(`${p(unknown)} is not a field of the coupon template`);
  const text = (field: string, max: number, required: boolean) => {
    const v = payload[field];
    if (v === undefined && !required) return undefined;
    if (typeof v !== 'string' || v.trim() === '' || chars(v) > max)
      throw errors.param(`${p(field)} ${required ? 'is required and ' : ''}must be 1 to ${max} characters`);
    return v;
  };
  text('title', 80, true);
  text('subtitle', 80, false);
  const code = text('coupon_code', 100, true);
  if (code !== undefined && /\s/.test(code)) throw errors.param(`${p('coupon_code')} must not contain spaces`);
  const url = text('coupon_url', 2000, false);
  if (url !== undefined && !isUrl(url)) throw errors.param(`${p('coupon_url')} must be a valid URL`);
  const button = text('coupon_url_button_title', 20, false);
  if (button !== undefined && url === undefined)
    throw errors.param(`${p('coupon_url_button_title')} needs ${p('coupon_url')}`);
  text('coupon_pre_message', 640, false);
  const image = text('image_url', 2000, false);
  if (image !== undefined && !isUrl(image)) throw errors.param(`${p('image_url')} must be a valid URL`);
  text('payload', 1000, false);
}

function validateTemplate(payload: Record<string, unknown>): void {
  const kind = str(payload.template_type);
  if (!kind) throw errors.param('param message[attachment][payload][template_type] is required');
  if (kind === 'button') {
    const text = str(payload.text);
    if (!text || chars(text) > 640)
      throw errors.param('Button template text is required and must be at most 640 characters');
    validateButtons(payload.buttons);
  }
  if (kind === 'coupon') validateCoupon(payload);
  if (kind === 'generic') {
    const elements = payload.elements;
    if (!Array.isArray(elements) || elements.length < 1 || elements.length > 10) {
      throw errors.param('param message[attachment][payload][elements] must have between 1 and 10 elements');
    }
    for (const e of elements) {
      const title = str(obj(e)?.title);
      if (!title || chars(title) > 80)
        throw errors.param('Element title is required and must be at most 80 characters');
      const buttons = obj(e)?.buttons;
      if (buttons !== undefined) validateButtons(buttons);
    }
  }
}

function validateQuickReplies(qrs: unknown): Record<string, unknown>[] {
  if (!Array.isArray(qrs)) throw errors.param('param message[quick_replies] must be an array');
  if (qrs.length > 13) throw errors.param('param message[quick_replies] must have at most 13 elements');
  return qrs.map((q) => {
    const qr = obj(q);
    const type = str(qr?.content_type);
    if (!qr || !type || !QR_TYPES.includes(type))
      throw errors.param('Quick reply content_type must be one of {text, user_phone_number, user_email}');
    if (type === 'text') {
      const title = str(qr.title);
      if (!title || chars(title) > 20)
        throw errors.param('Quick reply title is required and must be at most 20 characters');
      const payload = str(qr.payload);
      if (payload === undefined || chars(payload) > 1000)
        throw errors.param('Quick reply payload is required and must be at most 1000 characters');
    }
    return qr;
  });
}

/** Checks a `message` object; throws the GraphError Meta would return, else gives the normalised message. */
export function validateMessage(raw: Record<string, unknown>): ValidMessage {
  const out: ValidMessage = {};
  const text = raw.text;
  const attachment = obj(raw.attachment);
  const sticker = raw.sticker_id;
  if (text === undefined && attachment === undefined && sticker === undefined) throw errors.emptyMessage();
  if (text !== undefined && attachment !== undefined)
    throw errors.param('Only one of message[text] or message[attachment] may be set');
  if (text !== undefined) {
    if (typeof text !== 'string' || text.length === 0) throw errors.emptyMessage();
    if (chars(text) >= 2000) throw errors.param('Length of param message[text] must be less than 2000 characters');
    out.text = text;
  }
  if (attachment) {
    const type = str(attachment.type);
    if (!type || !ATTACHMENT_TYPES.includes(type))
      throw errors.param('param message[attachment][type] must be one of {image, audio, video, file, template}');
    const payload = obj(attachment.payload);
    if (!payload) throw errors.param('param message[attachment][payload] is required');
    if (type === 'template') validateTemplate(payload);
    else if (!str(payload.url) && !str(payload.attachment_id))
      throw errors.param('param message[attachment][payload] needs a url or an attachment_id');
    out.attachment = { type, payload };
  }
  if (sticker !== undefined) out.sticker_id = Number(sticker);
  if (raw.quick_replies !== undefined) out.quick_replies = validateQuickReplies(raw.quick_replies);
  if (raw.metadata !== undefined) {
    const metadata = str(raw.metadata);
    if (metadata === undefined || chars(metadata) >= 1000)
      throw errors.param('param message[metadata] must be less than 1000 characters');
    out.metadata = metadata;
  }
  return out;
}

/** Resolves messaging_type and tag; refuses unknown values and deprecated tags after the cutoff. */
export function validateTagging(
  params: Record<string, unknown>,
  now: number,
  cutoff: number,
  required: boolean,
): { messagingType: string; tag?: string } {
  const given = str(params.messaging_type);
  if (given === undefined && required) throw errors.param('The parameter messaging_type is required');
  const messagingType = given ?? 'RESPONSE';
  if (!(MESSAGING_TYPES as readonly string[]).includes(messagingType)) {
    throw errors.param('param messaging_type must be one of {RESPONSE, UPDATE, MESSAGE_TAG, UTILITY}');
  }
  if (messagingType !== 'MESSAGE_TAG') return { messagingType };
  const tag = str(params.tag);
  if (!tag) throw errors.param('The parameter tag is required for messaging_type MESSAGE_TAG');
  if ((DEPRECATED_TAGS as readonly string[]).includes(tag)) {
    if (now >= cutoff) throw errors.deprecatedTag(tag);
    return { messagingType, tag };
  }
  if (!(CURRENT_TAGS as readonly string[]).includes(tag)) {
    throw errors.param(
      `param tag must be one of {${[...CURRENT_TAGS, ...(now < cutoff ? DEPRECATED_TAGS : [])].join(', ')}}`,
    );
  }
  return { messagingType, tag };
}
