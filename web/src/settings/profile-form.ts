// The Messenger profile as the editor holds it: one entry per language, each with its greeting, ice breakers and
// menu, turned into the API's per-property lists on save; and where a refusal of the API belongs in the form.

export const LIMITS = { greeting: 160, question: 80, title: 30, payload: 1000, iceBreakers: 4, menuItems: 20 };

export interface IceBreaker {
  question: string;
  payload: string;
}

export interface MenuItem {
  type: 'postback' | 'web_url';
  title: string;
  payload: string;
  url: string;
}

export interface LocaleDraft {
  locale: string;
  greeting: string;
  iceBreakers: IceBreaker[];
  menu: MenuItem[];
  composerDisabled: boolean;
}

export interface ProfileDraft {
  getStarted: string;
  locales: LocaleDraft[];
}

/** The profile as GET …/messenger-profile answers it (null: not set). */
export interface ProfileView {
  get_started: { payload: string } | null;
  greeting: { locale: string; text: string }[] | null;
  ice_breakers: { locale?: string; call_to_actions: IceBreaker[] }[] | null;
  persistent_menu:
    | {
        locale: string;
        composer_input_disabled?: boolean;
        call_to_actions: { type: string; title: string; payload?: string; url?: string }[];
      }[]
    | null;
}

export const emptyLocale = (locale: string): LocaleDraft => ({
  locale,
  greeting: '',
  iceBreakers: [],
  menu: [],
  composerDisabled: false,
});

/** The editor's draft of a saved profile; `default` always comes first and is always there. */
export function draftOf(p: ProfileView): ProfileDraft {
  const byLocale = new Map<string, LocaleDraft>([['default', emptyLocale('default')]]);
  const at = (locale: string) => {
    if (!byLocale.has(locale)) byLocale.set(locale, emptyLocale(locale));
    return byLocale.get(locale)!;
  };
  for (const g of p.greeting ?? []) at(g.locale).greeting = g.text;
  for (const i of p.ice_breakers ?? [])
    at(i.locale ?? 'default').iceBreakers = i.call_to_actions.map((c) => ({
      question: c.question,
      payload: c.payload,
    }));
  for (const m of p.persistent_menu ?? []) {
    const l = at(m.locale);
    l.composerDisabled = m.composer_input_disabled === true;
    l.menu = m.call_to_actions.map((c) => ({
      type: c.type === 'web_url' ? 'web_url' : 'postback',
      title: c.title,
      payload: c.payload ?? '',
      url: c.url ?? '',
    }));
  }
  return { getStarted: p.get_started?.payload ?? '', locales: [...byLocale.values()] };
}

/** Where a property's list entry came from: the API's `greeting[i]` is the draft's locale `locales[i]`. */
export interface Request {
  body: Record<string, unknown>;
  origin: Record<'greeting' | 'ice_breakers' | 'persistent_menu', string[]>;
}

/** The PUT body: languages without a greeting, ice breakers or menu items leave that property out. */
export function requestOf(d: ProfileDraft): Request {
  const greeting = d.locales.filter((l) => l.greeting !== '');
  const ice = d.locales.filter((l) => l.iceBreakers.length > 0);
  const menu = d.locales.filter((l) => l.menu.length > 0);
  return {
    body: {
      get_started: d.getStarted === '' ? null : { payload: d.getStarted },
      greeting: greeting.length ? greeting.map((l) => ({ locale: l.locale, text: l.greeting })) : null,
      ice_breakers: ice.length ? ice.map((l) => ({ locale: l.locale, call_to_actions: l.iceBreakers })) : null,
      persistent_menu: menu.length
        ? menu.map((l) => ({
            locale: l.locale,
            ...(l.composerDisabled && { composer_input_disabled: true }),
            call_to_actions: l.menu.map((m) =>
              m.type === 'web_url'
                ? { type: 'web_url', title: m.title, url: m.url }
                : { type: 'postback', title: m.title, payload: m.payload },
            ),
          }))
        : null,
    },
    origin: {
      greeting: greeting.map((l) => l.locale),
      ice_breakers: ice.map((l) => l.locale),
      persistent_menu: menu.map((l) => l.locale),
    },
  };
}

/**
 * Where the form shows a refusal naming `field`: the language it is about (null: the whole profile), the section
 * (`get_started`, `greeting`, `ice_breakers`, `persistent_menu`), the item (null: the section) and the item's part.
 */
export interface Place {
  locale: string | null;
  section: string;
  item: number | null;
  part: string | null;
}

export function placeOf(field: string, origin: Request['origin']): Place {
  const m = /^(\w+)(?:\[(\d+)\])?(?:\.call_to_actions(?:\[(\d+)\])?)?(?:\.(\w+))?$/.exec(field);
  if (!m) return { locale: null, section: field, item: null, part: null };
  const [, section, i, j, part] = m;
  const locales = origin[section as keyof Request['origin']];
  const locale = i !== undefined && locales ? (locales[Number(i)] ?? null) : null;
  return { locale, section: section!, item: j === undefined ? null : Number(j), part: part ?? null };
}

/** The API's message without the request's paths, which mean nothing to the person at the form. */
export function wordsOf(message: string, field: string, place: Place): string {
  const name =
    place.section === 'greeting'
      ? 'The greeting'
      : place.section === 'ice_breakers'
        ? place.item === null
          ? 'The ice breakers'
          : `Ice breaker ${place.item + 1}${place.part ? `: its ${place.part}` : ''}`
        : place.section === 'persistent_menu'
          ? place.item === null
            ? 'The menu'
            : `Menu item ${place.item + 1}${place.part ? `: its ${place.part}` : ''}`
          : place.section === 'get_started'
            ? 'The Get Started payload'
            : null;
  if (name === null || !message.startsWith(field)) return message;
  return `${name}${message.slice(field.length)}`;
}

/** A text as a person sees it in Messenger: `{{user_first_name}}` and the others filled with a sample person. */
export function personalise(text: string, person = { first: 'Ana', last: 'Silva' }): string {
  return text
    .replaceAll('{{user_first_name}}', person.first)
    .replaceAll('{{user_last_name}}', person.last)
    .replaceAll('{{user_full_name}}', `${person.first} ${person.last}`);
}

/** The language a person sees: theirs when the Page has it, else `default`. */
export function shownLocale(d: ProfileDraft, locale: string): LocaleDraft {
  return d.locales.find((l) => l.locale === locale) ?? d.locales[0]!;
}
