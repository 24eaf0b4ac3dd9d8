import type { AppContext } from '../../kernel/context.ts';
import { AppError } from '../../errors.ts';
import { newId } from '../../lib/ids.ts';
import { generateToken } from '../../crypto/index.ts';
import { appendAudit } from '../audit/audit.repository.ts';
import { assertCan, type Actor } from './actor.ts';
import { existingPageIds } from '../pages/pages.repository.ts';
import { isRole } from './roles.ts';
import { insertAccount, insertToken } from './tokens.repository.ts';

export interface CreateTokenInput {
  name: string;
  role: string;
  pageIds?: string[];
  accountId?: string;
  /** When the token stops working (ms since the epoch); absent or null: never. */
  expiresAt?: number | null;
}

/**
 * Creates an API token (192 random bits) and returns it once; only its keyed hash is stored. Audited in the same
 * transaction. Page scopes must name registered Pages; an expiry must lie in the future.
 */
export async function createToken(
  ctx: AppContext,
  actor: Actor,
  input: CreateTokenInput,
): Promise<{ id: string; token: string; role: string; pages: string[] | null; expires_at: number | null }> {
  assertCan(actor, 'tokens:manage');
  if (!isRole(input.role))
    throw new AppError('validation_failed', `role must be one of owner, admin, agent, marketer, analyst`);
  if (!input.name.trim()) throw new AppError('validation_failed', 'name must not be empty');
  // An owner token acts on owners' accounts, which an admin may not: only an owner mints one.
  if (input.role === 'owner' && actor.role !== 'owner')
    throw new AppError('forbidden', 'only an owner may create an owner token');
  // An actor limited to some Pages cannot mint a token that sees more than it does.
  if (
    actor.pageScope !== null &&
    (!input.pageIds?.length || input.pageIds.some((p) => !actor.pageScope?.includes(p)))
  ) {
    throw new AppError('forbidden', 'a Page-scoped token can only create tokens for its own Pages');
  }
  const pages = input.pageIds?.length ? [...new Set(input.pageIds)] : null;
  const now = ctx.clock.now();
  const expiresAt = input.expiresAt ?? null;
  if (expiresAt !== null && (!Number.isSafeInteger(expiresAt) || expiresAt <= now))
    throw new AppError('validation_failed', 'expires_at must be a time in the future');
  const token = generateToken('psk_');
  const id = newId('tok', now);
  await ctx.db.transaction().execute(async (trx) => {
    if (pages) {
      const found = await existingPageIds(trx, pages);
      if (found.length !== pages.length)
        throw new AppError('validation_failed', 'every --page must be a registered Page id');
    }
    let accountId = input.accountId;
    if (!accountId) {
      accountId = newId('acct', now);
      await insertAccount(trx, { id: accountId, name: input.name.trim(), role: input.role, created_at: now });
    }
    await insertToken(trx, {
      id,
      account_id: accountId,
      name: input.name.trim(),
      role: input.role,
      token_hash: ctx.keyring.hashToken(token),
      page_scope: pages ? JSON.stringify(pages) : null,
      created_at: now,
      last_used_at: null,
      revoked_at: null,
      expires_at: expiresAt,
    });
    await appendAudit(
      trx,
      actor,
      {
        action: 'token.create',
        subjectType: 'token',
        subjectId: id,
        details: { role: input.role, pages, expires_at: expiresAt },
      },
      now,
    );
  });
  return { id, token, role: input.role, pages, expires_at: expiresAt };
}
