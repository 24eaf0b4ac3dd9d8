// Seeds one contact with a row in every personal-data table, every encrypted column holding a unique canary,
// encrypted exactly as the schema says ({table, column, pageId, rowId}); contact-owned columns optionally carry
// the per-contact layer, as ingest and messaging will once switched over.
import { randomBytes } from 'node:crypto';
import type { AppContext } from '../../src/kernel/context.ts';
import { CLASSIFICATION } from '../../src/db/classification.ts';
import { newId } from '../../src/lib/ids.ts';
import { sealContactField } from '../../src/crypto/contact-layer.ts';
import { personalTables } from '../../src/modules/privacy/personal-data.repository.ts';
import { attributeBlindIndex } from '../../src/modules/attributes/attribute-index.ts';

export interface SeededContact {
  contactId: string;
  pageId: string;
  psid: string;
  psidBidx: string;
  deliveryId: string;
  /** Every plaintext personal value written (PSID, name, texts …). */
  canaries: string[];
  /** Every ciphertext and blind index written for this contact. */
  stored: string[];
}

type Row = Record<string, unknown>;

export async function seedPage(ctx: AppContext, pageId: string): Promise<void> {
  const now = ctx.clock.now();
  await ctx.db
    .insertInto('pages')
    .values({
      id: pageId,
      name: `Page ${pageId}`,
      access_token_enc: ctx.keyring.encrypt('EAAG-test', {
        table: 'pages',
        column: 'access_token_enc',
        pageId,
        rowId: pageId,
      }),
      status: 'active',
      created_at: now,
      updated_at: now,
    })
    .onConflict((oc) => oc.column('id').doNothing())
    .execute();
}

/** Seeds the contact; `at` dates every row (for retention), `contactLayer` seals contact-owned columns per contact. */
export async function seedContact(
  ctx: AppContext,
  opts: { pageId?: string; at?: number; contactLayer?: boolean } = {},
): Promise<SeededContact> {
  const pageId = opts.pageId ?? '1001';
  const at = opts.at ?? ctx.clock.now();
  await seedPage(ctx, pageId);
  const tag = randomBytes(6).toString('hex');
  const contactId = newId('ct', at);
  const psid = `77${BigInt('0x' + tag)
    .toString()
    .padStart(14, '0')}`;
  const psidBidx = ctx.keyring.blindIndex(psid, 'psid');
  const deliveryId = newId('wd', at);
  const eventId = newId('we', at);
  const canaries: string[] = [psid];
  const stored: string[] = [psidBidx];
  const canary = (table: string, column: string) => {
    const c = column === 'psid_enc' ? psid : `canary-${tag}-${table}-${column}`;
    if (!canaries.includes(c)) canaries.push(c);
    return c;
  };
  const enc = (table: string, row: Row) => {
    const t = CLASSIFICATION[table]!;
    for (const [column, cls] of Object.entries(t.columns)) {
      if (cls !== 'encrypted' || row[column] !== undefined) continue;
      const field = {
        table,
        column,
        pageId: t.pageColumn ? (row[t.pageColumn] as string) : null,
        rowId: String(row[t.idColumn]),
      };
      const owner = t.contactColumn ? (row[t.contactColumn] as string | null) : null;
      const plain = canary(table, column);
      row[column] =
        owner && opts.contactLayer ? sealContactField(ctx, owner, plain, field) : ctx.keyring.encrypt(plain, field);
      stored.push(row[column] as string);
    }
    return row;
  };
  // The raw delivery holds the PSID: it is not a contact table, and erasure must find it through webhook_events.
  const body = JSON.stringify({
    object: 'page',
    entry: [{ id: pageId, messaging: [{ sender: { id: psid }, message: { text: canary('raw', 'text') } }] }],
  });
  const rows: Record<string, Row[]> = {
    webhook_posts: [
      {
        id: deliveryId,
        received_at: at,
        body_hash: ctx.keyring.blindIndex(tag, 'webhook-body'),
        body_enc: ctx.keyring.encrypt(body, {
          table: 'webhook_deliveries',
          column: 'body_enc',
          pageId: null,
          rowId: deliveryId,
        }),
        status: 'processed',
        attempts: 1,
        processed_at: at,
        event_count: 1,
      },
    ],
    contacts: [
      {
        id: contactId,
        page_id: pageId,
        psid_bidx: psidBidx,
        locale: 'fr_FR',
        timezone: 1,
        status: 'active',
        profile_status: 'ok',
        consent_replies: 'granted',
        consent_marketing: 'none',
        created_at: at,
        updated_at: at,
        last_seen_at: at,
        last_user_action_at: at,
      },
    ],
    webhook_events: [
      {
        id: eventId,
        page_id: pageId,
        event_key: ctx.keyring.blindIndex(`${tag}-event`, 'event-key'),
        kind: 'message',
        status: 'processed',
        contact_id: contactId,
        occurred_at: at,
        post_id: deliveryId,
        created_at: at,
      },
    ],
    contact_name_tokens: [
      { contact_id: contactId, page_id: pageId, token: ctx.keyring.blindIndex(`${tag}-name`, 'name-token') },
    ],
    contact_links: [
      {
        id: newId('cl', at),
        contact_id: contactId,
        linked_contact_id: newId('ct', at),
        source: 'operator',
        created_at: at,
      },
    ],
    user_refs: [
      {
        id: newId('ur', at),
        page_id: pageId,
        user_ref_bidx: ctx.keyring.blindIndex(`${tag}-ref`, 'user-ref'),
        contact_id: contactId,
        opted_in_at: at,
      },
    ],
    messages: [
      {
        id: newId('msg', at),
        page_id: pageId,
        contact_id: contactId,
        mid: `m_${tag}_1`,
        direction: 'inbound',
        author: 'contact',
        sent_at: at,
        created_at: at,
      },
      {
        id: newId('msg', at),
        page_id: pageId,
        contact_id: contactId,
        mid: `m_${tag}_2`,
        direction: 'outbound',
        author: 'agent',
        sent_at: at,
        created_at: at,
      },
    ],
    contact_events: [
      {
        id: newId('ce', at),
        page_id: pageId,
        contact_id: contactId,
        kind: 'postback',
        occurred_at: at,
        created_at: at,
      },
    ],
    marketing_subscriptions: [
      {
        id: newId('ms', at),
        page_id: pageId,
        contact_id: contactId,
        topic: 'news',
        status: 'active',
        status_at: at,
        created_at: at,
      },
    ],
    deliveries: [
      {
        id: newId('dl', at),
        page_id: pageId,
        contact_id: contactId,
        message_id: 'msg_x',
        author: 'agent',
        kind: 'text',
        status: 'sent',
        attempts: 1,
        next_attempt_at: at,
        created_at: at,
        updated_at: at,
      },
    ],
    marketing_message_early_events: [
      {
        id: newId('mme', at),
        page_id: pageId,
        contact_id: contactId,
        tracking_id: `${tag}-tracking`,
        status: 'delivered',
        occurred_at: at,
        created_at: at,
      },
    ],
    account_link_codes: [
      {
        id: newId('alc', at),
        page_id: pageId,
        contact_id: contactId,
        code_bidx: ctx.keyring.blindIndex(`${tag}-code`, 'account-linking-code'),
        created_at: at,
      },
    ],
    contact_id_matching: [{ contact_id: contactId, page_id: pageId, status: 'matched', next_at: at, checked_at: at }],
    conversations: [
      {
        id: `cv_${contactId.slice(3)}`,
        page_id: pageId,
        contact_id: contactId,
        status: 'open',
        handled_by: 'human',
        labels: '["vip"]',
        unread_count: 1,
        waiting_since: at,
        last_activity_at: at,
        version: 1,
        created_at: at,
        updated_at: at,
      },
    ],
    inbox_events: [
      {
        page_id: pageId,
        type: 'message.created',
        conversation_id: `cv_${contactId.slice(3)}`,
        contact_id: contactId,
        at,
      },
    ],
    message_tokens: [
      {
        page_id: pageId,
        token: ctx.keyring.searchToken(`${tag}-word`),
        contact_id: contactId,
        key_version: ctx.keyring.currentVersion,
        last_at: at,
      },
    ],
    contact_tags: [{ contact_id: contactId, page_id: pageId, tag: 'vip', created_at: at }],
    contact_attributes: [
      {
        id: newId('ca', at),
        contact_id: contactId,
        page_id: pageId,
        key: 'email',
        value_bidx: attributeBlindIndex(ctx.keyring, 'email', canary('contact_attributes', 'value_enc')),
        updated_at: at,
      },
    ],
    orders: [
      {
        id: `or_${contactId.slice(3)}`,
        page_id: pageId,
        external_id: `${tag}-order`,
        contact_id: contactId,
        status: 'paid',
        currency: 'EUR',
        total: 42.5,
        item_count: 1,
        ordered_at: at,
        created_at: at,
        updated_at: at,
      },
    ],
    order_items: [
      {
        order_id: `or_${contactId.slice(3)}`,
        line_no: 1,
        page_id: pageId,
        contact_id: contactId,
        sku: 'SKU-1',
        category: 'shoes',
        quantity: 1,
        price: 42.5,
      },
    ],
    contact_interests: [
      { contact_id: contactId, page_id: pageId, interest: 'category:shoes', weight: 1, first_at: at, last_at: at },
    ],
    automation_runs: [
      {
        id: newId('ar', at),
        page_id: pageId,
        rule_id: 'au_seeded',
        contact_id: contactId,
        run_key: `m_${tag}`,
        outcome: 'fired',
        reason: null,
        at,
      },
    ],
    assistant_unanswered: [
      {
        id: newId('uq', at),
        page_id: pageId,
        contact_id: contactId,
        text_bidx: ctx.keyring.blindIndex(`${tag} question`, 'assistant:unanswered:v1'),
        count: 1,
        first_asked_at: at,
        last_asked_at: at,
        status: 'open',
        faq_id: null,
      },
    ],
    assistant_contact_state: [{ contact_id: contactId, page_id: pageId, misses: 1, updated_at: at }],
    assistant_model_jobs: [
      {
        id: newId('mj', at),
        page_id: pageId,
        contact_id: contactId,
        event_key: `message:${tag}`,
        attempts: 0,
        lease_owner: null,
        lease_until: at,
        created_at: at,
      },
    ],
    campaign_recipients: [
      {
        id: newId('cr', at),
        campaign_id: 'cp_seeded',
        page_id: pageId,
        contact_id: contactId,
        variant: 0,
        status: 'queued',
        reason: null,
        delivery_id: deliveryId,
        queued_at: at,
        clicked_at: at,
        coupon_code: `GOLD-${contactId.slice(3)}`,
        created_at: at,
        updated_at: at,
      },
    ],
    campaign_links: [
      {
        token: `tk_${contactId.slice(3)}`,
        campaign_id: 'cp_seeded',
        page_id: pageId,
        contact_id: contactId,
        url: 'https://shop.example/new',
        clicked_at: at,
        created_at: at,
      },
    ],
    sequence_subscriptions: [
      {
        id: `ss_${contactId.slice(3)}`,
        sequence_id: 'sq_seeded',
        page_id: pageId,
        contact_id: contactId,
        status: 'active',
        reason: null,
        round: 1,
        next_step: 1,
        due_at: at,
        subscribed_at: at,
        ended_at: null,
        updated_at: at,
      },
    ],
    sequence_step_runs: [
      {
        id: newId('sr', at),
        subscription_id: `ss_${contactId.slice(3)}`,
        sequence_id: 'sq_seeded',
        page_id: pageId,
        contact_id: contactId,
        round: 1,
        step: 0,
        status: 'queued',
        reason: null,
        delivery_id: deliveryId,
        at,
      },
    ],
    consent_records: [
      {
        id: newId('cr', at),
        page_id: pageId,
        contact_id: contactId,
        purpose: 'marketing',
        action: 'grant',
        source: 'optin',
        wording: 'Get our news',
        wording_version: 'v1',
        actor_type: 'contact',
        actor_id: contactId,
        occurred_at: at,
        recorded_at: at,
      },
    ],
  };
  const missing = personalTables()
    .map((p) => p.table)
    .filter((t) => !rows[t]);
  if (missing.length)
    throw new Error(`seedContact does not fill these personal-data tables yet: ${missing.join(', ')}`);
  // The rows are built per table name at run time: the query builder cannot type them.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const db = ctx.db as any;
  for (const [table, list] of Object.entries(rows)) {
    for (const row of list) await db.insertInto(table).values(enc(table, row)).execute();
  }
  return { contactId, pageId, psid, psidBidx, deliveryId, canaries, stored };
}
