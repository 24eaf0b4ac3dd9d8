import type { AppContext } from '../../kernel/context.ts';
import { AppError } from '../../errors.ts';
import { assertCan, type Actor } from '../access/actor.ts';
import { appendAudit } from '../audit/audit.repository.ts';
import { appendEvents } from '../events/events.repository.ts';
import type { ConversationTable } from '../../db/tables/inbox.ts';
import type { Executor } from '../../db/types.ts';
import { assertAssignable } from './assignees.ts';
import { updateConversation as updateRow, type ConversationChange } from './conversations.repository.ts';
import type { ConversationView } from './conversation.presenter.ts';
import { loadVisibleConversation } from './get-conversation.ts';
import { presentConversations } from './present-conversations.ts';
import { LABEL_NAME } from '../labels/label-names.ts';
import { labelsAllowed } from '../labels/labels.ts';

export interface ConversationPatch {
  status?: ConversationTable['status'];
  assignee_id?: string | null;
  labels?: string[];
  /** RFC 3339; with it alone the conversation is snoozed. */
  snoozed_until?: string | null;
  handled_by?: ConversationTable['handled_by'];
}

const MAX_LABELS = 20;

function labelsOf(labels: readonly string[]): string[] {
  const out = [...new Set(labels.map((l) => l.trim()))];
  const bad = out.find((l) => !LABEL_NAME.test(l));
  if (bad !== undefined)
    throw new AppError(
      'validation_failed',
      'a label is 1–50 letters, digits, spaces or _ . : / - and starts with a letter or digit',
      { field: 'labels' },
    );
  if (out.length > MAX_LABELS)
    throw new AppError('validation_failed', `at most ${MAX_LABELS} labels`, { field: 'labels' });
  return out;
}

/** The change a patch asks for, checked against the conversation as it is now. */
function changeOf(patch: ConversationPatch, now: number): ConversationChange {
  const change: ConversationChange = {};
  let snoozeUntil: number | null | undefined;
  if (patch.snoozed_until !== undefined && patch.snoozed_until !== null) {
    snoozeUntil = Date.parse(patch.snoozed_until);
    if (!Number.isFinite(snoozeUntil))
      throw new AppError('validation_failed', 'snoozed_until is not an RFC 3339 time', { field: 'snoozed_until' });
    if (snoozeUntil <= now)
      throw new AppError('validation_failed', 'snoozed_until must be in the future', { field: 'snoozed_until' });
  }
  const status = patch.status ?? (snoozeUntil !== undefined ? 'snoozed' : undefined);
  if (status === 'snoozed' && snoozeUntil === undefined)
    throw new AppError('validation_failed', 'snoozing needs snoozed_until', { field: 'snoozed_until' });
  if (status !== undefined && status !== 'snoozed' && snoozeUntil !== undefined)
    throw new AppError('validation_failed', 'snoozed_until goes with status snoozed', { field: 'snoozed_until' });
  if (status !== undefined) {
    change.status = status;
    change.snoozed_until = status === 'snoozed' ? snoozeUntil! : null;
  }
  if (patch.assignee_id !== undefined) change.assignee_id = patch.assignee_id;
  if (patch.labels !== undefined) change.labels = JSON.stringify(labelsOf(patch.labels));
  if (patch.handled_by !== undefined) change.handled_by = patch.handled_by;
  // Resolving hands the conversation back to the bot, unless the same patch says who handles it.
  else if (status === 'resolved') change.handled_by = 'bot';
  return change;
}

/** What changed, for the audit row: ids, statuses and labels, never a message. */
function changesOf(
  before: ConversationTable,
  change: ConversationChange,
): Record<string, { from: unknown; to: unknown }> {
  const out: Record<string, { from: unknown; to: unknown }> = {};
  for (const [key, to] of Object.entries(change) as [keyof ConversationChange, unknown][]) {
    const from = before[key];
    if (from === to) continue;
    out[key] = key === 'labels' ? { from: JSON.parse(from as string), to: JSON.parse(to as string) } : { from, to };
  }
  return out;
}

/**
 * Changes a conversation's status, assignee, labels, snooze or owner (bot or human), audited and announced to the
 * inbox in the same transaction. With `version` (If-Match) a conversation that moved on since is refused with a
 * conflict, never overwritten; a patch that changes nothing changes nothing (no audit row, no event).
 */
export async function updateConversation(
  ctx: AppContext,
  actor: Actor,
  id: string,
  patch: ConversationPatch,
  version: number | null,
): Promise<ConversationView> {
  assertCan(actor, 'conversations:write');
  const now = ctx.clock.now();
  const change = changeOf(patch, now);
  const after = await ctx.db.transaction().execute(async (trx) => {
    const before = await loadVisibleConversation(trx, actor, id);
    if (version !== null && before.version !== version) throw conflict(before.version);
    if (change.assignee_id) await assertAssignable(trx, before.page_id, change.assignee_id);
    if (change.labels !== undefined) {
      const allowed = await labelsAllowed(trx, before.page_id, JSON.parse(change.labels), JSON.parse(before.labels));
      change.labels = JSON.stringify(allowed);
    }
    const changes = changesOf(before, change);
    if (Object.keys(changes).length === 0) return before;
    const row = await updateRow(trx, id, change, now, before.version);
    if (!row) throw conflict(null);
    await appendAudit(
      trx,
      actor,
      {
        action: 'conversation.update',
        pageId: row.page_id,
        subjectType: 'conversation',
        subjectId: row.id,
        details: { changes },
      },
      now,
    );
    await appendEvents(trx, ctx.database.dialect, [
      {
        page_id: row.page_id,
        type: 'conversation.updated',
        conversation_id: row.id,
        contact_id: row.contact_id,
        message_id: null,
        delivery_id: null,
        at: now,
      },
    ]);
    return row;
  });
  const [view] = await presentConversations(ctx, [after]);
  return view!;
}

/**
 * Changes a conversation inside the caller's transaction (an automation rule's action, a handover) and announces it
 * to the inbox; the caller records why. Returns the row after the change, or undefined when there is no conversation.
 */
export async function changeConversationWithin(
  trx: Executor,
  ctx: AppContext,
  id: string,
  change: ConversationChange,
): Promise<ConversationTable | undefined> {
  const now = ctx.clock.now();
  const row = await updateRow(trx, id, change, now, null);
  if (!row) return undefined;
  await appendEvents(trx, ctx.database.dialect, [
    {
      page_id: row.page_id,
      type: 'conversation.updated',
      conversation_id: row.id,
      contact_id: row.contact_id,
      message_id: null,
      delivery_id: null,
      at: now,
    },
  ]);
  return row;
}

function conflict(current: number | null): AppError {
  return new AppError(
    'conflict',
    'the conversation changed since you loaded it: reload it and try again',
    current === null ? undefined : { version: current },
  );
}
