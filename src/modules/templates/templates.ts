// Utility message templates per Page: list, create (checked here, then submitted to Meta), delete (at Meta, then
// here), and what campaigns ask: the approved template for a recipient's languages, and the Send API message for it.
import type { AppContext } from '../../kernel/context.ts';
import type { MessageTemplateTable } from '../../db/tables/meta-settings.ts';
import type { Executor } from '../../db/types.ts';
import { AppError, notFound } from '../../errors.ts';
import { newId } from '../../lib/ids.ts';
import { GraphError, type GraphClient } from '../../platform/index.ts';
import { assertCan, assertPage, pageScopeOf, type Actor } from '../access/actor.ts';
import { appendAudit } from '../audit/audit.repository.ts';
import { findPage } from '../pages/pages.repository.ts';
import { decryptPageToken } from '../pages/register-page.ts';
import { pageGraphOf } from '../pages/page-graph.ts';
import { presentTemplate, type TemplateView } from './template.presenter.ts';
import { bodyVariables, checkTemplate, pickLanguage, type TemplateInput } from './template.policy.ts';
import { syncTemplate } from './template-sync.ts';
import {
  approvedTemplateRows,
  deleteTemplateRow,
  findTemplate,
  findTemplateByName,
  insertTemplate,
  listTemplateRows,
} from './templates.repository.ts';

export const MAX_TEMPLATES_PER_PAGE = 250;

export interface ApprovedTemplate {
  id: string;
  page_id: string;
  name: string;
  language: string;
  components: Record<string, unknown>[];
  /** How many `{{n}}` values the body needs. */
  body_variables: number;
}

function isUniqueViolation(err: unknown): boolean {
  const e = err as { code?: string; message?: string };
  return (
    e?.code === '23505' || e?.code === 'SQLITE_CONSTRAINT_UNIQUE' || /UNIQUE constraint failed/.test(e?.message ?? '')
  );
}

const duplicate = (name: string, language: string) =>
  new AppError(
    'conflict',
    `the Page already has a template ${name} in ${language} (Meta's templates cannot be edited: delete it and create it again)`,
    {
      field: 'name',
    },
  );

/** A Page's utility templates with their review status (anyone who may read the Page). */
export async function listTemplates(ctx: AppContext, actor: Actor, pageId: string): Promise<TemplateView[]> {
  assertCan(actor, 'pages:read');
  assertPage(actor, pageId);
  if (!(await findPage(ctx.db, pageId))) throw notFound('page');
  return (await listTemplateRows(ctx.db, pageId)).map(presentTemplate);
}

/**
 * A new utility template: checked (utility only, no quick replies, no promotional wording, samples for every
 * variable), stored and audited in one transaction, then submitted to Meta at once; if Meta cannot be reached the
 * background loop submits it. Owners, admins and marketers.
 */
export async function createTemplate(
  ctx: AppContext,
  actor: Actor,
  pageId: string,
  input: TemplateInput,
  graph: GraphClient = pageGraphOf(ctx),
): Promise<TemplateView> {
  assertCan(actor, 'campaigns:manage');
  assertPage(actor, pageId);
  const checked = checkTemplate(input);
  if (!checked.ok) throw new AppError('validation_failed', checked.problem.message, { field: checked.problem.field });
  const t = checked.template;
  const now = ctx.clock.now();
  let row: MessageTemplateTable;
  try {
    row = await ctx.db.transaction().execute(async (trx) => {
      if (!(await findPage(trx, pageId))) throw notFound('page');
      if (await findTemplateByName(trx, pageId, t.name, t.language)) throw duplicate(t.name, t.language);
      const count = (await listTemplateRows(trx, pageId)).length;
      if (count >= MAX_TEMPLATES_PER_PAGE)
        throw new AppError('conflict', `a Page holds at most ${MAX_TEMPLATES_PER_PAGE} templates here`);
      const created: MessageTemplateTable = {
        id: newId('mt', now),
        page_id: pageId,
        name: t.name,
        language: t.language,
        category: 'UTILITY',
        components: JSON.stringify(t.components),
        status: 'submitting',
        rejection_reason: null,
        meta_id: null,
        attempts: 0,
        next_check_at: now,
        created_by: actor.id,
        created_at: now,
        updated_at: now,
      };
      await insertTemplate(trx, created);
      await appendAudit(
        trx,
        actor,
        {
          action: 'message_template.create',
          pageId,
          subjectType: 'message_template',
          subjectId: created.id,
          details: { name: t.name, language: t.language },
        },
        now,
      );
      return created;
    });
  } catch (err) {
    if (isUniqueViolation(err)) throw duplicate(t.name, t.language);
    throw err;
  }
  return presentTemplate(await syncTemplate(ctx, graph, row));
}

/** Deletes a template at Meta (that language only) and here; audited. Another Page's is a 404. */
export async function deleteTemplate(
  ctx: AppContext,
  actor: Actor,
  id: string,
  graph: GraphClient = pageGraphOf(ctx),
): Promise<void> {
  assertCan(actor, 'campaigns:manage');
  const row = await findTemplate(ctx.db, id, pageScopeOf(actor));
  if (!row) throw notFound('message template');
  if (row.meta_id !== null) {
    const page = await findPage(ctx.db, row.page_id);
    if (!page) throw notFound('message template');
    try {
      await graph.deleteMessageTemplate(page.id, decryptPageToken(ctx, page), { hsmId: row.meta_id });
    } catch (err) {
      // A template Meta no longer has is gone already; any other answer leaves ours in place to try again.
      const gone =
        err instanceof GraphError &&
        err.classification.code === 100 &&
        /does not exist/i.test(err.classification.message);
      if (!gone) {
        const message = err instanceof GraphError ? err.classification.message : 'the Graph API could not be reached';
        throw new AppError('conflict', `Meta did not delete the template: ${message}`, {
          meta_code: err instanceof GraphError ? (err.classification.code ?? null) : null,
        });
      }
    }
  }
  const now = ctx.clock.now();
  await ctx.db.transaction().execute(async (trx) => {
    await deleteTemplateRow(trx, id);
    await appendAudit(
      trx,
      actor,
      {
        action: 'message_template.delete',
        pageId: row.page_id,
        subjectType: 'message_template',
        subjectId: id,
        details: { name: row.name, language: row.language },
      },
      now,
    );
  });
}

function approvedOf(row: MessageTemplateTable): ApprovedTemplate {
  const components = JSON.parse(row.components) as Record<string, unknown>[];
  const body = components.find((c) => c.type === 'BODY');
  return {
    id: row.id,
    page_id: row.page_id,
    name: row.name,
    language: row.language,
    components,
    body_variables: typeof body?.text === 'string' ? bodyVariables(body.text) : 0,
  };
}

/**
 * The Page's APPROVED template `name` in the first of `languages` it exists in (a recipient's language, then the
 * fallbacks), or undefined: what a utility campaign sends to that recipient.
 */
export async function approvedTemplate(
  db: Executor,
  pageId: string,
  name: string,
  languages: string[],
): Promise<ApprovedTemplate | undefined> {
  const rows = await approvedTemplateRows(db, pageId, name, languages);
  const language = pickLanguage(
    languages,
    rows.map((r) => r.language),
  );
  const row = rows.find((r) => r.language === language);
  return row ? approvedOf(row) : undefined;
}

/** Every language the Page has an APPROVED template `name` in (empty: none is approved). */
export async function approvedTemplates(db: Executor, pageId: string, name: string): Promise<ApprovedTemplate[]> {
  return (await approvedTemplateRows(db, pageId, name, null)).map(approvedOf);
}

/** The body of an approved template as a person reads it, its `{{n}}` filled with `values` (for a preview). */
export function utilityText(template: ApprovedTemplate, values: readonly string[]): string {
  const body = template.components.find((c) => c.type === 'BODY');
  const text = typeof body?.text === 'string' ? body.text : '';
  return text.replace(/\{\{\s*(\d+)\s*\}\}/g, (m, n: string) => values[Number(n) - 1] ?? m);
}

/**
 * The Send API `message` for an approved template with the body's values in order (`{{1}}`, `{{2}}`, …); enqueue it
 * with kind `utility` so it goes out as `messaging_type: UTILITY`.
 */
export function utilityMessage(template: ApprovedTemplate, values: readonly string[]): Record<string, unknown> {
  if (values.length !== template.body_variables)
    throw new AppError(
      'validation_failed',
      `template ${template.name} needs ${template.body_variables} values, ${values.length} given`,
      { field: 'parameters' },
    );
  const components =
    values.length === 0 ? [] : [{ type: 'body', parameters: values.map((text) => ({ type: 'text', text })) }];
  return {
    attachment: {
      type: 'template',
      payload: {
        template_type: 'utility_messages',
        name: template.name,
        language: { code: template.language },
        components,
      },
    },
  };
}
