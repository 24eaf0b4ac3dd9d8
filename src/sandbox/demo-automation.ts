import type { InboundHooks } from '../kernel/inbound-hooks.ts';
import { enqueueSend } from '../modules/messaging/enqueue-send.ts';
import { detectConsentKeyword } from '../modules/consent/keywords.ts';

interface Rule {
  name: string;
  matches: (text: string) => boolean;
  reply: string;
  quickReplies?: { title: string; payload: string }[];
}

const MENU = [
  { title: 'Opening hours', payload: 'MENU_HOURS' },
  { title: 'Shipping', payload: 'MENU_SHIPPING' },
  { title: 'Talk to a person', payload: 'TALK_TO_AGENT' },
];

// The demo Page's answers: a welcome for Get Started and a few keywords, as a small shop's bot would have.
const RULES: Rule[] = [
  {
    name: 'hours',
    matches: (t) => /\b(hours?|open|opening|MENU_HOURS)\b/i.test(t),
    reply: 'We are open Monday to Saturday, 9:00–18:00.',
  },
  {
    name: 'shipping',
    matches: (t) => /\b(ship|shipping|delivery|envío|MENU_SHIPPING)\b/i.test(t),
    reply: 'Shipping is free from 50 €, and takes 2–4 working days.',
  },
  {
    name: 'order',
    matches: (t) => /\border\b|commande/i.test(t),
    reply: 'Send us your order number and an agent will check it for you.',
  },
  {
    name: 'agent',
    matches: (t) => /TALK_TO_AGENT/.test(t),
    reply: 'Thanks! A person from our team will answer here shortly.',
  },
];

/** What the demo automation did in this run, for the sandbox's summary. */
export const automationStats = { sent: 0, refused: {} as Record<string, number> };

/**
 * Registers the sandbox's demo automation: an answer to the Get Started postback and to a few keywords, sent
 * through the messaging engine (policy, outbox, rate limits) in the same transaction as the inbound event.
 */
export function registerDemoAutomation(hooks: InboundHooks): void {
  hooks.register('demo-automation', async ({ ctx, trx, contact, event, text, payload, messageId }) => {
    if (event.kind !== 'message' && event.kind !== 'postback') return;
    const said = event.kind === 'postback' ? (payload ?? 'GET_STARTED') : (payload ?? text ?? '');
    if (!said || (event.kind === 'message' && detectConsentKeyword(text ?? '', [contact.locale ?? 'en_US']))) return;
    let reply: string | null = null;
    let quickReplies: { title: string; payload: string }[] | undefined;
    if (event.kind === 'postback' && said === 'GET_STARTED') {
      reply = 'Welcome to the demo shop! How can we help?';
      quickReplies = MENU;
    } else {
      const rule = RULES.find((r) => r.matches(said));
      if (rule) reply = rule.reply;
    }
    if (!reply) return;
    const message: Record<string, unknown> = { text: reply };
    if (quickReplies)
      message.quick_replies = quickReplies.map((q) => ({ content_type: 'text', title: q.title, payload: q.payload }));
    const r = await enqueueSend(trx, ctx, {
      contactId: contact.id,
      author: 'automation',
      kind: 'text',
      message,
      idempotencyKey: `auto:${messageId ?? event.idempotencyKey}`.slice(0, 200),
      createdBy: 'demo-automation',
    });
    if (r.outcome === 'refused') automationStats.refused[r.reason] = (automationStats.refused[r.reason] ?? 0) + 1;
    else automationStats.sent++;
  });
}
