// The paid Marketing Message API for Messenger (messenger-platform.md §8.2): `GET /debug_token` (what a Page token
// may do), `POST act_<AD_ACCOUNT_ID>/message_campaign` and `POST act_<AD_ACCOUNT_ID>/messages`, with the
// `marketing_message_*` webhooks. Off by default: a Page's token carries `paid_marketing_messages` (and
// `ads_management`) only once the control API grants it, linked to one ad account.
import { newMid, type Core } from '../core.ts';
import { errors, GraphError } from '../graph-error-answers.ts';
import { marketingMessageEvent, type WebhookEvent } from '../events.ts';
import type { MessageCampaign, Page } from '../world.ts';
import type { Caller, Params } from './request.ts';
import { obj, str } from './request.ts';
import { validateMessage } from './send-validate.ts';

const HOUR = 60 * 60_000;
/** "You can only send one message every 12 hours per `subscription_token`." */
export const PAID_MARKETING_GAP_MS = 12 * HOUR;
const BASE_SCOPES = ['pages_messaging', 'pages_manage_metadata', 'pages_show_list'];
const MARKETING_SCOPES = ['ads_management', 'paid_marketing_messages'];
// Meta delivers paid Marketing Messages to nobody in these regions: the send is accepted and then fails.
const RESTRICTED_REGIONS = new Set([
  ...['AT', 'BE', 'BG', 'HR', 'CY', 'CZ', 'DK', 'EE', 'FI', 'FR', 'DE', 'GR', 'HU', 'IE', 'IT', 'LV', 'LT', 'LU'],
  ...['MT', 'NL', 'PL', 'PT', 'RO', 'SK', 'SI', 'ES', 'SE', 'GB', 'JP', 'KR', 'AU'],
]);

const noPermission = () => new GraphError(10, '(#10) Application does not have permission for this action');
const invalidSubscriptionToken = () => new GraphError(100, '(#100) Invalid parameter: subscription_token is invalid');
const tooSoon = () =>
  new GraphError(4, '(#4) You can only send one message every 12 hours per subscription_token', 2018354);

/** `GET /debug_token?input_token=`: is the token valid, whose is it, and which permissions it carries. */
export function debugToken(core: Core, params: Params): Record<string, unknown> {
  const input = str(params.input_token);
  if (input === undefined || input === '') throw errors.param('The parameter input_token is required');
  const page = core.world.pageByToken(input);
  if (!page) {
    return {
      data: {
        is_valid: false,
        error: { code: 190, message: 'Invalid OAuth access token - Cannot parse access token' },
        scopes: [],
      },
    };
  }
  return {
    data: {
      app_id: core.opts.appId,
      type: 'PAGE',
      application: core.opts.appName,
      expires_at: 0,
      is_valid: true,
      profile_id: page.id,
      scopes: [...BASE_SCOPES, ...(page.marketingMessages ? MARKETING_SCOPES : [])],
    },
  };
}

// The Page whose token calls act_<id>: it must carry the permission and be linked to that ad account; any other
// account does not exist for it (100/33), as at Meta.
function accountPage(
  caller: Caller,
  node: string,
  method: string,
): NonNullable<Page['marketingMessages']> & {
  page: Page;
} {
  if (caller.kind !== 'page') throw errors.unsupported(method, node);
  const mm = caller.page.marketingMessages;
  if (!mm) throw noPermission();
  if (node !== `act_${mm.adAccountId}`) throw errors.unsupported(method, node);
  return { ...mm, page: caller.page };
}

function budget(params: Params, key: string): number | null {
  const v = params[key];
  if (v === undefined) return null;
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : NaN;
  if (!Number.isInteger(n) || n < 100) throw errors.param(`param ${key} must be an integer of at least 100 (cents)`);
  return n;
}

/** `POST act_<id>/message_campaign` `{name, page_id, daily_budget | lifetime_budget}` → `{id}`. */
export function createMessageCampaign(core: Core, caller: Caller, node: string, params: Params) {
  const { page, campaigns } = accountPage(caller, node, 'POST');
  const name = str(params.name);
  if (name === undefined || name.trim() === '') throw errors.param('The parameter name is required');
  if (str(params.page_id) !== page.id) throw errors.param('param page_id must be the Page of this access token');
  const dailyBudget = budget(params, 'daily_budget');
  const lifetimeBudget = budget(params, 'lifetime_budget');
  if ((dailyBudget === null) === (lifetimeBudget === null))
    throw errors.param('Exactly one of daily_budget or lifetime_budget is required');
  const c: MessageCampaign = {
    id: String(120_000_000_000_000 + core.random.int(9e14)),
    name,
    pageId: page.id,
    dailyBudget,
    lifetimeBudget,
    createdAt: core.clock.now(),
  };
  campaigns.set(c.id, c);
  return { id: c.id };
}

function uuid(core: Core): string {
  const h = core.random.chars('0123456789abcdef', 32);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20)}`;
}

/**
 * `POST act_<id>/messages` `{message_id, messenger_delivery_data: {subscription_token}, message}` →
 * `{success: true, marketing_message_tracking_id}`; then the echo and the delivery (or, for a person in a region
 * Meta does not serve, the failure) as webhooks.
 */
export function sendMarketingMessage(core: Core, caller: Caller, node: string, params: Params) {
  const { page, campaigns } = accountPage(caller, node, 'POST');
  const now = core.clock.now();
  const campaignId = str(params.message_id);
  if (campaignId === undefined || !campaigns.has(campaignId))
    throw errors.param('param message_id must be a message campaign of this ad account');
  const token = str(obj(params.messenger_delivery_data)?.subscription_token);
  if (token === undefined) throw errors.param('The parameter messenger_delivery_data[subscription_token] is required');
  const sub = core.world.marketingTokens.get(token);
  const person = sub ? core.world.people.get(sub.personId) : undefined;
  if (!sub || sub.pageId !== page.id || !person) throw invalidSubscriptionToken();
  if (params.message === undefined) throw errors.param('The parameter message is required');
  const message = validateMessage(obj(params.message) ?? {});
  const thread = core.world.contact(page, person);
  if (thread.blocked) throw errors.unavailable();
  if (sub.status === 'stopped') throw errors.notificationsStopped();
  const last = sub.lastPaidSentAt ?? null;
  if (last !== null && now - last < PAID_MARKETING_GAP_MS) throw tooSoon();
  sub.lastPaidSentAt = now;
  const trackingId = uuid(core);
  const mid = newMid(core);
  const region = person.locale.split('_')[1]?.toUpperCase();
  const restricted = region === undefined || RESTRICTED_REGIONS.has(region);
  if (!restricted) {
    core.world.record(thread, {
      mid,
      from: 'page',
      timestamp: now,
      text: message.text,
      attachments: message.attachment ? [message.attachment] : undefined,
      quick_replies: message.quick_replies,
      metadata: message.metadata,
      messaging_type: 'MARKETING_MESSAGE',
    });
  }
  if (core.receiving()) {
    const ids = { psid: thread.psid, pageId: page.id, ts: now };
    const m = { appId: core.opts.appId, mid, trackingId, subscriptionToken: token, messageId: campaignId };
    const events: WebhookEvent[] = restricted
      ? [
          marketingMessageEvent('marketing_message_delivery_failed', ids, {
            ...m,
            error: 'Marketing messages are not available for this user',
          }),
        ]
      : [
          marketingMessageEvent('marketing_message_echoes', ids, m),
          marketingMessageEvent('marketing_message_deliveries', ids, m),
        ];
    const p = core.emit(events);
    core.background.add(p);
    void p.finally(() => core.background.delete(p));
  }
  return { success: true, marketing_message_tracking_id: trackingId };
}
