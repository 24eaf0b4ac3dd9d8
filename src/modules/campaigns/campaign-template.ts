// Campaign personalisation: a logic-less `{{path}}` / `{{path|default}}` language, rendered in one pass. A value is
// inserted exactly as it is (no HTML escaping: Messenger shows plain text), never read as a template itself, and an
// unknown or empty variable becomes its default, or nothing. There is nothing to execute: a placeholder names a
// value, and that is all it can do.
//
// A library was considered (mustache 4.2.0, named in the product research): it HTML-escapes `{{…}}` by default (a
// name like "Ana & Bo" would reach Messenger as "Ana &amp; Bo"), has no defaults, and would be a dependency for
// forty lines; so the language is written here, with a property test.

/** A piece of a parsed template: text as written, or a variable with its default. */
export type TemplatePart = { text: string } | { path: string; fallback: string };

/** `contact.first_name`, `attribute.shoe_size`, `orders.last.external_id`: lowercase words joined by dots. */
const PLACEHOLDER = /\{\{\s*([a-z][a-z0-9_]*(?:\.[a-z0-9_]+)*)\s*(?:\|([^{}]*))?\}\}/g;

/** The template's parts; anything that is not a well-formed placeholder (a lone `{{`, `{{ 1 }}`) is text. */
export function parseTemplate(template: string): TemplatePart[] {
  const parts: TemplatePart[] = [];
  let at = 0;
  for (const m of template.matchAll(PLACEHOLDER)) {
    if (m.index > at) parts.push({ text: template.slice(at, m.index) });
    parts.push({ path: m[1]!, fallback: (m[2] ?? '').trim() });
    at = m.index + m[0].length;
  }
  if (at < template.length) parts.push({ text: template.slice(at) });
  return parts;
}

/** The variable paths a template uses, each once, in order of appearance. */
export function templateVariables(template: string): string[] {
  const out: string[] = [];
  for (const p of parseTemplate(template)) if ('path' in p && !out.includes(p.path)) out.push(p.path);
  return out;
}

/** A value for a path, or null/undefined when the person has none. */
export type Lookup = (path: string) => string | null | undefined;

/** Fills every placeholder from `lookup` (an empty or missing value: its default, or nothing), in one pass. */
export function renderTemplate(template: string, lookup: Lookup): string {
  let out = '';
  for (const p of parseTemplate(template)) {
    if ('text' in p) out += p.text;
    else {
      const v = lookup(p.path);
      out += v === null || v === undefined || v.trim() === '' ? p.fallback : v;
    }
  }
  return out;
}
