// A Page's FAQ entries and assistant settings: listed by who may read its messages, changed by owners and admins,
// every change audited in its transaction and bumping the Page's FAQ version (the assistant retrains on it).
import type { AppContext } from '../../kernel/context.ts';
import type { Executor } from '../../db/types.ts';
import type { AssistantSettingsTable, FaqEntryTable } from '../../db/tables/assistant.ts';
import { AppError, notFound } from '../../errors.ts';
import { newId } from '../../lib/ids.ts';
import { assertCan, assertPage, pageScopeOf, type Actor } from '../access/actor.ts';
import { appendAudit } from '../audit/audit.repository.ts';
import { findPage } from '../pages/pages.repository.ts';
import { buildMessage } from '../messaging/message-body.ts';
import { DEFAULT_DECISION_OPTIONS } from './assistant.policy.ts';
import {
  presentAssistantSettings,
  presentFaqEntry,
  type AssistantSettingsView,
  type FaqEntryView,
  type PersonalAnswer,
} from './faq.presenter.ts';
import {
  bumpFaqVersion,
  countFaqRows,
  deleteFaqRow,
  findFaqRow,
  findSettingsRow,
  insertFaqRow,
  listFaqRows,
  updateFaqRow,
  upsertSettingsRow,
} from './assistant.repository.ts';

export const MAX_FAQ_PER_PAGE = 500;
export const MAX_PHRASES = 50;
export const MAX_PHRASE_CHARS = 300;
export const MAX_QUESTION_CHARS = 300;
export const PERSONAL_ANSWERS: readonly PersonalAnswer[] = ['order_status', 'opening_hours', 'delivery_estimate'];

export interface FaqInput {
  question?: string;
  phrases?: string[];
  answer?: object;
  personal?: PersonalAnswer | null;
  status?: 'draft' | 'approved';
}

const invalid = (message: string, field: string) => new AppError('validation_failed', message, { field });

function checkQuestion(q: string): string {
  const v = q.trim();
  if (v === '' || [...v].length > MAX_QUESTION_CHARS)
    throw invalid(`question must be 1 to ${MAX_QUESTION_CHARS} characters`, 'question');
  return v;
}

/** Phrasings trimmed, empty ones and repeats dropped, within the limits (400 naming `phrases` otherwise). */
export function checkPhrases(phrases: readonly string[]): string[] {
  const out = [...new Set(phrases.map((p) => p.trim()).filter((p) => p !== ''))];
  if (out.length > MAX_PHRASES) throw invalid(`an entry has at most ${MAX_PHRASES} phrasings`, 'phrases');
  if (out.some((p) => [...p].length > MAX_PHRASE_CHARS))
    throw invalid(`a phrasing is at most ${MAX_PHRASE_CHARS} characters`, 'phrases');
  return out;
}

/** The answer as the Send API takes it (text or an attachment, with quick replies): checked as any send is. */
function checkAnswer(answer: object): string {
  return JSON.stringify(buildMessage(answer as Record<string, unknown>).message);
}

/** The settings a Page has before anyone changed them: off, with the default threshold, margin and handoff. */
export function defaultSettings(pageId: string, now: number): AssistantSettingsTable {
  return {
    page_id: pageId,
    enabled: 0,
    threshold: DEFAULT_DECISION_OPTIONS.threshold,
    margin: DEFAULT_DECISION_OPTIONS.margin,
    handoff_after: DEFAULT_DECISION_OPTIONS.handoffAfterMisses,
    opening_hours: null,
    delivery_days: null,
    faq_version: 0,
    updated_at: now,
  };
}

export async function settingsOf(db: Executor, pageId: string, now: number): Promise<AssistantSettingsTable> {
  return (await findSettingsRow(db, pageId)) ?? defaultSettings(pageId, now);
}

async function pageMustExist(db: Executor, pageId: string): Promise<void> {
  if (!(await findPage(db, pageId))) throw notFound('page');
}

/** A Page's FAQ entries (drafts and approved), oldest first. */
export async function listFaq(ctx: AppContext, actor: Actor, pageId: string): Promise<FaqEntryView[]> {
  assertCan(actor, 'messages:read');
  assertPage(actor, pageId);
  await pageMustExist(ctx.db, pageId);
  return (await listFaqRows(ctx.db, pageId)).map(presentFaqEntry);
}

/** Inserts an entry inside the caller's transaction (audited, FAQ version bumped); for create and for conversions. */
export async function insertFaqEntry(
  trx: Executor,
  ctx: AppContext,
  actor: Actor,
  pageId: string,
  input: Required<Pick<FaqInput, 'question' | 'answer'>> & FaqInput,
  now: number,
): Promise<FaqEntryTable> {
  const question = checkQuestion(input.question);
  const phrases = checkPhrases(input.phrases ?? []);
  const answer = checkAnswer(input.answer);
  await pageMustExist(trx, pageId);
  if ((await countFaqRows(trx, pageId)) >= MAX_FAQ_PER_PAGE)
    throw new AppError('conflict', `a Page holds at most ${MAX_FAQ_PER_PAGE} FAQ entries`);
  const row: FaqEntryTable = {
    id: newId('faq', now),
    page_id: pageId,
    question,
    phrases: JSON.stringify(phrases),
    answer,
    personal: input.personal ?? null,
    status: input.status ?? 'draft',
    created_by: actor.id,
    created_at: now,
    updated_at: now,
  };
  await insertFaqRow(trx, row);
  await bumpFaqVersion(trx, pageId, defaultSettings(pageId, now));
  await appendAudit(
    trx,
    actor,
    { action: 'faq.create', pageId, subjectType: 'faq_entry', subjectId: row.id, details: { status: row.status } },
    now,
  );
  return row;
}

/** A new FAQ entry (owner or admin; audited); a draft unless `status` says approved. */
export async function createFaq(
  ctx: AppContext,
  actor: Actor,
  pageId: string,
  input: Required<Pick<FaqInput, 'question' | 'answer'>> & FaqInput,
): Promise<FaqEntryView> {
  assertCan(actor, 'pages:write');
  assertPage(actor, pageId);
  const now = ctx.clock.now();
  const row = await ctx.db.transaction().execute((trx) => insertFaqEntry(trx, ctx, actor, pageId, input, now));
  return presentFaqEntry(row);
}

/** Changes an entry's question, phrasings, answer, personal source or status (owner or admin; audited). */
export async function updateFaq(ctx: AppContext, actor: Actor, id: string, input: FaqInput): Promise<FaqEntryView> {
  assertCan(actor, 'pages:write');
  const now = ctx.clock.now();
  const set: Partial<FaqEntryTable> = {};
  if (input.question !== undefined) set.question = checkQuestion(input.question);
  if (input.phrases !== undefined) set.phrases = JSON.stringify(checkPhrases(input.phrases));
  if (input.answer !== undefined) set.answer = checkAnswer(input.answer);
  if (input.personal !== undefined) set.personal = input.personal;
  if (input.status !== undefined) set.status = input.status;
  return ctx.db.transaction().execute(async (trx) => {
    const row = await findFaqRow(trx, id, pageScopeOf(actor));
    if (!row) throw notFound('FAQ entry');
    const changed = Object.keys(set);
    set.updated_at = now;
    await updateFaqRow(trx, id, set);
    await bumpFaqVersion(trx, row.page_id, defaultSettings(row.page_id, now));
    await appendAudit(
      trx,
      actor,
      {
        action: 'faq.update',
        pageId: row.page_id,
        subjectType: 'faq_entry',
        subjectId: id,
        details: { changed, status: set.status ?? row.status },
      },
      now,
    );
    return presentFaqEntry({ ...row, ...set });
  });
}

/** Deletes an entry (owner or admin; audited). Another Page's is a 404. */
export async function deleteFaq(ctx: AppContext, actor: Actor, id: string): Promise<void> {
  assertCan(actor, 'pages:write');
  const now = ctx.clock.now();
  await ctx.db.transaction().execute(async (trx) => {
    const row = await findFaqRow(trx, id, pageScopeOf(actor));
    if (!row) throw notFound('FAQ entry');
    await deleteFaqRow(trx, id);
    await bumpFaqVersion(trx, row.page_id, defaultSettings(row.page_id, now));
    await appendAudit(
      trx,
      actor,
      { action: 'faq.delete', pageId: row.page_id, subjectType: 'faq_entry', subjectId: id, details: {} },
      now,
    );
  });
}

export interface AssistantSettingsInput {
  enabled?: boolean;
  threshold?: number;
  margin?: number;
  handoff_after?: number;
  opening_hours?: string | null;
  delivery_days?: number | null;
}

/** A Page's assistant settings (defaults until changed). */
export async function getAssistantSettings(
  ctx: AppContext,
  actor: Actor,
  pageId: string,
): Promise<AssistantSettingsView> {
  assertCan(actor, 'messages:read');
  assertPage(actor, pageId);
  await pageMustExist(ctx.db, pageId);
  const row = await settingsOf(ctx.db, pageId, ctx.clock.now());
  return presentAssistantSettings(row, (await listFaqRows(ctx.db, pageId, 'approved')).length);
}

/**
 * Changes a Page's assistant settings (owner or admin; audited). Turning it on needs at least one approved entry:
 * an assistant with nothing approved has nothing to say.
 */
export async function updateAssistantSettings(
  ctx: AppContext,
  actor: Actor,
  pageId: string,
  input: AssistantSettingsInput,
): Promise<AssistantSettingsView> {
  assertCan(actor, 'pages:write');
  assertPage(actor, pageId);
  if (input.opening_hours !== undefined && input.opening_hours !== null && [...input.opening_hours].length > 500)
    throw invalid('opening_hours is at most 500 characters', 'opening_hours');
  const now = ctx.clock.now();
  return ctx.db.transaction().execute(async (trx) => {
    await pageMustExist(trx, pageId);
    const before = await settingsOf(trx, pageId, now);
    const approved = (await listFaqRows(trx, pageId, 'approved')).length;
    if (input.enabled === true && approved === 0)
      throw new AppError('conflict', 'approve at least one FAQ entry before turning the assistant on', {
        field: 'enabled',
      });
    const row: AssistantSettingsTable = {
      ...before,
      ...(input.enabled !== undefined && { enabled: input.enabled ? 1 : 0 }),
      ...(input.threshold !== undefined && { threshold: input.threshold }),
      ...(input.margin !== undefined && { margin: input.margin }),
      ...(input.handoff_after !== undefined && { handoff_after: input.handoff_after }),
      ...(input.opening_hours !== undefined && { opening_hours: input.opening_hours?.trim() || null }),
      ...(input.delivery_days !== undefined && { delivery_days: input.delivery_days }),
      updated_at: now,
    };
    await upsertSettingsRow(trx, row);
    await appendAudit(
      trx,
      actor,
      {
        action: 'assistant.settings',
        pageId,
        subjectType: 'page',
        subjectId: pageId,
        details: { changed: Object.keys(input), enabled: row.enabled === 1 },
      },
      now,
    );
    return presentAssistantSettings(row, approved);
  });
}
