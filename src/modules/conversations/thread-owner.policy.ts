// Who owns a Messenger thread under the handover protocol, as pagescope keeps it: the app id of another app that has
// the thread (a helpdesk bot, the Page Inbox), or null while pagescope has it or nobody does (idle). Pure.
//
// Meta tells each app only what concerns it (messenger-platform.md §2.13): `pass_thread_control` goes to the app that
// receives the thread, `take_thread_control` to the app that loses it. So a pass we receive makes us the owner, a take
// makes the taker the owner; and a message on the `messaging` channel (not `standby`) means we own the thread or it
// is idle.

export type HandoverKind = 'pass_thread_control' | 'take_thread_control';

/** Kept as the owner when a standby message is all we know: another app has the thread, Meta did not say which. */
export const UNKNOWN_APP = 'unknown';

/**
 * The owner to keep after a handover webhook (null: pagescope may answer). `ownAppId` is META_APP_ID when set; without
 * it a pass (always sent to the new owner) still says the thread is ours.
 */
export function ownerAfterHandover(
  kind: HandoverKind,
  newOwnerAppId: string | undefined,
  ownAppId: string | null,
): string | null {
  if (newOwnerAppId === undefined || newOwnerAppId === ownAppId) return null;
  if (kind === 'pass_thread_control' && ownAppId === null) return null;
  return newOwnerAppId;
}

/**
 * How the API shows the owner: the app's id (ours when pagescope has the thread, if META_APP_ID is known; null for
 * another app Meta did not name).
 */
export function threadOwnerView(
  ownerAppId: string | null,
  ownAppId: string | null,
): { app_id: string | null; is_pagescope: boolean } {
  if (ownerAppId === null || ownerAppId === ownAppId) return { app_id: ownAppId, is_pagescope: true };
  return { app_id: ownerAppId === UNKNOWN_APP ? null : ownerAppId, is_pagescope: false };
}
