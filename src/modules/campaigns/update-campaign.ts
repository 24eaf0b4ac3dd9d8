// Editing a draft campaign: any creation field, checked exactly as creation checks it, with optimistic concurrency
// (the version the editor loaded, If-Match) so that an edit from a stale screen is a conflict, never a lost update.
import type { AppContext } from '../../kernel/context.ts';
import type { CampaignTable } from '../../db/tables/campaigns.ts';
import { AppError } from '../../errors.ts';
import { assertCan, type Actor } from '../access/actor.ts';
import { appendAudit } from '../audit/audit.repository.ts';
import { checkedCampaign, type CheckedCampaign, type CreateCampaignInput } from './campaign-input.ts';
import { presentCampaign, type CampaignView, type StoredVariant } from './campaign.presenter.ts';
import { campaignStats, campaignUpdated, visibleCampaign } from './campaigns.ts';
import { findCampaign, updateDraftCampaign } from './campaigns.repository.ts';
import type { CampaignTemplate } from './utility-template.ts';

/** A draft's edit: any creation field; `schedule_at: null` clears the schedule. */
export type CampaignPatch = Partial<Omit<CreateCampaignInput, 'schedule_at'>> & {
  schedule_at?: string | null | undefined;
};

const AUDIENCE = ['segment_id', 'filter'] as const;
const CONTENT = ['message', 'variants', 'template'] as const;
const COLUMNS = [
  'name',
  'kind',
  'segment_id',
  'filter',
  'message',
  'template',
  'variants',
  'schedule_at',
  'max_per_second',
] as const satisfies readonly (keyof CheckedCampaign)[];

/** The creation fields a stored campaign was made from (in their stored, already checked form). */
function fieldsOf(c: CampaignTable): CreateCampaignInput {
  const variants = JSON.parse(c.variants) as StoredVariant[];
  return {
    name: c.name,
    kind: c.kind,
    ...(c.segment_id !== null ? { segment_id: c.segment_id } : { filter: JSON.parse(c.filter ?? '{"all": []}') }),
    ...(c.template !== null
      ? { template: JSON.parse(c.template) as CampaignTemplate }
      : c.message !== null
        ? { message: JSON.parse(c.message) as CreateCampaignInput['message'] }
        : { variants }),
    ...(c.schedule_at !== null && { schedule_at: new Date(c.schedule_at).toISOString() }),
    max_per_second: c.max_per_second,
  };
}

/**
 * The stored fields with the patch laid over them. The audience is one choice (a segment or a filter: giving one
 * drops the other), and so is the content (a message, variants or a template).
 */
export function patchedFields(stored: CreateCampaignInput, patch: CampaignPatch): CreateCampaignInput {
  const out: Record<string, unknown> = { ...stored };
  const given = (k: string) => (patch as Record<string, unknown>)[k] !== undefined;
  for (const group of [AUDIENCE, CONTENT])
    if (group.some(given)) for (const k of group) out[k] = (patch as Record<string, unknown>)[k];
  for (const k of ['name', 'kind', 'max_per_second', 'tag'] as const) if (given(k)) out[k] = patch[k];
  if (patch.schedule_at !== undefined) out.schedule_at = patch.schedule_at ?? undefined;
  for (const k of Object.keys(out)) if (out[k] === undefined) delete out[k];
  return out as unknown as CreateCampaignInput;
}

const wrongStatus = (status: string) =>
  new AppError('conflict', `only a draft can be edited: this campaign is ${status}`, {
    reason: 'wrong_status',
    status,
  });

const stale = (version: number) =>
  new AppError('conflict', 'the campaign changed since you loaded it: reload it and try again', {
    reason: 'stale',
    version,
  });

/**
 * Edits a draft campaign (owners, admins, marketers): the merged fields are checked as creation checks them (the
 * same 400s), then stored with the version moved on; audited (`campaign.update`, naming the fields that changed) and
 * announced (`campaign.updated`) in the same transaction. Not a draft → 409 `wrong_status`; `version` given (If-Match)
 * and the draft moved on since → 409 `stale`. An edit that changes nothing changes nothing.
 */
export async function updateCampaign(
  ctx: AppContext,
  actor: Actor,
  id: string,
  patch: CampaignPatch,
  version: number | null,
): Promise<CampaignView> {
  assertCan(actor, 'campaigns:manage');
  const now = ctx.clock.now();
  return ctx.db.transaction().execute(async (trx) => {
    const before = await visibleCampaign(trx, actor, id);
    if (before.status !== 'draft') throw wrongStatus(before.status);
    const current = Number(before.version);
    if (version !== null && version !== current) throw stale(current);
    const { variantCount: _, ...checked } = await checkedCampaign(
      ctx,
      trx,
      before.page_id,
      patchedFields(fieldsOf(before), patch),
    );
    // A PostgreSQL bigint may come back as a string: the same value either way is no change.
    const changed = COLUMNS.filter((k) => checked[k] !== before[k] && String(checked[k]) !== String(before[k]));
    let after = before;
    if (changed.length > 0) {
      const set = Object.fromEntries(changed.map((k) => [k, checked[k]]));
      if (!(await updateDraftCampaign(trx, id, current, set, now))) {
        const moved = await findCampaign(trx, id, null);
        throw moved && moved.status !== 'draft' ? wrongStatus(moved.status) : stale(Number(moved?.version ?? 0));
      }
      after = { ...before, ...set, version: current + 1, updated_at: now };
      await appendAudit(
        trx,
        actor,
        {
          action: 'campaign.update',
          pageId: before.page_id,
          subjectType: 'campaign',
          subjectId: id,
          details: { fields: changed },
        },
        now,
      );
      await campaignUpdated(trx, ctx, after, now);
    }
    return presentCampaign(after, await campaignStats(trx, after));
  });
}
