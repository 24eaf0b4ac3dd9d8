// Messenger's handover protocol from the inbox: take the thread from another app, pass it to one, or ask its owner
// for it. The Graph call comes first (Meta decides); what it changed is then recorded, audited and announced in one
// transaction. These calls send nothing to the person: they are not outbox sends.
import type { AppContext } from '../../kernel/context.ts';
import { AppError, notFound } from '../../errors.ts';
import { GraphError, type GraphClient } from '../../platform/index.ts';
import { assertCan, type Actor } from '../access/actor.ts';
import { appendAudit } from '../audit/audit.repository.ts';
import { findContactById } from '../contacts/contacts.repository.ts';
import { openContactColumn } from '../contacts/contact-columns.ts';
import { findPage } from '../pages/pages.repository.ts';
import { decryptPageToken } from '../pages/register-page.ts';
import { pageGraphOf } from '../pages/page-graph.ts';
import type { ConversationView } from './conversation.presenter.ts';
import { loadVisibleConversation } from './get-conversation.ts';
import { latestHandoverAt } from './messages.repository.ts';
import { presentConversations } from './present-conversations.ts';
import { recordThreadOwner, setThreadRequest } from './thread-owner.ts';
import type { ContactTable } from '../../db/tables/conversations.ts';
import type { Executor } from '../../db/types.ts';

export const THREAD_CONTROL_ACTIONS = ['take', 'pass', 'request', 'decline'] as const;
export type ThreadControlAction = (typeof THREAD_CONTROL_ACTIONS)[number];

export interface ThreadControlInput {
  action: ThreadControlAction;
  /** pass: the app that receives the thread (one of the Page's secondary receivers). */
  target_app_id?: string | undefined;
}

const APP_ID = /^\d{1,20}$/;

function checkInput(input: ThreadControlInput, ownAppId: string | null): void {
  if (input.action === 'pass') {
    if (input.target_app_id === undefined || !APP_ID.test(input.target_app_id))
      throw new AppError(
        'validation_failed',
        "passing the thread needs target_app_id, the receiving app's id (digits)",
        {
          field: 'target_app_id',
        },
      );
    if (input.target_app_id === ownAppId)
      throw new AppError('validation_failed', 'target_app_id is pagescope itself: use the take action', {
        field: 'target_app_id',
      });
  } else if (input.target_app_id !== undefined) {
    throw new AppError('validation_failed', `target_app_id goes with the pass action only, not ${input.action}`, {
      field: 'target_app_id',
    });
  }
}

/** Meta's refusal, in a sentence for the operator (Meta's messages name no person). */
function metaRefused(err: unknown): AppError {
  if (!(err instanceof GraphError))
    return new AppError('conflict', 'Meta could not be reached; nothing changed, try again', { meta_code: null });
  const c = err.classification;
  const why =
    c.kind === 'thread_owned'
      ? 'pagescope does not control this thread now (another app does)'
      : c.message || 'Meta refused the call';
  return new AppError('conflict', `Meta refused the thread control change: ${why}`, {
    meta_code: c.code ?? null,
    meta_subcode: c.subcode ?? null,
  });
}

/**
 * `take`: pagescope takes the thread (from another app, or from idle) so that agents and rules may answer again.
 * `pass`: pagescope hands the thread to another app on the Page; our sends are refused until it comes back.
 * `request`: asks the app that owns the thread to pass it (it decides). `decline`: keeps the thread another app asked
 * for (Meta has no call for it: the request is only set aside here). Audited; agents and above.
 */
export async function changeThreadControl(
  ctx: AppContext,
  actor: Actor,
  conversationId: string,
  input: ThreadControlInput,
  graph: GraphClient = pageGraphOf(ctx),
): Promise<ConversationView> {
  assertCan(actor, 'conversations:write');
  const ownAppId = ctx.config.meta.appId;
  checkInput(input, ownAppId);
  const conversation = await loadVisibleConversation(ctx.db, actor, conversationId);
  const contact = await findContactById(ctx.db, conversation.contact_id, null);
  const page = await findPage(ctx.db, conversation.page_id);
  if (!contact || !page) throw notFound('conversation');
  if (contact.status === 'erased') throw new AppError('erased', 'the contact was erased');
  const before = contact.thread_owner_app_id;
  if (input.action === 'request' && before === null)
    throw new AppError('conflict', 'pagescope already controls this thread: there is nothing to request', {
      thread_owner: null,
    });
  if (input.action === 'decline') return declineRequest(ctx, actor, conversation, contact);
  const psid = openContactColumn(ctx, contact, 'psid_enc');
  if (psid === null) throw notFound('conversation');
  const token = decryptPageToken(ctx, page);
  try {
    if (input.action === 'take') await graph.takeThreadControl(token, psid);
    else if (input.action === 'pass') await graph.passThreadControl(token, psid, input.target_app_id!);
    else await graph.requestThreadControl(token, psid);
  } catch (err) {
    throw metaRefused(err);
  }
  const now = ctx.clock.now();
  await ctx.db.transaction().execute(async (trx) => {
    if (input.action !== 'request') {
      // Our call comes after every handover we know of, whatever Meta's clock said of those.
      const known = [await latestHandoverAt(trx, contact.id), contact.thread_owner_at].filter((t) => t !== null);
      const latest = known.length ? Math.max(...known.map(Number)) : null;
      await recordThreadOwner(trx, ctx, contact, {
        kind: input.action === 'take' ? 'take_thread_control' : 'pass_thread_control',
        at: latest === null ? now : Math.max(now, latest + 1),
        ownerAppId: input.action === 'take' ? null : input.target_app_id!,
        data: {
          previous_owner_app_id: before ?? ownAppId,
          new_owner_app_id: input.action === 'take' ? ownAppId : input.target_app_id!,
          by: 'pagescope',
        },
      });
    }
    await auditThreadControl(trx, actor, conversation, now, {
      action: input.action,
      previous_owner_app_id: before,
      ...(input.target_app_id !== undefined && { target_app_id: input.target_app_id }),
    });
  });
  return presentFresh(ctx, actor, conversationId);
}

/** Audits a thread-control action on the conversation (`conversation.thread_control`) with what it changed. */
async function auditThreadControl(
  trx: Executor,
  actor: Actor,
  conversation: { id: string; page_id: string },
  now: number,
  details: Record<string, unknown>,
): Promise<void> {
  await appendAudit(
    trx,
    actor,
    {
      action: 'conversation.thread_control',
      pageId: conversation.page_id,
      subjectType: 'conversation',
      subjectId: conversation.id,
      details,
    },
    now,
  );
}

/** The conversation as it is now, as the reader may see it. */
async function presentFresh(ctx: AppContext, actor: Actor, conversationId: string): Promise<ConversationView> {
  const fresh = await loadVisibleConversation(ctx.db, actor, conversationId);
  const [view] = await presentConversations(ctx, [fresh]);
  return view!;
}

/** Sets another app's request for the thread aside (pagescope keeps it); a request no longer there is a 409. */
async function declineRequest(
  ctx: AppContext,
  actor: Actor,
  conversation: { id: string; page_id: string },
  contact: ContactTable,
): Promise<ConversationView> {
  if (contact.thread_request_app_id === null)
    throw new AppError('conflict', 'no other app is asking for this thread now: there is nothing to decline', {
      thread_request: null,
    });
  const now = ctx.clock.now();
  await ctx.db.transaction().execute(async (trx) => {
    await setThreadRequest(trx, ctx, contact.id, null);
    await auditThreadControl(trx, actor, conversation, now, {
      action: 'decline',
      requested_by_app_id: contact.thread_request_app_id,
    });
  });
  return presentFresh(ctx, actor, conversation.id);
}

/** The apps on a conversation's Page that a thread can be passed to, as Meta lists them (a live Graph call). */
export async function listHandoverApps(
  ctx: AppContext,
  actor: Actor,
  conversationId: string,
  graph: GraphClient = pageGraphOf(ctx),
): Promise<{ id: string; name: string }[]> {
  assertCan(actor, 'messages:read');
  const conversation = await loadVisibleConversation(ctx.db, actor, conversationId);
  const page = await findPage(ctx.db, conversation.page_id);
  if (!page) throw notFound('conversation');
  try {
    const apps = await graph.secondaryReceivers(decryptPageToken(ctx, page));
    return apps.filter((a) => a.id !== ctx.config.meta.appId);
  } catch (err) {
    throw metaRefused(err);
  }
}
