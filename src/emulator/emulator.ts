// The in-process emulator: world, clock, people's actions, Graph handlers and webhook delivery in one object.
import { Clock } from './clock.ts';
import { subscribedTo, type Core } from './core.ts';
import { policyEnforcementEvent } from './events.ts';
import { verifyCallback, type HandshakeResult } from './handshake.ts';
import { httpTransport } from './http-transport.ts';
import { resolveOptions, type EmulatorOptions, type EmulatorOptionsInput, type WebhookTransport } from './options.ts';
import { act, ActionError, type Action, type ActionResult } from './people.ts';
import { deriveDigits, Random } from './prng.ts';
import { RateLimiter } from './rate-limit.ts';
import { Ring } from './ring.ts';
import { createSignedRequest } from './meta-signed-request.ts';
import { GraphError } from './graph-error-answers.ts';
import { threadControl, type HandoverKind } from './graph/handover.ts';
import { handleGraph, type CallLogEntry, type GraphHooks } from './graph/router.ts';
import type { GraphRequest, GraphResponse } from './graph/request.ts';
import { WebhookDelivery, type DeliveryAlert, type DeliveryRecord } from './webhook-delivery.ts';
import { World, type Page, type Person, type Thread, type WorldSnapshot } from './world.ts';

export interface PageView {
  id: string;
  name: string;
  access_token: string;
}
export interface UserView {
  id: string;
  first_name: string;
  last_name: string;
  locale: string;
  timezone: number;
  app_scoped_id: string;
}

const pageView = (p: Page): PageView => ({ id: p.id, name: p.name, access_token: p.accessToken });
const userView = (p: Person): UserView => ({
  id: p.id,
  first_name: p.firstName,
  last_name: p.lastName,
  locale: p.locale,
  timezone: p.timezone,
  app_scoped_id: p.id,
});

export class Emulator {
  readonly options: EmulatorOptions;
  readonly world: World;
  readonly clock: Clock;
  private readonly core: Core;
  private readonly delivery: WebhookDelivery;
  private readonly callLog: Ring<CallLogEntry>;
  private readonly traces: Random;
  private callId = 0;
  private timer: NodeJS.Timeout | null = null;
  private readonly transport: WebhookTransport;
  private readonly ownTransport: ReturnType<typeof httpTransport> | undefined;

  constructor(input: EmulatorOptionsInput = {}) {
    const opts = resolveOptions(input);
    this.options = opts;
    this.world = new World(opts.seed, opts.autoSubscribe);
    this.clock = new Clock(opts.clockStart, opts.clockMode);
    this.callLog = new Ring(opts.callLogLimit);
    this.traces = new Random(opts.runSeed ? `${opts.seed}:${opts.runSeed}:traces` : `${opts.seed}:traces`);
    this.ownTransport = opts.transport ? undefined : httpTransport(opts.delivery.concurrency);
    this.transport = opts.transport ?? this.ownTransport!;
    const world = this.world;
    this.delivery = new WebhookDelivery(opts.delivery, {
      appSecret: opts.appSecret,
      clock: this.clock,
      random: new Random(`${opts.seed}:delivery`),
      transport: this.transport,
      url: () => opts.webhookUrl ?? (input.transport ? 'inprocess://webhook' : undefined),
      unsubscribe: (pageId) => {
        const page = world.pages.get(pageId);
        if (page) page.subscribed = false;
      },
      isSubscribed: (pageId) => world.pages.get(pageId)?.subscribed ?? false,
      enforcesTimeout: opts.transport === undefined,
    });
    const core: Core = {
      opts,
      world,
      clock: this.clock,
      random: new Random(opts.runSeed ? `${opts.seed}:${opts.runSeed}:ids` : `${opts.seed}:ids`),
      limiter: new RateLimiter(),
      delivery: this.delivery,
      background: new Set(),
      receiving: () => opts.webhookUrl !== undefined || input.transport !== undefined,
      emit: (events) => this.delivery.deliver(events.filter((e) => subscribedTo(core, e))),
    };
    this.core = core;
    if (opts.clockMode === 'running') {
      this.timer = setInterval(() => void this.delivery.processDue(), 1000);
      this.timer.unref();
    }
  }

  /** Adds a Page with its access token (derived from the seed unless given). */
  createPage(input: { id?: string; name: string; access_token?: string }): PageView {
    return pageView(this.world.addPage(input));
  }

  /** Adds a person; PSIDs are assigned per Page on first contact. */
  createUser(input: {
    first_name: string;
    last_name: string;
    locale?: string;
    timezone?: number;
    gender?: string;
    no_profile?: boolean;
  }): UserView {
    return userView(this.world.addPerson(input));
  }

  /** The world's lasting state (people, PSIDs, blocks, windows, marketing tokens) as JSON-ready data. */
  saveWorld(): WorldSnapshot {
    return this.world.snapshot();
  }

  /** Restores `saveWorld()`'s people and threads; call it after adding the Pages and before adding people. */
  loadWorld(snapshot: WorldSnapshot): void {
    this.world.restore(snapshot);
  }

  /** What traffic needs to know of a person on a Page: their PSID, whether they block it, their marketing topics. */
  threadState(
    userId: string,
    pageId: string,
  ): { psid: string; blocked: boolean; marketing: Record<string, 'active' | 'stopped'> } | null {
    const thread = this.thread(userId, pageId);
    if (!thread) return null;
    const marketing: Record<string, 'active' | 'stopped'> = {};
    for (const t of this.world.marketingTokens.values())
      if (t.pageId === pageId && t.personId === userId) marketing[t.topic] = t.status;
    return { psid: thread.psid, blocked: thread.blocked, marketing };
  }

  pages(): PageView[] {
    return [...this.world.pages.values()].map(pageView);
  }

  users(): UserView[] {
    return [...this.world.people.values()].map(userView);
  }

  /** The person who holds `psid` on the Page now (a retired PSID finds nobody). */
  userByPsid(pageId: string, psid: string): UserView | null {
    const thread = this.world.threadByPsid(pageId, psid);
    return thread ? userView(thread.person) : null;
  }

  private lookup(userId: string, pageId: string): { person: Person; page: Page } {
    const person = this.world.people.get(userId);
    if (!person) throw new ActionError(404, `no user ${userId}`);
    const page = this.world.pages.get(pageId);
    if (!page) throw new ActionError(404, `no page ${pageId}`);
    return { person, page };
  }

  /** The person acts on a Page; resolves once the webhooks it caused were delivered (or failed). */
  act(userId: string, pageId: string, action: Action): Promise<ActionResult> {
    const { person, page } = this.lookup(userId, pageId);
    return act(this.core, person, page, action);
  }

  /** Typed shortcuts for `act`, one per kind of action. */
  user(userId: string) {
    const run = (pageId: string, action: Action) => this.act(userId, pageId, action);
    return {
      says: (pageId: string, text: string, extra: { reply_to?: string; referral?: Record<string, unknown> } = {}) =>
        run(pageId, { type: 'message', text, ...extra }),
      sends: (pageId: string, attachments: unknown[]) => run(pageId, { type: 'message', attachments }),
      quickReply: (pageId: string, text: string, payload: string) =>
        run(pageId, { type: 'quick_reply', text, payload }),
      postback: (pageId: string, payload?: string, title?: string, referral?: Record<string, unknown>) =>
        run(pageId, { type: 'postback', payload, title, referral }),
      tapsIceBreaker: (pageId: string, question: string) => run(pageId, { type: 'ice_breaker', question }),
      reacts: (pageId: string, mid: string, reaction = 'love', action: 'react' | 'unreact' = 'react') =>
        run(pageId, { type: 'reaction', mid, reaction, action }),
      reads: (pageId: string) => run(pageId, { type: 'read' }),
      edits: (pageId: string, mid: string, text: string) => run(pageId, { type: 'edit', mid, text }),
      follows: (pageId: string, ref: string, extra: { source?: string; ad_id?: string } = {}) =>
        run(pageId, { type: 'referral', ref, ...extra }),
      checksBox: (pageId: string, userRef: string, ref?: string) =>
        run(pageId, { type: 'optin', user_ref: userRef, ref }),
      marketing: (pageId: string, marketing: 'opt_in' | 'stop' | 'resume', topic?: string) =>
        run(pageId, { type: 'optin', marketing, topic }),
      blocks: (pageId: string) => run(pageId, { type: 'block' }),
      unblocks: (pageId: string) => run(pageId, { type: 'unblock' }),
      links: (pageId: string, authorization_code?: string) =>
        run(pageId, { type: 'account_linking', status: 'linked', authorization_code }),
      unlinks: (pageId: string) => run(pageId, { type: 'account_linking', status: 'unlinked' }),
    };
  }

  private thread(userId: string, pageId: string): Thread | undefined {
    const { person, page } = this.lookup(userId, pageId);
    return this.world.existingThread(page, person);
  }

  /** The person's PSID on a Page, or null before first contact. */
  psid(userId: string, pageId: string): string | null {
    return this.thread(userId, pageId)?.psid ?? null;
  }

  /** What the person received from the Page, oldest first. */
  inbox(userId: string, pageId: string): Record<string, unknown>[] {
    const thread = this.thread(userId, pageId);
    return (thread?.messages ?? []).filter((m) => m.from === 'page').map((m) => ({ ...m }));
  }

  /** Answers a Graph API request exactly as the HTTP server would. */
  graph(req: GraphRequest): Promise<GraphResponse> {
    return handleGraph(this.core, req, this.hooks, this.callLog, this.nextCallId);
  }

  private readonly nextCallId = () => ++this.callId;
  private readonly hooks: GraphHooks = {
    setCallback: (url, token) => this.setWebhook(url, token),
    linkingLookup: (pageId, token) => {
      const entry = this.world.linkingTokens.get(token);
      if (!entry || entry.thread.page.id !== pageId || this.clock.now() > entry.expiresAt) return undefined;
      return entry.thread.psid;
    },
  };

  /** A fresh opaque trace id, like Meta's `x-fb-trace-id`. */
  traceId(): string {
    return `A${this.traces.base64url(22)}`;
  }

  /** Moves the clock, attempting each retry when it falls due on the way (so alerts fire at the right time). */
  async advance(ms: number): Promise<DeliveryRecord[]> {
    if (!Number.isFinite(ms) || ms < 0) throw new RangeError('advance_ms must be a non-negative number');
    const target = this.clock.now() + ms;
    const out: DeliveryRecord[] = [];
    for (let due = this.delivery.nextDueAt(); due !== undefined && due <= target; due = this.delivery.nextDueAt()) {
      const now = this.clock.now();
      if (due > now) this.clock.advance(due - now);
      out.push(...(await this.delivery.processDue()));
    }
    const now = this.clock.now();
    if (target > now) this.clock.advance(target - now);
    out.push(...(await this.delivery.processDue()));
    return out;
  }

  /** Registers the callback URL after Meta's handshake; the URL is kept only if the handshake succeeds. */
  async setWebhook(url: string, verifyToken = this.options.verifyToken): Promise<HandshakeResult> {
    const result = await verifyCallback(this.transport, url, verifyToken, this.traces, this.options.delivery.timeoutMs);
    if (result.ok) {
      this.options.webhookUrl = url;
      this.options.verifyToken = verifyToken;
    }
    return result;
  }

  /**
   * Another app on the Page (the Helpdesk Bot, the Page Inbox) passes, takes, requests or releases thread control;
   * what Meta would refuse that app comes back as a 409 with Meta's message.
   */
  async handover(input: {
    user_id: string;
    page_id: string;
    app_id: string;
    action: HandoverKind;
    target_app_id?: string;
    metadata?: string;
  }): Promise<DeliveryRecord[]> {
    const { page } = this.lookup(input.user_id, input.page_id);
    const psid = this.psid(input.user_id, input.page_id);
    if (!psid) throw new ActionError(409, 'this person has not contacted the Page yet');
    let events;
    try {
      ({ events } = threadControl(this.core, page, input.app_id, input.action, {
        recipient: { id: psid },
        target_app_id: input.target_app_id,
        metadata: input.metadata,
      }));
    } catch (err) {
      // Meta's answer to that app (not the owner, not connected to the Page…), as the control API's 409.
      if (err instanceof GraphError) throw new ActionError(409, err.message);
      throw err;
    }
    return this.core.emit(events);
  }

  /**
   * Grants (or takes back) the app's paid Marketing Messages permission on the Page, linked to an ad account (given,
   * or derived from the seed): the Page's token then carries `paid_marketing_messages` and `ads_management`.
   */
  setMarketingMessages(
    pageId: string,
    enabled: boolean,
    adAccountId?: string,
  ): { page_id: string; enabled: boolean; ad_account_id: string | null } {
    const page = this.world.pages.get(pageId);
    if (!page) throw new ActionError(404, `no page ${pageId}`);
    if (!enabled) page.marketingMessages = null;
    else {
      const id =
        adAccountId ?? page.marketingMessages?.adAccountId ?? deriveDigits(this.options.seed, 15, 'act', pageId);
      const campaigns = page.marketingMessages?.adAccountId === id ? page.marketingMessages.campaigns : new Map();
      page.marketingMessages = { adAccountId: id, campaigns };
    }
    return { page_id: pageId, enabled, ad_account_id: page.marketingMessages?.adAccountId ?? null };
  }

  /** The review of templates named `name` on the Page (pending or future) rejects them with Meta's `reason`. */
  rejectTemplates(pageId: string, name: string, reason: string): { name: string; rejected_reason: string } {
    const page = this.world.pages.get(pageId);
    if (!page) throw new ActionError(404, `no page ${pageId}`);
    page.templateRejections.set(name, reason);
    return { name, rejected_reason: reason };
  }

  /** Meta's policy enforcement notice for a Page. */
  enforcePolicy(pageId: string, action: 'warning' | 'block' | 'unblock', reason?: string): Promise<DeliveryRecord[]> {
    if (!this.world.pages.has(pageId)) throw new ActionError(404, `no page ${pageId}`);
    return this.core.emit([policyEnforcementEvent(pageId, this.clock.now(), action, reason)]);
  }

  /** An account_linking_token for the person on a Page, valid 5 minutes (as Meta's). */
  /** Takes the person's PSID on the Page back (see World.reassignPsid); the new one comes with their next contact. */
  reassignPsid(userId: string, pageId: string): { retired_psid: string } {
    const { person, page } = this.lookup(userId, pageId);
    const retired = this.world.reassignPsid(page, person);
    if (!retired) throw new ActionError(409, 'this person has not contacted the Page yet');
    return { retired_psid: retired };
  }

  accountLinkingToken(userId: string, pageId: string): string {
    const thread = this.thread(userId, pageId);
    if (!thread) throw new ActionError(409, 'this person has not contacted the Page yet');
    const token = this.core.random.base64url(32);
    this.world.linkingTokens.set(token, { thread, expiresAt: this.clock.now() + 5 * 60_000 });
    return token;
  }

  /** The person removes the app: POSTs a signed_request to the data-deletion or deauthorize callback. */
  async removeApp(
    userId: string,
    kind: 'data_deletion' | 'deauthorize',
    url?: string,
  ): Promise<{ url: string; status: number | null; body: string; signed_request: string }> {
    const person = this.world.people.get(userId);
    if (!person) throw new ActionError(404, `no user ${userId}`);
    const base = this.options.webhookUrl ? new URL(this.options.webhookUrl).origin : undefined;
    const target =
      url ??
      (kind === 'data_deletion' ? this.options.dataDeletionUrl : this.options.deauthorizeUrl) ??
      (base && `${base}/meta/${kind === 'data_deletion' ? 'data-deletion' : 'deauthorize'}`);
    if (!target) throw new ActionError(400, 'no callback URL: give one or set a webhook URL');
    const issuedAt = Math.floor(this.clock.now() / 1000);
    const payload =
      kind === 'data_deletion'
        ? { user_id: person.id, algorithm: 'HMAC-SHA256' as const, issued_at: issuedAt, expires: issuedAt + 3600 }
        : { user_id: person.id, algorithm: 'HMAC-SHA256' as const, issued_at: issuedAt };
    const signed = createSignedRequest(this.options.appSecret, payload);
    const body = new URLSearchParams({ signed_request: signed }).toString();
    try {
      const res = await this.transport({
        url: target,
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body,
        timeoutMs: this.options.delivery.timeoutMs,
      });
      return { url: target, status: res.status, body: res.body, signed_request: signed };
    } catch (err) {
      return {
        url: target,
        status: null,
        body: err instanceof Error ? err.message : String(err),
        signed_request: signed,
      };
    }
  }

  /** The webhook delivery log, oldest first. */
  deliveries(): DeliveryRecord[] {
    return this.delivery.log.toArray();
  }

  /** Delivery alerts: failing for 15 minutes, webhooks disabled after 1 hour. */
  alerts(): DeliveryAlert[] {
    return [...this.delivery.alerts];
  }

  /** The Graph API call log, oldest first. */
  calls(): CallLogEntry[] {
    return this.callLog.toArray();
  }

  /** Waits until every webhook caused so far has been attempted (retries due later excepted). */
  async flush(): Promise<void> {
    while (this.core.background.size > 0) await Promise.all([...this.core.background]);
    await this.delivery.flush();
  }

  /** Stops the retry timer and closes the webhook connections. */
  close(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.ownTransport?.destroy();
  }
}

/** Creates an in-process emulator; everything derived from `seed` is reproducible. */
export function createEmulator(options: EmulatorOptionsInput = {}): Emulator {
  return new Emulator(options);
}
