// Handover protocol / conversation routing (reference §6): thread control calls, thread owner, and the
// `messaging_handovers` webhooks that reach our app when another app passes, takes or requests control.
import { DAY, currentOwner, type Core } from '../core.ts';
import { errors } from '../graph-error-answers.ts';
import { handoverEvent, type WebhookEvent } from '../events.ts';
import { PAGE_INBOX_APP_ID } from '../options.ts';
import type { Page, Thread } from '../world.ts';
import type { DeliveryRecord } from '../webhook-delivery.ts';
import { obj, str, type Params } from './request.ts';

export type HandoverKind = 'pass' | 'take' | 'request' | 'release' | 'extend';

/** Every app on the Page: ours, the Page Inbox and any configured secondary receivers. */
export function appsOnPage(core: Core): { id: string; name: string }[] {
  return [
    { id: core.opts.appId, name: core.opts.appName },
    { id: PAGE_INBOX_APP_ID, name: 'Page Inbox' },
    ...core.opts.secondaryReceivers,
  ];
}

function threadFor(core: Core, page: Page, params: Params): Thread {
  const psid = str(obj(params.recipient)?.id) ?? str(params.recipient);
  if (!psid) throw errors.param('The parameter recipient is required');
  const thread = core.world.threadByPsid(page.id, psid);
  if (!thread) throw errors.noMatchingUser();
  return thread;
}

/**
 * Applies one thread-control call made by `appId`; returns the webhooks our app receives because of it
 * (Meta sends pass to the new owner, take to the previous owner, request to the current owner).
 */
export function threadControl(
  core: Core,
  page: Page,
  appId: string,
  kind: HandoverKind,
  params: Params,
): { events: WebhookEvent[] } {
  if (!appsOnPage(core).some((a) => a.id === appId)) throw errors.notReceiver();
  const thread = threadFor(core, page, params);
  const now = core.clock.now();
  const owner = currentOwner(thread, now);
  const metadata = str(params.metadata);
  const ids = { psid: thread.psid, pageId: page.id, ts: now };
  const ours = core.opts.appId;
  const events: WebhookEvent[] = [];
  if (thread.blocked) throw errors.unavailable();
  switch (kind) {
    case 'pass': {
      const target = str(params.target_app_id);
      if (!target || !appsOnPage(core).some((a) => a.id === target))
        throw errors.param('param target_app_id must be an app on this Page');
      if (owner !== null && owner !== appId) throw errors.notThreadOwner();
      thread.owner = target;
      thread.ownerExpiresAt = now + DAY;
      if (target === ours && appId !== ours)
        events.push(handoverEvent(ids, 'pass_thread_control', { previous: owner, next: target, metadata }));
      break;
    }
    case 'take': {
      thread.owner = appId;
      thread.ownerExpiresAt = now + DAY;
      if (owner === ours && appId !== ours)
        events.push(handoverEvent(ids, 'take_thread_control', { previous: owner, next: appId, metadata }));
      break;
    }
    case 'request': {
      if (owner === appId) throw errors.param('The app already controls this thread');
      if (owner === ours) events.push(handoverEvent(ids, 'request_thread_control', { requester: appId, metadata }));
      break;
    }
    case 'release': {
      if (owner !== appId) throw errors.notThreadOwner();
      thread.owner = null;
      break;
    }
    case 'extend': {
      if (owner !== appId) throw errors.notThreadOwner();
      const duration = Number(params.duration ?? 86400);
      if (!Number.isInteger(duration) || duration < 1 || duration > 7 * 86400)
        throw errors.param('param duration must be between 1 and 604800 seconds');
      thread.ownerExpiresAt = now + duration * 1000;
      break;
    }
  }
  return { events };
}

/** Our app's thread-control call: `{"success": true}`, with any webhooks emitted in the background. */
export function threadControlCall(core: Core, page: Page, kind: HandoverKind, params: Params): Record<string, unknown> {
  const { events } = threadControl(core, page, core.opts.appId, kind, params);
  if (events.length > 0) {
    const p: Promise<DeliveryRecord[]> = core.emit(events);
    core.background.add(p);
    void p.finally(() => core.background.delete(p));
  }
  return { success: true };
}

/** `GET /thread_owner?recipient=PSID`: the owner, or an empty list while the thread is idle. */
export function threadOwner(core: Core, page: Page, params: Params): Record<string, unknown> {
  const thread = threadFor(core, page, params);
  const owner = currentOwner(thread, core.clock.now());
  return { data: owner === null ? [] : [{ thread_owner: { app_id: owner } }] };
}

/** `GET /secondary_receivers`: the other apps on the Page. */
export function secondaryReceivers(core: Core): Record<string, unknown> {
  return { data: appsOnPage(core).filter((a) => a.id !== core.opts.appId) };
}
