// The control API under /_emulator (CONTRACT.md "Emulator control API"), for tests, demos and the sandbox.
import type { Emulator } from './emulator.ts';
import { PAGE_INBOX_APP_ID } from './options.ts';
import { ActionError, type Action } from './people.ts';

export interface ControlRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  body: unknown;
}
export interface ControlResponse {
  status: number;
  body: unknown;
}

type Json = Record<string, unknown>;

function need(body: Json, key: string): string {
  const v = body[key];
  if (typeof v !== 'string' || v === '') throw new ActionError(400, `${key} is required`);
  return v;
}

function secondApp(emu: Emulator): string {
  return emu.options.secondaryReceivers[0]?.id ?? PAGE_INBOX_APP_ID;
}

function sinceId<T extends { id: number }>(items: T[], query: URLSearchParams): T[] {
  const since = Number(query.get('since_id') ?? 0);
  return since > 0 ? items.filter((i) => i.id > since) : items;
}

async function route(emu: Emulator, req: ControlRequest): Promise<unknown> {
  const parts = req.path
    .replace(/^\/_emulator\/?/, '')
    .split('/')
    .filter(Boolean)
    .map(decodeURIComponent);
  const body = (req.body ?? {}) as Json;
  const m = req.method;
  const [a, b, c] = parts;
  if (m === 'GET' && parts.length === 0) {
    return {
      app_id: emu.options.appId,
      webhook_url: emu.options.webhookUrl ?? null,
      now: emu.clock.now(),
      pages: emu.pages().length,
      users: emu.users().length,
    };
  }
  if (a === 'pages' && parts.length === 1) {
    if (m === 'GET') return { data: emu.pages() };
    if (m === 'POST')
      return emu.createPage({
        id: body.id as string | undefined,
        name: need(body, 'name'),
        access_token: body.access_token as string | undefined,
      });
  }
  if (a === 'pages' && b && c === 'policy-enforcement' && m === 'POST') {
    return {
      deliveries: await emu.enforcePolicy(
        b,
        need(body, 'action') as 'warning' | 'block' | 'unblock',
        body.reason as string | undefined,
      ),
    };
  }
  if (a === 'pages' && b && c === 'template-rejections' && m === 'POST') {
    return emu.rejectTemplates(b, need(body, 'name'), (body.reason as string | undefined) ?? 'INCORRECT_CATEGORY');
  }
  if (a === 'pages' && b && c === 'marketing-messages' && m === 'POST') {
    if (typeof body.enabled !== 'boolean') throw new ActionError(400, 'enabled must be true or false');
    const account = body.ad_account_id;
    if (account !== undefined && (typeof account !== 'string' || !/^\d{1,20}$/.test(account)))
      throw new ActionError(400, 'ad_account_id must be digits (without act_)');
    return emu.setMarketingMessages(b, body.enabled, account);
  }
  if (a === 'users' && parts.length === 1) {
    if (m === 'GET') {
      // `?page_id=&psid=` finds the person behind a PSID: a contact in pagescope shows the PSID, the inbox is per user.
      const psid = req.query.get('psid');
      if (psid === null) return { data: emu.users() };
      const user = emu.userByPsid(need({ page_id: req.query.get('page_id') ?? '' }, 'page_id'), psid);
      return { data: user ? [user] : [] };
    }
    if (m === 'POST') {
      return emu.createUser({
        first_name: need(body, 'first_name'),
        last_name: need(body, 'last_name'),
        locale: body.locale as string | undefined,
        timezone: body.timezone as number | undefined,
        gender: body.gender as string | undefined,
        no_profile: body.no_profile === true,
      });
    }
  }
  if (a === 'users' && b && m === 'POST' && c === 'actions') {
    const { page_id, ...action } = body;
    if (typeof action.type !== 'string') throw new ActionError(400, 'type is required');
    return emu.act(b, need({ page_id }, 'page_id'), action as unknown as Action);
  }
  if (a === 'users' && b && m === 'GET' && c === 'inbox')
    return { data: emu.inbox(b, need({ page_id: req.query.get('page_id') ?? '' }, 'page_id')) };
  if (a === 'users' && b && m === 'POST' && c === 'remove-app') {
    const kind = body.kind === 'deauthorize' ? 'deauthorize' : 'data_deletion';
    return emu.removeApp(b, kind, body.url as string | undefined);
  }
  if (a === 'users' && b && m === 'POST' && c === 'reassign-psid') return emu.reassignPsid(b, need(body, 'page_id'));
  if (a === 'users' && b && m === 'POST' && c === 'account-linking-token')
    return { account_linking_token: emu.accountLinkingToken(b, need(body, 'page_id')) };
  if (a === 'psid' && m === 'GET') {
    const psid = emu.psid(
      need({ u: req.query.get('user_id') ?? '' }, 'u'),
      need({ p: req.query.get('page_id') ?? '' }, 'p'),
    );
    if (psid === null) throw new ActionError(404, 'this person has not contacted the Page yet');
    return { psid };
  }
  if (a === 'clock') {
    if (m === 'POST') {
      const ms = Number(body.advance_ms);
      if (!Number.isFinite(ms) || ms < 0) throw new ActionError(400, 'advance_ms must be a non-negative number');
      const retries = await emu.advance(ms);
      return { now: emu.clock.now(), iso: new Date(emu.clock.now()).toISOString(), retries };
    }
    if (m === 'GET') return { now: emu.clock.now(), iso: new Date(emu.clock.now()).toISOString() };
  }
  if (a === 'deliveries' && m === 'GET') return { data: sinceId(emu.deliveries(), req.query) };
  if (a === 'calls' && m === 'GET') return { data: sinceId(emu.calls(), req.query) };
  if (a === 'alerts' && m === 'GET') return { data: emu.alerts() };
  if (a === 'webhook' && m === 'POST')
    return emu.setWebhook(need(body, 'url'), (body.verify_token as string | undefined) ?? emu.options.verifyToken);
  if (a === 'handover' && m === 'POST') {
    const action = need(body, 'action') as 'pass' | 'take' | 'request' | 'release' | 'extend';
    return {
      deliveries: await emu.handover({
        user_id: need(body, 'user_id'),
        page_id: need(body, 'page_id'),
        // Without app_id the second app acts: the first secondary receiver (the Helpdesk Bot by default).
        app_id: typeof body.app_id === 'string' && body.app_id !== '' ? body.app_id : secondApp(emu),
        action,
        target_app_id: body.target_app_id as string | undefined,
        metadata: body.metadata as string | undefined,
      }),
    };
  }
  if (a === 'flush' && m === 'POST') {
    await emu.flush();
    return { ok: true };
  }
  throw new ActionError(404, `no control route ${m} ${req.path}`);
}

/** Answers one control request; errors are `{"error": {"code", "message"}}` with 400, 404 or 409. */
export async function handleControl(emu: Emulator, req: ControlRequest): Promise<ControlResponse> {
  try {
    return {
      status: req.method === 'POST' && /\/(pages|users)$/.test(req.path) ? 201 : 200,
      body: await route(emu, req),
    };
  } catch (err) {
    if (err instanceof ActionError)
      return {
        status: err.status,
        body: {
          error: {
            code: err.status === 404 ? 'not_found' : err.status === 409 ? 'conflict' : 'bad_request',
            message: err.message,
          },
        },
      };
    if (err instanceof RangeError || (err instanceof Error && /already exists/.test(err.message))) {
      return { status: 400, body: { error: { code: 'bad_request', message: err.message } } };
    }
    throw err;
  }
}
