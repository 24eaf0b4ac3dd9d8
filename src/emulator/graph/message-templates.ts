// Page-owned utility message templates (`/{page}/message_templates`): create with Meta's JSON, list (with filters),
// delete by name or hsm_id; a template is PENDING until its review, `templateReviewMs` of emulator time after
// creation, which approves it unless the control API asked to reject that name (then REJECTED with the reason).
// Utility sends (`messaging_type: UTILITY`) are checked here against the Page's APPROVED templates.
import type { Core } from '../core.ts';
import { errors } from '../graph-error-answers.ts';
import type { MessageTemplate, Page } from '../world.ts';
import { obj, str, type Params } from './request.ts';

const NAME = /^[a-z0-9_]{1,512}$/;
const LANGUAGE = /^[a-z]{2,3}(_[A-Z]{2})?$/;
const BUTTON_TYPES = ['POSTBACK', 'URL', 'PHONE_NUMBER'];
const MAX_BODY_CHARS = 1024;
const MAX_BUTTONS = 3;

const chars = (s: string) => [...s].length;

/** The `{{n}}` variables of a body, which must run 1..n. */
function variables(text: string): number {
  const found = [...text.matchAll(/\{\{(\d+)\}\}/g)].map((m) => Number(m[1]));
  const distinct = [...new Set(found)].sort((a, b) => a - b);
  if (distinct.some((n, i) => n !== i + 1)) throw errors.param('Template variables must be numbered {{1}}, {{2}}, …');
  return distinct.length;
}

function validateComponents(raw: unknown): { components: Record<string, unknown>[]; bodyParams: number } {
  if (!Array.isArray(raw) || raw.length === 0) throw errors.param('The parameter components is required');
  const components = raw.map((c) => obj(c) ?? {});
  let bodyParams = -1;
  for (const c of components) {
    const type = str(c.type)?.toUpperCase();
    if (type === 'BODY') {
      const text = str(c.text);
      if (!text || chars(text) > MAX_BODY_CHARS)
        throw errors.param(`param components[BODY][text] is required and must be at most ${MAX_BODY_CHARS} characters`);
      bodyParams = variables(text);
      const samples = obj(c.example)?.body_text;
      const first = Array.isArray(samples) && Array.isArray(samples[0]) ? (samples[0] as unknown[]) : [];
      if (bodyParams > 0 && first.length !== bodyParams)
        throw errors.param('TEMPLATE_VARIABLES_MISSING_SAMPLE_VALUES: every variable needs a sample value');
    } else if (type === 'BUTTONS') {
      const buttons = Array.isArray(c.buttons) ? c.buttons.map((b) => obj(b) ?? {}) : [];
      if (buttons.some((b) => str(b.type)?.toUpperCase() === 'QUICK_REPLY')) throw errors.templateFatal();
      if (buttons.length === 0 || buttons.length > MAX_BUTTONS)
        throw errors.param(`param components[BUTTONS][buttons] must have between 1 and ${MAX_BUTTONS} elements`);
      for (const b of buttons) {
        const bt = str(b.type)?.toUpperCase();
        if (!bt || !BUTTON_TYPES.includes(bt))
          throw errors.param('Button type must be one of {POSTBACK, URL, PHONE_NUMBER}');
        const text = str(b.text);
        if (!text || chars(text) > 20) throw errors.param('Button text is required and must be at most 20 characters');
      }
    } else if (type !== 'HEADER' && type !== 'FOOTER') {
      throw errors.param('Component type must be one of {HEADER, BODY, FOOTER, BUTTONS}');
    }
  }
  if (bodyParams < 0) throw errors.param('A template needs a BODY component');
  return { components, bodyParams };
}

/** Settles a PENDING template whose review time has come: rejected if the control API said so, else approved. */
export function reviewed(core: Core, page: Page, t: MessageTemplate): MessageTemplate {
  if (t.status === 'PENDING' && core.clock.now() >= t.createdAt + core.opts.policy.templateReviewMs) {
    const reason = page.templateRejections.get(t.name);
    t.status = reason === undefined ? 'APPROVED' : 'REJECTED';
    t.rejectedReason = reason ?? null;
  }
  return t;
}

function view(t: MessageTemplate): Record<string, unknown> {
  return {
    id: t.id,
    name: t.name,
    language: t.language,
    category: t.category,
    status: t.status,
    components: t.components,
    ...(t.rejectedReason !== null && { rejected_reason: t.rejectedReason }),
  };
}

function create(core: Core, page: Page, params: Params): Record<string, unknown> {
  const name = str(params.name);
  if (!name || !NAME.test(name))
    throw errors.param('param name must be lowercase letters, digits and underscores (at most 512)');
  const language = str(params.language);
  if (!language || !LANGUAGE.test(language)) throw errors.param('param language must be a locale such as en_US');
  const category = str(params.category)?.toUpperCase();
  if (category !== 'UTILITY') throw errors.param('param category must be UTILITY for Messenger templates');
  const { components, bodyParams } = validateComponents(params.components);
  for (const t of page.templates.values())
    if (t.name === name && t.language === language) throw errors.templateExists();
  const id = String(1e15 + core.random.int(9e14));
  const template: MessageTemplate = {
    id,
    name,
    language,
    category: 'UTILITY',
    components,
    status: 'PENDING',
    rejectedReason: null,
    createdAt: core.clock.now(),
    bodyParams,
  };
  page.templates.set(id, template);
  return { id, status: 'PENDING', category: 'UTILITY' };
}

/** GET lists (filters: name, language, status), POST creates, DELETE removes by `hsm_id` (one) or `name` (all). */
export function messageTemplates(core: Core, page: Page, method: string, params: Params): Record<string, unknown> {
  if (method === 'POST') return create(core, page, params);
  const all = [...page.templates.values()].map((t) => reviewed(core, page, t));
  if (method === 'GET') {
    const name = str(params.name);
    const language = str(params.language);
    const status = str(params.status)?.toUpperCase();
    const data = all
      .filter((t) => (name === undefined || t.name === name) && (language === undefined || t.language === language))
      .filter((t) => status === undefined || t.status === status)
      .map(view);
    return { data };
  }
  const hsmId = str(params.hsm_id);
  const name = str(params.name);
  if (hsmId === undefined && name === undefined) throw errors.param('The parameter name or hsm_id is required');
  const doomed = all.filter((t) => (hsmId !== undefined ? t.id === hsmId : t.name === name));
  if (doomed.length === 0) throw errors.templateMissing();
  for (const t of doomed) page.templates.delete(t.id);
  return { success: true };
}

/**
 * Checks a utility send's template payload: an APPROVED template of this Page in that language, its body filled with
 * exactly its variables. Returns the body text as the person reads it.
 */
export function checkUtilitySend(core: Core, page: Page, payload: Record<string, unknown>): string {
  if (str(payload.template_type) !== 'utility_messages')
    throw errors.param('messaging_type UTILITY needs a template with template_type utility_messages');
  const name = str(payload.name);
  const language = str(obj(payload.language)?.code);
  if (!name || !language) throw errors.param('param message[attachment][payload] needs name and language[code]');
  const template = [...page.templates.values()].find((t) => t.name === name && t.language === language);
  if (!template) throw errors.templateMissing();
  if (reviewed(core, page, template).status !== 'APPROVED') throw errors.templateNotApproved(template.status);
  const components = Array.isArray(payload.components) ? payload.components.map((c) => obj(c) ?? {}) : [];
  const body = components.find((c) => str(c.type)?.toLowerCase() === 'body');
  const values = Array.isArray(body?.parameters) ? body.parameters.map((p) => str(obj(p)?.text) ?? '') : [];
  if (values.length !== template.bodyParams) throw errors.templateParams(template.bodyParams, values.length);
  const text = str(template.components.find((c) => str(c.type)?.toUpperCase() === 'BODY')?.text) ?? '';
  return text.replace(/\{\{(\d+)\}\}/g, (_, n: string) => values[Number(n) - 1] ?? '');
}
