// Pushes Messenger profiles to Meta: the latest version of each Page's profile in one POST (and one DELETE for the
// properties it dropped), never more than 10 calls per 10 minutes per Page; Meta's 613 waits out the window, a
// transient failure is retried, any other error is shown as the push's failure until the next edit.
import type { AppContext } from '../../kernel/context.ts';
import type { MessengerProfileTable } from '../../db/tables/meta-settings.ts';
import { GraphError, type GraphClient } from '../../platform/index.ts';
import { startLoop, type BackgroundWorker } from '../../kernel/loop.ts';
import { findPage } from '../pages/pages.repository.ts';
import { decryptPageToken } from '../pages/register-page.ts';
import { pageGraphOf } from '../pages/page-graph.ts';
import { claimProfile, dueProfiles, updateProfile } from './messenger-profiles.repository.ts';
import { callsFor, nextCallSlot, pushPlan, PROFILE_WINDOW_MS, type MessengerProfile } from './profile.policy.ts';

const BATCH = 20;
/** How long one push holds a profile (two Graph calls of at most 10 s each). */
const LEASE_MS = 60_000;
const RETRY_BASE_MS = 5_000;
const RETRY_MAX_MS = 10 * 60_000;

/** One push attempt for one Page; returns the row's new push status. */
export async function pushProfile(
  ctx: AppContext,
  graph: GraphClient,
  row: MessengerProfileTable,
): Promise<MessengerProfileTable['push_status']> {
  const now = ctx.clock.now();
  if (!(await claimProfile(ctx.db, row.page_id, row.next_push_at, now + LEASE_MS))) return row.push_status;
  const desired = JSON.parse(row.profile) as MessengerProfile;
  const pushed = JSON.parse(row.pushed_profile) as MessengerProfile;
  const recent = (JSON.parse(row.recent_calls) as number[]).filter((t) => t > now - PROFILE_WINDOW_MS);
  const plan = pushPlan(desired, pushed);
  const needed = callsFor(plan);
  const page = await findPage(ctx.db, row.page_id);
  if (!page || page.status !== 'active') {
    await updateProfile(ctx.db, row.page_id, { next_push_at: now + RETRY_MAX_MS });
    return 'pending';
  }
  const slot = nextCallSlot(recent, now, needed);
  if (slot > now) {
    await updateProfile(ctx.db, row.page_id, { next_push_at: slot, recent_calls: JSON.stringify(recent) });
    return 'pending';
  }
  const token = decryptPageToken(ctx, page);
  let after: MessengerProfile = pushed;
  try {
    if (Object.keys(plan.set).length > 0) {
      recent.push(now);
      await graph.setMessengerProfile(token, plan.set as Record<string, unknown>);
      after = { ...after, ...plan.set };
    }
    if (plan.remove.length > 0) {
      recent.push(now);
      await graph.deleteMessengerProfile(token, plan.remove);
      const left: Record<string, unknown> = { ...after };
      for (const f of plan.remove) delete left[f];
      after = left as MessengerProfile;
    }
  } catch (err) {
    if (!(err instanceof GraphError)) throw err;
    const c = err.classification;
    const common = {
      pushed_profile: JSON.stringify(after),
      recent_calls: JSON.stringify(recent),
      push_error_code: c.code ?? null,
      push_error: c.message,
    };
    // What Meta now holds and the calls spent are kept even when an edit arrived meanwhile (it pushes next).
    const keep = { pushed_profile: common.pushed_profile, recent_calls: common.recent_calls };
    let status: MessengerProfileTable['push_status'] = 'pending';
    let set: Partial<MessengerProfileTable>;
    if (c.retry) {
      // Meta's rate limit (613, 4) waits out its whole window; other transient failures back off.
      const wait =
        c.kind === 'rate_limited' ? PROFILE_WINDOW_MS : Math.min(RETRY_MAX_MS, RETRY_BASE_MS * 2 ** row.push_attempts);
      set = { ...common, push_attempts: row.push_attempts + 1, next_push_at: now + wait };
    } else {
      status = 'failed';
      set = { ...common, push_status: 'failed', next_push_at: null };
    }
    if (await updateProfile(ctx.db, row.page_id, set, row.version)) return status;
    await updateProfile(ctx.db, row.page_id, keep);
    return 'pending';
  }
  const done = {
    pushed_profile: JSON.stringify(after),
    pushed_version: row.version,
    recent_calls: JSON.stringify(recent),
    push_attempts: 0,
    push_error_code: null,
    push_error: null,
  };
  // An edit that arrived meanwhile keeps the profile pending: its own push follows.
  if (
    await updateProfile(
      ctx.db,
      row.page_id,
      { ...done, push_status: 'pushed', next_push_at: null, pushed_at: now },
      row.version,
    )
  )
    return 'pushed';
  await updateProfile(ctx.db, row.page_id, { ...done, pushed_at: now });
  return 'pending';
}

/** One pass over the profiles with a push due; how many were handled. */
export async function pushDueProfiles(ctx: AppContext, graph: GraphClient = pageGraphOf(ctx)): Promise<number> {
  const rows = await dueProfiles(ctx.db, ctx.clock.now(), BATCH);
  for (const row of rows) await pushProfile(ctx, graph, row);
  return rows.length;
}

/** The background loop that pushes Messenger profiles to Meta. */
export function startProfilePush(
  ctx: AppContext,
  opts: { graph?: GraphClient; idleMs?: number } = {},
): BackgroundWorker {
  const graph = opts.graph ?? pageGraphOf(ctx);
  return startLoop(
    { name: 'messenger-profile-push', logger: ctx.logger, idleMs: opts.idleMs ?? 1_000, errorMs: 5_000 },
    () => pushDueProfiles(ctx, graph),
  );
}
