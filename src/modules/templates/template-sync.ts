// Carries templates to Meta and Meta's verdict back: submits those not yet accepted, polls those in review, and
// records APPROVED or REJECTED (with Meta's reason). Checks are spaced out per template (2 s doubling to 5 min).
import type { AppContext } from '../../kernel/context.ts';
import type { MessageTemplateTable } from '../../db/tables/meta-settings.ts';
import { GraphError, type GraphClient } from '../../platform/index.ts';
import { startLoop, type BackgroundWorker } from '../../kernel/loop.ts';
import { findPage } from '../pages/pages.repository.ts';
import { decryptPageToken } from '../pages/register-page.ts';
import { pageGraphOf } from '../pages/page-graph.ts';
import { claimTemplate, dueTemplateRows, updateTemplateRow } from './templates.repository.ts';

const FIRST_CHECK_MS = 2_000;
const MAX_CHECK_MS = 5 * 60_000;
const BATCH = 20;
/** How long one submission or check holds a template (the Graph call's timeout is 10 s). */
const LEASE_MS = 60_000;
/** Meta's "Content in this language already exists": the template was created by an earlier try. */
const ALREADY_EXISTS_SUBCODE = 2388024;

const later = (now: number, attempts: number) => now + Math.min(MAX_CHECK_MS, FIRST_CHECK_MS * 2 ** attempts);

function metaReason(err: GraphError): string {
  const { code, subcode, message } = err.classification;
  return `${message}${code === undefined ? '' : ` (Meta error ${code}${subcode === undefined ? '' : `/${subcode}`})`}`;
}

async function verdict(
  graph: GraphClient,
  row: MessageTemplateTable,
  pageId: string,
  token: string,
  now: number,
): Promise<Partial<MessageTemplateTable>> {
  const found = (await graph.listMessageTemplates(pageId, token, row.name)).find((t) =>
    row.meta_id !== null ? t.id === row.meta_id : t.language === row.language,
  );
  if (!found) return { status: 'rejected', rejection_reason: 'Meta no longer has this template', next_check_at: null };
  const status = found.status.toUpperCase();
  if (status === 'APPROVED')
    return { status: 'approved', meta_id: found.id, rejection_reason: null, next_check_at: null };
  if (status === 'REJECTED' || status === 'DISABLED' || status === 'PAUSED')
    return {
      status: 'rejected',
      meta_id: found.id,
      rejection_reason: found.rejectedReason ?? status,
      next_check_at: null,
    };
  return {
    status: 'pending',
    meta_id: found.id,
    attempts: row.attempts + 1,
    next_check_at: later(now, row.attempts + 1),
  };
}

/** One step for one template (submit, or ask for its verdict); stores and returns the row as it now is. */
export async function syncTemplate(
  ctx: AppContext,
  graph: GraphClient,
  row: MessageTemplateTable,
): Promise<MessageTemplateTable> {
  const now = ctx.clock.now();
  if (!(await claimTemplate(ctx.db, row.id, row.next_check_at, now + LEASE_MS))) return row;
  const page = await findPage(ctx.db, row.page_id);
  let set: Partial<MessageTemplateTable>;
  if (!page || page.status !== 'active') {
    set = { attempts: row.attempts + 1, next_check_at: later(now, row.attempts + 1) };
  } else {
    const token = decryptPageToken(ctx, page);
    try {
      if (row.status === 'submitting') {
        const components = JSON.parse(row.components) as Record<string, unknown>[];
        const body = { name: row.name, language: row.language, category: 'UTILITY' as const, components };
        const created = await graph.createMessageTemplate(page.id, token, body);
        set = { status: 'pending', meta_id: created.id, attempts: 0, next_check_at: now + FIRST_CHECK_MS };
      } else {
        set = await verdict(graph, row, page.id, token, now);
      }
    } catch (err) {
      if (!(err instanceof GraphError)) throw err;
      const c = err.classification;
      if (row.status === 'submitting' && c.subcode === ALREADY_EXISTS_SUBCODE) {
        set = { status: 'pending', attempts: 0, next_check_at: now };
      } else if (c.retry || c.kind === 'reauthorize' || row.status === 'pending') {
        set = { attempts: row.attempts + 1, next_check_at: later(now, row.attempts + 1) };
      } else {
        // Meta refused the submission itself: its error is the reason the operator sees.
        set = { status: 'rejected', rejection_reason: metaReason(err), next_check_at: null };
      }
    }
  }
  const next = { ...row, ...set, updated_at: now };
  await updateTemplateRow(ctx.db, row.id, { ...set, updated_at: now });
  return next;
}

/** One pass over the templates due for a submission or a status check; how many were handled. */
export async function syncDueTemplates(ctx: AppContext, graph: GraphClient = pageGraphOf(ctx)): Promise<number> {
  const rows = await dueTemplateRows(ctx.db, ctx.clock.now(), BATCH);
  for (const row of rows) await syncTemplate(ctx, graph, row);
  return rows.length;
}

/** The background loop that submits templates and polls Meta for PENDING ones. */
export function startTemplateSync(
  ctx: AppContext,
  opts: { graph?: GraphClient; idleMs?: number } = {},
): BackgroundWorker {
  const graph = opts.graph ?? pageGraphOf(ctx);
  return startLoop({ name: 'template-sync', logger: ctx.logger, idleMs: opts.idleMs ?? 1_000, errorMs: 5_000 }, () =>
    syncDueTemplates(ctx, graph),
  );
}
