// What Graph handlers and people's actions share: the world, the clock, options, randomness and event emission.
import type { Clock } from './clock.ts';
import type { WebhookEvent } from './events.ts';
import type { EmulatorOptions } from './options.ts';
import type { Random } from './prng.ts';
import type { RateLimiter } from './rate-limit.ts';
import type { DeliveryRecord, WebhookDelivery } from './webhook-delivery.ts';
import type { Thread, World } from './world.ts';

export const DAY = 24 * 60 * 60_000;

export interface Core {
  opts: EmulatorOptions;
  world: World;
  clock: Clock;
  random: Random;
  limiter: RateLimiter;
  delivery: WebhookDelivery;
  /** Delivers the events the Page is subscribed to; resolves with the POST attempts. */
  emit(events: WebhookEvent[]): Promise<DeliveryRecord[]>;
  /** False when no webhook URL (or transport) is set: events need not be built at all. */
  receiving(): boolean;
  /** Events emitted in the background (after Graph calls) that flush() waits for. */
  background: Set<Promise<unknown>>;
}

/** Filters by the Page's subscription (field, and `standby` for the standby channel). */
export function subscribedTo(core: Core, e: WebhookEvent): boolean {
  const page = core.world.pages.get(e.pageId);
  if (!page || !page.subscribed) return false;
  return page.subscribedFields.has(e.channel === 'standby' ? 'standby' : e.field);
}

/** A fresh message id in Meta's modern form: `m_` and 86 base64url characters. */
export function newMid(core: Core): string {
  return `m_${core.random.base64url(86)}`;
}

/** The thread owner after idle expiry: control returns to idle after 24 h without activity. */
export function currentOwner(thread: Thread, now: number): string | null {
  if (thread.owner !== null && now > thread.ownerExpiresAt) thread.owner = null;
  return thread.owner;
}

/** Activity keeps the current owner in control for another 24 h (a control that already lapsed stays lapsed). */
export function touchOwner(thread: Thread, now: number): void {
  if (currentOwner(thread, now) !== null) thread.ownerExpiresAt = Math.max(thread.ownerExpiresAt, now + DAY);
}

/** The channel inbound events use for our app: `standby` while another app owns the thread. */
export function channelFor(core: Core, thread: Thread, now: number): 'messaging' | 'standby' {
  const owner = currentOwner(thread, now);
  return owner !== null && owner !== core.opts.appId ? 'standby' : 'messaging';
}
