// The one place a utility campaign's template is resolved. A utility campaign sends one of the Page's APPROVED
// utility templates (Meta's message_templates, managed by the templates module): at creation and at start it is
// refused only when no language of that template is approved; at send time each recipient gets it in their own
// language (their locale, then its language alone, then the campaign's), or is skipped with the reason.
import type { Executor } from '../../db/types.ts';
import { AppError } from '../../errors.ts';
import { approvedTemplate, approvedTemplates, utilityMessage, type ApprovedTemplate } from '../templates/templates.ts';
import { renderTemplate, type Lookup } from './campaign-template.ts';

export interface CampaignTemplate {
  name: string;
  language: string;
  parameters?: unknown;
}

/** At most this many body values (Meta's templates hold a handful; this bounds what a request may carry). */
export const MAX_TEMPLATE_PARAMETERS = 20;

const invalid = (reason: string, message: string) =>
  new AppError('validation_failed', message, { reason, field: 'template.parameters' });

/** The template's body values as written (each may hold `{{…}}` variables): an array of strings, or none. */
export function templateParameters(t: CampaignTemplate): string[] {
  if (t.parameters === undefined || t.parameters === null) return [];
  if (
    !Array.isArray(t.parameters) ||
    t.parameters.length > MAX_TEMPLATE_PARAMETERS ||
    t.parameters.some((p) => typeof p !== 'string' || p.trim() === '' || [...p].length > 1000)
  )
    throw invalid(
      'invalid_parameters',
      `template.parameters must be a list of at most ${MAX_TEMPLATE_PARAMETERS} texts (one per {{n}} of the body)`,
    );
  return t.parameters as string[];
}

/**
 * The approved template a utility campaign sends, in its own language if approved there (else any approved one),
 * or a 400 `template_not_approved` naming it when no language of it is approved; a 400 `template_parameters` when
 * the number of parameters is not the number of the body's `{{n}}`.
 */
export async function resolveUtilityTemplate(
  db: Executor,
  pageId: string,
  template: CampaignTemplate,
): Promise<ApprovedTemplate> {
  const approved = await approvedTemplates(db, pageId, template.name);
  const chosen = approved.find((t) => t.language === template.language) ?? approved[0];
  if (!chosen)
    throw new AppError('validation_failed', `the utility template "${template.name}" is not approved for this Page`, {
      reason: 'template_not_approved',
      field: 'template',
    });
  const given = templateParameters(template).length;
  if (given !== chosen.body_variables)
    throw invalid(
      'template_parameters',
      `the template "${template.name}" (${chosen.language}) has ${chosen.body_variables} body variables; ` +
        `template.parameters gives ${given}`,
    );
  return chosen;
}

/**
 * The languages to look for a recipient's template in, best first: their locale (`fr_FR`), its language alone
 * (`fr`), then the campaign's language; each once.
 */
export function recipientLanguages(locale: string | null, campaignLanguage: string): string[] {
  const out: string[] = [];
  const add = (l: string | undefined) => {
    if (l && !out.includes(l)) out.push(l);
  };
  if (locale && /^[a-z]{2,3}(_[A-Z]{2})?$/.test(locale)) {
    add(locale);
    add(locale.split('_')[0]);
  }
  add(campaignLanguage);
  return out;
}

/** A utility campaign's template per recipient language, each language list looked up once per sender turn. */
export class UtilityTemplates {
  readonly #found = new Map<string, ApprovedTemplate | null>();
  constructor(
    private readonly db: Executor,
    private readonly pageId: string,
    private readonly template: CampaignTemplate,
  ) {}

  /** The template in the recipient's language (see recipientLanguages), or null when none is approved. */
  async forLocale(locale: string | null): Promise<ApprovedTemplate | null> {
    const languages = recipientLanguages(locale, this.template.language);
    const key = languages.join(',');
    if (!this.#found.has(key))
      this.#found.set(key, (await approvedTemplate(this.db, this.pageId, this.template.name, languages)) ?? null);
    return this.#found.get(key) ?? null;
  }
}

export type UtilityRender =
  | { ok: true; message: Record<string, unknown>; values: string[] }
  | { ok: false; reason: 'template_parameters_mismatch' | 'empty_message' };

/** The Send API message of the template for one recipient, its parameters rendered with their variables. */
export function renderUtility(
  template: ApprovedTemplate,
  parameters: readonly string[],
  lookup: Lookup,
): UtilityRender {
  if (parameters.length !== template.body_variables) return { ok: false, reason: 'template_parameters_mismatch' };
  const values = parameters.map((p) => renderTemplate(p, lookup));
  if (values.some((v) => v.trim() === '')) return { ok: false, reason: 'empty_message' };
  return { ok: true, message: utilityMessage(template, values), values };
}
