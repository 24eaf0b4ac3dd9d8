import type { AutomationRuleTable } from '../../db/tables/automations.ts';
import type { Action, Trigger } from './rules.policy.ts';

/** A stored rule read back (it was checked when stored). */
export interface Rule {
  id: string;
  page_id: string;
  name: string;
  enabled: boolean;
  trigger: Trigger;
  conditions: unknown;
  actions: Action[];
}

export function ruleOf(row: AutomationRuleTable): Rule {
  return {
    id: row.id,
    page_id: row.page_id,
    name: row.name,
    enabled: row.enabled === 1,
    trigger: JSON.parse(row.trigger) as Trigger,
    conditions: row.conditions === null ? null : (JSON.parse(row.conditions) as unknown),
    actions: JSON.parse(row.actions) as Action[],
  };
}
