// The language model, off the webhook path. The processing transaction only queues a job (the question sealed under
// the asker's contact key, keyed by the message); this worker takes due jobs by a lease, asks the model outside any
// transaction, and then in one short transaction deletes the job (only while it still holds it: a job acts once),
// re-checks that the conversation is still the bot's and inside the 24-hour window, and answers through the outbox,
// hands over or records the question, as the hook would have. A worker that dies mid-call leaves the lease to run out:
// the job is taken again, and after a few attempts decided offline. The model never writes the reply (see
// language-model.ts), so a garbage answer can only fall back to the offline decision.
import type { Transaction } from 'kysely';
import type { AppContext } from '../../kernel/context.ts';
import type { DB, Executor } from '../../db/types.ts';
import type { AssistantModelJobTable } from '../../db/tables/assistant.ts';
import { newId } from '../../lib/ids.ts';
import { openContactField, sealContactField } from '../../crypto/contact-layer.ts';
import { startLoop, type BackgroundWorker } from '../../kernel/loop.ts';
import { WINDOW_MS } from '../messaging/send.policy.ts';
import { askLanguageModel, type ModelOutcome } from './language-model.ts';
import { findConversationOwner, findMisses, findSettingsRow } from './assistant.repository.ts';
import { countModelCall, pageModel, think } from './think.ts';
import { actOnThought } from './assistant-hook.ts';

const MAX_STORED_CHARS = 2000;
/** After this many attempts (workers that died mid-call) the job is decided offline, without the model. */
export const MAX_MODEL_ATTEMPTS = 3;
/** How long a worker holds a job beyond the model's own timeout. */
const LEASE_MARGIN_MS = 30_000;
/** Jobs a worker takes at once; their model calls run side by side. */
const BATCH = 8;

const field = (pageId: string, rowId: string) => ({ table: 'assistant_model_jobs', column: 'text_enc', pageId, rowId });

/** Queues the question of one message for the model, inside the processing transaction (once per message). */
export async function queueModelJob(
  trx: Transaction<DB>,
  ctx: AppContext,
  p: { pageId: string; contactId: string; eventKey: string; text: string; at: number },
): Promise<void> {
  const id = newId('mj', p.at);
  const text = [...p.text.trim()].slice(0, MAX_STORED_CHARS).join('');
  await trx
    .insertInto('assistant_model_jobs')
    .values({
      id,
      page_id: p.pageId,
      contact_id: p.contactId,
      event_key: p.eventKey.slice(0, 250),
      text_enc: sealContactField(ctx, p.contactId, text, field(p.pageId, id)),
      attempts: 0,
      lease_owner: null,
      lease_until: p.at,
      created_at: p.at,
    })
    .onConflict((oc) => oc.columns(['page_id', 'event_key']).doNothing())
    .execute();
}

async function dueJobs(db: Executor, now: number, limit: number): Promise<AssistantModelJobTable[]> {
  const rows = await db
    .selectFrom('assistant_model_jobs')
    .selectAll()
    .where('lease_until', '<=', now)
    .orderBy('lease_until')
    .orderBy('id')
    .limit(limit)
    .execute();
  return rows.map((r) => ({ ...r, attempts: Number(r.attempts), lease_until: Number(r.lease_until) }));
}

/** Takes a job for `owner` unless another worker took it since it was read (compare-and-set on its lease). */
async function claimJob(db: Executor, job: AssistantModelJobTable, owner: string, until: number): Promise<boolean> {
  const r = await db
    .updateTable('assistant_model_jobs')
    .set({ lease_owner: owner, lease_until: until, attempts: job.attempts + 1 })
    .where('id', '=', job.id)
    .where('lease_until', '=', job.lease_until)
    .where('attempts', '=', job.attempts)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

/** Deletes a job the worker still holds; false when the lease ran out and another worker took it. */
async function finishJob(trx: Transaction<DB>, id: string, owner: string): Promise<boolean> {
  const r = await trx
    .deleteFrom('assistant_model_jobs')
    .where('id', '=', id)
    .where('lease_owner', '=', owner)
    .executeTakeFirst();
  return Number(r.numDeletedRows) === 1;
}

/** One job: the model asked with no transaction open, then the decision carried out in a short one. */
async function runJob(ctx: AppContext, job: AssistantModelJobTable, owner: string): Promise<void> {
  let text: string | null;
  try {
    text = openContactField(ctx, job.contact_id, job.text_enc, field(job.page_id, job.id));
  } catch {
    text = null; // the contact was erased meanwhile: nothing to answer
  }
  const llm = ctx.config.assistantLlm;
  let outcome: ModelOutcome | null = null;
  const settings = await findSettingsRow(ctx.db, job.page_id);
  // No call for a conversation people took over meanwhile (the transaction below checks again).
  const before = await findConversationOwner(ctx.db, job.contact_id);
  const worthAsking = before?.handled_by === 'bot' && job.attempts + 1 <= MAX_MODEL_ATTEMPTS;
  if (text !== null && worthAsking && llm && settings && Number(settings.enabled) === 1) {
    const { entries } = await pageModel(ctx.db, ctx, job.page_id, Number(settings.faq_version));
    if (entries.size > 0) {
      outcome = await askLanguageModel(
        llm,
        text,
        [...entries.values()].map((e) => ({ id: e.id, question: e.question })),
      );
      countModelCall(ctx, job.page_id, outcome);
    }
  }
  const now = ctx.clock.now();
  await ctx.db.transaction().execute(async (trx) => {
    if (!(await finishJob(trx, job.id, owner)) || text === null) return;
    const contact = await trx
      .selectFrom('contacts')
      .select(['id', 'page_id', 'locale', 'status', 'last_user_action_at'])
      .where('id', '=', job.contact_id)
      .executeTakeFirst();
    if (!contact || contact.status === 'erased') return;
    // Too late to answer: the window closed while the model thought.
    const lastAction = contact.last_user_action_at === null ? null : Number(contact.last_user_action_at);
    if (lastAction === null || now - lastAction >= WINDOW_MS) return;
    // People took the conversation over (an agent answered, "take over") or the assistant was switched off meanwhile.
    const conversation = await findConversationOwner(trx, contact.id);
    if (!conversation || conversation.handled_by !== 'bot') return;
    const current = await findSettingsRow(trx, job.page_id);
    if (!current || Number(current.enabled) !== 1) return;
    const missesBefore = await findMisses(trx, contact.id);
    const thought = await think(
      trx,
      ctx,
      { pageId: job.page_id, contactId: contact.id, text, settings: current, missesBefore },
      outcome ? { outcome } : 'offline',
    );
    ctx.metrics.assistantDecisions.inc({ action: thought.action, source: thought.source });
    await actOnThought(trx, ctx, { contact, conversation, text, eventKey: job.event_key, thought, missesBefore });
  });
}

/**
 * One pass: takes the due jobs (new ones, and those whose worker ran out of time) and runs them side by side.
 * Returns how many it ran.
 */
export async function runModelJobs(ctx: AppContext, owner: string, limit = BATCH): Promise<number> {
  const now = ctx.clock.now();
  const lease = (ctx.config.assistantLlm?.timeoutMs ?? 0) + LEASE_MARGIN_MS;
  const claimed: AssistantModelJobTable[] = [];
  for (const job of await dueJobs(ctx.db, now, limit))
    if (await claimJob(ctx.db, job, owner, now + lease)) claimed.push({ ...job, lease_owner: owner });
  const results = await Promise.allSettled(claimed.map((job) => runJob(ctx, job, owner)));
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  // A job that failed keeps its lease and is taken again once it runs out.
  if (failed) throw failed.reason;
  return claimed.length;
}

/** The background loop that asks the language model for queued questions. */
export function startModelJobs(ctx: AppContext, opts: { workerId: string; idleMs?: number }): BackgroundWorker {
  return startLoop({ name: 'assistant-model', logger: ctx.logger, idleMs: opts.idleMs ?? 250, errorMs: 2_000 }, () =>
    runModelJobs(ctx, opts.workerId),
  );
}
