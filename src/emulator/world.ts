// The emulated world, kept in memory: one app, its Pages, people, and one thread per (Page, person).
import { deriveDigits, deriveToken } from './prng.ts';

export const ALL_FIELDS = [
  'messages',
  'message_echoes',
  'message_deliveries',
  'message_reads',
  'message_reactions',
  'message_edits',
  'messaging_postbacks',
  'messaging_referrals',
  'messaging_optins',
  'messaging_handovers',
  'messaging_account_linking',
  'messaging_policy_enforcement',
  'standby',
  'marketing_message_echoes',
  'marketing_message_deliveries',
  'marketing_message_delivery_failed',
] as const;

export interface Page {
  id: string;
  name: string;
  accessToken: string;
  subscribed: boolean;
  subscribedFields: Set<string>;
  messengerProfile: Record<string, unknown>;
  /** Utility message templates by id (`/{page}/message_templates`). */
  templates: Map<string, MessageTemplate>;
  /** Template names the control API told the review to reject, with Meta's reason. */
  templateRejections: Map<string, string>;
  /**
   * The paid Marketing Message API for this Page: null until the control API grants the app's permission
   * (`paid_marketing_messages`, with `ads_management`) and links an ad account; off by default, as at Meta.
   */
  marketingMessages: { adAccountId: string; campaigns: Map<string, MessageCampaign> } | null;
}

/** A Marketing Message campaign created in an ad account (`POST act_<id>/message_campaign`). */
export interface MessageCampaign {
  id: string;
  name: string;
  pageId: string;
  dailyBudget: number | null;
  lifetimeBudget: number | null;
  createdAt: number;
}

export interface MessageTemplate {
  id: string;
  name: string;
  language: string;
  category: 'UTILITY';
  components: Record<string, unknown>[];
  status: 'PENDING' | 'APPROVED' | 'REJECTED';
  rejectedReason: string | null;
  createdAt: number;
  /** How many `{{n}}` variables the BODY holds: a send must fill exactly these. */
  bodyParams: number;
}

export interface Person {
  id: string; // the app-scoped id
  firstName: string;
  lastName: string;
  locale: string;
  timezone: number;
  gender: string;
  /** Phone-number accounts have no profile (2018218). */
  noProfile: boolean;
}

export interface ThreadMessage {
  mid: string;
  from: 'person' | 'page';
  timestamp: number;
  text?: string;
  attachments?: unknown[];
  quick_replies?: unknown[];
  metadata?: string;
  messaging_type?: string;
  tag?: string;
  reply_to?: string;
  sender_action?: string;
  edits?: number;
}

export interface MarketingToken {
  token: string;
  pageId: string;
  personId: string;
  topic: string;
  status: 'active' | 'stopped';
  createdAt: number;
  lastSentAt: number | null;
  /** The last paid Marketing Message sent with this token as its subscription token (one per 12 h). */
  lastPaidSentAt?: number | null;
}

export interface Thread {
  page: Page;
  person: Person;
  psid: string;
  lastUserActionAt: number | null;
  blocked: boolean;
  owner: string | null;
  ownerExpiresAt: number;
  messages: ThreadMessage[];
  pendingUserRef: string | null;
  linked: boolean;
}

export interface UserRef {
  userRef: string;
  page: Page;
  person: Person;
  createdAt: number;
}

const MESSAGES_KEPT = 200;

/**
 * The lasting part of a world (people, who contacted which Page with which PSID, blocks, windows, marketing
 * tokens with their last sends, each Page's marketing permission, ad account and message campaigns, retired PSIDs),
 * as plain JSON, so a restarted emulator meets the same people. Messages and short-lived
 * tokens (user_ref, account linking) are not kept.
 */
export interface WorldSnapshot {
  version: 1;
  person_count: number;
  people: {
    id: string;
    first_name: string;
    last_name: string;
    locale: string;
    timezone: number;
    gender: string;
    no_profile: boolean;
  }[];
  threads: {
    page_id: string;
    person_id: string;
    psid: string;
    last_user_action_at: number | null;
    blocked: boolean;
    linked: boolean;
    owner: string | null;
    owner_expires_at: number;
  }[];
  retired: Record<string, string[]>;
  marketing_tokens: MarketingToken[];
  /** What each Page set at Meta: its Messenger profile and utility templates (absent in older snapshots). */
  page_settings?: {
    page_id: string;
    messenger_profile: Record<string, unknown>;
    templates: MessageTemplate[];
    template_rejections: [string, string][];
    /**
     * The paid Marketing Message API on the Page: its ad account and the message campaigns created in it, null while
     * the permission is not granted (absent in older snapshots: restored as not granted).
     */
    marketing_messages?: { ad_account_id: string; campaigns: MessageCampaign[] } | null;
  }[];
}

export class World {
  readonly pages = new Map<string, Page>();
  readonly people = new Map<string, Person>();
  private readonly tokens = new Map<string, Page>();
  private readonly threads = new Map<string, Map<string, Thread>>(); // pageId → personId → thread
  private readonly byPsid = new Map<string, Map<string, Thread>>();
  /** PSIDs taken back from their person (pageId → PSIDs): never handed out again. */
  private readonly retired = new Map<string, Set<string>>();
  readonly userRefs = new Map<string, UserRef>();
  readonly marketingTokens = new Map<string, MarketingToken>();
  readonly linkingTokens = new Map<string, { thread: Thread; expiresAt: number }>();
  private pageCount = 0;
  private personCount = 0;

  constructor(
    readonly seed: string,
    private readonly autoSubscribe: boolean,
  ) {}

  /** Adds a Page; id and token are derived from the seed unless given. */
  addPage(input: { id?: string; name: string; access_token?: string }): Page {
    const n = ++this.pageCount;
    const id = input.id ?? deriveDigits(this.seed, 15, 'page', String(n));
    if (this.pages.has(id)) throw new Error(`page ${id} already exists`);
    const accessToken = input.access_token ?? deriveToken(this.seed, 'page', id);
    const page: Page = {
      id,
      name: input.name,
      accessToken,
      subscribed: this.autoSubscribe,
      subscribedFields: new Set(this.autoSubscribe ? ALL_FIELDS : []),
      messengerProfile: {},
      templates: new Map(),
      templateRejections: new Map(),
      marketingMessages: null,
    };
    this.pages.set(id, page);
    this.tokens.set(accessToken, page);
    return page;
  }

  /** Adds a person with an app-scoped id derived from the seed (17 digits, never a PSID's 16). */
  addPerson(input: {
    first_name: string;
    last_name: string;
    locale?: string;
    timezone?: number;
    gender?: string;
    no_profile?: boolean;
  }): Person {
    const n = ++this.personCount;
    const person: Person = {
      id: deriveDigits(this.seed, 17, 'person', String(n)),
      firstName: input.first_name,
      lastName: input.last_name,
      locale: input.locale ?? 'en_US',
      timezone: input.timezone ?? 0,
      gender: input.gender ?? 'neutral',
      noProfile: input.no_profile ?? false,
    };
    this.people.set(person.id, person);
    return person;
  }

  pageByToken(token: string): Page | undefined {
    return this.tokens.get(token);
  }

  /** The thread if the person has contacted the Page (and so has a PSID there). */
  existingThread(page: Page, person: Person): Thread | undefined {
    return this.threads.get(page.id)?.get(person.id);
  }

  /** The thread, created on first contact with a PSID that is stable per (person, Page) and differs per Page. */
  contact(page: Page, person: Person): Thread {
    let thread = this.existingThread(page, person);
    if (thread) return thread;
    let psid = deriveDigits(this.seed, 16, 'psid', person.id, page.id);
    let index = this.byPsid.get(page.id);
    if (!index) this.byPsid.set(page.id, (index = new Map()));
    const retired = this.retired.get(page.id);
    for (let salt = 1; index.has(psid) || retired?.has(psid); salt++)
      psid = deriveDigits(this.seed, 16, 'psid', person.id, page.id, String(salt));
    thread = {
      page,
      person,
      psid,
      lastUserActionAt: null,
      blocked: false,
      owner: null,
      ownerExpiresAt: 0,
      messages: [],
      pendingUserRef: null,
      linked: false,
    };
    let perPage = this.threads.get(page.id);
    if (!perPage) this.threads.set(page.id, (perPage = new Map()));
    perPage.set(person.id, thread);
    index.set(psid, thread);
    return thread;
  }

  /**
   * Takes the person's PSID on the Page back, as Meta may: the old PSID then matches no one (100/2018001 on a send)
   * and the person gets a new PSID, with a new conversation, when they next contact the Page. Returns the old PSID.
   */
  reassignPsid(page: Page, person: Person): string | undefined {
    const thread = this.existingThread(page, person);
    if (!thread) return undefined;
    this.threads.get(page.id)!.delete(person.id);
    this.byPsid.get(page.id)!.delete(thread.psid);
    let retired = this.retired.get(page.id);
    if (!retired) this.retired.set(page.id, (retired = new Set()));
    retired.add(thread.psid);
    for (const [token, link] of this.linkingTokens) if (link.thread === thread) this.linkingTokens.delete(token);
    return thread.psid;
  }

  threadByPsid(pageId: string, psid: string): Thread | undefined {
    return this.byPsid.get(pageId)?.get(psid);
  }

  /** Every thread a person has, one per Page contacted. */
  threadsOf(person: Person): Thread[] {
    const out: Thread[] = [];
    for (const page of this.pages.values()) {
      const t = this.existingThread(page, person);
      if (t) out.push(t);
    }
    return out;
  }

  /** Looks a PSID up on any Page (for ids_for_pages called with a PSID). */
  threadByAnyPsid(psid: string): Thread | undefined {
    for (const index of this.byPsid.values()) {
      const t = index.get(psid);
      if (t) return t;
    }
    return undefined;
  }

  record(thread: Thread, message: ThreadMessage): void {
    thread.messages.push(message);
    // Trim in bulk so a long conversation costs O(1) per message, not a shift of the whole history.
    if (thread.messages.length >= 2 * MESSAGES_KEPT) thread.messages.splice(0, thread.messages.length - MESSAGES_KEPT);
  }

  snapshot(): WorldSnapshot {
    const threads: WorldSnapshot['threads'] = [];
    for (const perPage of this.threads.values()) {
      for (const t of perPage.values()) {
        threads.push({
          page_id: t.page.id,
          person_id: t.person.id,
          psid: t.psid,
          last_user_action_at: t.lastUserActionAt,
          blocked: t.blocked,
          linked: t.linked,
          owner: t.owner,
          owner_expires_at: t.ownerExpiresAt,
        });
      }
    }
    return {
      version: 1,
      person_count: this.personCount,
      people: [...this.people.values()].map((p) => ({
        id: p.id,
        first_name: p.firstName,
        last_name: p.lastName,
        locale: p.locale,
        timezone: p.timezone,
        gender: p.gender,
        no_profile: p.noProfile,
      })),
      threads,
      retired: Object.fromEntries([...this.retired].map(([pageId, set]) => [pageId, [...set]])),
      marketing_tokens: [...this.marketingTokens.values()].map((t) => ({ ...t })),
      page_settings: [...this.pages.values()].map((p) => ({
        page_id: p.id,
        messenger_profile: structuredClone(p.messengerProfile),
        templates: [...p.templates.values()].map((t) => structuredClone(t)),
        template_rejections: [...p.templateRejections],
        marketing_messages: p.marketingMessages && {
          ad_account_id: p.marketingMessages.adAccountId,
          campaigns: [...p.marketingMessages.campaigns.values()].map((c) => ({ ...c })),
        },
      })),
    };
  }

  /** Brings back a snapshot's people and threads; threads of Pages not added (yet) are left out. */
  restore(s: WorldSnapshot): void {
    if (s.version !== 1) throw new Error(`unknown world snapshot version ${String(s.version)}`);
    for (const p of s.people) {
      this.people.set(p.id, {
        id: p.id,
        firstName: p.first_name,
        lastName: p.last_name,
        locale: p.locale,
        timezone: p.timezone,
        gender: p.gender,
        noProfile: p.no_profile,
      });
    }
    this.personCount = Math.max(this.personCount, s.person_count);
    for (const [pageId, psids] of Object.entries(s.retired)) {
      let retired = this.retired.get(pageId);
      if (!retired) this.retired.set(pageId, (retired = new Set()));
      for (const psid of psids) retired.add(psid);
    }
    for (const t of s.threads) {
      const page = this.pages.get(t.page_id);
      const person = this.people.get(t.person_id);
      if (!page || !person) continue;
      const thread: Thread = {
        page,
        person,
        psid: t.psid,
        lastUserActionAt: t.last_user_action_at,
        blocked: t.blocked,
        owner: t.owner,
        ownerExpiresAt: t.owner_expires_at,
        messages: [],
        pendingUserRef: null,
        linked: t.linked,
      };
      let perPage = this.threads.get(page.id);
      if (!perPage) this.threads.set(page.id, (perPage = new Map()));
      perPage.set(person.id, thread);
      let index = this.byPsid.get(page.id);
      if (!index) this.byPsid.set(page.id, (index = new Map()));
      index.set(t.psid, thread);
    }
    for (const m of s.marketing_tokens)
      if (this.pages.has(m.pageId) && this.people.has(m.personId)) this.marketingTokens.set(m.token, { ...m });
    for (const ps of s.page_settings ?? []) {
      const page = this.pages.get(ps.page_id);
      if (!page) continue;
      page.messengerProfile = structuredClone(ps.messenger_profile);
      for (const t of ps.templates) page.templates.set(t.id, structuredClone(t));
      for (const [name, reason] of ps.template_rejections) page.templateRejections.set(name, reason);
      const mm = ps.marketing_messages;
      if (mm)
        page.marketingMessages = {
          adAccountId: mm.ad_account_id,
          campaigns: new Map(mm.campaigns.map((c) => [c.id, { ...c }])),
        };
    }
  }

  engagedUsers(page: Page): number {
    return this.byPsid.get(page.id)?.size ?? 0;
  }
}
