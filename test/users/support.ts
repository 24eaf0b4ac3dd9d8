import type { AppContext } from '../../src/kernel/context.ts';
import { cliActor } from '../../src/modules/access/actor.ts';
import { createUser } from '../../src/modules/users/create-user.ts';
import { userActor } from '../../src/modules/users/sessions.ts';
import { setPassword } from '../../src/modules/users/set-password.ts';
import { signInWithLink } from '../../src/modules/users/sign-in.ts';

/** The one-time token at the end of a sign-in link. */
export function linkToken(loginUrl: string): string {
  return new URL(loginUrl).pathname.split('/').pop()!;
}

/** An account as a person would make it ready: added by the owner, signed in through its link, password set. */
export async function readyAccount(
  ctx: AppContext,
  email: string,
  password: string,
  opts: { role?: string; pages?: string[] } = {},
): Promise<{ id: string }> {
  const created = await createUser(ctx, cliActor, { email, role: opts.role ?? 'agent', pageIds: opts.pages ?? [] });
  const first = await signInWithLink(ctx, linkToken(created.login_url), { source: '198.51.100.250', requestId: null });
  await setPassword(ctx, userActor(first.user, first.session.id, null), { newPassword: password });
  return { id: created.user.id };
}
