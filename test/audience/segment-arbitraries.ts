import fc from 'fast-check';
import type { ContactSketch, WorldAttributeDef, WorldContact } from '../support/audience.ts';

// Random audiences and random filters drawn from the same small vocabularies, with times on and beside the
// boundaries (24 hours, 7 days, 90 days), so that filters often match someone and edges get exercised.

const DAY = 86_400_000;
const HOUR = 3_600_000;

export const DEFS: WorldAttributeDef[] = [
  { key: 'points', type: 'number', personal: false },
  { key: 'birthday', type: 'date', personal: false },
  { key: 'member', type: 'boolean', personal: false },
  { key: 'city', type: 'text', personal: false },
  { key: 'colors', type: 'list', personal: false },
  { key: 'email', type: 'text', personal: true },
];

const TAGS = ['vip', 'new', 'churn risk', 'b2b'];
const LOCALES = ['en_US', 'fr_FR', 'de_DE'];
const ZONES = [-5, 0, 1, 9];
const AGES = [
  0,
  HOUR,
  24 * HOUR - 1,
  24 * HOUR,
  24 * HOUR + 1,
  3 * DAY,
  7 * DAY - 1,
  7 * DAY,
  7 * DAY + 1,
  30 * DAY,
  90 * DAY,
  91 * DAY,
];
const TOTALS = [0, 10, 12.5, 99.75];
const SKUS = ['sku-1', 'sku-2', 'sku-3'];
const CATEGORIES = ['shoes', 'hats'];
const INTERESTS = ['category:shoes', 'payload:SALE', 'ref:ad1'];
const CITIES = ['Paris', 'paris', 'Lyon', 'Marseille'];
const COLORS = ['red', 'blue', 'green'];
const EMAILS = ['Ann@example.com', 'ann@example.com ', 'bob@example.org'];
const POINTS = [0, 10, 50, 100, 150];
const DAYS = [0, 1, 7, 30, 90];

const maybe = <T>(a: fc.Arbitrary<T>) => fc.option(a, { nil: null });
const sub = <T>(xs: T[]) => fc.subarray(xs);

/** Contacts without ids: the property gives each run's contacts fresh ones (a shrink replays the same sketches). */
export function contactsArb(now: number): fc.Arbitrary<ContactSketch[]> {
  const order = fc.record({
    total: fc.constantFrom(...TOTALS),
    orderedAt: fc.constantFrom(...AGES).map((a) => now - a),
    items: fc.array(fc.record({ sku: fc.constantFrom(...SKUS), category: maybe(fc.constantFrom(...CATEGORIES)) }), {
      maxLength: 2,
    }),
  });
  const attributes = fc
    .record(
      {
        points: fc.constantFrom(...POINTS),
        birthday: fc.constantFrom(...AGES).map((a) => now - a),
        member: fc.constantFrom(0, 1),
        city: fc.constantFrom(...CITIES),
        colors: sub(COLORS).map((xs) => JSON.stringify(xs)),
        email: fc.constantFrom(...EMAILS),
      },
      { requiredKeys: [] },
    )
    .map((r) => r as Record<string, string | number>);
  const contact = fc.record({
    locale: maybe(fc.constantFrom(...LOCALES)),
    timezone: maybe(fc.constantFrom(...ZONES)),
    status: fc.constantFrom('active', 'active', 'unreachable', 'erased') as fc.Arbitrary<WorldContact['status']>,
    consentMarketing: fc.constantFrom('none', 'granted', 'withdrawn') as fc.Arbitrary<WorldContact['consentMarketing']>,
    lastUserActionAt: maybe(fc.constantFrom(...AGES).map((a) => now - a)),
    createdAt: fc.constantFrom(...AGES).map((a) => now - a),
    mergedInto: fc.constantFrom(null, null, null, 'ct_survivor'),
    tags: sub(TAGS),
    attributes,
    orders: fc.array(order, { maxLength: 3 }),
    interests: sub(INTERESTS),
  });
  return fc.array(contact, { maxLength: 16 });
}

type Raw = Record<string, unknown>;
const cond = (field: string, op: string, value?: unknown): Raw =>
  value === undefined ? { field, op } : { field, op, value };

/** Conditions of one field: each op it takes, with values from the field's vocabulary (some matching no one). */
function conditionsOf(field: string, values: fc.Arbitrary<unknown>, ops: string[]): fc.Arbitrary<Raw> {
  return fc.constantFrom(...ops).chain((op) => {
    if (op === 'exists') return fc.option(fc.boolean(), { nil: undefined }).map((v) => cond(field, op, v));
    if (op === 'in' || op === 'nin')
      return fc.array(values, { minLength: 1, maxLength: 3 }).map((v) => cond(field, op, v));
    if (op === 'within_days' || op === 'before_days') return fc.constantFrom(...DAYS).map((v) => cond(field, op, v));
    return values.map((v) => cond(field, op, v));
  });
}

export function filterArb(now: number): fc.Arbitrary<unknown> {
  const iso = fc.constantFrom(...AGES).map((a) => new Date(now - a).toISOString());
  const set = ['eq', 'neq', 'in', 'nin', 'exists'];
  const num = ['eq', 'neq', 'in', 'nin', 'gt', 'gte', 'lt', 'lte'];
  const date = ['gt', 'gte', 'lt', 'lte', 'within_days', 'before_days', 'exists'];
  const leaf = fc.oneof(
    conditionsOf('tag', fc.constantFrom(...TAGS, ' VIP ', 'Churn   Risk', 'nobody'), set),
    conditionsOf('locale', fc.constantFrom(...LOCALES, 'es_ES'), set),
    conditionsOf('timezone', fc.constantFrom(...ZONES), [...num, 'exists']),
    conditionsOf('status', fc.constantFrom('active', 'unreachable'), ['eq', 'neq', 'in', 'nin']),
    conditionsOf('consent.marketing', fc.constantFrom('none', 'granted', 'withdrawn'), ['eq', 'neq', 'in', 'nin']),
    conditionsOf('window', fc.constantFrom('open', 'human_agent', 'closed'), ['eq', 'neq', 'in', 'nin']),
    conditionsOf('last_user_action_at', iso, date),
    conditionsOf('created_at', iso, date),
    conditionsOf('orders.count', fc.constantFrom(0, 1, 2, 3), num),
    conditionsOf('orders.total', fc.constantFrom(0, 10, 22.5, 100), num),
    conditionsOf('orders.last_at', iso, date),
    conditionsOf('orders.sku', fc.constantFrom(...SKUS, 'sku-9'), set),
    conditionsOf('orders.category', fc.constantFrom(...CATEGORIES, 'bags'), set),
    conditionsOf('interest', fc.constantFrom(...INTERESTS, 'ref:none'), ['eq', 'in', 'exists']),
    conditionsOf('attribute.points', fc.constantFrom(...POINTS, 75), [...num, 'exists']),
    conditionsOf('attribute.birthday', iso, date),
    conditionsOf('attribute.member', fc.boolean(), ['eq', 'neq', 'exists']),
    conditionsOf('attribute.city', fc.constantFrom(...CITIES, 'ar', 'Par'), [...set, 'contains']),
    conditionsOf('attribute.colors', fc.constantFrom(...COLORS, 'black'), ['contains', 'exists']),
    conditionsOf('attribute.email', fc.constantFrom(...EMAILS, ' ANN@EXAMPLE.COM', 'eve@example.net'), set),
  );
  const tree = fc.letrec<{ node: unknown }>((tie) => ({
    node: fc.oneof(
      { maxDepth: 4, depthIdentifier: 'filter', withCrossShrink: true },
      leaf,
      fc.array(tie('node'), { maxLength: 3 }).map((all) => ({ all })),
      fc.array(tie('node'), { maxLength: 3 }).map((any) => ({ any })),
      tie('node').map((not) => ({ not })),
    ),
  }));
  return tree.node;
}
