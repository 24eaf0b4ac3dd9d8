// The emulated world, kept in memory: one app, its Pages, people, and one thread per (Page, person).
import { deriveDigits, deriveToken } from './prng.ts';

export const ALL_FIELDS = [
  'messages', 'message_echoes', 'message_deliveries', 'message_reads', 'message_reactions', 'message_edits',
  'messaging_postbacks', 'messaging_referrals', 'messaging_optins', 'messaging_handovers',
  'messaging_account_linking', 'messaging_policy_enforcement', 'standby',
] as const;

export interface Page {
  id: string;
  name: string;
  accessToken: string;
  subscribed: boolean;
  subscribedFields: Set<string>;
  messengerProfile: Record<string, unknown>;
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
    };
    this.pages.set(id, page);
    this.tokens.set(accessToken, page);
    return page;
  }

  /** Adds a person with an app-scoped id derived from the seed (17 digits, never a PSID's 16). */
  addPerson(input: { first_name: string; last_name: string; locale?: string; timezone?: number; gender?: string; no_profile?: boolean }): Person {
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
    for (let salt = 1; index.has(psid) || retired?.has(psid); salt++) psid = deriveDigits(this.seed, 16, 'psid', person.id, page.id, String(salt));
    thread = {
      page, person, psid, lastUserActionAt: null, blocked: false, owner: null, ownerExpiresAt: 0,
      messages: [], pendingUserRef: null, linked: false,
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

  engagedUsers(page: Page): number {
    return this.byPsid.get(page.id)?.size ?? 0;
  }
}
