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
   * Set by a hook that answered the person or took charge of the event (a consent keyword, a rule matched, the
   * assistant answered or handed over), so that later hooks which would answer too (the assistant, a default reply)
   * stay silent.
   */
  answered?: boolean;
}

export type InboundHook = (e: InboundEventContext) => Promise<void>;

export interface HookOptions {
  /**
   * Whether the hook also sees `standby` events: what the person wrote while another app owns the thread (Messenger's
   * handover protocol). Such events are history only for us, so by default no hook sees them; a hook that only
   * records (order links, interests, a consent choice) opts in, and must never answer one.
   */
  standby?: boolean;
}

/** Hooks run in registration order for each new inbound event (not for duplicates, echoes or reads). */
export class InboundHooks {
  readonly #hooks: { name: string; hook: InboundHook; standby: boolean }[] = [];

  register(name: string, hook: InboundHook, options: HookOptions = {}): void {
    this.#hooks.push({ name, hook, standby: options.standby ?? false });
  }

  async run(e: InboundEventContext): Promise<void> {
    const standby = e.event.channel === 'standby';
    for (const { hook, standby: seesStandby } of this.#hooks) if (!standby || seesStandby) await hook(e);
  }

  names(): string[] {
    return this.#hooks.map((h) => h.name);
  }
}
