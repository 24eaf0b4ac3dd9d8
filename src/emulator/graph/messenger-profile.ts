// Messenger Profile API (`/{page|me}/messenger_profile`): get started, persistent menu, ice breakers, greeting;
// 10 calls per 10 minutes per Page on the emulator's clock.
import type { Core } from '../core.ts';
import { errors } from '../graph-error-answers.ts';
import type { Page } from '../world.ts';
import { obj, str, type Params } from './request.ts';

const PROPERTIES = [
  'get_started',
  'persistent_menu',
  'ice_breakers',
  'greeting',
  'whitelisted_domains',
  'account_linking_url',
];
const TEN_MINUTES = 10 * 60_000;

function validate(name: string, value: unknown, profile: Record<string, unknown>): void {
  if (name === 'get_started') {
    const payload = str(obj(value)?.payload);
    if (!payload || [...payload].length > 1000)
      throw errors.param('param get_started[payload] is required and must be at most 1000 characters');
  }
  if (name === 'greeting') {
    if (!Array.isArray(value) || value.length === 0) throw errors.param('param greeting must be a non-empty array');
    for (const g of value) {
      const text = str(obj(g)?.text);
      if (!str(obj(g)?.locale) || !text || [...text].length > 160)
        throw errors.param('Each greeting needs a locale and a text of at most 160 characters');
    }
  }
  if (name === 'ice_breakers') {
    // The localised form: [{"call_to_actions": [{"question", "payload"} ≤ 4], "locale"}], one "default" at most once.
    if (!Array.isArray(value) || value.length === 0) throw errors.param('param ice_breakers must be a non-empty array');
    const locales = new Set<string>();
    for (const v of value) {
      const entry = obj(v);
      const ctas = Array.isArray(entry?.call_to_actions) ? (entry!.call_to_actions as unknown[]) : [v];
      const locale = str(entry?.locale) ?? 'default';
      if (locales.has(locale)) throw errors.param(`ice_breakers has locale ${locale} more than once`);
      locales.add(locale);
      if (ctas.length === 0 || ctas.length > 4) throw errors.param('Ice breakers allow at most 4 questions per locale');
      for (const q of ctas) {
        const question = str(obj(q)?.question);
        const payload = str(obj(q)?.payload);
        if (!question || [...question].length > 80 || !payload || [...payload].length > 1000)
          throw errors.param('Each ice breaker needs a question (at most 80 characters) and a payload');
      }
    }
  }
  if (name === 'persistent_menu') {
    if (!profile.get_started)
      throw errors.param('You must set a Get Started button if you also wish to use persistent menu.');
    if (!Array.isArray(value) || value.length === 0)
      throw errors.param('param persistent_menu must be a non-empty array');
    for (const m of value) {
      const ctas = obj(m)?.call_to_actions;
      if (obj(m)?.composer_input_disabled === true && ctas === undefined) continue;
      if (!Array.isArray(ctas) || ctas.length === 0 || ctas.length > 20)
        throw errors.param('Each persistent_menu needs call_to_actions (at most 20)');
      for (const c of ctas) {
        const type = str(obj(c)?.type);
        if (type === 'nested') throw errors.param('Nested persistent menus are no longer supported');
        if (type !== 'web_url' && type !== 'postback')
          throw errors.param('persistent_menu call_to_actions type must be one of {web_url, postback}');
        const title = str(obj(c)?.title);
        if (!title || [...title].length > 30)
          throw errors.param('Each persistent_menu item needs a title of at most 30 characters');
        if (type === 'web_url' && !str(obj(c)?.url)) throw errors.param('A web_url menu item needs a url');
        if (type === 'postback' && !str(obj(c)?.payload)) throw errors.param('A postback menu item needs a payload');
      }
    }
  }
}

/** Reads, sets or deletes profile properties; refuses an 11th call within 10 minutes (613). */
export function messengerProfile(core: Core, page: Page, method: string, params: Params): Record<string, unknown> {
  const rl = core.opts.rateLimits;
  if (rl.enabled && !core.limiter.take(`profile:${page.id}`, rl.profilePer10Minutes, TEN_MINUTES, core.clock.now()))
    throw errors.rateLimited();
  const profile = page.messengerProfile;
  if (method === 'GET') {
    const fields = str(params.fields);
    if (!fields) throw errors.param('The parameter fields is required');
    const out: Record<string, unknown> = {};
    for (const f of fields.split(',').map((s) => s.trim())) {
      if (!PROPERTIES.includes(f)) throw errors.param(`Invalid field ${f}`);
      if (profile[f] !== undefined) out[f] = profile[f];
    }
    return { data: Object.keys(out).length ? [out] : [] };
  }
  if (method === 'DELETE') {
    const fields = Array.isArray(params.fields)
      ? (params.fields as unknown[]).map(String)
      : str(params.fields)?.split(',');
    if (!fields?.length) throw errors.param('The parameter fields is required');
    if (fields.includes('get_started') && profile.persistent_menu && !fields.includes('persistent_menu')) {
      throw errors.param('You must delete the persistent menu before deleting the Get Started button.');
    }
    for (const f of fields) delete profile[f];
    return { result: 'success' };
  }
  const updates = Object.entries(params).filter(([k]) => PROPERTIES.includes(k));
  if (updates.length === 0) throw errors.param('No Messenger Profile properties were given');
  const next = { ...profile };
  for (const [k, v] of updates) {
    validate(k, v, next);
    next[k] = v;
  }
  page.messengerProfile = next;
  return { result: 'success' };
}
