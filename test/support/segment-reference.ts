import type { Condition, Scalar, SegmentNode } from '../../src/modules/segments/segment-filter.ts';
import type { WorldAttributeDef, WorldContact } from './audience.ts';

// The filter language's meaning, written a second time, plainly, over the in-memory model: the SQL must agree with
// it for every filter and every audience. It shares nothing with the compiler but the parsed tree.

const DAY = 86_400_000;
const HOUR = 3_600_000;

function windowOf(c: WorldContact, now: number): string {
  if (c.lastUserActionAt === null) return 'closed';
  const elapsed = now - c.lastUserActionAt;
  if (elapsed < 24 * HOUR) return 'open';
  if (elapsed < 7 * 24 * HOUR) return 'human_agent';
  return 'closed';
}

/** A scalar compared as the op says; null (no value) meets no comparison. */
function compareValue(actual: Scalar | null, cond: Condition, now: number): boolean {
  if (actual === null) return false;
  const v = cond.values[0]!;
  switch (cond.op) {
    case 'eq':
    case 'neq':
    case 'in':
    case 'nin':
      return cond.values.includes(actual);
    case 'gt':
      return actual > v;
    case 'gte':
      return actual >= v;
    case 'lt':
      return actual < v;
    case 'lte':
      return actual <= v;
    case 'within_days':
      return (actual as number) >= now - (v as number) * DAY;
    case 'before_days':
      return (actual as number) < now - (v as number) * DAY;
    case 'contains':
      return String(actual).includes(String(v));
    case 'exists':
      return true;
  }
}

function anyOf(list: readonly string[], cond: Condition): boolean {
  return cond.op === 'exists' ? list.length > 0 : list.some((x) => cond.values.includes(x));
}

/** The condition in its positive form: eq/in for neq/nin, "has" for exists. */
function positive(c: WorldContact, cond: Condition, defs: Map<string, WorldAttributeDef>, now: number): boolean {
  const t = cond.target;
  switch (t.kind) {
    case 'tag':
      return anyOf(c.tags, cond);
    case 'interest':
      return anyOf(c.interests, cond);
    case 'order_items': {
      const values = c.orders.flatMap((o) => o.items.map((i) => i[t.column])).filter((v): v is string => v !== null);
      return anyOf(values, cond);
    }
    case 'column': {
      const actual = {
        locale: c.locale,
        timezone: c.timezone,
        status: c.status,
        consent_marketing: c.consentMarketing,
      }[t.column];
      return cond.op === 'exists' ? actual !== null : compareValue(actual, cond, now);
    }
    case 'time': {
      const actual = t.column === 'created_at' ? c.createdAt : c.lastUserActionAt;
      return cond.op === 'exists' ? actual !== null : compareValue(actual, cond, now);
    }
    case 'window':
      return cond.values.includes(windowOf(c, now));
    case 'attribute': {
      const def = defs.get(t.key)!;
      const actual = Object.hasOwn(c.attributes, t.key) ? c.attributes[t.key]! : null;
      if (cond.op === 'exists') return actual !== null;
      if (actual === null) return false;
      if (def.personal) {
        const norm = (v: Scalar) => String(v).trim().toLowerCase();
        return cond.values.some((v) => norm(v) === norm(actual));
      }
      if (def.type === 'list') return (JSON.parse(String(actual)) as string[]).includes(String(cond.values[0]));
      const values = def.type === 'boolean' ? cond.values.map((v) => (v ? 1 : 0)) : cond.values;
      return compareValue(actual, { ...cond, values }, now);
    }
    case 'orders': {
      if (t.agg === 'last_at') {
        const last = c.orders.length === 0 ? null : Math.max(...c.orders.map((o) => o.orderedAt));
        return cond.op === 'exists' ? last !== null : compareValue(last, cond, now);
      }
      const n = t.agg === 'count' ? c.orders.length : c.orders.reduce((s, o) => s + o.total, 0);
      return compareValue(n, cond, now);
    }
  }
}

export function referenceMatches(
  c: WorldContact,
  node: SegmentNode,
  defs: Map<string, WorldAttributeDef>,
  now: number,
): boolean {
  switch (node.kind) {
    case 'all':
      return node.items.every((n) => referenceMatches(c, n, defs, now));
    case 'any':
      return node.items.some((n) => referenceMatches(c, n, defs, now));
    case 'not':
      return !referenceMatches(c, node.item, defs, now);
    case 'cond': {
      const p = positive(c, node, defs, now);
      if (node.op === 'exists') return node.exists ? p : !p;
      return node.op === 'neq' || node.op === 'nin' ? !p : p;
    }
  }
}

/** The ids a segment holds by the reference: never erased, never merged. */
export function referenceSegment(
  contacts: readonly WorldContact[],
  node: SegmentNode,
  defs: readonly WorldAttributeDef[],
  now: number,
): string[] {
  const byKey = new Map(defs.map((d) => [d.key, d]));
  return contacts
    .filter((c) => c.status !== 'erased' && c.mergedInto === null && referenceMatches(c, node, byKey, now))
    .map((c) => c.id)
    .sort();
}
