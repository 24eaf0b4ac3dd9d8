import type { Kysely } from 'kysely';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

// Automation rules (a Page's own words and settings, stored in the clear like canned responses), the record of every
// rule run (ids and an outcome; unique per rule, contact and run key so that a redelivered event or a second pass of
// the unanswered loop records and acts once), and each Page's automation settings: business hours in its time zone,
// holidays, and where the handover round robin stopped.
export async function up(db: AnyDb): Promise<void> {
  await db.schema
    .createTable('automation_rules')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('page_id', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('enabled', 'integer', (c) => c.notNull())
    .addColumn('trigger_type', 'text', (c) => c.notNull())
    .addColumn('trigger', 'text', (c) => c.notNull())
    .addColumn('conditions', 'text')
    .addColumn('actions', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('automation_rules_page_trigger')
    .on('automation_rules')
    .columns(['page_id', 'trigger_type'])
    .execute();
  await db.schema
    .createTable('automation_runs')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('page_id', 'text', (c) => c.notNull())
    .addColumn('rule_id', 'text', (c) => c.notNull())
    .addColumn('contact_id', 'text', (c) => c.notNull())
    .addColumn('run_key', 'text', (c) => c.notNull())
    .addColumn('outcome', 'text', (c) => c.notNull())
    .addColumn('reason', 'text')
    .addColumn('at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('automation_runs_once')
    .on('automation_runs')
    .columns(['rule_id', 'contact_id', 'run_key'])
    .unique()
    .execute();
  await db.schema.createIndex('automation_runs_rule_at').on('automation_runs').columns(['rule_id', 'at']).execute();
  await db.schema
    .createIndex('automation_runs_contact_at')
    .on('automation_runs')
    .columns(['contact_id', 'at'])
    .execute();
  await db.schema
    .createTable('page_automation_settings')
    .addColumn('page_id', 'text', (c) => c.primaryKey())
    .addColumn('time_zone', 'text', (c) => c.notNull())
    .addColumn('weekly_hours', 'text', (c) => c.notNull())
    .addColumn('holidays', 'text', (c) => c.notNull())
    .addColumn('last_assignee_id', 'text')
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
}
