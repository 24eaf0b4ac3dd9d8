// A Page's attribute definitions: the key, the type its values must have, and whether they are personal (sealed,
// compared through the blind index only). Anyone who sees the Page reads them (the sidebar offers them); owners and
// admins (`pages:write`) define them, as they define labels.
import type { AppContext } from '../../kernel/context.ts';
import type { AttributeDefinitionTable } from '../../db/tables/audience.ts';
import { AppError, notFound } from '../../errors.ts';
import { newId } from '../../lib/ids.ts';
import { assertCan, assertPage, type Actor } from '../access/actor.ts';
import { appendAudit } from '../audit/audit.repository.ts';
import { findPage } from '../pages/pages.repository.ts';
import { isAttributeType, isUniqueViolation, validKey, ATTRIBUTE_TYPES } from './attribute-values.ts';
import {
  countDefinitions,
  findDefinition,
  insertDefinition,
  keyHasValues,
  listDefinitionRows,
  updateDefinitionRow,
} from './attributes.repository.ts';

export const MAX_DEFINITIONS_PER_PAGE = 100;

async function assertPageExists(ctx: AppContext, actor: Actor, pageId: string): Promise<void> {
  assertPage(actor, pageId);
  if (!(await findPage(ctx.db, pageId))) throw notFound('page');
}

/** A Page's attribute definitions, by key. */
export async function listAttributeDefinitions(
  ctx: AppContext,
  actor: Actor,
  pageId: string,
): Promise<AttributeDefinitionTable[]> {
  assertCan(actor, 'pages:read');
  await assertPageExists(ctx, actor, pageId);
  return listDefinitionRows(ctx.db, [pageId]);
}

/**
 * Defines an attribute, or changes its type or personal mark (owner, admin). Defining it again as it is changes
 * nothing (idempotent, `created: false`); changing a definition whose key holds values is a conflict, since the values
 * stored would no longer fit. Audited in the same transaction.
 */
export async function defineAttribute(
  ctx: AppContext,
  actor: Actor,
  pageId: string,
  input: { key: string; type: string; personal?: boolean },
): Promise<{ definition: AttributeDefinitionTable; created: boolean }> {
  assertCan(actor, 'pages:write');
  await assertPageExists(ctx, actor, pageId);
  const key = validKey(input.key);
  const type = input.type;
  if (!isAttributeType(type))
    throw new AppError('validation_failed', `type must be one of ${ATTRIBUTE_TYPES.join(', ')}`, { field: 'type' });
  const personal = input.personal ? 1 : 0;
  const now = ctx.clock.now();
  return ctx.db
    .transaction()
    .execute(async (trx) => {
      const existing = await findDefinition(trx, pageId, key);
      if (existing && existing.type === type && existing.personal === personal)
        return { definition: existing, created: false };
      if (existing && (await keyHasValues(trx, pageId, key)))
        throw new AppError(
          'conflict',
          `${key}: contacts hold values of this attribute; its type and personal mark cannot change while they do`,
          { field: key },
        );
      if (!existing && (await countDefinitions(trx, pageId)) >= MAX_DEFINITIONS_PER_PAGE)
        throw new AppError('validation_failed', `a Page has at most ${MAX_DEFINITIONS_PER_PAGE} attributes`);
      const definition: AttributeDefinitionTable = existing
        ? { ...existing, type, personal, updated_at: now }
        : {
            id: newId('ad', now),
            page_id: pageId,
            key,
            type,
            personal,
            created_by: actor.id,
            created_at: now,
            updated_at: now,
          };
      if (existing) await updateDefinitionRow(trx, existing.id, { type, personal, updated_at: now });
      else await insertDefinition(trx, definition);
      await appendAudit(
        trx,
        actor,
        {
          action: existing ? 'attribute_definition.update' : 'attribute_definition.create',
          pageId,
          subjectType: 'attribute_definition',
          subjectId: definition.id,
          details: { key, type, personal: personal === 1 },
        },
        now,
      );
      return { definition, created: !existing };
    })
    .catch((err: unknown) => {
      throw isUniqueViolation(err)
        ? new AppError('conflict', `${key}: defined by another request at the same moment; try again`, { field: key })
        : err;
    });
}
