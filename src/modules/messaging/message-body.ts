// What an operator may ask pagescope to send, checked before anything is written: the Send API `message` object in
// Meta's wire format (reference §3.2), and the kind that decides which per-Page rate limit applies.
import { AppError } from '../../errors.ts';
import type { MessageKind } from './send.policy.ts';

export interface QuickReply {
  content_type: 'text' | 'user_phone_number' | 'user_email';
  title?: string;
  payload?: string;
  image_url?: string;
}

export interface SendContent {
  text?: unknown;
  attachment?: unknown;
  quick_replies?: unknown;
}

export interface BuiltMessage {
  /** The Send API `message` object, without `metadata` (the dispatcher adds the delivery id). */
  message: Record<string, unknown>;
  kind: MessageKind;
}

/** Meta: "UTF-8 and less than 2000 characters"; its Send API refuses 2000 exactly, so we do too. */
export const MAX_TEXT_CHARS = 1999;
export const MAX_QUICK_REPLIES = 13;
const ATTACHMENT_TYPES = ['image', 'audio', 'video', 'file', 'template'];
const QUICK_REPLY_TYPES = ['text', 'user_phone_number', 'user_email'];

const chars = (s: string) => [...s].length;
const invalid = (message: string) => new AppError('validation_failed', message);

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function quickReplies(raw: unknown): QuickReply[] {
  if (!Array.isArray(raw)) throw invalid('quick_replies must be an array');
  if (raw.length > MAX_QUICK_REPLIES) throw invalid(`quick_replies holds at most ${MAX_QUICK_REPLIES} items`);
  return raw.map((item) => {
    if (!isRecord(item)) throw invalid('each quick reply must be an object');
    const type = item.content_type ?? 'text';
    if (typeof type !== 'string' || !QUICK_REPLY_TYPES.includes(type))
      throw invalid('quick reply content_type must be text, user_phone_number or user_email');
    const out: QuickReply = { content_type: type as QuickReply['content_type'] };
    if (type === 'text') {
      if (typeof item.title !== 'string' || item.title === '' || chars(item.title) > 20)
        throw invalid('a text quick reply needs a title of 1 to 20 characters');
      if (typeof item.payload !== 'string' || chars(item.payload) > 1000)
        throw invalid('a text quick reply needs a payload of at most 1000 characters');
      out.title = item.title;
      out.payload = item.payload;
    }
    if (typeof item.image_url === 'string') out.image_url = item.image_url;
    return out;
  });
}

function attachment(raw: unknown): {
  attachment: { type: string; payload: Record<string, unknown> };
  kind: MessageKind;
} {
  if (!isRecord(raw) || typeof raw.type !== 'string' || !ATTACHMENT_TYPES.includes(raw.type)) {
    throw invalid('attachment.type must be one of image, audio, video, file, template');
  }
  if (!isRecord(raw.payload)) throw invalid('attachment.payload must be an object');
  const payload = raw.payload;
  if (raw.type === 'template') {
    if (typeof payload.template_type !== 'string') throw invalid('a template attachment needs payload.template_type');
    return { attachment: { type: raw.type, payload }, kind: 'template' };
  }
  if (typeof payload.url !== 'string' && typeof payload.attachment_id !== 'string')
    throw invalid('a media attachment needs payload.url or payload.attachment_id');
  if (typeof payload.url === 'string' && !/^https?:\/\//.test(payload.url))
    throw invalid('attachment.payload.url must be an http(s) URL');
  return { attachment: { type: raw.type, payload }, kind: 'media' };
}

/** Checks operator input and builds the Send API message; throws `validation_failed` (400) naming the field. */
export function buildMessage(input: SendContent): BuiltMessage {
  const hasText = input.text !== undefined;
  const hasAttachment = input.attachment !== undefined;
  if (hasText === hasAttachment) throw invalid('send exactly one of text or attachment');
  let message: Record<string, unknown>;
  let kind: MessageKind;
  if (hasText) {
    if (typeof input.text !== 'string' || input.text.trim() === '') throw invalid('text must be a non-empty string');
    if (chars(input.text) > MAX_TEXT_CHARS)
      throw invalid(`text must be shorter than 2000 characters (got ${chars(input.text)})`);
    message = { text: input.text };
    kind = 'text';
  } else {
    const built = attachment(input.attachment);
    message = { attachment: built.attachment };
    kind = built.kind;
  }
  if (input.quick_replies !== undefined) message.quick_replies = quickReplies(input.quick_replies);
  return { message, kind };
}
