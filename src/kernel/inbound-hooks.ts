import type { Transaction } from 'kysely';
import type { AppContext } from './context.ts';
import type { DB } from '../db/types.ts';
import type { ContactTable } from '../db/tables/conversations.ts';
import type { WebhookEvent } from '../platform/index.ts';

/**
 * What the processor tells other modules about a newly processed inbound event, inside the same transaction that
 * stored it: anything they decide (an opt-out, an automated answer's outbox row) commits with the event or not at
 * all, and is never run twice for a redelivered event.
 */
export interface InboundEventContext {
  ctx: AppContext;
  trx: Transaction<DB>;
  /** The contact after the event was applied. */
  contact: ContactTable;
  event: WebhookEvent;
  /** For messages: the stored history row's id. */
  messageId?: string;
  /** Decrypted text of a message or quick reply, or a postback's payload; never logged. */
  text?: string;
  payload?: string;
  /**
   * Set by a hook that answered the person or took charge of the event (a rule matched, the assistant answered or
   * handed over), so that later hooks which would answer too (the assistant, a default reply) stay silent.
   */
  answered?: boolean;
}

export type InboundHook = (e: InboundEventContext) => Promise<void>;

/** Hooks run in registration order for each new inbound event (not for duplicates, echoes or reads). */
export class InboundHooks {
  readonly #hooks: { name: string; hook: InboundHook }[] = [];

  register(name: string, hook: InboundHook): void {
    this.#hooks.push({ name, hook });
  }

  async run(e: InboundEventContext): Promise<void> {
    for (const { hook } of this.#hooks) await hook(e);
  }

  names(): string[] {
    return this.#hooks.map((h) => h.name);
  }
}
