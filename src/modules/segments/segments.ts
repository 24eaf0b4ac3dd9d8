import type { ContactTable } from '../../db/tables/conversations.ts';
import { audienceOf } from '../attributes/contact-audience.ts';
import type { AppContext } from '../../kernel/context.ts';
import type { Executor } from '../../db/types.ts';
import type { SegmentTable } from '../../db/tables/audience.ts';
import { AppError, notFound } from '../../errors.ts';
import { newId } from '../../lib/ids.ts';
import { pageOf } from '../../lib/paging.ts';
import { assertCan, assertPage, pageScopeOf, type Actor } from '../access/actor.ts';
import { appendAudit } from '../audit/audit.repository.ts';
import { attributeBlindIndex } from '../attributes/attribute-index.ts';
import { presentContact, type ContactView } from '../contacts/contact.presenter.ts';
import { findPage } from '../pages/pages.repository.ts';
import { formatSegmentFilter, parseSegmentFilter, type SegmentNode } from './segment-filter.ts';
import type { SegmentQueryContext } from './segment-query.repository.ts';
import { presentSegment, type SegmentView } from './segment.presenter.ts';
import {
  attributeDefinitions,
  countSegment,
  countSegments,
  campaignsAwaitingSegment,
  deleteSegmentRow,
  findSegment,
  findSegmentByName,
  insertSegment,
  listSegmentRows,
  segmentContactIds,
  segmentContactRows,
  segmentHoldsContact,
  updateSegmentRow,
} from './segments.repository.ts';

export const MAX_SEGMENTS_PER_PAGE = 500;
export const MAX_SEGMENT_NAME_CHARS = 100;
export const MAX_PREVIEW_SAMPLE = 100;

/** A filter checked against the Page's attributes, and what its SQL needs: the one way a filter reaches SQL. */
export interface CompiledSegment {
  node: SegmentNode;
  query: SegmentQueryContext;
}

export async function compileSegment(
  ctx: AppContext,
  db: Executor,
  pageId: string,
  filter: unknown,
  now: number = ctx.clock.now(),
): Promise<CompiledSegment> {
  const node = parseSegmentFilter(filter, await attributeDefinitions(db, pageId));
  return {
    node,
    query: {
      pageId,
      now,
      dialect: ctx.database.dialect,
      attributeIndex: (key, value) => attributeBlindIndex(ctx.keyring, key, value),
    },
  };
}

/** Where a walk of a segment's members starts and what it counts as now. */
export interface RecipientWalk {
  /** The last contact id a previous walk yielded: this one goes on after it (ids descending). */
  after?: string | null | undefined;
  /** The time a filter's windows and days are counted from (default: the clock's now). */
  now?: number | undefined;
  batchSize?: number | undefined;
}

/**
 * Every contact id a filter holds on the Page, in batches of contacts by id descending: what a campaign freezes, from
 * the same statement the preview counts. A walk stopped after any batch resumes with `after`, the batch's last id.
 * The caller checks access.
 */
export async function* segmentRecipients(
  ctx: AppContext,
  db: Executor,
  pageId: string,
  filter: unknown,
  walk: RecipientWalk = {},
) {
  const { node, query } = await compileSegment(ctx, db, pageId, filter, walk.now);
  yield* segmentContactIds(db, node, query, walk.batchSize, walk.after ?? null);
}

/**
 * Whether a filter holds one contact (an automation rule's conditions): the filter compiled against the Page's
 * attributes and narrowed to the contact, one query inside the caller's transaction. The caller checks access.
 */
export async function segmentIncludesContact(
  ctx: AppContext,
  db: Executor,
  pageId: string,
  filter: unknown,
  contactId: string,
): Promise<boolean> {
  const { node, query } = await compileSegment(ctx, db, pageId, filter);
  return segmentHoldsContact(db, node, query, contactId);
}

/** One page of a compiled segment's contacts, newest first, after the cursor (an export reads them all this way). */
export async function segmentContactPage(
  ctx: AppContext,
  segment: CompiledSegment,
  cursor: string | null,
  limit: number,
): Promise<ContactTable[]> {
  return segmentContactRows(ctx.db, segment.node, segment.query, { cursor, limit });
}

async function visiblePage(ctx: AppContext, actor: Actor, pageId: string): Promise<void> {
  assertPage(actor, pageId);
  if (!(await findPage(ctx.db, pageId))) throw notFound('page');
}

/**
 * How many contacts a filter holds and a page of them (newest first): exactly those a campaign on it would freeze.
 * For whoever may read the Page's contacts; the sample leaves identifiers out, so reading it reveals no PSID.
 */
export async function previewSegment(
  ctx: AppContext,
  actor: Actor,
  pageId: string,
  input: { filter: unknown; limit?: number | undefined; cursor?: string | undefined },
): Promise<{ count: number; sample: ContactView[]; next_cursor: string | null }> {
  assertCan(actor, 'contacts:read');
  await visiblePage(ctx, actor, pageId);
  const { node, query } = await compileSegment(ctx, ctx.db, pageId, input.filter);
  const limit = Math.min(input.limit ?? 20, MAX_PREVIEW_SAMPLE);
  const count = await countSegment(ctx.db, node, query);
  // `limit: 0` asks for the count alone.
  const rows =
    limit === 0
      ? []
      : await segmentContactRows(ctx.db, node, query, { cursor: input.cursor ?? null, limit: limit + 1 });
  const page = pageOf(rows, limit, (last) => last.id);
  const audience = await audienceOf(ctx, ctx.db, page.rows);
  return {
    count,
    sample: page.rows.map((r) => presentContact(ctx, r, { withIdentifiers: false, audience: audience.get(r.id)! })),
    next_cursor: page.nextCursor,
  };
}

/** A Page's saved segments by name, for whoever may read its contacts. */
export async function listSegments(ctx: AppContext, actor: Actor, pageId: string): Promise<SegmentView[]> {
  assertCan(actor, 'contacts:read');
  await visiblePage(ctx, actor, pageId);
  return (await listSegmentRows(ctx.db, pageId)).map(presentSegment);
}

/** One saved segment; another Page's is a 404. */
export async function getSegment(ctx: AppContext, actor: Actor, id: string): Promise<SegmentView> {
  assertCan(actor, 'contacts:read');
  const row = await findSegment(ctx.db, id, pageScopeOf(actor));
  if (!row) throw notFound('segment');
  return presentSegment(row);
}

function checkName(name: string): string {
  const n = name.trim().replace(/\s+/g, ' ');
  if (n === '' || [...n].length > MAX_SEGMENT_NAME_CHARS)
    throw new AppError('validation_failed', `name must be 1 to ${MAX_SEGMENT_NAME_CHARS} characters`, {
      field: 'name',
    });
  return n;
}

const duplicate = () => new AppError('conflict', 'the Page already has a segment of that name', { field: 'name' });

function isUniqueViolation(err: unknown): boolean {
  const e = err as { code?: string; message?: string };
  return (
    e?.code === '23505' || e?.code === 'SQLITE_CONSTRAINT_UNIQUE' || /UNIQUE constraint failed/.test(e?.message ?? '')
  );
}

/** The filter as stored: checked against the Page's attributes now, written back in the contract's language. */
async function storedFilter(ctx: AppContext, db: Executor, pageId: string, filter: unknown): Promise<string> {
  const { node } = await compileSegment(ctx, db, pageId, filter);
  return JSON.stringify(formatSegmentFilter(node));
}

/** Saves a named segment (owners, admins and marketers: who runs campaigns); audited. 409 for a name in use. */
export async function createSegment(
  ctx: AppContext,
  actor: Actor,
  pageId: string,
  input: { name: string; filter: unknown },
): Promise<SegmentView> {
  assertCan(actor, 'campaigns:manage');
  assertPage(actor, pageId);
  const name = checkName(input.name);
  const now = ctx.clock.now();
  try {
    return await ctx.db.transaction().execute(async (trx) => {
      if (!(await findPage(trx, pageId))) throw notFound('page');
      const filter = await storedFilter(ctx, trx, pageId, input.filter);
      if (await findSegmentByName(trx, pageId, name)) throw duplicate();
      if ((await countSegments(trx, pageId)) >= MAX_SEGMENTS_PER_PAGE)
        throw new AppError('conflict', `a Page holds at most ${MAX_SEGMENTS_PER_PAGE} segments`);
      const row: SegmentTable = {
        id: newId('sg', now),
        page_id: pageId,
        name,
        filter,
        created_by: actor.id,
        created_at: now,
        updated_at: now,
      };
      await insertSegment(trx, row);
      await appendAudit(
        trx,
        actor,
        { action: 'segment.create', pageId, subjectType: 'segment', subjectId: row.id, details: { name } },
        now,
      );
      return presentSegment(row);
    });
  } catch (err) {
    // Two requests raced for one name: the unique index decides.
    throw isUniqueViolation(err) ? duplicate() : err;
  }
}

/** Renames a segment or changes its filter; audited. Another Page's is a 404. */
export async function updateSegment(
  ctx: AppContext,
  actor: Actor,
  id: string,
  input: { name?: string | undefined; filter?: unknown },
): Promise<SegmentView> {
  assertCan(actor, 'campaigns:manage');
  const name = input.name === undefined ? undefined : checkName(input.name);
  const now = ctx.clock.now();
  try {
    return await ctx.db.transaction().execute(async (trx) => {
      const row = await findSegment(trx, id, pageScopeOf(actor));
      if (!row) throw notFound('segment');
      const filter = input.filter === undefined ? undefined : await storedFilter(ctx, trx, row.page_id, input.filter);
      if (name !== undefined && name !== row.name && (await findSegmentByName(trx, row.page_id, name)))
        throw duplicate();
      const set = { ...(name !== undefined && { name }), ...(filter !== undefined && { filter }), updated_at: now };
      await updateSegmentRow(trx, id, set);
      await appendAudit(
        trx,
        actor,
        {
          action: 'segment.update',
          pageId: row.page_id,
          subjectType: 'segment',
          subjectId: id,
          details: { name: name ?? row.name, changed: Object.keys(set).filter((k) => k !== 'updated_at') },
        },
        now,
      );
      return presentSegment({ ...row, ...set });
    });
  } catch (err) {
    throw isUniqueViolation(err) ? duplicate() : err;
  }
}

/** The refusal to delete a segment these campaigns will read when they start, naming them. */
function inUse(campaigns: { name: string; status: string }[]): AppError {
  const [which, it] = campaigns.length === 1 ? ['a campaign', 'it'] : [`${campaigns.length} campaigns`, 'them'];
  const named = campaigns.map((c) => `“${c.name}”, ${c.status}`).join('; ');
  return new AppError(
    'conflict',
    `the segment is the audience of ${which} not started yet (${named}): give ${it} another audience or delete ${it} first`,
    { reason: 'in_use', campaigns },
  );
}

/**
 * Deletes a saved segment; audited. Another Page's is a 404. One that a draft or a scheduled campaign will read when it
 * starts is a 409 naming those campaigns: deleting it would leave them with no audience (a scheduled one could not
 * start when due).
 */
export async function deleteSegment(ctx: AppContext, actor: Actor, id: string): Promise<void> {
  assertCan(actor, 'campaigns:manage');
  const now = ctx.clock.now();
  await ctx.db.transaction().execute(async (trx) => {
    const row = await findSegment(trx, id, pageScopeOf(actor));
    if (!row) throw notFound('segment');
    const waiting = await campaignsAwaitingSegment(trx, id);
    if (waiting.length > 0) throw inUse(waiting);
    await deleteSegmentRow(trx, id);
    await appendAudit(
      trx,
      actor,
      {
        action: 'segment.delete',
        pageId: row.page_id,
        subjectType: 'segment',
        subjectId: id,
        details: { name: row.name },
      },
      now,
    );
  });
}
