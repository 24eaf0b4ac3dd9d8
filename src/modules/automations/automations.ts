// A Page's automation rules: list, create, change, delete (owners and admins; audited), and the record of their runs.
import type { AppContext } from '../../kernel/context.ts';
import type { AutomationRuleTable } from '../../db/tables/automations.ts';
import { AppError, notFound } from '../../errors.ts';
import { newId } from '../../lib/ids.ts';
import { pageOf } from '../../lib/paging.ts';
import { assertCan, assertPage, pageScopeOf, type Actor } from '../access/actor.ts';
import { appendAudit } from '../audit/audit.repository.ts';
import { findPage } from '../pages/pages.repository.ts';
import { compileSegment } from '../segments/segments.ts';
import type { Executor } from '../../db/types.ts';
import {
  countRules,
  deleteRuleRow,
  findRule,
  insertRule,
  listRuleRows,
  listRunRows,
  runOutcomeCounts,
  updateRuleRow,
} from './automations.repository.ts';
import { presentRule, presentRun, type RuleView, type RunView } from './automation.presenter.ts';
import { checkActions, checkName, checkTrigger, type Action } from './rules.policy.ts';
import { findSequence } from '../sequences/sequences.repository.ts';
import { ruleOf } from './rule.ts';

export const MAX_RULES_PER_PAGE = 200;

export interface RuleInput {
  name?: unknown;
  enabled?: unknown;
  trigger?: unknown;
  conditions?: unknown;
  actions?: unknown;
}

function checkEnabled(raw: unknown): number {
  if (typeof raw !== 'boolean') throw new AppError('validation_failed', 'enabled: true or false', { field: 'enabled' });
  return raw ? 1 : 0;
}

/** Conditions are a segment filter, checked against the Page's attributes as a segment's is (400 naming the field). */
async function checkConditions(ctx: AppContext, db: Executor, pageId: string, raw: unknown): Promise<string | null> {
  if (raw === null || raw === undefined) return null;
  try {
    await compileSegment(ctx, db, pageId, raw);
  } catch (err) {
    if (err instanceof AppError && err.code === 'validation_failed') {
      const field = typeof err.details?.field === 'string' ? `conditions.${err.details.field}` : 'conditions';
      throw new AppError('validation_failed', `${field}: ${err.message}`, { field });
    }
    throw err;
  }
  return JSON.stringify(raw);
}

/** Every sequence a start_sequence action names exists on the rule's Page (400 naming the action otherwise). */
async function checkSequences(db: Executor, pageId: string, actions: readonly Action[]): Promise<void> {
  for (const [i, a] of actions.entries())
    if (a.type === 'start_sequence' && !(await findSequence(db, a.sequence_id, [pageId])))
      throw new AppError('validation_failed', `actions[${i}].sequence_id: no such sequence on this Page`, {
        field: `actions[${i}].sequence_id`,
      });
}

const viewOf = (row: AutomationRuleTable): RuleView => presentRule(ruleOf(row), row);

/** A Page's rules in the order they run, for whoever may read the Page. */
export async function listAutomations(ctx: AppContext, actor: Actor, pageId: string): Promise<RuleView[]> {
  assertCan(actor, 'pages:read');
  assertPage(actor, pageId);
  if (!(await findPage(ctx.db, pageId))) throw notFound('page');
  return (await listRuleRows(ctx.db, pageId)).map(viewOf);
}

/** One rule; another Page's is a 404. */
export async function getAutomation(ctx: AppContext, actor: Actor, id: string): Promise<RuleView> {
  assertCan(actor, 'pages:read');
  const row = await findRule(ctx.db, id, pageScopeOf(actor));
  if (!row) throw notFound('automation');
  return viewOf(row);
}

/** A new rule (owners and admins), checked whole before anything is written; audited. */
export async function createAutomation(
  ctx: AppContext,
  actor: Actor,
  pageId: string,
  input: RuleInput,
): Promise<RuleView> {
  assertCan(actor, 'pages:write');
  assertPage(actor, pageId);
  const name = checkName(input.name);
  const enabled = input.enabled === undefined ? 1 : checkEnabled(input.enabled);
  const trigger = checkTrigger(input.trigger);
  const actions = checkActions(input.actions);
  const now = ctx.clock.now();
  return ctx.db.transaction().execute(async (trx) => {
    if (!(await findPage(trx, pageId))) throw notFound('page');
    const conditions = await checkConditions(ctx, trx, pageId, input.conditions);
    await checkSequences(trx, pageId, actions);
    if ((await countRules(trx, pageId)) >= MAX_RULES_PER_PAGE)
      throw new AppError('conflict', `a Page holds at most ${MAX_RULES_PER_PAGE} automation rules`);
    const row: AutomationRuleTable = {
      id: newId('au', now),
      page_id: pageId,
      name,
      enabled,
      trigger_type: trigger.type,
      trigger: JSON.stringify(trigger),
      conditions,
      actions: JSON.stringify(actions),
      created_by: actor.id,
      created_at: now,
      updated_at: now,
    };
    await insertRule(trx, row);
    await appendAudit(
      trx,
      actor,
      {
        action: 'automation.create',
        pageId,
        subjectType: 'automation',
        subjectId: row.id,
        details: { name, trigger: trigger.type, actions: actions.map((a) => a.type) },
      },
      now,
    );
    return viewOf(row);
  });
}

/** Changes a rule (any of its members; owners and admins); audited with the members changed. Another Page's is a 404. */
export async function updateAutomation(ctx: AppContext, actor: Actor, id: string, input: RuleInput): Promise<RuleView> {
  assertCan(actor, 'pages:write');
  const set: Partial<AutomationRuleTable> = {};
  if (input.name !== undefined) set.name = checkName(input.name);
  if (input.enabled !== undefined) set.enabled = checkEnabled(input.enabled);
  if (input.trigger !== undefined) {
    const trigger = checkTrigger(input.trigger);
    set.trigger = JSON.stringify(trigger);
    set.trigger_type = trigger.type;
  }
  const actions = input.actions === undefined ? null : checkActions(input.actions);
  if (actions !== null) set.actions = JSON.stringify(actions);
  const now = ctx.clock.now();
  return ctx.db.transaction().execute(async (trx) => {
    const row = await findRule(trx, id, pageScopeOf(actor));
    if (!row) throw notFound('automation');
    if (input.conditions !== undefined) set.conditions = await checkConditions(ctx, trx, row.page_id, input.conditions);
    if (actions !== null) await checkSequences(trx, row.page_id, actions);
    const changed = Object.keys(set).filter((k) => k !== 'trigger_type');
    if (changed.length === 0) return viewOf(row);
    set.updated_at = now;
    await updateRuleRow(trx, id, set);
    await appendAudit(
      trx,
      actor,
      {
        action: 'automation.update',
        pageId: row.page_id,
        subjectType: 'automation',
        subjectId: id,
        details: { changed },
      },
      now,
    );
    return viewOf({ ...row, ...set });
  });
}

/** Deletes a rule and its runs (owners and admins); audited. Another Page's is a 404. */
export async function deleteAutomation(ctx: AppContext, actor: Actor, id: string): Promise<void> {
  assertCan(actor, 'pages:write');
  const now = ctx.clock.now();
  await ctx.db.transaction().execute(async (trx) => {
    const row = await findRule(trx, id, pageScopeOf(actor));
    if (!row) throw notFound('automation');
    await deleteRuleRow(trx, id);
    await appendAudit(
      trx,
      actor,
      {
        action: 'automation.delete',
        pageId: row.page_id,
        subjectType: 'automation',
        subjectId: id,
        details: { name: row.name },
      },
      now,
    );
  });
}

/** A rule's runs, newest first (ids and outcomes), for whoever may read the Page's contacts. */
export async function listAutomationRuns(
  ctx: AppContext,
  actor: Actor,
  id: string,
  input: { cursor?: string | undefined; limit?: number | undefined },
): Promise<{ data: RunView[]; next_cursor: string | null }> {
  assertCan(actor, 'contacts:read');
  const row = await findRule(ctx.db, id, pageScopeOf(actor));
  if (!row) throw notFound('automation');
  const limit = Math.min(Math.max(input.limit ?? 50, 1), 200);
  const rows = await listRunRows(ctx.db, id, input.cursor ?? null, limit + 1);
  const page = pageOf(rows, limit, (last) => last.id);
  return { data: page.rows.map(presentRun), next_cursor: page.nextCursor };
}

/** How the rules of these Pages ended, by outcome (refusals by reason): the sandbox's summary line. */
export async function automationSummary(
  ctx: AppContext,
  actor: Actor,
  pageIds: readonly string[],
): Promise<{ sent: number; refused: Record<string, number>; skipped: Record<string, number> }> {
  assertCan(actor, 'pages:read');
  const out = { sent: 0, refused: {} as Record<string, number>, skipped: {} as Record<string, number> };
  for (const r of await runOutcomeCounts(
    ctx.db,
    pageIds.filter((p) => actor.pageScope === null || actor.pageScope.includes(p)),
  )) {
    if (r.outcome === 'fired') out.sent += r.n;
    else if (r.outcome === 'refused')
      out.refused[r.reason ?? 'unknown'] = (out.refused[r.reason ?? 'unknown'] ?? 0) + r.n;
    else out.skipped[r.outcome] = (out.skipped[r.outcome] ?? 0) + r.n;
  }
  return out;
}
