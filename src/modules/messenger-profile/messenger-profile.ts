// A Page's Messenger profile (Get Started, greeting, ice breakers, persistent menu): read, and replaced whole by an
// operator; the push to Meta happens in the background (profile-push.ts), several edits coalescing into one.
import type { AppContext } from '../../kernel/context.ts';
import type { MessengerProfileTable } from '../../db/tables/meta-settings.ts';
import { AppError, notFound } from '../../errors.ts';
import { assertCan, assertPage, type Actor } from '../access/actor.ts';
import { appendAudit } from '../audit/audit.repository.ts';
import { findPage } from '../pages/pages.repository.ts';
import { presentProfile, type ProfileView } from './messenger-profile.presenter.ts';
import { findProfile, insertProfile, updateProfile } from './messenger-profiles.repository.ts';
import {
  callsFor,
  checkProfile,
  nextCallSlot,
  pushPlan,
  PROFILE_FIELDS,
  type MessengerProfile,
} from './profile.policy.ts';

/** Edits within this long of each other go to Meta in one push. */
export const COALESCE_MS = 2_000;

/** The Page's Messenger profile and its push status (anyone who may read the Page). */
export async function getMessengerProfile(ctx: AppContext, actor: Actor, pageId: string): Promise<ProfileView> {
  assertCan(actor, 'pages:read');
  assertPage(actor, pageId);
  if (!(await findPage(ctx.db, pageId))) throw notFound('page');
  return presentProfile(pageId, await findProfile(ctx.db, pageId));
}

/**
 * Replaces the Page's Messenger profile (a property left out is removed at Meta) after checking Meta's limits (400
 * naming the field); the push is scheduled, coalesced with other edits and kept within 10 calls per 10 minutes.
 * Owners and admins; audited.
 */
export async function putMessengerProfile(
  ctx: AppContext,
  actor: Actor,
  pageId: string,
  input: Record<string, unknown>,
): Promise<ProfileView> {
  assertCan(actor, 'pages:write');
  assertPage(actor, pageId);
  const checked = checkProfile(input);
  if (!checked.ok) throw new AppError('validation_failed', checked.problem.message, { field: checked.problem.field });
  const profile = JSON.stringify(checked.profile);
  const now = ctx.clock.now();
  return ctx.db.transaction().execute(async (trx) => {
    if (!(await findPage(trx, pageId))) throw notFound('page');
    const existing = await findProfile(trx, pageId);
    const recent = existing ? (JSON.parse(existing.recent_calls) as number[]) : [];
    // The push waits a moment for further edits, and for room under Meta's limit for the calls it will take.
    const pushed = existing ? (JSON.parse(existing.pushed_profile) as MessengerProfile) : {};
    const needed = Math.max(1, callsFor(pushPlan(checked.profile, pushed)));
    const nextPushAt = Math.max(now + COALESCE_MS, nextCallSlot(recent, now + COALESCE_MS, needed));
    // The same profile again changes nothing, unless its last push failed: then it is pushed again.
    const unchanged = existing?.profile === profile && existing.push_status !== 'failed';
    let row: MessengerProfileTable;
    if (!existing) {
      row = {
        page_id: pageId,
        profile,
        pushed_profile: '{}',
        version: 1,
        pushed_version: 0,
        push_status: 'pending',
        push_error_code: null,
        push_error: null,
        push_attempts: 0,
        recent_calls: '[]',
        next_push_at: nextPushAt,
        pushed_at: null,
        updated_by: actor.id,
        created_at: now,
        updated_at: now,
      };
      await insertProfile(trx, row);
    } else {
      const set: Partial<MessengerProfileTable> = unchanged
        ? { updated_by: actor.id, updated_at: now }
        : {
            profile,
            version: existing.version + 1,
            push_status: 'pending',
            push_error_code: null,
            push_error: null,
            push_attempts: 0,
            next_push_at:
              existing.push_status === 'pending' && existing.next_push_at !== null && existing.next_push_at > now
                ? Math.max(existing.next_push_at, nextPushAt)
                : nextPushAt,
            updated_by: actor.id,
            updated_at: now,
          };
      await updateProfile(trx, pageId, set);
      row = { ...existing, ...set };
    }
    await appendAudit(
      trx,
      actor,
      {
        action: 'messenger_profile.update',
        pageId,
        subjectType: 'page',
        subjectId: pageId,
        details: {
          properties: PROFILE_FIELDS.filter((f) => checked.profile[f] !== undefined),
          changed: !unchanged,
        },
      },
      now,
    );
    return presentProfile(pageId, row);
  });
}
