// A campaign message made personal for one recipient: its `{{…}}` variables filled from the contact (names opened
// through the contact layer, only here, at send or preview time), the Page's attributes and the person's orders,
// and its `web_url` buttons turned into tracked links.
import type { AppContext } from '../../kernel/context.ts';
import type { ContactTable } from '../../db/tables/conversations.ts';
import type { OrderTable } from '../../db/tables/audience.ts';
import type { Executor } from '../../db/types.ts';
import { secureRandomBytes } from '../../lib/random.ts';
import { audienceOf } from '../attributes/contact-audience.ts';
import type { AttributeValue } from '../attributes/attribute-values.ts';
import { openContactColumn } from '../contacts/contact-columns.ts';
import { contactRows, ordersOf } from './campaigns.repository.ts';
import { renderTemplate, templateVariables, type Lookup } from './campaign-template.ts';

/** What one recipient's variables are filled from. */
export interface RecipientData {
  contact: ContactTable;
  attributes: Record<string, AttributeValue>;
  orders: { count: number; last: OrderTable | null };
}

/** The variables a campaign may use: the contact's names and locale, `attribute.<key>`, and the person's orders. */
const VARIABLE =
  /^(contact\.(first_name|last_name|name|locale)|attribute\.[a-z][a-z0-9_]*|orders\.count|orders\.last\.(external_id|status|total|currency))$/;

/** The variables of these texts that no recipient could have (a typo: `{{contact.frist_name}}`). */
export function unknownVariables(texts: readonly string[]): string[] {
  return [...new Set(texts.flatMap(templateVariables))].filter((v) => !VARIABLE.test(v));
}

/** The data of these contacts, read together: rows, tags and attributes, orders. */
export async function recipientData(
  ctx: AppContext,
  db: Executor,
  contactIds: readonly string[],
): Promise<Map<string, RecipientData>> {
  const rows = await contactRows(db, contactIds);
  const [audience, orders] = await Promise.all([audienceOf(ctx, db, rows), ordersOf(db, contactIds)]);
  return new Map(
    rows.map((c) => [
      c.id,
      {
        contact: c,
        attributes: audience.get(c.id)?.attributes ?? {},
        orders: orders.get(c.id) ?? { count: 0, last: null },
      },
    ]),
  );
}

function show(v: AttributeValue | null | undefined): string | null {
  if (v === null || v === undefined) return null;
  if (Array.isArray(v)) return v.join(', ');
  return String(v);
}

/** The lookup of one recipient's variables; a name is opened only when the message asks for it. */
export function lookupFor(ctx: AppContext, d: RecipientData): Lookup {
  const opened = new Map<string, string | null>();
  const column = (c: 'first_name_enc' | 'last_name_enc' | 'name_enc') => {
    if (!opened.has(c)) opened.set(c, openContactColumn(ctx, d.contact, c));
    return opened.get(c) ?? null;
  };
  return (path) => {
    if (path === 'contact.first_name') return column('first_name_enc');
    if (path === 'contact.last_name') return column('last_name_enc');
    if (path === 'contact.name')
      return (
        column('name_enc') ?? ([column('first_name_enc'), column('last_name_enc')].filter(Boolean).join(' ') || null)
      );
    if (path === 'contact.locale') return d.contact.locale;
    if (path.startsWith('attribute.')) return show(d.attributes[path.slice('attribute.'.length)]);
    if (path === 'orders.count') return String(d.orders.count);
    const last = d.orders.last;
    if (!last) return null;
    if (path === 'orders.last.external_id') return last.external_id;
    if (path === 'orders.last.status') return last.status;
    if (path === 'orders.last.total') return String(last.total);
    if (path === 'orders.last.currency') return last.currency;
    return null;
  };
}

// The fields of a campaign message that a person reads: variables are filled there and nowhere else (never in a
// payload, a URL or a type). `fallback` is a recommendations block's text, `coupon_pre_message` a coupon's.
const READ_FIELDS = new Set(['text', 'title', 'subtitle', 'fallback', 'coupon_pre_message']);

/** Every text a person reads in a message, as written (for checks before anything is sent). */
export function messageTexts(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(messageTexts);
  if (typeof value !== 'object' || value === null) return [];
  return Object.entries(value).flatMap(([k, v]) =>
    READ_FIELDS.has(k) && typeof v === 'string' ? [v] : messageTexts(v),
  );
}

/** A copy of the message with every text a person reads rendered for one recipient. */
export function personalise(value: unknown, lookup: Lookup): unknown {
  if (Array.isArray(value)) return value.map((v) => personalise(v, lookup));
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.entries(value).map(([k, v]) => [
      k,
      READ_FIELDS.has(k) && typeof v === 'string' ? renderTemplate(v, lookup) : personalise(v, lookup),
    ]),
  );
}

/** A new tracked-link token: 128 random bits, URL-safe. */
export function newLinkToken(): string {
  return secureRandomBytes(16).toString('base64url');
}

/**
 * A copy of the message whose `web_url` buttons (and generic elements' default actions) and coupons' shop buttons
 * point at `track(url)`;
 * the same target gets the same tracked URL within one message.
 */
export function trackLinks(value: unknown, track: (url: string) => string): unknown {
  if (Array.isArray(value)) return value.map((v) => trackLinks(v, track));
  if (typeof value !== 'object' || value === null) return value;
  const o = value as Record<string, unknown>;
  const out = Object.fromEntries(Object.entries(o).map(([k, v]) => [k, trackLinks(v, track)]));
  if (o.type === 'web_url' && typeof o.url === 'string') out.url = track(o.url);
  if (o.template_type === 'coupon' && typeof o.coupon_url === 'string') out.coupon_url = track(o.coupon_url);
  return out;
}

/** The text a preview shows for a rendered message: its text, or its template's first text a person reads. */
export function sampleText(message: unknown): string | null {
  return messageTexts(message)[0] ?? null;
}
