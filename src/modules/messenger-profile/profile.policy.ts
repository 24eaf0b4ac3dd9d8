// The Messenger profile a Page may ask for, with Meta's limits (messenger-platform.md §3.5, product-research.md §2.2:
// Get Started payload ≤ 1000 characters; greeting ≤ 160 characters per locale; ice breakers ≤ 4 questions per
// locale; a flat persistent menu of ≤ 20 web_url/postback items per locale, which needs Get Started), and how a push
// fits Meta's limit of 10 Messenger Profile API calls per 10 minutes per Page.

export const MAX_GREETING_CHARS = 160;
export const MAX_ICE_BREAKERS = 4;
export const MAX_QUESTION_CHARS = 80;
export const MAX_MENU_ITEMS = 20;
export const MAX_MENU_TITLE_CHARS = 30;
export const MAX_PAYLOAD_CHARS = 1000;
export const PROFILE_CALLS_PER_WINDOW = 10;
export const PROFILE_WINDOW_MS = 10 * 60_000;
export const PROFILE_FIELDS = ['get_started', 'greeting', 'ice_breakers', 'persistent_menu'] as const;
export type ProfileField = (typeof PROFILE_FIELDS)[number];

export interface MessengerProfile {
  get_started?: { payload: string };
  greeting?: { locale: string; text: string }[];
  ice_breakers?: { locale: string; call_to_actions: { question: string; payload: string }[] }[];
  persistent_menu?: {
    locale: string;
    composer_input_disabled?: boolean;
    call_to_actions: MenuItem[];
  }[];
}

export type MenuItem =
  | { type: 'postback'; title: string; payload: string }
  | { type: 'web_url'; title: string; url: string; webview_height_ratio?: 'compact' | 'tall' | 'full' };

export interface ProfileProblem {
  field: string;
  message: string;
}

const LOCALE = /^(default|[a-z]{2,3}_[A-Z]{2})$/;
const chars = (s: string) => [...s].length;
const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

class Refusal extends Error {
  constructor(readonly problem: ProfileProblem) {
    super(problem.message);
  }
}
const refuse = (field: string, message: string): never => {
  throw new Refusal({ field, message });
};

function str(v: unknown, field: string, max: number): string {
  if (typeof v !== 'string' || v.trim() === '' || chars(v) > max)
    refuse(field, `${field} must be 1 to ${max} characters`);
  return v as string;
}

function list(v: unknown, field: string, max: number): unknown[] {
  if (!Array.isArray(v) || v.length === 0 || v.length > max) refuse(field, `${field} must hold 1 to ${max} items`);
  return v as unknown[];
}

function locales<T extends { locale: string }>(items: T[], field: string, needDefault: boolean): T[] {
  const seen = new Set<string>();
  items.forEach((item, i) => {
    if (seen.has(item.locale)) refuse(`${field}[${i}].locale`, `${field} has locale ${item.locale} twice`);
    seen.add(item.locale);
  });
  if (needDefault && !seen.has('default')) refuse(field, `${field} needs an entry for the "default" locale`);
  return items;
}

function locale(v: unknown, field: string): string {
  if (typeof v !== 'string' || !LOCALE.test(v)) refuse(field, `${field} must be "default" or a locale such as en_US`);
  return v as string;
}

function greeting(raw: unknown): MessengerProfile['greeting'] {
  const items = list(raw, 'greeting', 100).map((g, i) => {
    const f = `greeting[${i}]`;
    if (!isRecord(g)) return refuse(f, `${f} must be an object`);
    return { locale: locale(g.locale, `${f}.locale`), text: str(g.text, `${f}.text`, MAX_GREETING_CHARS) };
  });
  return locales(items, 'greeting', true);
}

function iceBreakers(raw: unknown): MessengerProfile['ice_breakers'] {
  const items = list(raw, 'ice_breakers', 100).map((entry, i) => {
    const f = `ice_breakers[${i}]`;
    if (!isRecord(entry)) return refuse(f, `${f} must be an object`);
    const ctas = list(entry.call_to_actions, `${f}.call_to_actions`, MAX_ICE_BREAKERS).map((q, j) => {
      const g = `${f}.call_to_actions[${j}]`;
      if (!isRecord(q)) return refuse(g, `${g} must be an object`);
      return {
        question: str(q.question, `${g}.question`, MAX_QUESTION_CHARS),
        payload: str(q.payload, `${g}.payload`, MAX_PAYLOAD_CHARS),
      };
    });
    return {
      locale: entry.locale === undefined ? 'default' : locale(entry.locale, `${f}.locale`),
      call_to_actions: ctas,
    };
  });
  return locales(items, 'ice_breakers', false);
}

function menuItem(raw: unknown, f: string): MenuItem {
  if (!isRecord(raw)) return refuse(f, `${f} must be an object`);
  if (raw.type === 'nested' || raw.call_to_actions !== undefined)
    refuse(`${f}.type`, 'the persistent menu is flat: nested menus are no longer supported by Messenger');
  const title = str(raw.title, `${f}.title`, MAX_MENU_TITLE_CHARS);
  if (raw.type === 'postback')
    return { type: 'postback', title, payload: str(raw.payload, `${f}.payload`, MAX_PAYLOAD_CHARS) };
  if (raw.type === 'web_url') {
    const url = str(raw.url, `${f}.url`, 2000);
    if (!/^https?:\/\//.test(url)) refuse(`${f}.url`, `${f}.url must be an http(s) URL`);
    const ratio = raw.webview_height_ratio as 'compact' | 'tall' | 'full' | undefined;
    if (ratio !== undefined && ratio !== 'compact' && ratio !== 'tall' && ratio !== 'full')
      refuse(`${f}.webview_height_ratio`, `${f}.webview_height_ratio must be compact, tall or full`);
    return { type: 'web_url', title, url, ...(ratio !== undefined && { webview_height_ratio: ratio }) };
  }
  return refuse(`${f}.type`, `${f}.type must be postback or web_url`);
}

function persistentMenu(raw: unknown): MessengerProfile['persistent_menu'] {
  const items = list(raw, 'persistent_menu', 100).map((entry, i) => {
    const f = `persistent_menu[${i}]`;
    if (!isRecord(entry)) return refuse(f, `${f} must be an object`);
    const disabled = entry.composer_input_disabled;
    if (disabled !== undefined && typeof disabled !== 'boolean')
      refuse(`${f}.composer_input_disabled`, `${f}.composer_input_disabled must be true or false`);
    const ctas = list(entry.call_to_actions, `${f}.call_to_actions`, MAX_MENU_ITEMS).map((c, j) =>
      menuItem(c, `${f}.call_to_actions[${j}]`),
    );
    return {
      locale: locale(entry.locale, `${f}.locale`),
      ...(disabled !== undefined && { composer_input_disabled: disabled as boolean }),
      call_to_actions: ctas,
    };
  });
  return locales(items, 'persistent_menu', true);
}

/** Checks a whole profile as an operator wrote it (absent or null: not set); the profile or the first problem. */
export function checkProfile(
  input: Record<string, unknown>,
): { ok: true; profile: MessengerProfile } | { ok: false; problem: ProfileProblem } {
  try {
    for (const key of Object.keys(input))
      if (!(PROFILE_FIELDS as readonly string[]).includes(key))
        refuse(key, `${key} is not a Messenger profile property (${PROFILE_FIELDS.join(', ')})`);
    const profile: MessengerProfile = {};
    const gs = input.get_started;
    if (gs !== undefined && gs !== null) {
      if (!isRecord(gs)) return refuse('get_started', 'get_started must be {"payload"}');
      profile.get_started = { payload: str(gs.payload, 'get_started.payload', MAX_PAYLOAD_CHARS) };
    }
    if (input.greeting !== undefined && input.greeting !== null) profile.greeting = greeting(input.greeting);
    if (input.ice_breakers !== undefined && input.ice_breakers !== null)
      profile.ice_breakers = iceBreakers(input.ice_breakers);
    if (input.persistent_menu !== undefined && input.persistent_menu !== null) {
      if (!profile.get_started)
        refuse('persistent_menu', 'a persistent menu needs a Get Started button (set get_started too)');
      profile.persistent_menu = persistentMenu(input.persistent_menu);
    }
    return { ok: true, profile };
  } catch (err) {
    if (err instanceof Refusal) return { ok: false, problem: err.problem };
    throw err;
  }
}

/** What one push must do to bring Meta from `pushed` to `desired`: properties to set, properties to delete. */
export function pushPlan(
  desired: MessengerProfile,
  pushed: MessengerProfile,
): { set: MessengerProfile; remove: ProfileField[] } {
  const set: Record<string, unknown> = {};
  const remove: ProfileField[] = [];
  for (const f of PROFILE_FIELDS) {
    const want = desired[f];
    const have = pushed[f];
    if (want === undefined) {
      if (have !== undefined) remove.push(f);
    } else if (JSON.stringify(want) !== JSON.stringify(have)) {
      set[f] = want;
    }
  }
  // The persistent menu needs Get Started at Meta: a changed menu is sent with the button it depends on.
  if (set.persistent_menu !== undefined && desired.get_started) set.get_started = desired.get_started;
  return { set: set as MessengerProfile, remove };
}

/** The calls a plan takes: one POST for everything set, one DELETE for everything removed. */
export function callsFor(plan: { set: MessengerProfile; remove: ProfileField[] }): number {
  return (Object.keys(plan.set).length > 0 ? 1 : 0) + (plan.remove.length > 0 ? 1 : 0);
}

/**
 * When `needed` more calls fit Meta's 10 per 10 minutes, given the times of this Page's recent calls: `now` if they
 * fit already, else the moment enough of the recent calls have left the window.
 */
export function nextCallSlot(recentCalls: readonly number[], now: number, needed: number): number {
  const inWindow = recentCalls.filter((t) => t > now - PROFILE_WINDOW_MS).sort((a, b) => a - b);
  const excess = inWindow.length + needed - PROFILE_CALLS_PER_WINDOW;
  if (excess <= 0) return now;
  return inWindow[excess - 1]! + PROFILE_WINDOW_MS;
}
