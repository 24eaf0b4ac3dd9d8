/**
 * The variables a saved text may hold — `{{contact.first_name}}`, `{{agent.email}}` — and their renderer. A variable
 * may name a default for when the value is missing: `{{contact.first_name|there}}`. Pure and dependency-free: the
 * web inbox imports this very file (canned responses in the composer), and campaigns will render with it too.
 *
 * Rendering is one pass: a value that itself looks like `{{…}}` is inserted as written, never expanded again. An
 * unknown variable is left exactly as written, so a typo shows rather than silently disappearing.
 */

export const TEMPLATE_VARIABLES = ['contact.first_name', 'contact.last_name', 'contact.name', 'agent.email'] as const;
export type TemplateVariable = (typeof TEMPLATE_VARIABLES)[number];

/** What fills the variables; a missing, null or blank value uses the variable's default, else nothing. */
export type TemplateValues = Partial<Record<TemplateVariable, string | null | undefined>>;

/** `{{ name }}` or `{{ name | default }}`; the default runs to the closing braces and may not hold braces. */
const PLACEHOLDER = /\{\{\s*([a-z_][a-z0-9_.]*)\s*(?:\|([^{}]*))?\}\}/gi;

function isKnown(name: string): name is TemplateVariable {
  return (TEMPLATE_VARIABLES as readonly string[]).includes(name);
}

/** The text with every known variable replaced by its value (or its default, or nothing). */
export function renderTemplate(text: string, values: TemplateValues): string {
  return text.replace(PLACEHOLDER, (whole, name: string, fallback: string | undefined) => {
    if (!isKnown(name)) return whole;
    const value = values[name];
    if (typeof value === 'string' && value.trim() !== '') return value;
    return fallback === undefined ? '' : fallback.trim();
  });
}

/** The variable names a text uses that the renderer does not know, in order of appearance, each once. */
export function unknownVariables(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(PLACEHOLDER)) {
    const name = m[1]!;
    if (!isKnown(name) && !out.includes(name)) out.push(name);
  }
  return out;
}
