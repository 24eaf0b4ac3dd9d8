import type { AppContext } from '../../kernel/context.ts';
import { AppError } from '../../errors.ts';
import { appendAudit } from '../audit/audit.repository.ts';
import { assertCan, assertPage, type Actor } from '../access/actor.ts';
import { findPage, insertPage, updatePage } from './pages.repository.ts';
import type { PageTable } from '../../db/tables/foundation.ts';

export interface RegisterPageInput {
  id: string;
  name: string;
  access_token: string;
}

export function validatePageInput(input: Partial<RegisterPageInput>): RegisterPageInput {
  if (typeof input.id !== 'string' || !/^\d{1,32}$/.test(input.id))
    throw new AppError('validation_failed', 'id must be the numeric Facebook Page id');
  if (typeof input.name !== 'string' || !input.name.trim() || input.name.length > 200)
    throw new AppError('validation_failed', 'name must be 1 to 200 characters');
  if (
    typeof input.access_token !== 'string' ||
    input.access_token.length < 8 ||
    input.access_token.length > 2048 ||
    /\s/.test(input.access_token)
  ) {
    throw new AppError('validation_failed', 'access_token must be the Page access token (no spaces)');
  }
  return { id: input.id, name: input.name.trim(), access_token: input.access_token };
}

/** Page access tokens are encrypted bound to their Page; only the dispatcher ever decrypts them. */
export function encryptPageToken(ctx: AppContext, pageId: string, token: string): string {
  return ctx.keyring.encrypt(token, { table: 'pages', column: 'access_token_enc', pageId, rowId: pageId });
}

export function decryptPageToken(ctx: AppContext, page: PageTable): string {
  return ctx.keyring.decrypt(page.access_token_enc, {
    table: 'pages',
    column: 'access_token_enc',
    pageId: page.id,
    rowId: page.id,
  });
}

/**
 * Registers a Page, or replaces the name and token of one already registered (re-authorisation: a Page paused
 * for a revoked token becomes active again). Makes no Graph call. Audited in the same transaction.
 */
export async function registerPage(
  ctx: AppContext,
  actor: Actor,
  raw: Partial<RegisterPageInput>,
): Promise<{ page: PageTable; created: boolean }> {
  assertCan(actor, 'pages:write');
  const input = validatePageInput(raw);
  const now = ctx.clock.now();
  return ctx.db.transaction().execute(async (trx) => {
    const existing = await findPage(trx, input.id);
    if (existing) {
      assertPage(actor, existing.id);
      const set = {
        name: input.name,
        access_token_enc: encryptPageToken(ctx, input.id, input.access_token),
        status: 'active' as const,
        updated_at: now,
      };
      await updatePage(trx, input.id, set);
      await appendAudit(
        trx,
        actor,
        {
          action: 'page.update',
          pageId: input.id,
          subjectType: 'page',
          subjectId: input.id,
          details: { token_replaced: true, previous_status: existing.status },
        },
        now,
      );
      return { page: { ...existing, ...set }, created: false };
    }
    if (actor.pageScope !== null) throw new AppError('forbidden', 'a Page-scoped token cannot register new Pages');
    const page: PageTable = {
      id: input.id,
      name: input.name,
      access_token_enc: encryptPageToken(ctx, input.id, input.access_token),
      status: 'active',
      created_at: now,
      updated_at: now,
    };
    await insertPage(trx, page);
    await appendAudit(
      trx,
      actor,
      { action: 'page.register', pageId: input.id, subjectType: 'page', subjectId: input.id },
      now,
    );
    return { page, created: true };
  });
}
