import type { Permission, Role } from './roles.ts';
import { ROLE_PERMISSIONS } from './roles.ts';
import { AppError, notFound } from '../../errors.ts';

/**
 * Who is acting: an API token, a person signed in with a session (`user`), an operator at the CLI, or the system
 * itself (workers, Meta's callbacks). A user carries its role and Pages like a token, so every scope check applies.
 */
export type Actor =
  | {
      type: 'token';
      id: string;
      accountId: string;
      role: Role;
      pageScope: readonly string[] | null;
      requestId: string | null;
    }
  | {
      type: 'user';
      id: string;
      role: Role;
      pageScope: readonly string[] | null;
      requestId: string | null;
      sessionId: string | null;
    }
  | { type: 'cli'; id: null; role: 'owner'; pageScope: null; requestId: null }
  | { type: 'system'; id: string | null; role: 'owner'; pageScope: null; requestId: string | null };

export const cliActor: Actor = { type: 'cli', id: null, role: 'owner', pageScope: null, requestId: null };
export function systemActor(name: string, requestId: string | null = null): Actor {
  return { type: 'system', id: name, role: 'owner', pageScope: null, requestId };
}

export function can(actor: Actor, permission: Permission): boolean {
  return ROLE_PERMISSIONS[actor.role].includes(permission);
}

/** Throws `forbidden` unless the actor's role carries the permission. */
export function assertCan(actor: Actor, permission: Permission): void {
  if (!can(actor, permission))
    throw new AppError('forbidden', `this token's role may not ${permission.replace(':', ' ')}`);
}

export function canSeePage(actor: Actor, pageId: string): boolean {
  return actor.pageScope === null || actor.pageScope.includes(pageId);
}

/**
 * Throws `not_found` when the Page is outside the actor's scope: the same answer as for a Page that does not
 * exist, so a token learns nothing about other Pages.
 */
export function assertPage(actor: Actor, pageId: string, what = 'page'): void {
  if (!canSeePage(actor, pageId)) throw notFound(what);
}

/** Page ids the actor may see, or null for all; used inside queries' `where` so scope is enforced by SQL. */
export function pageScopeOf(actor: Actor): readonly string[] | null {
  return actor.pageScope;
}

/** The operator (a signed-in person) acting, whom a conversation can be assigned to; null for tokens and the system. */
export function operatorIdOf(actor: Actor): string | null {
  return actor.type === 'user' ? actor.id : null;
}
