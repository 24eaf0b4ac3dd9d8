import type { AppContext } from '../../kernel/context.ts';
import type { DeliveryTable } from '../../db/tables/messaging.ts';
import { AppError, notFound } from '../../errors.ts';
import { assertCan, canSeePage, pageScopeOf, type Actor } from '../access/actor.ts';
import { appendAudit } from '../audit/audit.repository.ts';
import { findDelivery, findDeliveryByKey } from './deliveries.repository.ts';
import { enqueueSend } from './enqueue-send.ts';
import { buildMessage, type SendContent } from './message-body.ts';
import { refusalError } from './policy-errors.ts';
import { findSendTarget } from './send-targets.repository.ts';

export interface SendMessageInput extends SendContent {
  author?: unknown;
  idempotency_key?: unknown;
}

const AUTHORS = ['agent', 'automation'] as const;

function parseInput(input: SendMessageInput) {
  const author = input.author ?? 'agent';
  if (typeof author !== 'string' || !(AUTHORS as readonly string[]).includes(author))
    throw new AppError('validation_failed', 'author must be agent or automation');
  const key = input.idempotency_key;
  if (key !== undefined && (typeof key !== 'string' || key.length < 1 || key.length > 200)) {
    throw new AppError('validation_failed', 'idempotency_key must be a string of 1 to 200 characters');
  }
  return { author: author as (typeof AUTHORS)[number], key: key ?? null, ...buildMessage(input) };
}

function isUniqueViolation(err: unknown): boolean {
  const e = err as { code?: string; message?: string };
  return (
    e?.code === '23505' || e?.code === 'SQLITE_CONSTRAINT_UNIQUE' || /UNIQUE constraint failed/.test(e?.message ?? '')
  );
}

/**
 * Queues one message to a contact after the send policy allowed it (else 422 with the reason); the delivery,
 * its history row and the audit row commit together. Idempotent by `idempotency_key` per Page; another Page's
 * contact is a 404.
 */
export async function sendMessage(
  ctx: AppContext,
  actor: Actor,
  contactId: string,
  raw: SendMessageInput,
): Promise<{ delivery: DeliveryTable; created: boolean }> {
  assertCan(actor, 'messages:send');
  const input = parseInput(raw);
  try {
    return await ctx.db.transaction().execute(async (trx) => {
      const target = await findSendTarget(trx, contactId);
      if (!target || !canSeePage(actor, target.page_id) || target.status === 'erased') throw notFound('contact');
      const r = await enqueueSend(trx, ctx, {
        contactId,
        author: input.author,
        message: input.message,
        kind: input.kind,
        idempotencyKey: input.key,
        createdBy: actor.id,
      });
      if (r.outcome === 'refused') throw refusalError(r.reason);
      if (r.outcome === 'existing') {
        if (r.delivery.contact_id !== contactId)
          throw new AppError('conflict', 'this idempotency_key was already used for another contact');
        return { delivery: r.delivery, created: false };
      }
      const d = r.delivery;
      await appendAudit(
        trx,
        actor,
        {
          action: 'message.send',
          pageId: d.page_id,
          subjectType: 'delivery',
          subjectId: d.id,
          details: { contact_id: contactId, author: d.author, kind: d.kind, messaging_type: d.messaging_type },
        },
        d.created_at,
      );
      return { delivery: d, created: true };
    });
  } catch (err) {
    // Two requests with one key raced: the loser answers with the winner's delivery.
    if (!input.key || !isUniqueViolation(err)) throw err;
    const target = await findSendTarget(ctx.db, contactId);
    const existing = target && (await findDeliveryByKey(ctx.db, target.page_id, input.key));
    if (!existing || existing.contact_id !== contactId || !canSeePage(actor, existing.page_id)) throw err;
    return { delivery: existing, created: false };
  }
}

/** One delivery, if the actor may read messages of its Page; otherwise 404 exactly like a missing one. */
export async function getDelivery(ctx: AppContext, actor: Actor, id: string): Promise<DeliveryTable> {
  assertCan(actor, 'messages:read');
  const row = await findDelivery(ctx.db, id, pageScopeOf(actor));
  if (!row) throw notFound('delivery');
  return row;
}
