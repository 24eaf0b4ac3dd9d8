import { sql } from 'kysely';
import type { Executor } from '../../db/types.ts';
import { PreparedQuery } from '../../db/prepared.ts';
import { forgetInTransaction, readOncePerTransaction } from '../../db/transaction-memo.ts';
import type {
  AutomationRuleTable,
  AutomationRunTable,
  PageAutomationSettingsTable,
} from '../../db/tables/automations.ts';

function rule(row: AutomationRuleTable): AutomationRuleTable {
  return {
    ...row,
    enabled: Number(row.enabled),
    created_at: Number(row.created_at),
    updated_at: Number(row.updated_at),
  };
}

export async function listRuleRows(db: Executor, pageId: string): Promise<AutomationRuleTable[]> {
  return (
    await db.selectFrom('automation_rules').selectAll().where('page_id', '=', pageId).orderBy('id').execute()
  ).map(rule);
}

/** A Page's enabled rules in the order they were made: the order they run in. */
// Read for every inbound event: compiled once.
const enabledOfPage = new PreparedQuery<{ pageId: string }, AutomationRuleTable>((db, slot) =>
  db
    .selectFrom('automation_rules')
    .selectAll()
    .where('page_id', '=', slot('pageId'))
    .where('enabled', '=', 1)
    .orderBy('id'),
);

export async function enabledRuleRows(db: Executor, pageId: string): Promise<AutomationRuleTable[]> {
  // Read once per processing transaction and Page (the rule writers below forget it); each caller gets its own copies.
  const rows = await readOncePerTransaction(
    db,
    `automation_rules:${pageId}`,
    async () => (await enabledOfPage.run(db, { pageId })).rows,
  );
  return rows.map(rule);
}

/** Every enabled rule of one trigger type on any Page (the unanswered loop's work list). */
export async function enabledRulesOfType(db: Executor, type: string, limit: number): Promise<AutomationRuleTable[]> {
  const rows = await db
    .selectFrom('automation_rules')
    .selectAll()
    .where('trigger_type', '=', type)
    .where('enabled', '=', 1)
    .orderBy('id')
    .limit(limit)
    .execute();
  return rows.map(rule);
}

export async function countRules(db: Executor, pageId: string): Promise<number> {
  const r = await db
    .selectFrom('automation_rules')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('page_id', '=', pageId)
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

/** One rule of the given Pages (null: any Page); another Page's is simply not found. */
export async function findRule(
  db: Executor,
  id: string,
  pageScope: readonly string[] | null,
): Promise<AutomationRuleTable | undefined> {
  let q = db.selectFrom('automation_rules').selectAll().where('id', '=', id);
  if (pageScope !== null) q = q.where('page_id', 'in', pageScope.length ? [...pageScope] : ['\u0000']);
  const row = await q.executeTakeFirst();
  return row && rule(row);
}

export async function insertRule(db: Executor, row: AutomationRuleTable): Promise<void> {
  await db.insertInto('automation_rules').values(row).execute();
  forgetInTransaction(db, 'automation_rules');
}

export async function updateRuleRow(
  db: Executor,
  id: string,
  set: Partial<Omit<AutomationRuleTable, 'id' | 'page_id' | 'created_at' | 'created_by'>>,
): Promise<void> {
  await db.updateTable('automation_rules').set(set).where('id', '=', id).execute();
  forgetInTransaction(db, 'automation_rules');
}

export async function deleteRuleRow(db: Executor, id: string): Promise<void> {
  await db.deleteFrom('automation_runs').where('rule_id', '=', id).execute();
  await db.deleteFrom('automation_rules').where('id', '=', id).execute();
  forgetInTransaction(db, 'automation_rules');
}

/** Claims a run: false when this rule already ran for this contact under this key (a second pass does nothing). */
export async function claimRun(db: Executor, row: AutomationRunTable): Promise<boolean> {
  const r = await db
    .insertInto('automation_runs')
    .values(row)
    .onConflict((oc) => oc.columns(['rule_id', 'contact_id', 'run_key']).doNothing())
    .executeTakeFirst();
  return Number(r.numInsertedOrUpdatedRows ?? 0n) > 0;
}

export async function settleRun(
  db: Executor,
  id: string,
  outcome: AutomationRunTable['outcome'],
  reason: string | null,
): Promise<void> {
  await db.updateTable('automation_runs').set({ outcome, reason }).where('id', '=', id).execute();
}

/** The contact's latest run of any rule before this moment's runs (its rule and outcome), for the loop guard. */
export async function lastRunOfContact(
  db: Executor,
  contactId: string,
): Promise<Pick<AutomationRunTable, 'rule_id' | 'outcome'> | undefined> {
  return db
    .selectFrom('automation_runs')
    .select(['rule_id', 'outcome'])
    .where('contact_id', '=', contactId)
    .orderBy('at', 'desc')
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
}

/** When this rule last fired for this contact, or null. */
export async function lastFiredAt(db: Executor, ruleId: string, contactId: string): Promise<number | null> {
  const r = await db
    .selectFrom('automation_runs')
    .select((eb) => eb.fn.max('at').as('at'))
    .where('rule_id', '=', ruleId)
    .where('contact_id', '=', contactId)
    .where('outcome', '=', 'fired')
    .executeTakeFirst();
  return r?.at === null || r?.at === undefined ? null : Number(r.at);
}

export async function listRunRows(
  db: Executor,
  ruleId: string,
  before: string | null,
  limit: number,
): Promise<AutomationRunTable[]> {
  let q = db.selectFrom('automation_runs').selectAll().where('rule_id', '=', ruleId).orderBy('id', 'desc').limit(limit);
  if (before) q = q.where('id', '<', before);
  return (await q.execute()).map((r) => ({ ...r, at: Number(r.at) }));
}

/** How many runs of a Page's rules ended in each outcome (refusals by reason), for the sandbox's summary. */
export async function runOutcomeCounts(
  db: Executor,
  pageIds: readonly string[],
): Promise<{ outcome: string; reason: string | null; n: number }[]> {
  if (pageIds.length === 0) return [];
  const rows = await db
    .selectFrom('automation_runs')
    .select(['outcome', 'reason', (eb) => eb.fn.countAll<number>().as('n')])
    .where('page_id', 'in', [...pageIds])
    .groupBy(['outcome', 'reason'])
    .execute();
  return rows.map((r) => ({ outcome: r.outcome, reason: r.reason, n: Number(r.n) }));
}

/** Whether the contact sent exactly one message or press so far: this event is their first. */
export async function inboundCountUpTo(db: Executor, contactId: string, upTo: number): Promise<number> {
  const rows = await db
    .selectFrom('messages')
    .select('id')
    .where('contact_id', '=', contactId)
    .where('direction', '=', 'inbound')
    .limit(upTo)
    .execute();
  return rows.length;
}

/** The contact's own order among the numbers its message names (never another person's: no enumeration). */
export async function ownOrderNamed(
  db: Executor,
  pageId: string,
  contactId: string,
  externalIds: readonly string[],
): Promise<{ external_id: string; status: string } | undefined> {
  if (externalIds.length === 0) return undefined;
  return db
    .selectFrom('orders')
    .select(['external_id', 'status'])
    .where('page_id', '=', pageId)
    .where('contact_id', '=', contactId)
    .where('external_id', 'in', [...externalIds])
    .orderBy('ordered_at', 'desc')
    .executeTakeFirst();
}

/** Conversations handled by the bot that have waited since at or before `before`, with no run of this rule yet. */
export async function waitingConversations(
  db: Executor,
  ruleId: string,
  pageId: string,
  before: number,
  limit: number,
): Promise<{ contact_id: string; waiting_since: number }[]> {
  const rows = await db
    .selectFrom('conversations')
    .select(['conversations.contact_id', 'conversations.waiting_since'])
    .where('conversations.page_id', '=', pageId)
    .where('conversations.handled_by', '=', 'bot')
    .where('conversations.status', 'in', ['open', 'pending'])
    .where('conversations.waiting_since', 'is not', null)
    .where('conversations.waiting_since', '<=', before)
    // Not while another app owns the thread (handover protocol): only the owner may answer.
    .where(({ not, exists, selectFrom }) =>
      not(
        exists(
          selectFrom('contacts')
            .select('contacts.id')
            .whereRef('contacts.id', '=', 'conversations.contact_id')
            .where('contacts.thread_owner_app_id', 'is not', null),
        ),
      ),
    )
    .where(({ not, exists, selectFrom }) =>
      not(
        exists(
          selectFrom('automation_runs')
            .select('automation_runs.id')
            .where('automation_runs.rule_id', '=', ruleId)
            .whereRef('automation_runs.contact_id', '=', 'conversations.contact_id')
            .where(
              'automation_runs.run_key',
              '=',
              sql<string>`${'unanswered:'} || cast(conversations.waiting_since as text)`,
            ),
        ),
      ),
    )
    .orderBy('conversations.waiting_since')
    .limit(limit)
    .execute();
  return rows.map((r) => ({ contact_id: r.contact_id, waiting_since: Number(r.waiting_since) }));
}

export async function findSettings(db: Executor, pageId: string): Promise<PageAutomationSettingsTable | undefined> {
  const row = await db
    .selectFrom('page_automation_settings')
    .selectAll()
    .where('page_id', '=', pageId)
    .executeTakeFirst();
  return row && { ...row, updated_at: Number(row.updated_at) };
}

export async function upsertHours(
  db: Executor,
  row: Omit<PageAutomationSettingsTable, 'last_assignee_id'>,
): Promise<void> {
  await db
    .insertInto('page_automation_settings')
    .values({ ...row, last_assignee_id: null })
    .onConflict((oc) =>
      oc.column('page_id').doUpdateSet({
        time_zone: row.time_zone,
        weekly_hours: row.weekly_hours,
        holidays: row.holidays,
        updated_at: row.updated_at,
      }),
    )
    .execute();
}

export async function setLastAssignee(db: Executor, pageId: string, userId: string, now: number): Promise<void> {
  await db
    .insertInto('page_automation_settings')
    // An empty time zone: business hours not set (the row exists for the round robin alone).
    .values({
      page_id: pageId,
      time_zone: '',
      weekly_hours: '{}',
      holidays: '[]',
      last_assignee_id: userId,
      updated_at: now,
    })
    .onConflict((oc) => oc.column('page_id').doUpdateSet({ last_assignee_id: userId }))
    .execute();
}

/** Enabled operators (id, role, Pages) and how many open conversations of the Page each is assigned. */
export async function operatorsWithLoad(
  db: Executor,
  pageId: string,
): Promise<{ id: string; role: string; pages: string | null; open: number }[]> {
  const users = await db
    .selectFrom('users')
    .select(['id', 'role', 'pages'])
    .where('disabled_at', 'is', null)
    .orderBy('id')
    .execute();
  const loads = await db
    .selectFrom('conversations')
    .select(['assignee_id', (eb) => eb.fn.countAll<number>().as('n')])
    .where('page_id', '=', pageId)
    .where('status', 'in', ['open', 'pending'])
    .where('assignee_id', 'is not', null)
    .groupBy('assignee_id')
    .execute();
  const byId = new Map(loads.map((l) => [l.assignee_id, Number(l.n)]));
  return users.map((u) => ({ id: u.id, role: u.role, pages: u.pages, open: byId.get(u.id) ?? 0 }));
}
