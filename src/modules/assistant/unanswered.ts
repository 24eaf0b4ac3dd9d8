// Questions the assistant could not answer, collected per Page so that an operator can turn them into FAQ entries.
// One row per distinct question (by the blind index of its normalised text) with how often it was asked; its text is
// the last asker's words, sealed under their contact key like message text, so erasing them takes the row along.
import type { Transaction } from 'kysely';
import type { AppContext } from '../../kernel/context.ts';
import type { DB } from '../../db/types.ts';
import { notFound, AppError } from '../../errors.ts';
import { newId } from '../../lib/ids.ts';
import { openContactField, sealContactField } from '../../crypto/contact-layer.ts';
import { assertCan, assertPage, pageScopeOf, type Actor } from '../access/actor.ts';
import { appendAudit } from '../audit/audit.repository.ts';
import { findPage } from '../pages/pages.repository.ts';
import { normaliseText } from './text.ts';
import { presentFaqEntry, presentUnanswered, type FaqEntryView, type UnansweredView } from './faq.presenter.ts';
import { checkPhrases, defaultSettings, insertFaqEntry, type FaqInput } from './faq.ts';
import {
  bumpFaqVersion,
  findFaqRow,
  findUnanswered,
  findUnansweredByText,
  insertUnanswered,
  listOpenUnanswered,
  updateFaqRow,
  updateUnanswered,
} from './assistant.repository.ts';

const BIDX_PURPOSE = 'assistant:unanswered:v1';
const MAX_STORED_CHARS = 500;
const field = (pageId: string, rowId: string) => ({ table: 'assistant_unanswered', column: 'text_enc', pageId, rowId });

/** Counts one unanswered question inside the caller's transaction. */
export async function recordUnanswered(
  trx: Transaction<DB>,
  ctx: AppContext,
  p: { pageId: string; contactId: string; text: string; at: number },
): Promise<void> {
  const norm = normaliseText(p.text);
  if (norm === '') return;
  const bidx = ctx.keyring.blindIndex(norm, BIDX_PURPOSE);
  const text = [...p.text.trim()].slice(0, MAX_STORED_CHARS).join('');
  const existing = await findUnansweredByText(trx, p.pageId, bidx);
  if (existing) {
    await updateUnanswered(trx, existing.id, {
      count: Number(existing.count) + 1,
      last_asked_at: p.at,
      contact_id: p.contactId,
      text_enc: sealContactField(ctx, p.contactId, text, field(p.pageId, existing.id)),
      ...(existing.status === 'converted' && { status: 'open' as const, faq_id: null }),
    });
    return;
  }
  const id = newId('uq', p.at);
  await insertUnanswered(trx, {
    id,
    page_id: p.pageId,
    contact_id: p.contactId,
    text_bidx: bidx,
    text_enc: sealContactField(ctx, p.contactId, text, field(p.pageId, id)),
    count: 1,
    first_asked_at: p.at,
    last_asked_at: p.at,
    status: 'open',
    faq_id: null,
  });
}

function openText(ctx: AppContext, row: { id: string; page_id: string; contact_id: string; text_enc: string }) {
  try {
    return openContactField(ctx, row.contact_id, row.text_enc, field(row.page_id, row.id));
  } catch {
    return null;
  }
}

/** A Page's open unanswered questions, most asked first (who may read its messages). */
export async function listUnanswered(
  ctx: AppContext,
  actor: Actor,
  pageId: string,
  limit = 100,
): Promise<UnansweredView[]> {
  assertCan(actor, 'messages:read');
  assertPage(actor, pageId);
  if (!(await findPage(ctx.db, pageId))) throw notFound('page');
  const rows = await listOpenUnanswered(ctx.db, pageId, limit);
  return rows.map((r) => presentUnanswered(r, openText(ctx, r)));
}

/**
 * Turns an unanswered question into an FAQ entry (owner or admin; audited): the question's text becomes the entry's
 * question and first phrasing unless others are given; the question is marked converted.
 */
export async function convertUnanswered(
  ctx: AppContext,
  actor: Actor,
  id: string,
  input: Omit<FaqInput, 'answer'> & { answer: object },
): Promise<FaqEntryView> {
  assertCan(actor, 'pages:write');
  const now = ctx.clock.now();
  return ctx.db.transaction().execute(async (trx) => {
    const row = await findUnanswered(trx, id, pageScopeOf(actor));
    if (!row) throw notFound('unanswered question');
    if (row.status !== 'open') throw new AppError('conflict', 'this question was turned into an FAQ entry already');
    const text = openText(ctx, row);
    const question = input.question ?? text;
    if (question === null) throw new AppError('validation_failed', 'give the question', { field: 'question' });
    const entry = await insertFaqEntry(
      trx,
      ctx,
      actor,
      row.page_id,
      { ...input, question, phrases: input.phrases ?? (text === null ? [] : [text]) },
      now,
    );
    await updateUnanswered(trx, id, { status: 'converted', faq_id: entry.id });
    await appendAudit(
      trx,
      actor,
      {
        action: 'assistant.unanswered.convert',
        pageId: row.page_id,
        subjectType: 'assistant_unanswered',
        subjectId: id,
        details: { faq_id: entry.id },
      },
      now,
    );
    return presentFaqEntry(entry);
  });
}

/**
 * Adds an unanswered question's words to an existing FAQ entry as one more phrasing (owner or admin; audited, the
 * entry's Page retrains); the question is marked converted into that entry. The entry must be of the question's Page.
 */
export async function addUnansweredAsPhrase(
  ctx: AppContext,
  actor: Actor,
  id: string,
  faqId: string,
): Promise<FaqEntryView> {
  assertCan(actor, 'pages:write');
  const now = ctx.clock.now();
  return ctx.db.transaction().execute(async (trx) => {
    const row = await findUnanswered(trx, id, pageScopeOf(actor));
    if (!row) throw notFound('unanswered question');
    if (row.status !== 'open') throw new AppError('conflict', 'this question is no longer open');
    const entry = await findFaqRow(trx, faqId, [row.page_id]);
    if (!entry) throw notFound('FAQ entry');
    const text = openText(ctx, row);
    if (text === null) throw new AppError('conflict', 'the words of this question are no longer readable');
    const phrases = checkPhrases([...(JSON.parse(entry.phrases) as string[]), text]);
    const set = { phrases: JSON.stringify(phrases), updated_at: now };
    await updateFaqRow(trx, faqId, set);
    await bumpFaqVersion(trx, row.page_id, defaultSettings(row.page_id, now));
    await updateUnanswered(trx, id, { status: 'converted', faq_id: faqId });
    await appendAudit(
      trx,
      actor,
      {
        action: 'faq.update',
        pageId: row.page_id,
        subjectType: 'faq_entry',
        subjectId: faqId,
        details: { changed: ['phrases'], status: entry.status },
      },
      now,
    );
    await appendAudit(
      trx,
      actor,
      {
        action: 'assistant.unanswered.convert',
        pageId: row.page_id,
        subjectType: 'assistant_unanswered',
        subjectId: id,
        details: { faq_id: faqId, as: 'phrase' },
      },
      now,
    );
    return presentFaqEntry({ ...entry, ...set });
  });
}

/**
 * Dismisses an unanswered question (owner or admin; audited): it leaves the list and stays out of it when asked
 * again (still counted). Dismissing it twice changes nothing more.
 */
export async function dismissUnanswered(ctx: AppContext, actor: Actor, id: string): Promise<void> {
  assertCan(actor, 'pages:write');
  const now = ctx.clock.now();
  await ctx.db.transaction().execute(async (trx) => {
    const row = await findUnanswered(trx, id, pageScopeOf(actor));
    if (!row) throw notFound('unanswered question');
    if (row.status === 'dismissed') return;
    await updateUnanswered(trx, id, { status: 'dismissed' });
    await appendAudit(
      trx,
      actor,
      {
        action: 'assistant.unanswered.dismiss',
        pageId: row.page_id,
        subjectType: 'assistant_unanswered',
        subjectId: id,
        details: { was: row.status },
      },
      now,
    );
  });
}
