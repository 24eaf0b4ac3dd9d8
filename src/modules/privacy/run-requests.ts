import type { AppContext } from '../../kernel/context.ts';
import { findContactById } from '../contacts/contacts.repository.ts';
import type { PrivacyRequestTable } from '../../db/tables/privacy.ts';
import { isAppError } from '../../errors.ts';
import { systemActor } from '../access/actor.ts';
import { appendAudit } from '../audit/audit.repository.ts';
import type { Executor } from '../../db/types.ts';
import { openContactField, sealContactField } from '../../crypto/contact-layer.ts';
import { requestField } from './create-request.ts';
import { eraseContactData, erasedRowCount, type ErasureCounts } from './erase-contact.ts';
import { buildContactExport } from './export-contact.ts';
import { claimRequest, updateRequest } from './privacy.repository.ts';
import { rectifyAttributes, type AttributePatch } from './rectify-contact.ts';

const LEASE_MS = 5 * 60_000;
const MAX_ATTEMPTS = 5;

/** Runs the next due request, if any; returns how many it ran (0 or 1). Each outcome is audited. */
export async function runNextRequest(ctx: AppContext): Promise<number> {
  const r = await claimRequest(ctx.db, ctx.clock.now(), LEASE_MS);
  if (!r) return 0;
  try {
    const result = await execute(ctx, r);
    ctx.logger.info({ privacy_request: r.id, type: r.type }, 'privacy request completed');
    return result;
  } catch (err) {
    await recordFailure(ctx, r, err);
    return 1;
  }
}

/** Runs every request due now (tests, the CLI and one worker tick). */
export async function runDueRequests(ctx: AppContext, max = 1000): Promise<number> {
  let n = 0;
  while (n < max && (await runNextRequest(ctx)) > 0) n++;
  return n;
}

async function execute(ctx: AppContext, r: PrivacyRequestTable): Promise<number> {
  const contactId = r.contact_id!;
  const actor = systemActor('privacy-executor', r.request_id);
  const complete = async (trx: Executor, result: Record<string, unknown>, extra: Partial<PrivacyRequestTable> = {}) => {
    const now = ctx.clock.now();
    await updateRequest(trx, r.id, {
      status: 'completed',
      completed_at: now,
      result: JSON.stringify(result),
      error: null,
      updated_at: now,
      ...extra,
    });
    await appendAudit(
      trx,
      actor,
      {
        action: `privacy.${r.type}.completed`,
        pageId: r.page_id,
        subjectType: 'privacy_request',
        subjectId: r.id,
        details: { contact_id: contactId, ...result },
      },
      now,
    );
  };
  if (r.type === 'erasure') {
    await executeErasure(ctx, r);
    return 1;
  }
  if (!(await findContactById(ctx.db, contactId, null))) {
    // Erased (or removed) since the request was made: nothing is held any more, which is the answer.
    await ctx.db.transaction().execute((trx) => complete(trx, { contact_found: false }));
    return 1;
  }
  if (r.type === 'access') {
    const doc = await buildContactExport(ctx, ctx.db, contactId);
    const sealed = sealContactField(ctx, contactId, JSON.stringify(doc), requestField(r, 'export_enc'));
    await ctx.db.transaction().execute((trx) => complete(trx, { counts: doc.counts }, { export_enc: sealed }));
    return 1;
  }
  const patch = JSON.parse(
    openContactField(ctx, contactId, r.input_enc!, requestField(r, 'input_enc')),
  ) as AttributePatch;
  await ctx.db.transaction().execute(async (trx) => {
    const changed = await rectifyAttributes(ctx, trx, contactId, patch);
    await complete(trx, { attributes_changed: changed }, { input_enc: null });
  });
  return 1;
}

/**
 * Erases the request's contact. The request completes only once the key is destroyed too: a crash in between leaves
 * it in progress, and the rerun (after the lease) finds nothing left, destroys the key and completes, keeping the
 * counts of the run that did the deleting.
 */
export async function executeErasure(ctx: AppContext, r: PrivacyRequestTable): Promise<ErasureCounts> {
  const contactId = r.contact_id!;
  const earlier = r.result ? (JSON.parse(r.result) as Partial<ErasureCounts>) : null;
  const counts = await eraseContactData(ctx, contactId, (trx, c) =>
    updateRequest(trx, r.id, { result: JSON.stringify(merge(earlier, c)) }),
  );
  const total = merge(earlier, counts);
  const now = ctx.clock.now();
  await ctx.db.transaction().execute(async (trx) => {
    await updateRequest(trx, r.id, {
      status: 'completed',
      completed_at: now,
      result: JSON.stringify(total),
      error: null,
      updated_at: now,
    });
    await appendAudit(
      trx,
      systemActor('privacy-executor', r.request_id),
      {
        action: 'privacy.erasure.completed',
        pageId: r.page_id,
        subjectType: 'privacy_request',
        subjectId: r.id,
        details: { contact_id: contactId, source: r.source, ...total },
      },
      now,
    );
  });
  ctx.logger.info({ privacy_request: r.id, rows: erasedRowCount(total) }, 'contact erased');
  return total;
}

function merge(earlier: Partial<ErasureCounts> | null, now: ErasureCounts): ErasureCounts {
  if (!earlier?.tables) return now;
  const tables = { ...earlier.tables };
  for (const [t, n] of Object.entries(now.tables)) tables[t] = (tables[t] ?? 0) + n;
  return {
    tables,
    raw_deliveries: (earlier.raw_deliveries ?? 0) + now.raw_deliveries,
    request_exports: (earlier.request_exports ?? 0) + now.request_exports,
    key_destroyed: earlier.key_destroyed === true || now.key_destroyed,
  };
}

async function recordFailure(ctx: AppContext, r: PrivacyRequestTable, err: unknown): Promise<void> {
  const now = ctx.clock.now();
  const code = isAppError(err) ? err.code : 'internal';
  const final = r.attempts >= MAX_ATTEMPTS;
  ctx.logger.error(
    { err: isAppError(err) ? undefined : err, code, privacy_request: r.id, attempt: r.attempts },
    'privacy request failed',
  );
  await ctx.db.transaction().execute(async (trx) => {
    await updateRequest(trx, r.id, {
      status: final ? 'failed' : 'in_progress',
      error: code,
      updated_at: now,
      next_attempt_at: final ? now : now + Math.min(60 * 60_000, 30_000 * 2 ** r.attempts),
    });
    await appendAudit(
      trx,
      systemActor('privacy-executor', r.request_id),
      {
        action: `privacy.${r.type}.attempt_failed`,
        outcome: 'failure',
        pageId: r.page_id,
        subjectType: 'privacy_request',
        subjectId: r.id,
        details: { code, attempt: r.attempts, final },
      },
      now,
    );
  });
}
