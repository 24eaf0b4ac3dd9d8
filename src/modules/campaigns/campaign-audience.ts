// A campaign's audience at a moment: the segment's members (the segments module's compiled statement, in batches),
// each with the exclusion that applies then. The preview counts it and the freeze after start stores it: one
// function, so the set the preview reports is the set start stores.
import type { AppContext } from '../../kernel/context.ts';
import type { CampaignTable } from '../../db/tables/campaigns.ts';
import type { Executor } from '../../db/types.ts';
import { AppError } from '../../errors.ts';
import { findSegment } from '../segments/segments.repository.ts';
import { segmentRecipients } from '../segments/segments.ts';
import { exclusionFor, type ExclusionReason } from './campaign.policy.ts';
import { contactsWithCampaignSend, marketingTokenStates, memberRows } from './campaigns.repository.ts';
import { marketingEnabled } from '../pages/marketing-messages.ts';
import { findPages } from '../messaging/send-targets.repository.ts';

export interface AudienceMember {
  contactId: string;
  exclusion: ExclusionReason | null;
}

/**
 * The filter a campaign's audience is drawn with: the one recorded at start once started, else its saved segment's as
 * it is now, or its own. A 409 (segment_deleted) when the saved segment is gone.
 */
export async function audienceFilter(db: Executor, c: CampaignTable): Promise<unknown> {
  if (c.audience_filter) return JSON.parse(c.audience_filter) as unknown;
  if (c.segment_id !== null) {
    const segment = await findSegment(db, c.segment_id, [c.page_id]);
    if (!segment)
      throw new AppError('conflict', "the campaign's segment was deleted; create the campaign again", {
        reason: 'segment_deleted',
      });
    return JSON.parse(segment.filter) as unknown;
  }
  return JSON.parse(c.filter ?? '{"all": []}') as unknown;
}

/**
 * Every member of the campaign's audience at `now` (the filter's windows and the exclusions both counted from it), in
 * batches of contacts by id descending, each with its exclusion (null: eligible). `walk.after` resumes after a
 * batch's last member.
 */
export async function* campaignAudience(
  ctx: AppContext,
  db: Executor,
  c: CampaignTable,
  now: number,
  walk: { after?: string | null; batchSize?: number } = {},
): AsyncGenerator<AudienceMember[]> {
  const [page] = await findPages(db, [c.page_id]);
  const pageStatus = page?.status ?? 'disabled';
  const marketing = c.kind === 'marketing';
  const pageEnabled = marketing && (await marketingEnabled(db, c.page_id));
  const filter = await audienceFilter(db, c);
  for await (const ids of segmentRecipients(ctx, db, c.page_id, filter, { ...walk, now })) {
    const [rows, received, tokens] = await Promise.all([
      memberRows(db, ids),
      contactsWithCampaignSend(db, c.id, ids),
      marketing ? marketingTokenStates(db, ids) : new Map<string, never>(),
    ]);
    const byId = new Map(rows.map((r) => [r.id, r]));
    yield ids.map((id) => {
      const r = byId.get(id);
      if (!r) return { contactId: id, exclusion: 'erased' };
      return {
        contactId: id,
        exclusion: exclusionFor(
          {
            lastUserActionAt: r.last_user_action_at === null ? null : Number(r.last_user_action_at),
            contactStatus: r.status,
            consent: { replies: r.consent_replies, marketing: r.consent_marketing },
            pageStatus,
            psidInvalid: r.psid_invalid_at !== null,
            handledByHuman: r.human_handling,
            alreadyReceived: received.has(id),
            ...(marketing && {
              marketing: { pageEnabled, token: tokens.get(id) ?? null, locale: r.locale, timezone: r.timezone },
            }),
          },
          now,
          c.kind,
        ),
      };
    });
  }
}
