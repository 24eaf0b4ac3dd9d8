// The segment filter language in words, for the builder's menus and wherever a filter is shown (a rule's conditions).

export const OP_WORDS: Record<string, string> = {
  eq: 'is',
  neq: 'is not',
  in: 'is any of',
  nin: 'is none of',
  contains: 'contains',
  exists: 'is set',
  gt: 'is more than',
  gte: 'is at least',
  lt: 'is less than',
  lte: 'is at most',
  within_days: 'within the last … days',
  before_days: 'more than … days ago',
};

const FIELD_WORDS: Record<string, string> = {
  tag: 'Tag',
  locale: 'Language',
  timezone: 'Time zone (hours from UTC)',
  status: 'Reachability',
  'consent.marketing': 'Marketing consent',
  window: 'Messaging window',
  last_user_action_at: 'Last action',
  created_at: 'First seen',
  'orders.count': 'Number of orders',
  'orders.total': 'Total spent',
  'orders.last_at': 'Last order',
  'orders.sku': 'Bought product (sku)',
  'orders.category': 'Bought category',
  interest: 'Interest',
};

export const fieldWords = (f: string) =>
  FIELD_WORDS[f] ?? (f.startsWith('attribute.') ? `Attribute: ${f.slice(10)}` : f);

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function valueWords(op: string, value: unknown): string {
  if (op === 'exists') return value === false ? 'is not set' : 'is set';
  const shown = (v: unknown) => (typeof v === 'string' && /^\d{4}-\d\d-\d\dT/.test(v) ? v.slice(0, 10) : String(v));
  if (Array.isArray(value)) return `${OP_WORDS[op] ?? op} ${value.map(shown).join(', ')}`;
  if (op === 'within_days') return `within the last ${String(value)} days`;
  if (op === 'before_days') return `more than ${String(value)} days ago`;
  return `${OP_WORDS[op] ?? op} ${shown(value)}`;
}

/**
 * A filter in words: "Tag is vip and Number of orders is at least 1"; a nested group in parentheses, "not (…)" for a
 * group left out. An empty "all" is everyone, an empty "any" no one.
 */
export function describeFilter(filter: unknown, nested = false): string {
  if (!isRecord(filter)) return String(filter);
  for (const [match, joiner, empty] of [
    ['all', ' and ', 'everyone'],
    ['any', ' or ', 'no one'],
  ] as const) {
    const items = filter[match];
    if (!Array.isArray(items)) continue;
    if (items.length === 0) return empty;
    if (items.length === 1) return describeFilter(items[0], nested);
    const text = items.map((i) => describeFilter(i, true)).join(joiner);
    return nested ? `(${text})` : text;
  }
  if ('not' in filter) {
    const inner = describeFilter(filter.not, true);
    return `not ${inner.startsWith('(') ? inner : `(${inner})`}`;
  }
  return `${fieldWords(String(filter.field))} ${valueWords(String(filter.op), filter.value)}`;
}
