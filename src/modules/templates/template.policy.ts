// What a utility message template may hold, decided before anything is sent to Meta (product-research.md §2.1):
// category UTILITY only, a snake_case name, a locale, one BODY of at most 1024 characters whose variables run
// {{1}}…{{n}} with a sample value each, an optional HEADER (text) and FOOTER (≤ 60 characters), at most 3 buttons of
// type POSTBACK, URL or PHONE_NUMBER (a QUICK_REPLY button is what Meta answers with 2018416), and no promotional
// wording. The promotional check is a heuristic: a fixed list of words and phrases that mark an offer ("discount",
// "% off", "buy now", …). It catches the obvious cases before Meta's review does; it cannot prove a text is not
// promotional, and Meta's review remains the judge (a template it rejects shows Meta's reason).

export const NAME_PATTERN = '^[a-z0-9_]{1,512}$';
export const LANGUAGE_PATTERN = '^[a-z]{2,3}(_[A-Z]{2})?$';
export const MAX_BODY_CHARS = 1024;
export const MAX_HEADER_CHARS = 60;
export const MAX_FOOTER_CHARS = 60;
export const MAX_BUTTONS = 3;
export const MAX_BUTTON_TEXT_CHARS = 20;
const BUTTON_TYPES = ['POSTBACK', 'URL', 'PHONE_NUMBER'] as const;

/** Words and phrases that mark promotional text (lower case, matched on word boundaries). */
export const PROMOTIONAL_WORDS: readonly string[] = Object.freeze([
  'sale',
  'discount',
  'discounts',
  'coupon',
  'coupons',
  'promo',
  'promotion',
  'promo code',
  'offer',
  'offers',
  'deal',
  'deals',
  'bargain',
  'clearance',
  'free shipping',
  'free gift',
  'buy now',
  'shop now',
  'order now',
  'limited time',
  'last chance',
  'exclusive',
  'black friday',
  'cyber monday',
  '% off',
  'save up to',
  'special price',
  'best price',
  'new arrivals',
  'new collection',
]);

export type TemplateComponent =
  | { type: 'HEADER'; format: 'TEXT'; text: string }
  | { type: 'BODY'; text: string; example?: { body_text: string[][] } }
  | { type: 'FOOTER'; text: string }
  | { type: 'BUTTONS'; buttons: TemplateButton[] };

export type TemplateButton =
  | { type: 'POSTBACK'; text: string; payload: string }
  | { type: 'URL'; text: string; url: string }
  | { type: 'PHONE_NUMBER'; text: string; phone_number: string };

export interface TemplateInput {
  name: string;
  language: string;
  category?: string;
  components: unknown[];
}

export interface ValidTemplate {
  name: string;
  language: string;
  category: 'UTILITY';
  components: TemplateComponent[];
  /** How many `{{n}}` variables the body has: a send fills exactly these. */
  bodyVariables: number;
}

/** A refusal naming the field (a JSON path into the input) and why. */
export interface TemplateProblem {
  field: string;
  message: string;
}

const chars = (s: string) => [...s].length;
const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

class Refusal extends Error {
  constructor(readonly problem: TemplateProblem) {
    super(problem.message);
  }
}
const refuse = (field: string, message: string): never => {
  throw new Refusal({ field, message });
};

function text(v: unknown, field: string, max: number): string {
  if (typeof v !== 'string' || v.trim() === '' || chars(v) > max)
    refuse(field, `${field} must be 1 to ${max} characters`);
  return v as string;
}

/** The variables `{{n}}` of a body; they must be numbered 1..n without gaps (Meta's rule). */
export function bodyVariables(body: string): number {
  const numbers = [...new Set([...body.matchAll(/\{\{\s*(\d+)\s*\}\}/g)].map((m) => Number(m[1])))].sort(
    (a, b) => a - b,
  );
  if (numbers.some((n, i) => n !== i + 1)) return -1;
  return numbers.length;
}

/** The first promotional word or phrase found in `s`, or undefined. */
export function promotionalWord(s: string): string | undefined {
  const lower = s.toLowerCase();
  return PROMOTIONAL_WORDS.find((w) => {
    if (w.startsWith('%')) return new RegExp(`\\d\\s*${w.replace('%', '%\\s*')}\\b`).test(lower);
    const escaped = w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    return new RegExp(`(^|[^\\p{L}\\p{N}])${escaped}($|[^\\p{L}\\p{N}])`, 'u').test(lower);
  });
}

function notPromotional(s: string, field: string): void {
  const word = promotionalWord(s);
  if (word !== undefined)
    refuse(field, `utility templates may not be promotional; "${word}" reads as an offer (a word-list check)`);
}

function button(raw: unknown, field: string): TemplateButton {
  if (!isRecord(raw)) return refuse(field, `${field} must be an object`);
  const type = typeof raw.type === 'string' ? raw.type.toUpperCase() : '';
  if (type === 'QUICK_REPLY')
    refuse(`${field}.type`, 'utility templates cannot hold quick replies (Meta answers error 2018416)');
  if (!(BUTTON_TYPES as readonly string[]).includes(type))
    refuse(`${field}.type`, `${field}.type must be one of POSTBACK, URL, PHONE_NUMBER`);
  const label = text(raw.text, `${field}.text`, MAX_BUTTON_TEXT_CHARS);
  notPromotional(label, `${field}.text`);
  if (type === 'POSTBACK') return { type, text: label, payload: text(raw.payload, `${field}.payload`, 1000) };
  if (type === 'URL') {
    const url = text(raw.url, `${field}.url`, 2000);
    if (!/^https:\/\//.test(url)) refuse(`${field}.url`, `${field}.url must be an https URL`);
    return { type, text: label, url };
  }
  const phone = text(raw.phone_number, `${field}.phone_number`, 20);
  if (!/^\+[1-9]\d{6,14}$/.test(phone))
    refuse(`${field}.phone_number`, `${field}.phone_number must be in international form (+15551234567)`);
  return { type: 'PHONE_NUMBER', text: label, phone_number: phone };
}

function component(raw: unknown, field: string, seen: Set<string>): TemplateComponent {
  if (!isRecord(raw)) return refuse(field, `${field} must be an object`);
  const type = typeof raw.type === 'string' ? raw.type.toUpperCase() : '';
  if (seen.has(type)) refuse(`${field}.type`, `a template has at most one ${type} component`);
  seen.add(type);
  if (type === 'HEADER') {
    if (raw.format !== undefined && raw.format !== 'TEXT') refuse(`${field}.format`, 'only TEXT headers are supported');
    const header = text(raw.text, `${field}.text`, MAX_HEADER_CHARS);
    if (bodyVariables(header) !== 0) refuse(`${field}.text`, 'a header holds no variables');
    notPromotional(header, `${field}.text`);
    return { type, format: 'TEXT', text: header };
  }
  if (type === 'FOOTER') {
    const footer = text(raw.text, `${field}.text`, MAX_FOOTER_CHARS);
    if (bodyVariables(footer) !== 0) refuse(`${field}.text`, 'a footer holds no variables');
    notPromotional(footer, `${field}.text`);
    return { type, text: footer };
  }
  if (type === 'BODY') {
    const body = text(raw.text, `${field}.text`, MAX_BODY_CHARS);
    const n = bodyVariables(body);
    if (n < 0) refuse(`${field}.text`, 'body variables must be numbered {{1}}, {{2}}, … without gaps');
    notPromotional(body, `${field}.text`);
    if (n === 0) return { type, text: body };
    const samples = isRecord(raw.example) ? raw.example.body_text : undefined;
    const first = Array.isArray(samples) && Array.isArray(samples[0]) ? (samples[0] as unknown[]) : undefined;
    if (!first || first.length !== n || first.some((s) => typeof s !== 'string' || s.trim() === ''))
      refuse(
        `${field}.example.body_text`,
        `the body has ${n} variables: give one sample value for each (Meta needs them)`,
      );
    return { type, text: body, example: { body_text: [first as string[]] } };
  }
  if (type === 'BUTTONS') {
    const buttons = raw.buttons;
    if (!Array.isArray(buttons) || buttons.length === 0 || buttons.length > MAX_BUTTONS)
      refuse(`${field}.buttons`, `${field}.buttons holds 1 to ${MAX_BUTTONS} buttons`);
    return { type, buttons: (buttons as unknown[]).map((b, i) => button(b, `${field}.buttons[${i}]`)) };
  }
  return refuse(`${field}.type`, `${field}.type must be one of HEADER, BODY, FOOTER, BUTTONS`);
}

/** Checks a template as an operator wrote it; the valid template, or the first problem found. */
export function checkTemplate(
  input: TemplateInput,
): { ok: true; template: ValidTemplate } | { ok: false; problem: TemplateProblem } {
  try {
    if (typeof input.name !== 'string' || !new RegExp(NAME_PATTERN).test(input.name))
      refuse('name', 'name must be lowercase letters, digits and "_" (snake_case), at most 512');
    if (typeof input.language !== 'string' || !new RegExp(LANGUAGE_PATTERN).test(input.language))
      refuse('language', 'language must be a locale code such as en_US or pt_BR');
    if (input.category !== undefined && String(input.category).toUpperCase() !== 'UTILITY')
      refuse('category', 'only UTILITY templates can be sent outside the 24-hour window; category must be UTILITY');
    if (!Array.isArray(input.components) || input.components.length === 0)
      refuse('components', 'components must hold at least a BODY');
    const seen = new Set<string>();
    const components = input.components.map((c, i) => component(c, `components[${i}]`, seen));
    const body = components.find((c) => c.type === 'BODY');
    if (!body) return refuse('components', 'a template needs a BODY component');
    return {
      ok: true,
      template: {
        name: input.name,
        language: input.language,
        category: 'UTILITY',
        components,
        bodyVariables: bodyVariables(body.text),
      },
    };
  } catch (err) {
    if (err instanceof Refusal) return { ok: false, problem: err.problem };
    throw err;
  }
}

/** The first language of `preferred` that `available` has (a recipient's language fallback), or undefined. */
export function pickLanguage(preferred: readonly string[], available: readonly string[]): string | undefined {
  return preferred.find((l) => available.includes(l));
}
