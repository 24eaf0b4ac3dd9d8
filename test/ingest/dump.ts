import type { AppContext } from '../../src/kernel/context.ts';
import { openContactField } from '../../src/crypto/contact-layer.ts';

/**
 * A canonical, id-free picture of what ingest produced (decrypted), so two databases that saw the same traffic can be
 * compared whatever order, batching, crashes or key material they went through.
 */
export async function canonicalState(ctx: AppContext): Promise<Record<string, unknown>> {
  const db = ctx.db;
  // Contact-owned values are sealed under the contact's key; others (user_refs awaiting a contact) under the keyring.
  const dec = (
    v: string | null,
    table: string,
    column: string,
    pageId: string | null,
    rowId: string,
    owner: string | null = null,
  ) => {
    if (v === null) return null;
    const field = { table, column, pageId, rowId };
    return owner === null ? ctx.keyring.decrypt(v, field) : openContactField(ctx, owner, v, field);
  };
  const contacts = await db.selectFrom('contacts').selectAll().execute();
  const psidOf = new Map(
    contacts.map((c) => [c.id, `${c.page_id}/${dec(c.psid_enc, 'contacts', 'psid_enc', c.page_id, c.id, c.id)}`]),
  );
  const by = <T>(rows: T[], key: (r: T) => string) =>
    rows
      .map((r) => [key(r), r] as const)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([, r]) => r);
  const messages = await db.selectFrom('messages').selectAll().execute();
  const events = await db.selectFrom('contact_events').selectAll().execute();
  const subs = await db.selectFrom('marketing_subscriptions').selectAll().execute();
  const refs = await db.selectFrom('user_refs').selectAll().execute();
  const ledger = await db.selectFrom('webhook_events').select(['kind', 'status', 'occurred_at', 'page_id']).execute();
  const deliveries = await db.selectFrom('webhook_posts').select(['status']).execute();
  return {
    contacts: by(
      contacts.map((c) => ({
        who: psidOf.get(c.id),
        status: c.status,
        last_user_action_at: c.last_user_action_at,
        last_inbound_at: c.last_inbound_at,
        last_outbound_at: c.last_outbound_at,
        read_watermark: c.read_watermark,
        delivery_watermark: c.delivery_watermark,
        consent_marketing: c.consent_marketing,
        consent_marketing_at: c.consent_marketing_at,
        thread_owner_app_id: c.thread_owner_app_id,
        created_at: c.created_at,
        last_seen_at: c.last_seen_at,
      })),
      (c) => String(c.who),
    ),
    messages: by(
      messages.map((m) => ({
        who: psidOf.get(m.contact_id),
        mid: m.mid,
        direction: m.direction,
        author: m.author,
        sent_at: m.sent_at,
        reply_to_mid: m.reply_to_mid,
        text: dec(m.text_enc, 'messages', 'text_enc', m.page_id, m.id, m.contact_id),
        attachments: dec(m.attachments_enc, 'messages', 'attachments_enc', m.page_id, m.id, m.contact_id),
        quick_reply: dec(m.quick_reply_enc, 'messages', 'quick_reply_enc', m.page_id, m.id, m.contact_id),
      })),
      (m) => `${m.who}|${m.mid}`,
    ),
    contact_events: by(
      events.map((e) => ({
        who: psidOf.get(e.contact_id),
        kind: e.kind,
        at: e.occurred_at,
        data: dec(e.data_enc, 'contact_events', 'data_enc', e.page_id, e.id, e.contact_id),
      })),
      (e) => JSON.stringify(e),
    ),
    subscriptions: by(
      subs.map((s) => ({
        who: psidOf.get(s.contact_id),
        topic: s.topic,
        status: s.status,
        status_at: s.status_at,
        token: dec(s.token_enc, 'marketing_subscriptions', 'token_enc', s.page_id, s.id, s.contact_id),
      })),
      (s) => JSON.stringify(s),
    ),
    user_refs: by(
      refs.map((r) => ({
        ref: dec(r.user_ref_enc, 'user_refs', 'user_ref_enc', r.page_id, r.id),
        who: r.contact_id ? psidOf.get(r.contact_id) : null,
        opted_in_at: r.opted_in_at,
        linked_at: r.linked_at,
      })),
      (r) => String(r.ref),
    ),
    ledger: by(
      ledger.map((e) => `${e.page_id}|${e.kind}|${e.status}|${e.occurred_at}`),
      (s) => s,
    ),
    // Duplicates depend on timing (Meta's retries after a kill), so only what is neither applied nor set aside counts.
    deliveries_not_settled: deliveries.filter((d) => d.status !== 'processed' && d.status !== 'duplicate').length,
  };
}
