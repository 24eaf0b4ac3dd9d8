import type { AppContext } from '../../kernel/context.ts';
import { AppError, notFound } from '../../errors.ts';
import { assertCan, assertPage, type Actor } from '../access/actor.ts';
import { findPage } from '../pages/pages.repository.ts';

import { settingsOf } from './faq.ts';
import { findContactPage, findMisses } from './assistant.repository.ts';
import { think } from './think.ts';

export const MAX_TRY_CHARS = 2000;

/** What the assistant would do with a message: the decision as a value (nothing is sent, recorded or counted). */
export async function tryAssistant(
  ctx: AppContext,
  actor: Actor,
  pageId: string,
  input: { text: string; contact_id?: string },
) {
  assertCan(actor, 'messages:read');
  assertPage(actor, pageId);
  if ([...input.text].length > MAX_TRY_CHARS)
    throw new AppError('validation_failed', `text is at most ${MAX_TRY_CHARS} characters`, { field: 'text' });
  if (!(await findPage(ctx.db, pageId))) throw notFound('page');
  let contactId: string | null = null;
  let missesBefore = 0;
  if (input.contact_id !== undefined) {
    const target = await findContactPage(ctx.db, input.contact_id);
    if (!target || target.page_id !== pageId) throw notFound('contact');
    contactId = target.id;
    missesBefore = await findMisses(ctx.db, contactId);
  }
  const settings = await settingsOf(ctx.db, pageId, ctx.clock.now());
  const t = await think(ctx.db, ctx, { pageId, contactId, text: input.text, settings, missesBefore });
  return {
    action: t.action,
    ...(t.faqId !== undefined && { faq_id: t.faqId }),
    ...(t.reply !== undefined && { reply: t.reply }),
    confidence: Math.round(t.confidence * 1000) / 1000,
    margin: Math.round(t.margin * 1000) / 1000,
    reason: t.reason,
    source: t.source,
  };
}

export type TryView = Awaited<ReturnType<typeof tryAssistant>>;
