import type { AppContext } from '../../kernel/context.ts';
import type { Executor } from '../../db/types.ts';
import { AppError } from '../../errors.ts';
import { assertCan, type Actor } from '../access/actor.ts';
import { appendAudit } from '../audit/audit.repository.ts';
import { loadVisibleContact } from '../contacts/read-contacts.ts';
import { recordContactChange } from '../conversations/conversation-activity.ts';
import { isUniqueViolation, valueFromText, type AttributeValue } from './attribute-values.ts';
import { listDefinitionRows } from './attributes.repository.ts';
import { audienceOfOne, writeAttributes } from './contact-audience.ts';

/**
 * Sets (or with null removes) attribute values of a contact (`contacts:write`: agents of its Page and up). Every key
 * must be defined on the contact's Page and every value fit its type, else nothing is written (400 naming the key).
 * A value equal to the stored one is no change; a change is audited (keys only, never values) and announced to the
 * inbox in its transaction. Returns the contact's attributes.
 */
export async function setContactAttributes(
  ctx: AppContext,
  actor: Actor,
  contactId: string,
  patch: Record<string, unknown>,
): Promise<Record<string, AttributeValue>> {
  assertCan(actor, 'contacts:write');
  const contact = await loadVisibleContact(ctx, actor, contactId);
  if (Object.keys(patch).length === 0)
    throw new AppError('validation_failed', 'name at least one attribute (null removes a value)');
  const now = ctx.clock.now();
  await ctx.db
    .transaction()
    .execute(async (trx) => {
      const changed = await writeAttributes(ctx, trx, contact, patch, actor.id, now);
      if (changed.length === 0) return;
      await appendAudit(
        trx,
        actor,
        {
          action: 'contact.attributes.update',
          pageId: contact.page_id,
          subjectType: 'contact',
          subjectId: contact.id,
          details: { keys: changed },
        },
        now,
      );
      await recordContactChange(trx, ctx, contact.page_id, contact.id);
    })
    .catch((err: unknown) => {
      throw isUniqueViolation(err)
        ? new AppError('conflict', 'these attributes were changed by another request at the same moment; try again')
        : err;
    });
  return (await audienceOfOne(ctx, ctx.db, contact)).attributes;
}

/**
 * `key=value` pairs typed at a command line, each read as its definition's type asks (numbers, true/false, lists
 * comma-separated, an empty value removes it), then set as `setContactAttributes` does. A key the Page does not
 * define goes through as text, so that the refusal names it.
 */
export async function setContactAttributesFromText(
  ctx: AppContext,
  actor: Actor,
  contactId: string,
  pairs: readonly string[],
): Promise<Record<string, AttributeValue>> {
  assertCan(actor, 'contacts:write');
  const contact = await loadVisibleContact(ctx, actor, contactId);
  const entries = pairs.map((pair): [string, string] => {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new AppError('validation_failed', `${pair}: write each attribute as key=value`);
    return [pair.slice(0, eq), pair.slice(eq + 1)];
  });
  return setContactAttributes(ctx, actor, contactId, await patchFromText(ctx.db, contact.page_id, entries));
}

/**
 * Values written as text (a command line, a CSV cell) read as their definitions' types ask: numbers, true/false,
 * lists comma-separated, an empty text removes the value. A key the Page does not define goes through as text, so
 * that the refusal names it.
 */
export async function patchFromText(
  db: Executor,
  pageId: string,
  entries: readonly [string, string][],
): Promise<Record<string, unknown>> {
  const types = new Map((await listDefinitionRows(db, [pageId])).map((d) => [d.key, d.type]));
  return Object.fromEntries(entries.map(([key, text]) => [key, valueFromText(types.get(key) ?? 'text', text)]));
}
