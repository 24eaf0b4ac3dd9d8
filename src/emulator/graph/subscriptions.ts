// Page subscriptions (`/{page}/subscribed_apps`), app subscriptions with the callback handshake
// (`POST /{app-id}/subscriptions`), account unlinking and the attachment upload API.
import type { Core } from '../core.ts';
import { errors } from '../graph-error-answers.ts';
import { accountLinkingEvent } from '../events.ts';
import { ALL_FIELDS, type Page } from '../world.ts';
import { str, type Params } from './request.ts';

function fieldList(v: unknown): string[] | undefined {
  if (Array.isArray(v)) return v.map(String);
  return str(v)
    ?.split(',')
    .map((f) => f.trim())
    .filter(Boolean);
}

/** GET lists our app if subscribed; POST subscribes to the given fields; DELETE unsubscribes. */
export function subscribedApps(core: Core, page: Page, method: string, params: Params): Record<string, unknown> {
  const success = core.opts.policy.subscribedAppsSuccessAsString ? 'true' : true;
  if (method === 'GET') {
    if (!page.subscribed) return { data: [] };
    const { appId, appName } = core.opts;
    return {
      data: [
        {
          category: 'Business',
          link: `https://www.facebook.com/games/?app_id=${appId}`,
          name: appName,
          id: appId,
          subscribed_fields: [...page.subscribedFields],
        },
      ],
    };
  }
  if (method === 'DELETE') {
    page.subscribed = false;
    page.subscribedFields.clear();
    return { success };
  }
  const fields = fieldList(params.subscribed_fields);
  if (!fields?.length) throw errors.param('The parameter subscribed_fields is required');
  const unknown = fields.find((f) => !(ALL_FIELDS as readonly string[]).includes(f));
  if (unknown)
    throw errors.param(`param subscribed_fields must be one of {${ALL_FIELDS.join(', ')}} - got "${unknown}"`);
  page.subscribed = true;
  page.subscribedFields = new Set(fields);
  return { success };
}

/** `POST /{app-id}/subscriptions`: verifies the callback with a handshake before accepting it. */
export async function appSubscriptions(
  core: Core,
  params: Params,
  setCallback: (url: string, verifyToken: string) => Promise<{ ok: boolean; error?: string }>,
): Promise<Record<string, unknown>> {
  const url = str(params.callback_url);
  const verifyToken = str(params.verify_token);
  if (str(params.object) !== 'page') throw errors.param('param object must be page');
  if (!url || !verifyToken) throw errors.param('The parameters callback_url and verify_token are required');
  const result = await setCallback(url, verifyToken);
  if (!result.ok) throw errors.callbackVerification(result.error ?? 'the callback did not echo the challenge');
  return { success: true };
}

/** `POST /me/unlink_accounts {"psid"}`: unlinks and sends the `unlinked` account-linking webhook. */
export function unlinkAccounts(core: Core, page: Page, params: Params): Record<string, unknown> {
  const psid = str(params.psid);
  const thread = psid ? core.world.threadByPsid(page.id, psid) : undefined;
  if (!thread) throw errors.noMatchingUser();
  thread.linked = false;
  const p = core.emit([accountLinkingEvent({ psid: thread.psid, pageId: page.id, ts: core.clock.now() }, 'unlinked')]);
  core.background.add(p);
  void p.finally(() => core.background.delete(p));
  return { result: 'unlink account success' };
}

/** `POST /{page}/message_attachments`: an attachment id for a reusable asset. */
export function uploadAttachment(core: Core, params: Params): Record<string, unknown> {
  const attachment = (params.message as { attachment?: { type?: string; payload?: { url?: string } } } | undefined)
    ?.attachment;
  if (!attachment?.type || !attachment.payload?.url)
    throw errors.param('param message[attachment] needs a type and payload[url]');
  return { attachment_id: String(1e15 + core.random.int(9e14)) };
}
