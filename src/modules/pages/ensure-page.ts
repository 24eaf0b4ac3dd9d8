import type { AppContext } from '../../kernel/context.ts';
import { assertCan, assertPage, type Actor } from '../access/actor.ts';
import { findPage } from './pages.repository.ts';
import { registerPage, type RegisterPageInput } from './register-page.ts';

/**
 * Registers the Page when it is not registered yet, and leaves a registered one as it is (its name, token and status
 * untouched: unlike registerPage, which replaces them). Returns whether it registered it; audited when it does.
 */
export async function ensurePageRegistered(ctx: AppContext, actor: Actor, input: RegisterPageInput): Promise<boolean> {
  assertCan(actor, 'pages:write');
  assertPage(actor, input.id);
  if (await findPage(ctx.db, input.id)) return false;
  return (await registerPage(ctx, actor, input)).created;
}
