import type { MessengerProfileTable } from '../../db/tables/meta-settings.ts';
import { toIso } from '../../lib/time.ts';
import type { MessengerProfile } from './profile.policy.ts';

/** A Page's Messenger profile and the state of its push to Meta (Meta's error when the last push failed). */
export function presentProfile(pageId: string, row: MessengerProfileTable | undefined) {
  const p = row ? (JSON.parse(row.profile) as MessengerProfile) : {};
  return {
    page_id: pageId,
    get_started: p.get_started ?? null,
    greeting: p.greeting ?? null,
    ice_breakers: p.ice_breakers ?? null,
    persistent_menu: p.persistent_menu ?? null,
    push: row
      ? {
          status: row.push_status,
          pushed_at: toIso(row.pushed_at),
          next_attempt_at: row.push_status === 'pending' ? toIso(row.next_push_at) : null,
          error: row.push_error === null ? null : { code: row.push_error_code, message: row.push_error },
        }
      : null,
    updated_at: row ? toIso(row.updated_at) : null,
  };
}

export type ProfileView = ReturnType<typeof presentProfile>;
