// Routes a Graph request (`/{version}/{node}/{edge}`, any `v\d+.\d+` or none) to its handler, turns thrown
// GraphErrors into Meta's error JSON, and writes the call log.
import type { Core } from '../core.ts';
import type { Ring } from '../ring.ts';
import { GraphError, errors } from '../graph-error-answers.ts';
import { idsForApps, idsForPages } from './id-matching.ts';
import { secondaryReceivers, threadControlCall, threadOwner, type HandoverKind } from './handover.ts';
import { createMessageCampaign, debugToken, sendMarketingMessage } from './marketing-messages.ts';
import { messageTemplates } from './message-templates.ts';
import { messengerProfile } from './messenger-profile.ts';
import { pageNode, userProfile } from './profile.ts';
import { authenticate, pageFor, parseParams, type GraphRequest, type GraphResponse, type Params } from './request.ts';
import { sendMessage } from './send-api.ts';
import { appSubscriptions, subscribedApps, unlinkAccounts, uploadAttachment } from './subscriptions.ts';

export interface CallLogEntry {
  id: number;
  at: number;
  method: string;
  path: string;
  params: Params;
  status: number;
  answer: unknown;
}

export interface GraphHooks {
  setCallback: (url: string, verifyToken: string) => Promise<{ ok: boolean; error?: string }>;
  linkingLookup: (pageId: string, token: string) => string | undefined;
}

const VERSION = /^v\d+\.\d+$/;
const HANDOVER: Record<string, HandoverKind> = {
  pass_thread_control: 'pass',
  take_thread_control: 'take',
  request_thread_control: 'request',
  release_thread_control: 'release',
  extend_thread_control: 'extend',
};

async function route(core: Core, req: GraphRequest, params: Params, hooks: GraphHooks): Promise<unknown> {
  const method = req.method.toUpperCase();
  const segs = req.path.split('/').filter(Boolean);
  if (segs[0] && VERSION.test(segs[0])) segs.shift();
  const [node, edge, ...rest] = segs;
  if (!node || rest.length > 0) throw errors.unknownPath(`/${rest.join('/')}`);
  const proofRequired = edge === 'ids_for_pages' || edge === 'ids_for_apps';
  const caller = authenticate(core, req, params, proofRequired);
  if (node === 'debug_token' && edge === undefined && method === 'GET') return debugToken(core, params);
  if (node.startsWith('act_') && method === 'POST' && edge === 'message_campaign')
    return createMessageCampaign(core, caller, node, params);
  if (node.startsWith('act_') && method === 'POST' && edge === 'messages')
    return sendMarketingMessage(core, caller, node, params);
  if (edge === undefined) {
    if (method !== 'GET') throw errors.unsupported(method, node);
    if (caller.kind === 'app') {
      if (node !== core.opts.appId) throw errors.unsupported(method, node);
      return { name: core.opts.appName, id: core.opts.appId };
    }
    if (node === 'me' || node === caller.page.id)
      return pageNode(caller.page, params, (t) => hooks.linkingLookup(caller.page.id, t));
    const thread = core.world.threadByPsid(caller.page.id, node);
    if (!thread) throw errors.unsupported(method, node);
    return userProfile(core, caller.page, thread, params);
  }
  const is = (m: string, e: string) => method === m && edge === e;
  if (is('POST', 'messages')) return sendMessage(core, pageFor(caller, node, method), params);
  if (method === 'POST' && Object.hasOwn(HANDOVER, edge))
    return threadControlCall(core, pageFor(caller, node, method), HANDOVER[edge]!, params);
  if (is('GET', 'thread_owner')) return threadOwner(core, pageFor(caller, node, method), params);
  if (is('GET', 'secondary_receivers')) {
    pageFor(caller, node, method);
    return secondaryReceivers(core);
  }
  if (edge === 'messenger_profile' && ['GET', 'POST', 'DELETE'].includes(method))
    return messengerProfile(core, pageFor(caller, node, method), method, params);
  if (edge === 'message_templates' && ['GET', 'POST', 'DELETE'].includes(method))
    return messageTemplates(core, pageFor(caller, node, method), method, params);
  if (edge === 'subscribed_apps' && ['GET', 'POST', 'DELETE'].includes(method))
    return subscribedApps(core, pageFor(caller, node, method), method, params);
  if (is('GET', 'ids_for_pages')) return idsForPages(core, caller, node, params);
  if (is('GET', 'ids_for_apps')) return idsForApps(core, caller, node, params);
  if (is('POST', 'unlink_accounts')) return unlinkAccounts(core, pageFor(caller, node, method), params);
  if (is('POST', 'message_attachments')) {
    pageFor(caller, node, method);
    return uploadAttachment(core, params);
  }
  if (is('POST', 'subscriptions')) {
    if (caller.kind !== 'app' || node !== core.opts.appId) throw errors.unsupported(method, node);
    return appSubscriptions(core, params, hooks.setCallback);
  }
  throw errors.unsupported(method, node);
}

const SECRET_PARAMS = new Set(['access_token', 'appsecret_proof']);

/** Answers one Graph request as Meta would (errors included) and appends it to the call log. */
export async function handleGraph(
  core: Core,
  req: GraphRequest,
  hooks: GraphHooks,
  log: Ring<CallLogEntry>,
  nextId: () => number,
): Promise<GraphResponse> {
  let status = 200;
  let body: unknown;
  let params: Params = {};
  try {
    params = parseParams(req);
    body = await route(core, req, params, hooks);
  } catch (err) {
    const graphError =
      err instanceof GraphError
        ? err
        : new GraphError(
            2,
            'An unexpected error has occurred. Please retry your request later.',
            undefined,
            'OAuthException',
            500,
          );
    status = graphError.status;
    body = graphError.toBody(`A${core.random.base64url(22)}`);
  }
  for (const k of SECRET_PARAMS) delete params[k]; // params is a fresh object per request
  log.push({ id: nextId(), at: core.clock.now(), method: req.method, path: req.path, params, status, answer: body });
  return { status, body };
}
