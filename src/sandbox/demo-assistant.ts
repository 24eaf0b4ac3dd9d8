// The demo shop's assistant and Messenger profile, as a newcomer finds them: the demo FAQ as approved entries (real
// ones, to open, change or delete), the assistant switched on with the shop's opening hours and delivery time, and a
// Messenger profile (Get Started, a greeting, ice breakers that ask the FAQ's questions, a persistent menu) pushed to
// Meta (the emulator) like any operator's.
import type { AppContext } from '../kernel/context.ts';
import { cliActor } from '../modules/access/actor.ts';
import { createFaq, listFaq, updateAssistantSettings } from '../modules/assistant/faq.ts';
import { putMessengerProfile } from '../modules/messenger-profile/messenger-profile.ts';
import { GET_STARTED_PAYLOAD } from '../modules/automations/rules.policy.ts';
import { DEMO_FAQ } from './demo-faq.ts';

export const DEMO_OPENING_HOURS = 'Monday to Saturday, 9:00 to 19:00';
export const DEMO_DELIVERY_DAYS = 3;

const question = (key: string) => DEMO_FAQ.find((e) => e.key === key)!.question;

/** The FAQ entries whose questions the ice breakers ask (a tap is answered by the assistant from the entry). */
export const ICE_BREAKER_KEYS = ['hours', 'shipping', 'returns', 'order_status'] as const;

/**
 * The demo shop's Messenger profile. Ice breakers and the menu's questions carry payloads no rule takes: the
 * assistant reads the question and answers from its entry. "Talk to a person" is the demo rule's payload.
 */
export const DEMO_PROFILE = {
  get_started: { payload: GET_STARTED_PAYLOAD },
  greeting: [
    { locale: 'default', text: 'Hi {{user_first_name}}! Ask us about opening hours, shipping, returns or your order.' },
    { locale: 'fr_FR', text: 'Bonjour {{user_first_name}} ! Horaires, livraison, retours, commandes : demandez-nous.' },
    { locale: 'es_ES', text: '¡Hola {{user_first_name}}! Pregúntanos por horarios, envíos, devoluciones o tu pedido.' },
  ],
  ice_breakers: [
    {
      locale: 'default',
      call_to_actions: ICE_BREAKER_KEYS.map((key) => ({
        question: question(key),
        payload: `FAQ_${key.toUpperCase()}`,
      })),
    },
  ],
  persistent_menu: [
    {
      locale: 'default',
      call_to_actions: [
        { type: 'postback', title: question('order_status'), payload: 'MENU_ORDER' },
        { type: 'postback', title: question('returns'), payload: 'MENU_RETURNS' },
        { type: 'postback', title: 'Talk to a person', payload: 'TALK_TO_AGENT' },
        { type: 'web_url', title: 'Visit the shop', url: 'https://shop.example.com/' },
      ],
    },
  ],
};

/**
 * Loads the demo FAQ as approved entries of the shop Page (an entry whose question the Page has already is left as
 * it is), turns the assistant on and sets the Messenger profile. The caller runs it once per data dir: afterwards
 * the entries, settings and profile are the operator's, and a restart does not undo their edits or deletions.
 */
export async function seedDemoAssistant(ctx: AppContext, pageId: string): Promise<void> {
  const existing = new Set((await listFaq(ctx, cliActor, pageId)).map((e) => e.question));
  for (const e of DEMO_FAQ) {
    if (existing.has(e.question)) continue;
    await createFaq(ctx, cliActor, pageId, {
      question: e.question,
      phrases: e.phrases,
      answer: e.answer,
      personal: e.personal ?? null,
      status: 'approved',
    });
  }
  await updateAssistantSettings(ctx, cliActor, pageId, {
    enabled: true,
    opening_hours: DEMO_OPENING_HOURS,
    delivery_days: DEMO_DELIVERY_DAYS,
  });
  await putMessengerProfile(ctx, cliActor, pageId, DEMO_PROFILE);
}
