import type { AutomationRunTable } from '../../db/tables/automations.ts';
import type { Rule } from './rule.ts';

const iso = (ms: number) => new Date(ms).toISOString();

/** A rule as the API shows it: the contract's shape, and when it was made and last changed. */
export function presentRule(rule: Rule, row: { created_at: number; updated_at: number }) {
  return {
    id: rule.id,
    page_id: rule.page_id,
    name: rule.name,
    enabled: rule.enabled,
    trigger: rule.trigger,
    conditions: (rule.conditions ?? null) as object | null,
    actions: rule.actions,
    created_at: iso(row.created_at),
    updated_at: iso(row.updated_at),
  };
}
export type RuleView = ReturnType<typeof presentRule>;

/** One run: ids, the outcome and its reason code; never a message or a run key (an event's key names a person's mid). */
export function presentRun(row: AutomationRunTable) {
  return {
    id: row.id,
    rule_id: row.rule_id,
    contact_id: row.contact_id,
    outcome: row.outcome,
    reason: row.reason,
    at: iso(row.at),
  };
}
export type RunView = ReturnType<typeof presentRun>;
