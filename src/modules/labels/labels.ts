// Label definitions: per Page, a name and a colour. Conversations carry label names; once a Page defines labels,
// a conversation can be given only defined ones (those it carries already may stay), in the definition's spelling.
// Renaming a label renames it on every conversation of the Page, deleting removes it from them, each in the same
// transaction as the definition's change, audited once and announced to the inbox per conversation changed.
import type { AppContext } from '../../kernel/context.ts';
import type { PageLabelTable } from '../../db/tables/settings.ts';
import type { Executor } from '../../db/types.ts';
import { AppError, notFound } from '../../errors.ts';
import { newId } from '../../lib/ids.ts';
import { assertCan, assertPage, canSeePage, type Actor } from '../access/actor.ts';
import { appendAudit } from '../audit/audit.repository.ts';
import { updateConversation } from '../conversations/conversations.repository.ts';
import { appendEvents, type NewInboxEvent } from '../events/events.repository.ts';
import { findPage } from '../pages/pages.repository.ts';
import { LABEL_COLORS, labelKey, validLabelName, type LabelColor } from './label-names.ts';
import {
  countLabels,
  deleteLabelRow,
  findLabel,
  findLabelByKey,
  insertLabel,
  labelledConversations,
  listLabelRows,
  updateLabelRow,
} from './labels.repository.ts';

export const MAX_LABELS_PER_PAGE = 200;

async function assertPageExists(ctx: AppContext, actor: Actor, pageId: string): Promise<void> {
  assertPage(actor, pageId);
  if (!(await findPage(ctx.db, pageId))) throw notFound('page');
}

function validColor(color: string): LabelColor {
  const c = LABEL_COLORS.find((x) => x === color);
  if (!c)
    throw new AppError('validation_failed', `color must be one of ${LABEL_COLORS.join(', ')}`, { field: 'color' });
  return c;
}

/** Two requests defining the same name at once: the unique index refuses the second, answered as the check would. */
function isUniqueViolation(err: unknown): boolean {
  const e = err as { code?: string; message?: string } | null;
  return (
    e?.code === '23505' || e?.code === 'SQLITE_CONSTRAINT_UNIQUE' || /UNIQUE constraint failed/.test(e?.message ?? '')
  );
}

function duplicate(name: string): AppError {
  return new AppError('conflict', `this Page has a label named ${name} already`, { field: 'name' });
}

/** A Page's labels, by name. Anyone who may see the Page may read them (the inbox offers them). */
export async function listLabels(ctx: AppContext, actor: Actor, pageId: string): Promise<PageLabelTable[]> {
  assertCan(actor, 'pages:read');
  await assertPageExists(ctx, actor, pageId);
  return listLabelRows(ctx.db, pageId);
}

/** Defines a label on a Page (owner, admin: `pages:write`); a name the Page has already, in any case, is a conflict. */
export async function createLabel(
  ctx: AppContext,
  actor: Actor,
  pageId: string,
  input: { name: string; color?: string },
): Promise<PageLabelTable> {
  assertCan(actor, 'pages:write');
  await assertPageExists(ctx, actor, pageId);
  const name = validLabelName(input.name);
  const color = validColor(input.color ?? 'blue');
  const now = ctx.clock.now();
  const row: PageLabelTable = {
    id: newId('lbl', now),
    page_id: pageId,
    name,
    name_key: labelKey(name),
    color,
    created_at: now,
    updated_at: now,
  };
  await ctx.db
    .transaction()
    .execute(async (trx) => {
      if (await findLabelByKey(trx, pageId, row.name_key)) throw duplicate(name);
      if ((await countLabels(trx, pageId)) >= MAX_LABELS_PER_PAGE)
        throw new AppError('validation_failed', `a Page has at most ${MAX_LABELS_PER_PAGE} labels`);
      await insertLabel(trx, row);
      await appendAudit(
        trx,
        actor,
        { action: 'label.create', pageId, subjectType: 'label', subjectId: row.id, details: { name, color } },
        now,
      );
    })
    .catch((err: unknown) => {
      throw isUniqueViolation(err) ? duplicate(name) : err;
    });
  return row;
}

async function visibleLabel(ctx: AppContext, actor: Actor, id: string): Promise<PageLabelTable> {
  const label = await findLabel(ctx.db, id);
  if (!label || !canSeePage(actor, label.page_id)) throw notFound('label');
  return label;
}

/**
 * Renames a label or changes its colour (owner, admin). A new name is the label's new name on every conversation
 * of the Page that carries it, in the same transaction. Changing nothing writes nothing.
 */
export async function updateLabel(
  ctx: AppContext,
  actor: Actor,
  id: string,
  patch: { name?: string; color?: string },
): Promise<PageLabelTable> {
  assertCan(actor, 'pages:write');
  const label = await visibleLabel(ctx, actor, id);
  const name = patch.name === undefined ? label.name : validLabelName(patch.name);
  const color = patch.color === undefined ? (label.color as LabelColor) : validColor(patch.color);
  if (name === label.name && color === label.color) return label;
  const now = ctx.clock.now();
  return ctx.db
    .transaction()
    .execute(async (trx) => {
      const current = await findLabel(trx, id);
      if (!current) throw notFound('label');
      const key = labelKey(name);
      const other = await findLabelByKey(trx, current.page_id, key);
      if (other && other.id !== id) throw duplicate(name);
      await updateLabelRow(trx, id, { name, name_key: key, color, updated_at: now });
      const changed =
        name === current.name ? 0 : await rewriteConversations(trx, ctx, current.page_id, current.name_key, name, now);
      const changes: Record<string, { from: string; to: string }> = {};
      if (name !== current.name) changes.name = { from: current.name, to: name };
      if (color !== current.color) changes.color = { from: current.color, to: color };
      await appendAudit(
        trx,
        actor,
        {
          action: 'label.update',
          pageId: current.page_id,
          subjectType: 'label',
          subjectId: id,
          details: { changes, conversations_changed: changed },
        },
        now,
      );
      return { ...current, name, name_key: key, color, updated_at: now };
    })
    .catch((err: unknown) => {
      throw isUniqueViolation(err) ? duplicate(name) : err;
    });
}

/** Deletes a label (owner, admin) and takes it off every conversation of the Page, in the same transaction. */
export async function deleteLabel(ctx: AppContext, actor: Actor, id: string): Promise<void> {
  assertCan(actor, 'pages:write');
  await visibleLabel(ctx, actor, id);
  const now = ctx.clock.now();
  await ctx.db.transaction().execute(async (trx) => {
    const current = await findLabel(trx, id);
    if (!current) throw notFound('label');
    await deleteLabelRow(trx, id);
    const changed = await rewriteConversations(trx, ctx, current.page_id, current.name_key, null, now);
    await appendAudit(
      trx,
      actor,
      {
        action: 'label.delete',
        pageId: current.page_id,
        subjectType: 'label',
        subjectId: id,
        details: { name: current.name, conversations_changed: changed },
      },
      now,
    );
  });
}

/**
 * Replaces (or, with null, removes) the label of key `key` on every conversation of the Page that carries it; each
 * conversation changed moves to its next version (a stale tab's change is refused) and is announced to the inbox.
 */
async function rewriteConversations(
  trx: Executor,
  ctx: AppContext,
  pageId: string,
  key: string,
  replacement: string | null,
  now: number,
): Promise<number> {
  const events: NewInboxEvent[] = [];
  for (const c of await labelledConversations(trx, pageId)) {
    const labels = JSON.parse(c.labels) as string[];
    if (!labels.some((l) => labelKey(l) === key)) continue;
    const next = labels.flatMap((l) => (labelKey(l) !== key ? [l] : replacement === null ? [] : [replacement]));
    await updateConversation(trx, c.id, { labels: JSON.stringify([...new Set(next)]) }, now, null);
    events.push({
      page_id: pageId,
      type: 'conversation.updated',
      conversation_id: c.id,
      contact_id: c.contact_id,
      message_id: null,
      delivery_id: null,
      at: now,
    });
  }
  if (events.length) await appendEvents(trx, ctx.database.dialect, events);
  return events.length;
}

/**
 * The labels a conversation may be given, in the spelling they will be stored in: with no labels defined on the
 * Page, any; once some are, a label must be defined (spelt as its definition) unless the conversation carries it
 * already. Runs in the conversation change's transaction.
 */
export async function labelsAllowed(
  db: Executor,
  pageId: string,
  labels: readonly string[],
  current: readonly string[],
): Promise<string[]> {
  const defined = await listLabelRows(db, pageId);
  if (defined.length === 0) return [...labels];
  const byKey = new Map(defined.map((d) => [d.name_key, d.name]));
  const kept = new Set(current);
  const out = labels.map((l) => byKey.get(labelKey(l)) ?? (kept.has(l) ? l : null));
  const unknown = labels.filter((_, i) => out[i] === null);
  if (unknown.length)
    throw new AppError(
      'validation_failed',
      `${unknown.join(', ')}: not a label of this Page; an owner or admin defines labels in Settings`,
      { field: 'labels' },
    );
  return [...new Set(out as string[])];
}
