// Retention: named jobs that purge what is older than its configured limit. Each limit is in days; 0 keeps forever.
import { findContactById } from '../contacts/contacts.repository.ts';
import { deleteTokensBefore } from '../conversations/conversations.repository.ts';
import type { AppContext } from '../../kernel/context.ts';
import { systemActor } from '../access/actor.ts';
import { appendAudit } from '../audit/audit.repository.ts';
import { auditCreated, newRequestRow } from '../privacy/create-request.ts';
import { insertRequest } from '../privacy/privacy.repository.ts';
import { executeErasure } from '../privacy/run-requests.ts';
import * as repo from './retention.repository.ts';

const DAY_MS = 24 * 60 * 60 * 1000;
const BATCH = 500;
// As long as the request executor's lease: past it, a retention erasure cut short is the executor's to finish.
const LEASE_MS = 5 * 60_000;

export type RetentionJobName = 'raw-deliveries' | 'message-text' | 'inactive-contacts' | 'auth-failures';

export interface RetentionReport {
  job: RetentionJobName;
  /** Null when the limit is 0 (keep forever) and the job does nothing. */
  cutoff: string | null;
  /** Rows (or contacts) past the limit, by kind: what a dry run would remove, or what the run removed. */
  counts: Record<string, number>;
  /** Ids only, at most one batch per kind, so a dry run can be checked. */
  ids: Record<string, string[]>;
}

/**
 * The limits in force: raw deliveries from PAGESCOPE_RAW_RETENTION_DAYS, counts of failed authentications from
 * PAGESCOPE_AUTH_FAILURE_RETENTION_DAYS, the rest from the privacy settings.
 */
export function retentionLimits(ctx: AppContext): Record<RetentionJobName, number> {
  return {
    'raw-deliveries': ctx.config.rawRetentionDays,
    'message-text': ctx.config.privacy?.messageTextDays ?? 0,
    'inactive-contacts': ctx.config.privacy?.inactiveContactDays ?? 0,
    'auth-failures': ctx.config.authFailureRetentionDays,
  };
}

type Kind = {
  name: string;
  find: (cutoff: number) => Promise<string[]>;
  purge: (ids: string[], cutoff: number) => Promise<number>;
};

function kinds(ctx: AppContext, job: RetentionJobName): Kind[] {
  const db = ctx.db;
  if (job === 'raw-deliveries') {
    return [
      {
        name: 'webhook_posts',
        find: (c) => repo.staleRawPosts(db, c, BATCH),
        purge: (ids) => repo.purgeRawPosts(db, ids),
      },
      {
        name: 'webhook_events',
        find: (c) => repo.staleRawEvents(db, c, BATCH),
        purge: (ids) => repo.purgeRawEvents(db, ids),
      },
    ];
  }
  if (job === 'message-text') {
    let wordsDropped = false;
    return [
      {
        name: 'messages',
        find: (c) => repo.staleMessageTexts(db, c, BATCH),
        // The search index's words of a contact whose every message holding them goes (the newest is older than the
        // cutoff) go with the first batch of texts, in its transaction: no word stays findable that no stored text
        // holds. Once a run: the statement reads the whole index.
        purge: (ids, c) =>
          ctx.db.transaction().execute(async (trx) => {
            if (!wordsDropped) await deleteTokensBefore(trx, c);
            wordsDropped = true;
            return repo.purgeMessageTexts(trx, ids);
          }),
      },
      {
        name: 'contact_events',
        find: (c) => repo.staleWrittenEvents(db, c, BATCH),
        purge: (ids) => repo.purgeWrittenEvents(db, ids),
      },
      {
        name: 'deliveries',
        find: (c) => repo.staleDeliveries(db, c, BATCH),
        purge: (ids) => repo.deleteDeliveries(db, ids),
      },
    ];
  }
  if (job === 'auth-failures') {
    return [
      {
        name: 'auth_failures',
        find: (c) => repo.staleAuthFailures(db, c, BATCH),
        purge: (ids) => repo.deleteAuthFailures(db, ids),
      },
    ];
  }
  return [
    {
      name: 'contacts',
      find: async (c) => (await repo.inactiveContacts(db, c, BATCH)).map((r) => r.id),
      purge: (ids) => eraseInactive(ctx, ids),
    },
  ];
}

/**
 * Runs one job until nothing past its limit is left (or, with `dryRun`, only counts the first batch of each kind and
 * changes nothing). Everything younger than the cutoff is untouched. Audited when it removed anything.
 */
export async function runRetentionJob(
  ctx: AppContext,
  job: RetentionJobName,
  opts: { dryRun?: boolean } = {},
): Promise<RetentionReport> {
  const days = retentionLimits(ctx)[job];
  const report: RetentionReport = { job, cutoff: null, counts: {}, ids: {} };
  if (days <= 0) return report;
  const cutoff = ctx.clock.now() - days * DAY_MS;
  report.cutoff = new Date(cutoff).toISOString();
  for (const k of kinds(ctx, job)) {
    let ids = await k.find(cutoff);
    report.ids[k.name] = ids;
    report.counts[k.name] = 0;
    if (opts.dryRun) {
      report.counts[k.name] = ids.length;
      continue;
    }
    while (ids.length > 0) {
      report.counts[k.name]! += await k.purge(ids, cutoff);
      ids = await k.find(cutoff);
    }
  }
  const removed = Object.values(report.counts).reduce((a, n) => a + n, 0);
  if (!opts.dryRun && removed > 0) {
    await ctx.db.transaction().execute((trx) =>
      appendAudit(
        trx,
        systemActor(`retention.${job}`),
        {
          action: 'retention.purge',
          subjectType: 'retention_job',
          subjectId: job,
          details: { cutoff, counts: report.counts },
        },
        ctx.clock.now(),
      ),
    );
  }
  return report;
}

/** Every job in turn. */
export async function runRetention(ctx: AppContext, opts: { dryRun?: boolean } = {}): Promise<RetentionReport[]> {
  const out: RetentionReport[] = [];
  for (const job of ['raw-deliveries', 'message-text', 'inactive-contacts', 'auth-failures'] as const)
    out.push(await runRetentionJob(ctx, job, opts));
  return out;
}

/**
 * An inactive contact goes the way of an erasure request, with its own tombstone, so the removal is provable. The
 * request is written in progress under a lease first: if this process stops midway, the executor finishes it.
 */
async function eraseInactive(ctx: AppContext, ids: readonly string[]): Promise<number> {
  const actor = systemActor('retention.inactive-contacts');
  let n = 0;
  for (const id of ids) {
    const contact = await findContactById(ctx.db, id, null);
    if (!contact) continue;
    const now = ctx.clock.now();
    const row = {
      ...newRequestRow(ctx, {
        type: 'erasure',
        pageId: contact.page_id,
        contactId: id,
        regime: ctx.config.privacy?.regime ?? 'gdpr',
        source: 'retention',
        actor,
      }),
      status: 'in_progress' as const,
      started_at: now,
      attempts: 1,
      next_attempt_at: now + LEASE_MS,
    };
    await ctx.db.transaction().execute(async (trx) => {
      await insertRequest(trx, row);
      await auditCreated(trx, actor, row, now);
    });
    await executeErasure(ctx, row);
    n++;
  }
  return n;
}
