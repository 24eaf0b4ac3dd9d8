import type { AppContext } from '../../kernel/context.ts';
import type { CannedResponseTable } from '../../db/tables/canned-responses.ts';
import { AppError, notFound } from '../../errors.ts';
import { newId } from '../../lib/ids.ts';
import { unknownVariables } from '../../lib/template-variables.ts';
import { assertCan, assertPage, pageScopeOf, type Actor } from '../access/actor.ts';
import { appendAudit } from '../audit/audit.repository.ts';
import { findPage } from '../pages/pages.repository.ts';
import { presentCannedResponse, type CannedResponseView } from './canned-response.presenter.ts';
import {
  countCannedResponses,
  deleteCannedResponseRow,
  findCannedResponse,
  findCannedResponseByShortcut,
  insertCannedResponse,
  listCannedResponseRows,
  updateCannedResponseRow,
} from './canned-responses.repository.ts';

export const SHORTCUT_PATTERN = '^[a-z0-9_-]{1,32}$';
/** A reply is at most 1999 characters (message-body.ts); a saved one leaves room for its variables' values. */
export const MAX_CANNED_TEXT_CHARS = 1000;
export const MAX_CANNED_PER_PAGE = 500;

export interface CannedResponseInput {
  shortcut?: string;
  text?: string;
}

function checkShortcut(shortcut: string): string {
  if (!new RegExp(SHORTCUT_PATTERN).test(shortcut))
    throw new AppError(
      'validation_failed',
      'shortcut must be 1 to 32 lowercase letters, digits, "_" or "-" (it is typed after "/" in the composer)',
      { field: 'shortcut' },
    );
  return shortcut;
}

function checkText(text: string): string {
  const body = text.trim();
  if (body === '' || [...body].length > MAX_CANNED_TEXT_CHARS)
    throw new AppError('validation_failed', `text must be 1 to ${MAX_CANNED_TEXT_CHARS} characters`, {
      field: 'text',
    });
  const unknown = unknownVariables(body);
  if (unknown.length > 0)
    throw new AppError(
      'validation_failed',
      `text uses unknown variables: ${unknown.join(', ')} (known: contact.first_name, contact.last_name, contact.name, agent.email)`,
      { field: 'text' },
    );
  return body;
}

const duplicate = (shortcut: string) =>
  new AppError('conflict', `the Page already has a canned response /${shortcut}`, { field: 'shortcut' });

function isUniqueViolation(err: unknown): boolean {
  const e = err as { code?: string; message?: string };
  return (
    e?.code === '23505' || e?.code === 'SQLITE_CONSTRAINT_UNIQUE' || /UNIQUE constraint failed/.test(e?.message ?? '')
  );
}

/** A Page's canned responses by shortcut, for anyone who may read its messages. */
export async function listCannedResponses(
  ctx: AppContext,
  actor: Actor,
  pageId: string,
): Promise<CannedResponseView[]> {
  assertCan(actor, 'messages:read');
  assertPage(actor, pageId);
  if (!(await findPage(ctx.db, pageId))) throw notFound('page');
  return (await listCannedResponseRows(ctx.db, pageId)).map(presentCannedResponse);
}

/** A new canned response (owners and admins, like the Page's other settings); audited. */
export async function createCannedResponse(
  ctx: AppContext,
  actor: Actor,
  pageId: string,
  input: { shortcut: string; text: string },
): Promise<CannedResponseView> {
  assertCan(actor, 'pages:write');
  assertPage(actor, pageId);
  const shortcut = checkShortcut(input.shortcut);
  const text = checkText(input.text);
  const now = ctx.clock.now();
  try {
    return await ctx.db.transaction().execute(async (trx) => {
      if (!(await findPage(trx, pageId))) throw notFound('page');
      if (await findCannedResponseByShortcut(trx, pageId, shortcut)) throw duplicate(shortcut);
      if ((await countCannedResponses(trx, pageId)) >= MAX_CANNED_PER_PAGE)
        throw new AppError('conflict', `a Page holds at most ${MAX_CANNED_PER_PAGE} canned responses`);
      const row: CannedResponseTable = {
        id: newId('cr', now),
        page_id: pageId,
        shortcut,
        text,
        created_by: actor.id,
        created_at: now,
        updated_at: now,
      };
      await insertCannedResponse(trx, row);
      await appendAudit(
        trx,
        actor,
        {
          action: 'canned_response.create',
          pageId,
          subjectType: 'canned_response',
          subjectId: row.id,
          details: { shortcut },
        },
        now,
      );
      return presentCannedResponse(row);
    });
  } catch (err) {
    // Two requests raced for one shortcut: the unique index decides, and the loser hears it as a conflict.
    if (isUniqueViolation(err)) throw duplicate(shortcut);
    throw err;
  }
}

/** Changes a canned response's shortcut or text; audited. Another Page's is a 404. */
export async function updateCannedResponse(
  ctx: AppContext,
  actor: Actor,
  id: string,
  input: CannedResponseInput,
): Promise<CannedResponseView> {
  assertCan(actor, 'pages:write');
  const shortcut = input.shortcut === undefined ? undefined : checkShortcut(input.shortcut);
  const text = input.text === undefined ? undefined : checkText(input.text);
  const now = ctx.clock.now();
  try {
    return await ctx.db.transaction().execute(async (trx) => {
      const row = await findCannedResponse(trx, id, pageScopeOf(actor));
      if (!row) throw notFound('canned response');
      if (shortcut !== undefined && shortcut !== row.shortcut) {
        if (await findCannedResponseByShortcut(trx, row.page_id, shortcut)) throw duplicate(shortcut);
      }
      const set = { ...(shortcut !== undefined && { shortcut }), ...(text !== undefined && { text }), updated_at: now };
      await updateCannedResponseRow(trx, id, set);
      await appendAudit(
        trx,
        actor,
        {
          action: 'canned_response.update',
          pageId: row.page_id,
          subjectType: 'canned_response',
          subjectId: id,
          details: { shortcut: shortcut ?? row.shortcut, changed: Object.keys(set).filter((k) => k !== 'updated_at') },
        },
        now,
      );
      return presentCannedResponse({ ...row, ...set });
    });
  } catch (err) {
    if (shortcut !== undefined && isUniqueViolation(err)) throw duplicate(shortcut);
    throw err;
  }
}

/** Deletes a canned response; audited. Another Page's is a 404. */
export async function deleteCannedResponse(ctx: AppContext, actor: Actor, id: string): Promise<void> {
  assertCan(actor, 'pages:write');
  const now = ctx.clock.now();
  await ctx.db.transaction().execute(async (trx) => {
    const row = await findCannedResponse(trx, id, pageScopeOf(actor));
    if (!row) throw notFound('canned response');
    await deleteCannedResponseRow(trx, id);
    await appendAudit(
      trx,
      actor,
      {
        action: 'canned_response.delete',
        pageId: row.page_id,
        subjectType: 'canned_response',
        subjectId: id,
        details: { shortcut: row.shortcut },
      },
      now,
    );
  });
}
