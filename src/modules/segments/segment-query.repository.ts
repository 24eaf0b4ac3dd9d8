import { sql, type Expression, type ExpressionBuilder, type SqlBool } from 'kysely';
import type { DB, Dialect } from '../../db/types.ts';
import { HUMAN_AGENT_WINDOW_MS, WINDOW_MS } from '../messaging/send.policy.ts';
import type { Condition, Scalar, SegmentNode } from './segment-filter.ts';

// A segment's filter compiled to one WHERE over `contacts`, every value a bound parameter. A condition on another
// table is an EXISTS probing an index by contact; one condition of the top level (the most selective kind there is,
// by a fixed ranking: tags first) is instead `contacts.id IN (subquery)` on an index that starts with the Page, so
// that both databases walk that index and probe the rest for its contacts only, rather than every contact of the
// Page. Each compiled predicate is two-valued (never NULL), so that NOT of a condition is exactly its complement: a
// contact without a value is not equal to anything, is "not equal" to everything, and is in no range.

export const DAY_MS = 86_400_000;

type EB = ExpressionBuilder<DB, 'contacts'>;
type Bool = Expression<SqlBool>;

/** What compiling needs besides the tree: the Page, the time "now" (window, days) and the blind index of a value. */
export interface SegmentQueryContext {
  pageId: string;
  now: number;
  dialect: Dialect;
  /** The blind index a personal attribute's value is stored under (attributeBlindIndex). */
  attributeIndex: (key: string, value: string) => string;
}

const TRUE = sql<SqlBool>`1 = 1`;
const FALSE = sql<SqlBool>`1 = 0`;

/** eq/neq/in/nin share one positive form ("is one of the values"); the negative ops are its complement. */
const NEGATED = new Set(['neq', 'nin']);

/** How a condition on another table reaches it: a correlated EXISTS, or the list of ids that drives the query. */
type Mode = 'exists' | 'in';

/** Which top-level condition drives the query: one that holds few contacts and is an index range by Page. */
const DRIVER_RANK: Record<string, number> = { tag: 1, interest: 2, order_items: 3, attribute: 4, orders: 5 };

function driverRank(node: SegmentNode): number {
  if (node.kind !== 'cond' || NEGATED.has(node.op) || (node.op === 'exists' && !node.exists)) return 0;
  const t = node.target;
  if (t.kind === 'orders' && (t.agg !== 'last_at' || ['lt', 'lte', 'before_days'].includes(node.op))) return 0;
  const rank = DRIVER_RANK[t.kind] ?? 0;
  // An equality narrows more than a range or "has any".
  return rank === 0 ? 0 : rank * 2 + (['eq', 'in'].includes(node.op) ? 0 : 1);
}

function compileTop(eb: EB, node: SegmentNode, c: SegmentQueryContext): Bool {
  const items = node.kind === 'all' ? node.items : [node];
  const ranks = items.map(driverRank);
  const best = ranks.reduce((b, r, i) => (r > 0 && (b < 0 || r < ranks[b]!) ? i : b), -1);
  if (best < 0) return compileNode(eb, node, c);
  const parts = items.map((n, i) =>
    i === best ? compileCondition(eb, n as Condition, c, 'in') : compileNode(eb, n, c),
  );
  return parts.length === 1 ? parts[0]! : eb.and(parts);
}

function compileNode(eb: EB, node: SegmentNode, c: SegmentQueryContext): Bool {
  switch (node.kind) {
    case 'all':
      return node.items.length === 0 ? TRUE : eb.and(node.items.map((n) => compileNode(eb, n, c)));
    case 'any':
      return node.items.length === 0 ? FALSE : eb.or(node.items.map((n) => compileNode(eb, n, c)));
    case 'not':
      return eb.not(compileNode(eb, node.item, c));
    case 'cond': {
      const positive = compileCondition(eb, node, c, 'exists');
      if (node.op === 'exists') return node.exists ? positive : eb.not(positive);
      return NEGATED.has(node.op) ? eb.not(positive) : positive;
    }
  }
}

/** `col` compared as the op says; the caller has excluded NULL. eq/neq/in/nin all become "in the values". */
function compare(eb: EB, col: Expression<unknown>, op: Condition['op'], values: Scalar[]): Bool {
  const v = values[0]!;
  switch (op) {
    case 'eq':
    case 'neq':
    case 'in':
    case 'nin':
      return values.length === 1 ? eb(col, '=', v) : eb(col, 'in', values);
    case 'gt':
      return eb(col, '>', v);
    case 'gte':
      return eb(col, '>=', v);
    case 'lt':
      return eb(col, '<', v);
    case 'lte':
      return eb(col, '<=', v);
    default:
      throw new Error(`compare: ${op}`);
  }
}

/** A time compared as the op says: ranges on epoch ms, within_days = at or after now − N days, before_days = before. */
function compareTime(eb: EB, col: Expression<unknown>, cond: Condition, now: number): Bool {
  if (cond.op === 'within_days') return eb(col, '>=', now - (cond.values[0] as number) * DAY_MS);
  if (cond.op === 'before_days') return eb(col, '<', now - (cond.values[0] as number) * DAY_MS);
  return compare(eb, col, cond.op, cond.values);
}

function compileCondition(eb: EB, cond: Condition, c: SegmentQueryContext, mode: Mode): Bool {
  const t = cond.target;
  const values = cond.values;
  switch (t.kind) {
    case 'tag': {
      let sub = eb
        .selectFrom('contact_tags')
        .select('contact_tags.contact_id')
        .where('contact_tags.page_id', '=', c.pageId);
      if (cond.op !== 'exists') sub = sub.where('contact_tags.tag', 'in', values as string[]);
      return mode === 'in'
        ? eb('contacts.id', 'in', sub)
        : eb.exists(sub.whereRef('contact_tags.contact_id', '=', 'contacts.id'));
    }
    case 'interest': {
      let sub = eb
        .selectFrom('contact_interests')
        .select('contact_interests.contact_id')
        .where('contact_interests.page_id', '=', c.pageId);
      if (cond.op !== 'exists') sub = sub.where('contact_interests.interest', 'in', values as string[]);
      return mode === 'in'
        ? eb('contacts.id', 'in', sub)
        : eb.exists(sub.whereRef('contact_interests.contact_id', '=', 'contacts.id'));
    }
    case 'order_items': {
      const col = `order_items.${t.column}` as const;
      let sub = eb
        .selectFrom('order_items')
        .select('order_items.contact_id')
        .where('order_items.page_id', '=', c.pageId)
        .where('order_items.contact_id', 'is not', null);
      sub = cond.op === 'exists' ? sub.where(col, 'is not', null) : sub.where(col, 'in', values as string[]);
      return mode === 'in'
        ? eb('contacts.id', 'in', sub)
        : eb.exists(sub.whereRef('order_items.contact_id', '=', 'contacts.id'));
    }
    case 'column': {
      const col = eb.ref(`contacts.${t.column}`);
      return cond.op === 'exists'
        ? eb(col, 'is not', null)
        : eb.and([eb(col, 'is not', null), compare(eb, col, cond.op, values)]);
    }
    case 'time': {
      const col = eb.ref(`contacts.${t.column}`);
      return cond.op === 'exists'
        ? eb(col, 'is not', null)
        : eb.and([eb(col, 'is not', null), compareTime(eb, col, cond, c.now)]);
    }
    case 'window':
      return eb.or(values.map((state) => windowState(eb, state as string, c.now)));
    case 'attribute': {
      const sub = attributeSubquery(eb, cond, c);
      return mode === 'in'
        ? eb('contacts.id', 'in', sub)
        : eb.exists(sub.whereRef('contact_attributes.contact_id', '=', 'contacts.id'));
    }
    case 'orders':
      return ordersCondition(eb, cond, c, mode);
  }
}

/** Open: the person acted in the last 24 hours; human_agent: in the last 7 days but not 24 hours; else closed. */
function windowState(eb: EB, state: string, now: number): Bool {
  const at = eb.ref('contacts.last_user_action_at');
  const known = eb(at, 'is not', null);
  if (state === 'open') return eb.and([known, eb(at, '>', now - WINDOW_MS)]);
  if (state === 'human_agent')
    return eb.and([known, eb(at, '<=', now - WINDOW_MS), eb(at, '>', now - HUMAN_AGENT_WINDOW_MS)]);
  return eb.or([eb(at, 'is', null), eb(at, '<=', now - HUMAN_AGENT_WINDOW_MS)]);
}

function attributeSubquery(eb: EB, cond: Condition, c: SegmentQueryContext) {
  if (cond.target.kind !== 'attribute') throw new Error('attributeSubquery: not an attribute');
  const { key, type, personal } = cond.target;
  const sub = eb
    .selectFrom('contact_attributes')
    .select('contact_attributes.contact_id')
    .where('contact_attributes.page_id', '=', c.pageId)
    .where('contact_attributes.key', '=', key);
  if (personal) {
    if (cond.op === 'exists') return sub.where('contact_attributes.value_bidx', 'is not', null);
    const indexes = cond.values.map((v) => c.attributeIndex(key, String(v)));
    return sub.where('contact_attributes.value_bidx', 'in', indexes);
  }
  const textual = type === 'text' || type === 'list';
  const col = textual ? 'contact_attributes.value_text' : 'contact_attributes.value_num';
  if (cond.op === 'exists') return sub.where(col, 'is not', null);
  if (cond.op === 'contains') {
    const v = String(cond.values[0]);
    const text = sql.ref('contact_attributes.value_text');
    if (type === 'text')
      return sub.where(
        c.dialect === 'sqlite' ? sql<SqlBool>`instr(${text}, ${v}) > 0` : sql<SqlBool>`strpos(${text}, ${v}) > 0`,
      );
    // A list is a JSON array of strings; a row whose text is not one (a key that changed type) contains nothing.
    return sub.where(
      c.dialect === 'sqlite'
        ? sql<SqlBool>`(case when json_valid(${text}) then exists (select 1 from json_each(${text}) as j where j.value = ${v}) else 0 end)`
        : sql<SqlBool>`(case when ${text} like '[%' then jsonb_exists(${text}::jsonb, ${v}) else false end)`,
    );
  }
  const values = type === 'boolean' ? cond.values.map((v) => (v ? 1 : 0)) : cond.values;
  return sub.where((s) => compareTime(s as unknown as EB, s.ref(col), { ...cond, values }, c.now));
}

/**
 * orders.count and orders.total: a contact without orders has 0 of each (a correlated count or sum, never NULL).
 * orders.last_at: the latest order is after T exactly when some order is; before T when there are orders and none
 * is at or after T.
 */
function ordersCondition(eb: EB, cond: Condition, c: SegmentQueryContext, mode: Mode): Bool {
  if (cond.target.kind !== 'orders') throw new Error('ordersCondition: not orders');
  const orders = () =>
    eb
      .selectFrom('orders')
      .select('orders.contact_id')
      .where('orders.page_id', '=', c.pageId)
      .where('orders.contact_id', 'is not', null);
  const { agg } = cond.target;
  if (agg === 'last_at') {
    const any = (op?: '>' | '>=', t?: number) => {
      const sub = op === undefined ? orders() : orders().where('orders.ordered_at', op, t!);
      return mode === 'in'
        ? eb('contacts.id', 'in', sub)
        : eb.exists(sub.whereRef('orders.contact_id', '=', 'contacts.id'));
    };
    const daysAgo = () => c.now - (cond.values[0] as number) * DAY_MS;
    const t = cond.op === 'within_days' || cond.op === 'before_days' ? daysAgo() : (cond.values[0] as number);
    switch (cond.op) {
      case 'exists':
        return any();
      case 'within_days':
      case 'gte':
        return any('>=', t);
      case 'gt':
        return any('>', t);
      case 'before_days':
      case 'lt':
        return eb.and([any(), eb.not(any('>=', t))]);
      case 'lte':
        return eb.and([any(), eb.not(any('>', t))]);
      default:
        throw new Error(`orders.last_at: ${cond.op}`);
    }
  }
  // The negative ops were turned positive by the caller: compare with eq/in here.
  const op = cond.op === 'neq' ? 'eq' : cond.op === 'nin' ? 'in' : cond.op;
  const mine = eb
    .selectFrom('orders')
    .where('orders.page_id', '=', c.pageId)
    .whereRef('orders.contact_id', '=', 'contacts.id');
  const aggregate =
    agg === 'count'
      ? mine.select((s) => s.fn.countAll().as('n'))
      : mine.select((s) => s.fn.coalesce(s.fn.sum('orders.total'), sql.lit(0)).as('n'));
  return compare(eb, aggregate, op, cond.values);
}

/** The compiled filter, for `.where(...)` on a query over `contacts`. */
export function segmentPredicate(node: SegmentNode, c: SegmentQueryContext): (eb: EB) => Bool {
  return (eb) => compileTop(eb, node, c);
}
