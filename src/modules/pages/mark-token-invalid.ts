import type { AppContext } from '../../kernel/context.ts';
import type { GraphErrorClass } from '../../platform/index.ts';
import { systemActor, type Actor } from '../access/actor.ts';
import { appendAudit } from '../audit/audit.repository.ts';
import type { Executor } from '../../db/types.ts';
import { markTokenInvalid } from './pages.repository.ts';
import { pageMetrics } from './pages.metrics.ts';

/** Which call Meta answered with 190. */
export type TokenCheckSource = 'send' | 'profile' | 'id_matching' | 'verify' | 'subscribe';

const SOURCE_ACTOR: Record<TokenCheckSource, Actor> = {
  send: systemActor('dispatcher'),
  profile: systemActor('profile-fetcher'),
  id_matching: systemActor('id-matcher'),
  verify: systemActor('token-check'),
  subscribe: systemActor('token-check'),
};

/**
 * Marks a Page `token_invalid` after Meta rejected its access token (Graph error 190) at any call: its sends wait
 * and the background Graph callers leave it alone until a new token is added (`pages add`, `POST /api/v1/pages`).
 * Only the call that changes the status writes the audit row, the metric and the log line (never the token), so
 * many failing calls announce it once. Pass the caller's transaction where the 190 is recorded in one.
 */
export async function markPageTokenInvalid(
  db: Executor,
  ctx: AppContext,
  pageId: string,
  source: TokenCheckSource,
  error: Pick<GraphErrorClass, 'code' | 'subcode'>,
  details: Record<string, unknown> = {},
): Promise<boolean> {
  const now = ctx.clock.now();
  if (!(await markTokenInvalid(db, pageId, now))) return false;
  await appendAudit(
    db,
    SOURCE_ACTOR[source],
    {
      action: 'page.token_invalid',
      pageId,
      subjectType: 'page',
      subjectId: pageId,
      details: { source, meta_code: error.code ?? null, meta_subcode: error.subcode ?? null, ...details },
    },
    now,
  );
  pageMetrics(ctx.metrics.registry).tokenInvalid.inc({ source });
  ctx.logger.error(
    { page_id: pageId, code: 'page_token_invalid', source, meta_code: error.code, meta_subcode: error.subcode },
    'Meta rejected the Page access token (invalid or expired): the Page is marked token_invalid and its sends wait. Add a new token with `pagescope pages add` (or POST /api/v1/pages) to resume',
  );
  return true;
}
