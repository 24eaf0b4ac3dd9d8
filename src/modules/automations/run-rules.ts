// The rules engine: an inbound hook inside the processing transaction (so a rule's sends and changes commit with the
// event or not at all, and a redelivered event runs nothing again), and a background loop for the unanswered
// trigger. Rules never act on a conversation people handle, run at most once per rule, contact and event (or
// waiting period), and never trigger one another: actions do not feed back into the engine, and the Page's echoes
// of its own sends run no hook. A rule that offers the very payload that triggers it (a "menu again" button) stops
// after one pass: it does not answer its own button twice in a row.
import type { Transaction } from 'kysely';
import type { AppContext } from '../../kernel/context.ts';
import type { InboundEventContext, InboundHooks } from '../../kernel/inbound-hooks.ts';
import type { DB } from '../../db/types.ts';
import type { ContactTable } from '../../db/tables/conversations.ts';
import type { AutomationRunTable } from '../../db/tables/automations.ts';
import { AppError } from '../../errors.ts';
import { newId } from '../../lib/ids.ts';
import { startLoop, type BackgroundWorker } from '../../kernel/loop.ts';
import { consentKeywordOf } from '../consent/page-keywords.ts';
import { findContactById } from '../contacts/contacts.repository.ts';
import { findConversationOfContact } from '../conversations/conversations.repository.ts';
import { segmentIncludesContact } from '../segments/segments.ts';
import {
  claimRun,
  enabledRuleRows,
  enabledRulesOfType,
  findSettings,
  inboundCountUpTo,
  lastFiredAt,
  lastRunOfContact,
  ownOrderNamed,
  settleRun,
  waitingConversations,
} from './automations.repository.ts';
import { businessHoursOf } from './business-hours.ts';
import { isOpenAt } from './business-hours.policy.ts';
import { eventTriggerMatches, offeredPayloads, orderNumberCandidates, type InboundFacts } from './rules.policy.ts';
import { runActions, type ActionRun } from './rule-actions.ts';
import { ruleOf, type Rule } from './rule.ts';

export const AUTOMATIONS_HOOK_NAME = 'automations';
export const DEFAULT_REPLY_HOOK_NAME = 'automations-default';

/**
 * Registers the rules engine on inbound events (after consent keywords: a STOP is never answered by a rule): the
 * rules with a trigger of their own now, and the default reply as a second hook, which `registerFallbackHook` places
 * after whatever else may answer (the assistant), so it only speaks when nothing did.
 */
export function registerAutomationsHook(hooks: InboundHooks): void {
  hooks.register(AUTOMATIONS_HOOK_NAME, (e) => runRulesOnEvent(e, 'triggered'));
}

export function registerDefaultReplyHook(hooks: InboundHooks): void {
  hooks.register(DEFAULT_REPLY_HOOK_NAME, (e) => runRulesOnEvent(e, 'default'));
}

function factsOf(e: InboundEventContext): InboundFacts | null {
  const ev = e.event;
  if (ev.kind === 'message')
    return {
      kind: 'message',
      text: ev.quickReplyPayload === undefined ? (ev.text ?? null) : null,
      postbackPayload: null,
      quickReplyPayload: ev.quickReplyPayload ?? null,
      refs: ev.referral?.ref ? [ev.referral.ref] : [],
    };
  if (ev.kind === 'postback')
    return {
      kind: 'postback',
      text: null,
      postbackPayload: ev.payload ?? null,
      quickReplyPayload: null,
      refs: ev.referral?.ref ? [ev.referral.ref] : [],
    };
  if (ev.kind === 'referral')
    return {
      kind: 'referral',
      text: null,
      postbackPayload: null,
      quickReplyPayload: null,
      refs: ev.ref ? [ev.ref] : [],
    };
  return null;
}

interface Candidate {
  rule: Rule;
  vars: ActionRun['vars'];
}

/** The inbound hook: which rules this event triggers, then each one's run. */
// The Page's enabled rules, read once per event: both phases run on the same event object.
const rulesOfEvent = new WeakMap<InboundEventContext, Promise<Rule[]>>();
function pageRulesOf(e: InboundEventContext): Promise<Rule[]> {
  let rules = rulesOfEvent.get(e);
  if (!rules) {
    rules = enabledRuleRows(e.trx, e.contact.page_id).then((rows) => rows.map(ruleOf));
    rulesOfEvent.set(e, rules);
  }
  return rules;
}

/**
 * Runs the Page's rules on one event: in the `triggered` phase those with a trigger of their own (and marks the event
 * answered when one matched), in the `default` phase the default reply, when no rule matched and no other hook
 * answered.
 */
export async function runRulesOnEvent(e: InboundEventContext, phase: 'triggered' | 'default'): Promise<void> {
  const facts = factsOf(e);
  if (facts === null || e.contact.status === 'erased') return;
  if (phase === 'default' && e.answered) return;
  const { ctx, trx, contact } = e;
  const rules = (await pageRulesOf(e)).filter(
    (r) => r.trigger.type !== 'unanswered' && (r.trigger.type === 'default') === (phase === 'default'),
  );
  if (rules.length === 0) return;
  // A consent keyword is the consent module's to answer, never a rule's.
  if (facts.text !== null && (await consentKeywordOf(e, facts.text)) !== null) return;
  const now = ctx.clock.now();
  const matched: Candidate[] = [];
  for (const rule of rules) {
    const vars = await triggerMatches(ctx, trx, contact, rule, facts, now);
    if (vars !== null) matched.push({ rule, vars });
  }
  const due = matched;
  if (due.length === 0) return;
  e.answered = true;
  const conversation = await findConversationOfContact(trx, contact.id);
  const previous = await lastRunOfContact(trx, contact.id);
  const payload = facts.postbackPayload ?? facts.quickReplyPayload;
  for (const { rule, vars } of due) {
    let pre: Pick<AutomationRunTable, 'outcome' | 'reason'> | null = null;
    if (conversation?.handled_by === 'human') pre = { outcome: 'skipped_human', reason: null };
    else if (payload !== null && previous?.rule_id === rule.id && offeredPayloads(rule.actions).has(payload))
      pre = { outcome: 'loop_stopped', reason: null };
    await runRule(ctx, trx, contact, rule, e.event.idempotencyKey, vars, pre);
  }
}

/** Whether a rule's trigger matches this event, with the variables its sends may use; null when it does not. */
async function triggerMatches(
  ctx: AppContext,
  trx: Transaction<DB>,
  contact: ContactTable,
  rule: Rule,
  facts: InboundFacts,
  now: number,
): Promise<ActionRun['vars'] | null> {
  const t = rule.trigger;
  switch (t.type) {
    case 'first_message':
      return facts.kind !== 'referral' && (await inboundCountUpTo(trx, contact.id, 2)) === 1 ? {} : null;
    case 'outside_hours': {
      if (facts.kind === 'referral') return null;
      const hours = businessHoursOf(await findSettings(trx, contact.page_id));
      return hours !== null && !isOpenAt(hours, now) ? {} : null;
    }
    case 'order_status': {
      if (facts.text === null) return null;
      const order = await ownOrderNamed(trx, contact.page_id, contact.id, orderNumberCandidates(facts.text));
      return order ? { 'order.number': order.external_id, 'order.status': order.status } : null;
    }
    case 'default':
      return facts.kind === 'message' ? {} : null;
    default:
      return eventTriggerMatches(t, facts) ? {} : null;
  }
}

/**
 * One run of one rule for one contact under a key (an inbound event, a waiting period): recorded once, whatever
 * happens (a second pass finds the record and does nothing). `pre` is an outcome decided before any check.
 */
async function runRule(
  ctx: AppContext,
  trx: Transaction<DB>,
  contact: ContactTable,
  rule: Rule,
  runKey: string,
  vars: ActionRun['vars'],
  pre: Pick<AutomationRunTable, 'outcome' | 'reason'> | null,
): Promise<void> {
  const now = ctx.clock.now();
  let verdict = pre;
  const t = rule.trigger;
  if (verdict === null && (t.type === 'default' || t.type === 'outside_hours') && t.cap_minutes > 0) {
    const last = await lastFiredAt(trx, rule.id, contact.id);
    if (last !== null && now - last < t.cap_minutes * 60_000) verdict = { outcome: 'capped', reason: null };
  }
  if (verdict === null && rule.conditions !== null) {
    try {
      if (!(await segmentIncludesContact(ctx, trx, contact.page_id, rule.conditions, contact.id)))
        verdict = { outcome: 'conditions_unmet', reason: null };
    } catch (err) {
      // The filter names an attribute the Page has since removed: the rule cannot hold for anyone.
      if (!(err instanceof AppError)) throw err;
      verdict = { outcome: 'conditions_unmet', reason: 'conditions_invalid' };
    }
  }
  const id = newId('ar', now);
  const claimed = await claimRun(trx, {
    id,
    page_id: contact.page_id,
    rule_id: rule.id,
    contact_id: contact.id,
    run_key: runKey.slice(0, 250),
    outcome: verdict?.outcome ?? 'fired',
    reason: verdict?.reason ?? null,
    at: now,
  });
  if (!claimed || verdict !== null) return;
  const done = await runActions({ ctx, trx, contact, rule, runKey, vars });
  if (done.outcome !== 'fired' || done.reason !== null) await settleRun(trx, id, done.outcome, done.reason);
}

/**
 * The unanswered trigger: conversations the bot handles whose oldest unanswered message is older than the rule's
 * minutes, each once per waiting period (an answer ends the period, the next message starts a new one). Returns
 * how many runs it made.
 */
export async function runUnansweredRules(ctx: AppContext, limit = 100): Promise<number> {
  const now = ctx.clock.now();
  let done = 0;
  for (const rule of (await enabledRulesOfType(ctx.db, 'unanswered', 1000)).map(ruleOf)) {
    if (rule.trigger.type !== 'unanswered') continue;
    const before = now - rule.trigger.minutes * 60_000;
    for (const w of await waitingConversations(ctx.db, rule.id, rule.page_id, before, limit)) {
      await ctx.db.transaction().execute(async (trx) => {
        const conversation = await findConversationOfContact(trx, w.contact_id);
        const contact = await findContactById(trx, w.contact_id, null);
        if (!conversation || !contact || contact.status === 'erased') return;
        // Moved on since the list was read (answered, handed over): not this period any more.
        if (conversation.handled_by !== 'bot' || conversation.waiting_since !== w.waiting_since) return;
        await runRule(ctx, trx, contact, rule, `unanswered:${w.waiting_since}`, {}, null);
      });
      done++;
    }
  }
  return done;
}

export function startAutomationWorkers(ctx: AppContext, opts: { idleMs?: number } = {}): BackgroundWorker[] {
  return [
    startLoop({ name: 'automations-unanswered', logger: ctx.logger, idleMs: opts.idleMs ?? 15_000 }, () =>
      runUnansweredRules(ctx),
    ),
  ];
}
