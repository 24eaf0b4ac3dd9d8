import type { AppContext } from '../../kernel/context.ts';
import type { ContactTable } from '../../db/tables/conversations.ts';
import { createGraphClient, GraphError, type GraphClient, type UserProfile } from '../../platform/index.ts';
import { markPageTokenInvalid } from '../pages/mark-token-invalid.ts';
import { decryptPageToken } from '../pages/register-page.ts';
import { contactsDueForProfile, replaceNameTokens, updateContact } from './contacts.repository.ts';
import { openContactColumn, sealContactColumn } from './contact-columns.ts';
import { nameTokens } from './name-tokens.ts';
import { PagePacer } from './page-pacing.ts';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const FIELDS = ['first_name', 'last_name', 'name', 'profile_pic', 'locale', 'timezone'] as const;

export interface EnrichOptions {
  graph?: GraphClient;
  /** Contacts per iteration (default 20): profile calls count against the Page's daily Graph budget. */
  limit?: number;
}

// Rate-limited Pages wait here (per app) until the time given; their contacts are not even tried before then.
const pageBackoff = new WeakMap<AppContext, Map<string, { until: number; strikes: number }>>();

export function graphFor(ctx: AppContext): GraphClient {
  return createGraphClient({
    baseUrl: ctx.config.meta.graphUrl,
    version: ctx.config.meta.graphVersion,
    ...(ctx.config.meta.appSecret && { appSecret: ctx.config.meta.appSecret }),
    timeoutMs: 10_000,
  });
}

/** Profile picture URLs carry their expiry as `oe=<hex seconds>`; refetch a little before it. */
function pictureExpiry(url: string | undefined): number | null {
  const m = url ? /[?&]oe=([0-9A-Fa-f]{6,12})(?:&|$)/.exec(url) : null;
  return m ? parseInt(m[1]!, 16) * 1000 : null;
}

function profileUpdate(ctx: AppContext, contact: ContactTable, p: UserProfile, now: number): Partial<ContactTable> {
  const str = (v: unknown) => (typeof v === 'string' && v.trim() !== '' ? v.trim().slice(0, 200) : null);
  const first = str(p.first_name);
  const last = str(p.last_name);
  const name = str(p.name) ?? ([first, last].filter(Boolean).join(' ') || null);
  const picture = str(p.profile_pic);
  const status: ContactTable['profile_status'] = first || last ? 'ok' : name ? 'name_only' : 'no_permission';
  let next = now + (status === 'no_permission' ? 7 * DAY : ctx.config.profileRefreshHours * HOUR);
  const expiry = pictureExpiry(picture ?? undefined);
  if (expiry !== null) next = Math.max(now + 10 * MINUTE, Math.min(next, expiry - HOUR));
  const seal = (column: 'name_enc' | 'first_name_enc' | 'last_name_enc' | 'picture_enc', v: string | null) =>
    v === null ? null : sealContactColumn(ctx, contact, column, v);
  // Meta answers an empty object when it will not share the profile: keep what we knew rather than erase it.
  if (status === 'no_permission') return { profile_status: status, profile_fetched_at: now, profile_next_at: next };
  return {
    name_enc: seal('name_enc', name),
    first_name_enc: seal('first_name_enc', first),
    last_name_enc: seal('last_name_enc', last),
    picture_enc: seal('picture_enc', picture),
    locale: str(p.locale),
    // The column is whole hours; Meta's offsets are whole hours except a few (+5.5): those round to the nearest hour.
    timezone: typeof p.timezone === 'number' && Number.isFinite(p.timezone) ? Math.round(p.timezone) : null,
    profile_status: status,
    profile_fetched_at: now,
    profile_next_at: next,
  };
}

function failureUpdate(ctx: AppContext, err: GraphError, now: number): Partial<ContactTable> {
  switch (err.classification.kind) {
    case 'no_profile_permission':
      return { profile_status: 'no_permission', profile_fetched_at: now, profile_next_at: now + 7 * DAY };
    case 'no_profile':
      return { profile_status: 'no_profile', profile_fetched_at: now, profile_next_at: now + 30 * DAY };
    case 'transient':
      return { profile_next_at: now + 5 * MINUTE };
    case 'reauthorize':
      return { profile_next_at: now + HOUR };
    default:
      return {
        profile_status: 'failed',
        profile_fetched_at: now,
        profile_next_at: now + ctx.config.profileRefreshHours * HOUR,
      };
  }
}

/**
 * One pass of the lazy profile fetcher: contacts whose profile is due (new ones at once, others after the refresh
 * period), one User Profile call each, never per event. Answers without a name, missing permission (100/33), no
 * profile (2018218) and rate limits (the Page backs off) each set when to try again. Returns contacts handled.
 */
export async function enrichProfiles(ctx: AppContext, opts: EnrichOptions = {}): Promise<number> {
  const now = ctx.clock.now();
  const due = await contactsDueForProfile(ctx.db, now, opts.limit ?? 20);
  if (due.length === 0) return 0;
  const graph = opts.graph ?? graphFor(ctx);
  const pacer = PagePacer.forPass(pageBackoff, ctx, now);
  let handled = 0;
  for (const contact of due) {
    const admitted = await pacer.admit(contact.page_id);
    if ('retryAt' in admitted) {
      await updateContact(ctx.db, contact.id, { profile_next_at: admitted.retryAt });
      continue;
    }
    const page = admitted.page;
    let set: Partial<ContactTable>;
    try {
      const profile = await graph.getUserProfile(
        decryptPageToken(ctx, page),
        openContactColumn(ctx, contact, 'psid_enc')!,
        FIELDS,
      );
      set = profileUpdate(ctx, contact, profile, now);
      pacer.succeeded(contact.page_id);
    } catch (err) {
      if (!(err instanceof GraphError)) throw err;
      if (err.classification.kind === 'reauthorize') {
        pacer.tokenInvalid(contact.page_id);
        await markPageTokenInvalid(ctx.db, ctx, contact.page_id, 'profile', err.classification);
      }
      set =
        err.classification.kind === 'rate_limited'
          ? { profile_next_at: pacer.rateLimited(contact.page_id) }
          : failureUpdate(ctx, err, now);
      ctx.logger.info(
        { page_id: contact.page_id, contact_id: contact.id, code: err.classification.stableCode },
        'profile fetch did not succeed',
      );
    }
    // The names and their search tokens change together or not at all.
    await ctx.db.transaction().execute(async (trx) => {
      await updateContact(trx, contact.id, { ...set, updated_at: now });
      if (set.first_name_enc === undefined && set.name_enc === undefined) return;
      const view = { ...contact, ...set } as ContactTable;
      const names = (['name_enc', 'first_name_enc', 'last_name_enc'] as const).map((c) =>
        openContactColumn(ctx, view, c),
      );
      await replaceNameTokens(trx, contact.id, contact.page_id, nameTokens(ctx.keyring, names));
    });
    handled++;
  }
  return handled;
}
