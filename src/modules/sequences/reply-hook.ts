// A message from a person ends their subscriptions to every sequence that stops on reply (reason `replied`), inside
// the transaction that stores the message: a follow-up never goes out after the person answered. It runs before the
// automation rules, so a rule that subscribes the person to a sequence on this very message is not undone by it.
import type { InboundEventContext, InboundHooks } from '../../kernel/inbound-hooks.ts';
import { leaveSequencesOnReply } from './sequences.repository.ts';

export const SEQUENCE_REPLY_HOOK_NAME = 'sequences-stop-on-reply';

export function registerSequenceReplyHook(hooks: InboundHooks): void {
  hooks.register(SEQUENCE_REPLY_HOOK_NAME, stopOnReply);
}

/** Messages only (text, attachments, quick replies): a postback or a read is not an answer. */
export async function stopOnReply(e: InboundEventContext): Promise<void> {
  if (e.event.kind !== 'message') return;
  await leaveSequencesOnReply(e.trx, e.contact.id, e.ctx.clock.now());
}
