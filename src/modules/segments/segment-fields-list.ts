import type { AppContext } from '../../kernel/context.ts';
import { notFound } from '../../errors.ts';
import { assertCan, assertPage, type Actor } from '../access/actor.ts';
import { findPage } from '../pages/pages.repository.ts';
import { attributeField, FIXED_FIELDS } from './segment-fields.ts';
import { presentField, type SegmentFieldView } from './segment.presenter.ts';
import { attributeDefinitions, localeValues, productValues, topInterests, topTags } from './segments.repository.ts';

const SUGGESTIONS = 200;

/**
 * The fields a segment on this Page can use, each with its ops and the values worth offering (the Page's tags,
 * locales, skus, categories and interests; attribute definitions with their types): what the builder lists. A
 * personal attribute's values are never suggested.
 */
export async function listSegmentFields(ctx: AppContext, actor: Actor, pageId: string): Promise<SegmentFieldView[]> {
  assertCan(actor, 'contacts:read');
  assertPage(actor, pageId);
  if (!(await findPage(ctx.db, pageId))) throw notFound('page');
  const [tags, locales, products, interests, attributes] = await Promise.all([
    topTags(ctx.db, pageId, SUGGESTIONS),
    localeValues(ctx.db, pageId, SUGGESTIONS),
    productValues(ctx.db, pageId, SUGGESTIONS),
    topInterests(ctx.db, pageId, SUGGESTIONS),
    attributeDefinitions(ctx.db, pageId),
  ]);
  const suggested: Record<string, readonly string[]> = {
    tag: tags,
    locale: locales,
    'orders.sku': products.skus,
    'orders.category': products.categories,
    interest: interests,
  };
  return [
    ...Object.entries(FIXED_FIELDS).map(([field, spec]) => presentField(field, spec, suggested[field] ?? [])),
    ...attributes.map((a) => presentField(`attribute.${a.key}`, attributeField(a), [], a.personal)),
  ];
}
