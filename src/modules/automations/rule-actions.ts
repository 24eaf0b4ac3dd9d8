// A rule's actions, inside the transaction that decided to run them: a send is an outbox row (author `automation`,
// the send policy decides: the 24-hour window only), the other actions change the contact or its conversation and
// are announced to the inbox in the same transaction. An action that cannot apply (an attribute no longer defined,
// an operator disabled since) is skipped and named in the run's reason; it never fails the inbound event.
import type { Transaction } from 'kysely';
import type { AppContext } from '../../kernel/context.ts';
import type { DB } from '../../db/types.ts';
import type { ContactTable } from '../../db/tables/conversations.ts';
import type { AutomationRunTable } from '../../db/tables/automations.ts';
import { AppError } from '../../errors.ts';
import { isRole, ROLE_PERMISSIONS } from '../access/roles.ts';
import { addTagsWithin, removeTagsWithin } from '../attributes/contact-tags.ts';
import { writeAttributes } from '../attributes/contact-audience.ts';
import { assertAssignable } from '../conversations/assignees.ts';
import { recordContactChange } from '../conversations/conversation-activity.ts';
import { conversationIdOf, findConversationOfContact } from '../conversations/conversations.repository.ts';
import { changeConversationWithin } from '../conversations/update-conversation.ts';
import { enqueueSend } from '../messaging/enqueue-send.ts';
import { findSequence } from '../sequences/sequences.repository.ts';
import { subscribeWithin } from '../sequences/subscriptions.ts';
import { findSettings, operatorsWithLoad, setLastAssignee } from './automations.repository.ts';
import { renderSendText, type Action } from './rules.policy.ts';
import type { Rule } from './rule.ts';

export interface ActionRun {
  ctx: AppContext;
  trx: Transaction<DB>;
  contact: Pick<ContactTable, 'id' | 'page_id'>;
  rule: Rule;
  runKey: string;
  vars: { 'order.number'?: string; 'order.status'?: string };
}

export interface ActionsOutcome {
  outcome: AutomationRunTable['outcome'];
  reason: string | null;
}

/** Runs every action in order; the outcome is `refused` when the policy refused a send (its reason kept). */
export async function runActions(r: ActionRun): Promise<ActionsOutcome> {
  let refused: string | null = null;
  let skipped: string | null = null;
  for (const [i, action] of r.rule.actions.entries()) {
    const problem = await runAction(r, action, i);
    if (problem === null) continue;
    if (problem.startsWith('refused:')) refused ??= problem.slice('refused:'.length);
    else skipped ??= problem;
  }
  if (refused !== null) return { outcome: 'refused', reason: refused };
  return { outcome: 'fired', reason: skipped };
}

/** One action; null when it applied, else what stopped it (`refused:<reason>` for a send the policy refused). */
async function runAction(r: ActionRun, action: Action, index: number): Promise<string | null> {
  const { ctx, trx, contact, rule } = r;
  const now = ctx.clock.now();
  const by = rule.id;
  switch (action.type) {
    case 'send': {
      const message = { ...action.message };
      if (typeof message.text === 'string') message.text = renderSendText(message.text, r.vars);
      const kind = message.attachment
        ? (message.attachment as { type?: string }).type === 'template'
          ? 'template'
          : 'media'
        : 'text';
      const sent = await enqueueSend(trx, ctx, {
        contactId: contact.id,
        author: 'automation',
        message,
        kind,
        // The rule, the action and the run: a second pass over the same event can never queue a second message.
        idempotencyKey: `auto:${rule.id}:${index}:${r.runKey}`.slice(0, 200),
        createdBy: rule.id,
      });
      return sent.outcome === 'refused' ? `refused:${sent.reason}` : null;
    }
    case 'tag':
      if ((await addTagsWithin(trx, contact, [action.tag], by, now)) > 0)
        await recordContactChange(trx, ctx, contact.page_id, contact.id);
      return null;
    case 'untag':
      if ((await removeTagsWithin(trx, contact, [action.tag])) > 0)
        await recordContactChange(trx, ctx, contact.page_id, contact.id);
      return null;
    case 'set_attribute':
      try {
        const changed = await writeAttributes(ctx, trx, contact, { [action.key]: action.value }, by, now);
        if (changed.length > 0) await recordContactChange(trx, ctx, contact.page_id, contact.id);
        return null;
      } catch (err) {
        if (err instanceof AppError && err.code === 'validation_failed') return 'attribute_invalid';
        throw err;
      }
    case 'assign':
      try {
        await assertAssignable(trx, contact.page_id, action.user_id);
      } catch (err) {
        if (err instanceof AppError) return 'assignee_unavailable';
        throw err;
      }
      return (await changeConversationWithin(trx, ctx, conversationIdOf(contact.id), { assignee_id: action.user_id }))
        ? null
        : 'no_conversation';
    case 'set_status': {
      const change = {
        status: action.status,
        snoozed_until: null,
        ...(action.status === 'resolved' && { handled_by: 'bot' as const }),
      };
      return (await changeConversationWithin(trx, ctx, conversationIdOf(contact.id), change))
        ? null
        : 'no_conversation';
    }
    case 'handover':
      return handOver(r, action.max_open_per_agent);
    case 'start_sequence': {
      // Subscribes once: a person already in the sequence (or who finished or left it) is not started over.
      const seq = await findSequence(trx, action.sequence_id, [contact.page_id]);
      if (!seq) return 'sequence_unavailable';
      await subscribeWithin(trx, seq, contact.id, now, { restart: false });
      return null;
    }
  }
}

/**
 * Hands the conversation to people: `handled_by` human (the rules fall silent), and unless someone has it already,
 * assigned by round robin among the Page's operators who may answer it and hold fewer than `cap` of its open
 * conversations, continuing after the one the last handover chose. With nobody free it stays unassigned, for anyone.
 */
async function handOver(r: ActionRun, cap: number): Promise<string | null> {
  const { ctx, trx, contact } = r;
  const conversation = await findConversationOfContact(trx, contact.id);
  if (!conversation) return 'no_conversation';
  let assignee = conversation.assignee_id;
  let problem: string | null = null;
  if (assignee === null) {
    const free = (await operatorsWithLoad(trx, contact.page_id)).filter((u) => {
      const pages = u.pages === null ? null : (JSON.parse(u.pages) as string[]);
      return (
        isRole(u.role) &&
        ROLE_PERMISSIONS[u.role].includes('conversations:write') &&
        (pages === null || pages.includes(contact.page_id)) &&
        u.open < cap
      );
    });
    const last = (await findSettings(trx, contact.page_id))?.last_assignee_id ?? null;
    const next = free.find((u) => last === null || u.id > last) ?? free[0];
    if (next) {
      assignee = next.id;
      await setLastAssignee(trx, contact.page_id, next.id, ctx.clock.now());
    } else problem = 'no_agent_available';
  }
  await changeConversationWithin(trx, ctx, conversation.id, {
    handled_by: 'human',
    assignee_id: assignee,
    ...(conversation.status !== 'open' && { status: 'open' as const, snoozed_until: null }),
  });
  return problem;
}
