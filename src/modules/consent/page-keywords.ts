// A Page's own consent keywords, besides the built-in words of every locale (which always work: STOP included).
// An operator adds the words its customers actually write ("NO MORE", a brand's own "PAUSE"); they apply on that
// Page only, to whole messages, normalised as the built-in ones are.
import type { AppContext } from '../../kernel/context.ts';
import type { Executor } from '../../db/types.ts';
import { AppError, notFound } from '../../errors.ts';
import { assertCan, assertPage, type Actor } from '../access/actor.ts';
import { appendAudit } from '../audit/audit.repository.ts';
import { findPage } from '../pages/pages.repository.ts';
import type { InboundEventContext } from '../../kernel/inbound-hooks.ts';
import {
  detectNormalizedKeyword,
  KEYWORD_LANGUAGES,
  keywordsFor,
  normalizeKeywordText,
  type ConsentKeyword,
  type PageKeywords,
} from './keywords.ts';
import { pageKeywordRows, replacePageKeywords } from './page-keywords.repository.ts';

export const MAX_PAGE_KEYWORDS = 50;
export const MAX_KEYWORD_LENGTH = 40;
const KEYWORD = /^[\p{L}\p{N}][\p{L}\p{N} '’-]*$/u;

/** Every built-in keyword, of every locale. */
export function builtInKeywords(): { optOut: string[]; optIn: string[] } {
  return keywordsFor(KEYWORD_LANGUAGES);
}

/** A Page's own keywords as the keyword hook reads them, in its transaction. */
export async function pageKeywords(db: Executor, pageId: string): Promise<PageKeywords> {
  const rows = await pageKeywordRows(db, pageId);
  return {
    optOut: rows.filter((r) => r.kind === 'opt_out').map((r) => r.keyword),
    optIn: rows.filter((r) => r.kind === 'opt_in').map((r) => r.keyword),
  };
}

const detected = new WeakMap<InboundEventContext, { text: string; keyword: Promise<ConsentKeyword | null> }>();

/**
 * The consent keyword that `text`, a message of this inbound event, is as a whole, or null: worked out once per event
 * whichever hook asks first (the consent hook answers it, the automation rules stand aside for it). The Page's own
 * words are read only for a text short enough to be one.
 */
export function consentKeywordOf(e: InboundEventContext, text: string): Promise<ConsentKeyword | null> {
  const known = detected.get(e);
  if (known?.text === text) return known.keyword;
  const keyword = (async () => {
    const normalized = normalizeKeywordText(text);
    const own = normalized.length <= MAX_KEYWORD_LENGTH ? await pageKeywords(e.trx, e.contact.page_id) : undefined;
    return detectNormalizedKeyword(normalized, e.contact.locale ? [e.contact.locale] : [], own);
  })();
  detected.set(e, { text, keyword });
  return keyword;
}

async function assertPageExists(ctx: AppContext, actor: Actor, pageId: string): Promise<void> {
  assertPage(actor, pageId);
  if (!(await findPage(ctx.db, pageId))) throw notFound('page');
}

/** A Page's own keywords; anyone who may see the Page may read them (the built-ins are public knowledge). */
export async function getPageKeywords(ctx: AppContext, actor: Actor, pageId: string): Promise<PageKeywords> {
  assertCan(actor, 'pages:read');
  await assertPageExists(ctx, actor, pageId);
  return pageKeywords(ctx.db, pageId);
}

function normalised(words: readonly string[], field: string): string[] {
  const out = [...new Set(words.map(normalizeKeywordText))];
  const bad = out.find((w) => !KEYWORD.test(w) || w.length > MAX_KEYWORD_LENGTH);
  if (bad !== undefined)
    throw new AppError(
      'validation_failed',
      `a keyword is 1–${MAX_KEYWORD_LENGTH} letters, digits and spaces, and starts with a letter or digit`,
      { field },
    );
  return out;
}

/**
 * Replaces a Page's own opt-out and opt-in keywords (owner, admin: `pages:write`), normalised as the built-ins are.
 * A word cannot be both, nor undo a built-in word (START cannot opt out, STOP cannot opt in). Audited with the lists.
 */
export async function setPageKeywords(
  ctx: AppContext,
  actor: Actor,
  pageId: string,
  input: { opt_out: readonly string[]; opt_in: readonly string[] },
): Promise<PageKeywords> {
  assertCan(actor, 'pages:write');
  await assertPageExists(ctx, actor, pageId);
  const optOut = normalised(input.opt_out, 'opt_out');
  const optIn = normalised(input.opt_in, 'opt_in');
  if (optOut.length + optIn.length > MAX_PAGE_KEYWORDS)
    throw new AppError('validation_failed', `a Page has at most ${MAX_PAGE_KEYWORDS} keywords of its own`);
  const both = optOut.filter((w) => optIn.includes(w));
  if (both.length)
    throw new AppError('validation_failed', `${both.join(', ')}: a keyword either opts out or opts in, not both`);
  const builtIn = builtInKeywords();
  const against = [
    ...optOut.filter((w) => builtIn.optIn.includes(w)),
    ...optIn.filter((w) => builtIn.optOut.includes(w)),
  ];
  if (against.length)
    throw new AppError('validation_failed', `${against.join(', ')}: a built-in keyword already means the opposite`);
  const now = ctx.clock.now();
  const rows = [
    ...optOut.map((keyword) => ({ page_id: pageId, keyword, kind: 'opt_out' as const, created_at: now })),
    ...optIn.map((keyword) => ({ page_id: pageId, keyword, kind: 'opt_in' as const, created_at: now })),
  ];
  await ctx.db.transaction().execute(async (trx) => {
    const before = await pageKeywords(trx, pageId);
    await replacePageKeywords(trx, pageId, rows);
    await appendAudit(
      trx,
      actor,
      {
        action: 'consent_keywords.update',
        pageId,
        subjectType: 'page',
        subjectId: pageId,
        details: { from: { opt_out: before.optOut, opt_in: before.optIn }, to: { opt_out: optOut, opt_in: optIn } },
      },
      now,
    );
  });
  return { optOut: [...optOut].sort(), optIn: [...optIn].sort() };
}
