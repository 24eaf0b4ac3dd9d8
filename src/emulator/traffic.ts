// Seeded traffic: N simulated people writing, clicking, reading, opting in and out, blocking, at given rates.
// The same seed and the same steps give the same actions (and, with a seeded emulator, the same webhooks).
import type { Emulator } from './emulator.ts';
import { iceBreakersFor, type Action, type ActionResult } from './people.ts';
import { Random } from './prng.ts';

export type TrafficKind =
  | 'message'
  | 'quick_reply'
  | 'postback'
  | 'ice_breaker'
  | 'reaction'
  | 'read'
  | 'referral'
  | 'optin'
  | 'optout'
  | 'block'
  | 'unblock';

export interface TrafficOptions {
  seed: string | number;
  people: number;
  pageIds: string[];
  /**
   * People of the emulator to use (a restored world's), in this order, before creating new ones up to `people`:
   * what they did before (contacts, blocks, opt-ins) is read from the emulator.
   */
  userIds?: string[];
  /** Actions per second across the whole population, by kind. */
  rates: Partial<Record<TrafficKind, number>>;
  /** What people write, one drawn per message (default: a short built-in list of greetings and questions). */
  texts?: readonly string[];
  /** Real-time mode: how often a step runs (default 100 ms). */
  tickMs?: number;
  /** Advance the emulator's clock by each step's duration (deterministic mode; default false). */
  advanceClock?: boolean;
  onResult?: (r: ActionResult) => void;
  onError?: (err: unknown) => void;
}

export interface TrafficStats {
  actions: number;
  byKind: Record<string, number>;
  skipped: number;
  errors: number;
}

const FIRST = [
  'Ana',
  'Ben',
  'Chloé',
  'Dmitri',
  'Emeka',
  'Fatima',
  'Giulia',
  'Hiro',
  'Ines',
  'Jonas',
  'Kemal',
  'Lena',
  'Mateo',
  'Noor',
  'Oscar',
  'Priya',
  'Quentin',
  'Rosa',
  'Søren',
  'Tomás',
  'Uma',
  'Vera',
  'Wei',
  'Yara',
  'Zoë',
];
const LAST = [
  'Almeida',
  'Berg',
  'Costa',
  'Dubois',
  'Eze',
  'Fischer',
  'García',
  'Haddad',
  'Ivanova',
  'Jensen',
  'Khan',
  'López',
  'Müller',
  'Nakamura',
  'Okafor',
  'Pérez',
  'Rossi',
  'Silva',
  'Tanaka',
  'Weber',
];
const LOCALES: [string, number][] = [
  ['en_US', -5],
  ['en_GB', 0],
  ['fr_FR', 1],
  ['de_DE', 1],
  ['es_ES', 1],
  ['pt_BR', -3],
  ['ja_JP', 9],
  ['hi_IN', 5],
];
const TEXTS = [
  'Hi!',
  'Is this still available?',
  'What are your opening hours?',
  'Thanks 🙏',
  'Can I get a refund?',
  'Où est ma commande ?',
  'Danke!',
  '¿Tienen envío gratis?',
  'ok',
  'STOP',
  'Do you ship to Canada?',
  'my order number is 4411',
  'START',
  '👍',
];
const PAYLOADS = ['GET_STARTED', 'MENU_ORDERS', 'MENU_HELP', 'TALK_TO_AGENT'];
const REACTIONS = ['love', 'like', 'smile', 'wow', 'sad'];

interface Sim {
  userId: string;
  pageId: string;
  contacted: boolean;
  blocked: boolean;
  optedIn: boolean;
  stopped: boolean;
}

export class Traffic {
  readonly stats: TrafficStats = { actions: 0, byKind: {}, skipped: 0, errors: 0 };
  private readonly random: Random;
  private readonly sims: Sim[] = [];
  private timer: NodeJS.Timeout | null = null;
  private inFlight = new Set<Promise<unknown>>();

  constructor(
    private readonly emu: Emulator,
    private readonly opts: TrafficOptions,
  ) {
    if (opts.pageIds.length === 0) throw new Error('traffic needs at least one Page');
    this.random = new Random(`traffic:${opts.seed}`);
    for (const userId of (opts.userIds ?? []).slice(0, opts.people)) this.sims.push(this.resume(userId));
    for (let i = this.sims.length; i < opts.people; i++) {
      const [locale, timezone] = this.random.pick(LOCALES);
      const user = emu.createUser({
        first_name: this.random.pick(FIRST),
        last_name: this.random.pick(LAST),
        locale,
        timezone,
      });
      this.sims.push({
        userId: user.id,
        pageId: this.random.pick(opts.pageIds),
        contacted: false,
        blocked: false,
        optedIn: false,
        stopped: false,
      });
    }
  }

  /** A person of the emulator as traffic left them: on the Page they contacted (else a Page drawn now). */
  private resume(userId: string): Sim {
    for (const pageId of this.opts.pageIds) {
      const state = this.emu.threadState(userId, pageId);
      if (!state) continue;
      const offers = state.marketing.Offers;
      return {
        userId,
        pageId,
        contacted: true,
        blocked: state.blocked,
        optedIn: offers !== undefined,
        stopped: offers === 'stopped',
      };
    }
    return {
      userId,
      pageId: this.random.pick(this.opts.pageIds),
      contacted: false,
      blocked: false,
      optedIn: false,
      stopped: false,
    };
  }

  /** The simulated people's user ids, in creation order. */
  userIds(): string[] {
    return this.sims.map((s) => s.userId);
  }

  /** Plans the actions of `dtMs` of traffic: a Poisson count per kind, people chosen by the seeded PRNG. */
  plan(dtMs: number): { sim: Sim; kind: TrafficKind; action: Action }[] {
    const out: { sim: Sim; kind: TrafficKind; action: Action }[] = [];
    for (const [kind, rate] of Object.entries(this.opts.rates) as [TrafficKind, number][]) {
      const n = this.random.poisson((rate * dtMs) / 1000);
      for (let i = 0; i < n; i++) {
        const sim = this.random.pick(this.sims);
        const action = this.actionFor(sim, kind);
        if (action) out.push({ sim, kind, action });
        else this.stats.skipped++;
      }
    }
    return out;
  }

  private actionFor(sim: Sim, kind: TrafficKind): Action | null {
    const r = this.random;
    const needsContact = !['message', 'postback', 'referral', 'ice_breaker'].includes(kind);
    if (needsContact && !sim.contacted) return null;
    if (sim.blocked && kind !== 'unblock') return null;
    switch (kind) {
      case 'message':
        return { type: 'message', text: r.pick(this.opts.texts?.length ? this.opts.texts : TEXTS) };
      case 'quick_reply':
        return { type: 'quick_reply', text: 'Yes', payload: r.pick(PAYLOADS) };
      case 'postback':
        return { type: 'postback', payload: r.pick(PAYLOADS), title: 'Menu' };
      case 'referral':
        return { type: 'referral', ref: `campaign_${r.int(5)}` };
      case 'ice_breaker': {
        // Only a newcomer sees the Page's ice breakers (in their locale, else the default ones).
        const page = this.emu.world.pages.get(sim.pageId);
        const person = this.emu.world.people.get(sim.userId);
        const questions = !sim.contacted && page && person ? iceBreakersFor(page, person.locale) : [];
        return questions.length ? { type: 'ice_breaker', question: r.pick(questions).question } : null;
      }
      case 'reaction': {
        const mids = this.emu.inbox(sim.userId, sim.pageId).map((m) => m.mid as string);
        return mids.length ? { type: 'reaction', mid: r.pick(mids), reaction: r.pick(REACTIONS) } : null;
      }
      case 'read':
        return { type: 'read' };
      case 'optin':
        return sim.optedIn ? null : { type: 'optin', marketing: 'opt_in', topic: 'Offers' };
      case 'optout':
        return sim.optedIn ? { type: 'optin', marketing: sim.stopped ? 'resume' : 'stop', topic: 'Offers' } : null;
      case 'block':
        return { type: 'block' };
      case 'unblock':
        return sim.blocked ? { type: 'unblock' } : null;
    }
  }

  private apply(sim: Sim, kind: TrafficKind, action: Action): void {
    if (['message', 'postback', 'referral', 'quick_reply', 'ice_breaker'].includes(kind)) sim.contacted = true;
    if (kind === 'message' || kind === 'quick_reply') sim.blocked = false;
    if (kind === 'block') sim.blocked = true;
    if (kind === 'unblock') sim.blocked = false;
    if (kind === 'optin') sim.optedIn = true;
    if (kind === 'optout' && action.type === 'optin') sim.stopped = action.marketing === 'stop';
  }

  /** Runs `dtMs` of traffic now, one action after another; resolves with what each action caused. */
  async step(dtMs: number): Promise<ActionResult[]> {
    const planned = this.plan(dtMs);
    const results: ActionResult[] = [];
    for (const { sim, kind, action } of planned) {
      this.apply(sim, kind, action);
      try {
        const r = await this.emu.act(sim.userId, sim.pageId, action);
        this.count(kind);
        results.push(r);
        this.opts.onResult?.(r);
      } catch (err) {
        this.stats.errors++;
        this.opts.onError?.(err);
      }
    }
    if (this.opts.advanceClock) await this.emu.advance(dtMs);
    return results;
  }

  private count(kind: string): void {
    this.stats.actions++;
    this.stats.byKind[kind] = (this.stats.byKind[kind] ?? 0) + 1;
  }

  /** Starts real-time traffic (one step per tick). */
  start(): void {
    if (this.timer) return;
    const tick = this.opts.tickMs ?? 100;
    this.timer = setInterval(() => {
      const p = this.step(tick);
      this.inFlight.add(p);
      void p.finally(() => this.inFlight.delete(p));
    }, tick);
  }

  /** Stops real-time traffic and waits for the steps already running. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await Promise.all([...this.inFlight]);
  }
}

/** Creates a traffic generator over an emulator's Pages; people are created at once. */
export function createTraffic(emu: Emulator, options: TrafficOptions): Traffic {
  return new Traffic(emu, options);
}
