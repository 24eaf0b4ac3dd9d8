import type { AppContext } from '../kernel/context.ts';
import { cliActor } from '../modules/access/actor.ts';
import { createAutomation, listAutomations, updateAutomation } from '../modules/automations/automations.ts';
import { DEMO_FAQ } from './demo-faq.ts';

const MENU = [
  { content_type: 'text', title: 'Opening hours', payload: 'MENU_HOURS' },
  { content_type: 'text', title: 'Shipping', payload: 'MENU_SHIPPING' },
  { content_type: 'text', title: 'Talk to a person', payload: 'TALK_TO_AGENT' },
];
// The same answers as the demo FAQ's entries, so a menu button and a question say the same thing.
const HOURS = DEMO_FAQ.find((e) => e.key === 'hours')!.answer.text;
const SHIPPING = DEMO_FAQ.find((e) => e.key === 'shipping')!.answer.text;
const AGENT = 'Thanks! A person from our team will answer here shortly.';

/**
 * The demo shop's rules, as a small shop's bot would have them: a welcome for Get Started with a menu, answers to a
 * few keywords (in the shop's customers' languages; case and accents do not matter) and to the menu's buttons, an
 * order-status answer for an order of the person's own, and a handover to a person on request. Real rules: a
 * newcomer lists, changes or disables them through the API (`GET /api/v1/pages/{pageId}/automations`).
 *
 * Rules run before the assistant, so on a Page whose assistant knows the demo FAQ the keyword rules it covers
 * (`faqCovers`) are left out: the assistant answers those questions, in other words and languages too.
 */
export const DEMO_RULES: {
  name: string;
  trigger: Record<string, unknown>;
  actions: Record<string, unknown>[];
  faqCovers?: true;
}[] = [
  {
    name: 'Welcome',
    trigger: { type: 'get_started' },
    actions: [{ type: 'send', text: 'Welcome to the demo shop! How can we help?', quick_replies: MENU }],
  },
  {
    name: 'Opening hours',
    trigger: { type: 'keyword', match: 'contains', keywords: ['hours', 'hour', 'open', 'opening', 'horaires'] },
    actions: [{ type: 'send', text: HOURS }],
    faqCovers: true,
  },
  {
    name: 'Opening hours (menu)',
    trigger: { type: 'quick_reply', payloads: ['MENU_HOURS'] },
    actions: [{ type: 'send', text: HOURS }],
  },
  {
    name: 'Shipping',
    trigger: { type: 'keyword', match: 'contains', keywords: ['ship', 'shipping', 'delivery', 'envío', 'livraison'] },
    actions: [{ type: 'send', text: SHIPPING }],
    faqCovers: true,
  },
  {
    name: 'Shipping (menu)',
    trigger: { type: 'quick_reply', payloads: ['MENU_SHIPPING'] },
    actions: [{ type: 'send', text: SHIPPING }],
  },
  {
    name: 'Order status',
    trigger: { type: 'order_status' },
    actions: [{ type: 'send', text: 'Your order {{order.number}} is {{order.status}}.' }],
  },
  {
    name: 'Order question',
    trigger: { type: 'keyword', match: 'regex', keywords: ['\\border\\b|commande'] },
    actions: [{ type: 'send', text: 'Send us your order number and an agent will check it for you.' }],
    faqCovers: true,
  },
  {
    name: 'Talk to a person',
    trigger: { type: 'postback', payloads: ['TALK_TO_AGENT'] },
    actions: [{ type: 'send', text: AGENT }, { type: 'handover' }],
  },
  {
    name: 'Talk to a person (menu)',
    trigger: { type: 'quick_reply', payloads: ['TALK_TO_AGENT'] },
    actions: [{ type: 'send', text: AGENT }, { type: 'handover' }],
  },
];

/**
 * The demo rules on a demo Page that has none (a second start, or a Page whose rules were changed, keeps its own);
 * `withAssistant`: without the keyword rules the assistant covers.
 */
export async function seedDemoAutomations(ctx: AppContext, pageId: string, withAssistant = false): Promise<void> {
  if ((await listAutomations(ctx, cliActor, pageId)).length > 0) return;
  for (const { faqCovers, ...rule } of DEMO_RULES)
    if (!(withAssistant && faqCovers)) await createAutomation(ctx, cliActor, pageId, { ...rule, enabled: true });
}

/**
 * When the assistant comes to a Page that already has the demo rules (a sandbox made before it had one): the keyword
 * rules it covers are disabled, not deleted, so that the assistant answers those questions and a newcomer can still
 * turn a rule back on.
 */
export async function yieldDemoRulesToAssistant(ctx: AppContext, pageId: string): Promise<void> {
  const covered = new Set(DEMO_RULES.filter((r) => r.faqCovers).map((r) => r.name));
  for (const rule of await listAutomations(ctx, cliActor, pageId))
    if (covered.has(rule.name) && rule.enabled) await updateAutomation(ctx, cliActor, rule.id, { enabled: false });
}
