import type { AppContext } from '../../kernel/context.ts';
import { findContactByBidx } from '../contacts/contacts.repository.ts';
import type { PrivacyCallbackTable } from '../../db/tables/privacy.ts';
import type { GraphClient, IdMatch } from '../../platform/graph-client.ts';
import { GraphError } from '../../platform/graph-transport.ts';
import { systemActor } from '../access/actor.ts';
import { appendAudit } from '../audit/audit.repository.ts';
import { recordConsent } from '../consent/ledger.ts';
import { auditCreated, defaultRegime, newRequestRow } from './create-request.ts';
import {
  callbacksInProgress,
  claimCallback,
  insertRequest,
  pageExists,
  requestsOfCallback,
  updateCallback,
} from './privacy.repository.ts';

const LEASE_MS = 5 * 60_000;
const MAX_ATTEMPTS = 5;

/** Maps the next received callback, if any; returns how many it handled (0 or 1). */
export async function processNextCallback(ctx: AppContext, graph: GraphClient | null): Promise<number> {
  const cb = await claimCallback(ctx.db, ctx.clock.now(), LEASE_MS);
  if (!cb) return 0;
  const asid = ctx.keyring.decrypt(cb.user_enc!, {
    table: 'privacy_callbacks',
    column: 'user_enc',
    pageId: null,
    rowId: cb.id,
  });
  let matches: IdMatch[] | null = null;
  let reason = 'id_matching_disabled';
  const { appId, appSecret } = ctx.config.meta;
  if (ctx.config.privacy?.idMatching && graph && appId && appSecret) {
    try {
      // ASID → PSIDs takes the app access token; the transport adds appsecret_proof.
      matches = await graph.idsForPages(`${appId}|${appSecret}`, asid);
    } catch (err) {
      const retry = err instanceof GraphError && err.classification.retry && cb.attempts < MAX_ATTEMPTS;
      ctx.logger.warn(
        { privacy_callback: cb.id, err: err instanceof GraphError ? err.message : 'graph call failed', retry },
        'ids_for_pages failed',
      );
      if (retry) return 1;
      reason = 'id_matching_failed';
    }
  }
  await settleMapping(ctx, cb, matches, reason);
  return 1;
}

/**
 * With matches: one erasure request per contact found (data deletion), or a marketing-consent withdrawal
 * (deauthorize). Without: a request for manual review holding the callback's id, so an operator can find the
 * person. Either way the app-scoped id is cleared once the mapping no longer needs it.
 */
async function settleMapping(
  ctx: AppContext,
  cb: PrivacyCallbackTable,
  matches: IdMatch[] | null,
  reason: string,
): Promise<void> {
  const now = ctx.clock.now();
  const actor = systemActor(`meta-${cb.kind}`, null);
  await ctx.db.transaction().execute(async (trx) => {
    if (matches === null) {
      if (cb.kind === 'data_deletion') {
        const row = newRequestRow(ctx, {
          type: 'erasure',
          pageId: null,
          contactId: null,
          regime: defaultRegime(ctx),
          source: 'meta_data_deletion',
          actor,
          callbackId: cb.id,
          reviewReason: reason,
        });
        await insertRequest(trx, row);
        await auditCreated(trx, actor, row, now);
      }
      const status = cb.kind === 'data_deletion' ? 'needs_review' : 'completed';
      await updateCallback(trx, cb.id, {
        status,
        updated_at: now,
        ...(status === 'completed' && { completed_at: now, user_enc: null }),
      });
      await appendAudit(
        trx,
        actor,
        {
          action: `privacy.meta_${cb.kind}.unmapped`,
          subjectType: 'privacy_callback',
          subjectId: cb.id,
          details: { reason },
        },
        now,
      );
      return;
    }
    let found = 0;
    for (const m of matches) {
      const pageId = m.scope?.id;
      if (!pageId || !(await pageExists(trx, pageId))) continue;
      const contact = await findContactByBidx(trx, pageId, ctx.keyring.blindIndex(m.id, 'psid'));
      if (!contact || contact.status === 'erased') continue;
      found++;
      if (cb.kind === 'data_deletion') {
        const row = newRequestRow(ctx, {
          type: 'erasure',
          pageId,
          contactId: contact.id,
          regime: defaultRegime(ctx),
          source: 'meta_data_deletion',
          actor,
          callbackId: cb.id,
        });
        await insertRequest(trx, row);
        await auditCreated(trx, actor, row, now);
      } else {
        await recordConsent(trx, ctx, {
          contactId: contact.id,
          pageId,
          purpose: 'marketing',
          action: 'withdraw',
          source: 'meta_deauthorize',
          eventId: cb.id,
          actor,
          occurredAt: cb.issued_at,
        });
      }
    }
    const done = found === 0 || cb.kind === 'deauthorize';
    await updateCallback(trx, cb.id, {
      status: done ? 'completed' : 'in_progress',
      contacts_found: found,
      user_enc: null,
      updated_at: now,
      ...(done && { completed_at: now }),
    });
    await appendAudit(
      trx,
      actor,
      {
        action: `privacy.meta_${cb.kind}.mapped`,
        subjectType: 'privacy_callback',
        subjectId: cb.id,
        details: { contacts_found: found },
      },
      now,
    );
  });
}

/** Marks callbacks completed once every request they opened is completed; returns how many it settled. */
export async function settleCallbacks(ctx: AppContext): Promise<number> {
  let n = 0;
  for (const cb of await callbacksInProgress(ctx.db, 100)) {
    const requests = await requestsOfCallback(ctx.db, cb.id);
    if (requests.length === 0 || requests.some((r) => r.status !== 'completed')) continue;
    const now = ctx.clock.now();
    await updateCallback(ctx.db, cb.id, { status: 'completed', completed_at: now, user_enc: null, updated_at: now });
    n++;
  }
  return n;
}
