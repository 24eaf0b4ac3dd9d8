import type { AttributeType } from '../../db/tables/audience.ts';
import { AppError } from '../../errors.ts';

/** The contract's operators. */
export const OPS = [
  'eq',
  'neq',
  'in',
  'nin',
  'contains',
  'exists',
  'gt',
  'gte',
  'lt',
  'lte',
  'within_days',
  'before_days',
] as const;
export type Op = (typeof OPS)[number];

/** What a field is read from; the compiler and the reference evaluator both switch on it. */
export type Target =
  | { kind: 'tag' }
  | { kind: 'attribute'; key: string; type: AttributeType; personal: boolean }
  | { kind: 'column'; column: 'locale' | 'timezone' | 'status' | 'consent_marketing' }
  | { kind: 'time'; column: 'last_user_action_at' | 'created_at' }
  | { kind: 'window' }
  | { kind: 'orders'; agg: 'count' | 'total' | 'last_at' }
  | { kind: 'order_items'; column: 'sku' | 'category' }
  | { kind: 'interest' };

/**
 * The kind of value a field's conditions take: `date` is written RFC 3339 and compared as epoch ms; `integer` for
 * integer columns and counts (PostgreSQL would refuse 1.5 as one).
 */
export type ValueType = 'string' | 'number' | 'integer' | 'date' | 'boolean' | { enum: readonly string[] };

export interface FieldSpec {
  target: Target;
  ops: readonly Op[];
  value: ValueType;
}

/** What a filter may know of a Page's attributes. */
export interface AttributeDef {
  key: string;
  type: AttributeType;
  personal: boolean;
}

const SET_OPS: readonly Op[] = ['eq', 'neq', 'in', 'nin', 'exists'];
const NUMBER_OPS: readonly Op[] = ['eq', 'neq', 'in', 'nin', 'gt', 'gte', 'lt', 'lte', 'exists'];
const DATE_OPS: readonly Op[] = ['gt', 'gte', 'lt', 'lte', 'within_days', 'before_days', 'exists'];
const ENUM_OPS: readonly Op[] = ['eq', 'neq', 'in', 'nin'];

export const WINDOW_STATES = ['open', 'human_agent', 'closed'] as const;
export const STATUSES = ['active', 'unreachable'] as const;
export const MARKETING_CONSENTS = ['none', 'granted', 'withdrawn'] as const;

/** The fields every Page has, in the order the builder lists them. */
export const FIXED_FIELDS: Record<string, FieldSpec> = {
  tag: { target: { kind: 'tag' }, ops: SET_OPS, value: 'string' },
  locale: { target: { kind: 'column', column: 'locale' }, ops: SET_OPS, value: 'string' },
  timezone: { target: { kind: 'column', column: 'timezone' }, ops: NUMBER_OPS, value: 'integer' },
  status: { target: { kind: 'column', column: 'status' }, ops: ENUM_OPS, value: { enum: STATUSES } },
  'consent.marketing': {
    target: { kind: 'column', column: 'consent_marketing' },
    ops: ENUM_OPS,
    value: { enum: MARKETING_CONSENTS },
  },
  window: { target: { kind: 'window' }, ops: ENUM_OPS, value: { enum: WINDOW_STATES } },
  last_user_action_at: { target: { kind: 'time', column: 'last_user_action_at' }, ops: DATE_OPS, value: 'date' },
  created_at: { target: { kind: 'time', column: 'created_at' }, ops: DATE_OPS, value: 'date' },
  'orders.count': {
    target: { kind: 'orders', agg: 'count' },
    ops: NUMBER_OPS.filter((o) => o !== 'exists'),
    value: 'integer',
  },
  'orders.total': {
    target: { kind: 'orders', agg: 'total' },
    ops: NUMBER_OPS.filter((o) => o !== 'exists'),
    value: 'number',
  },
  'orders.last_at': { target: { kind: 'orders', agg: 'last_at' }, ops: DATE_OPS, value: 'date' },
  'orders.sku': { target: { kind: 'order_items', column: 'sku' }, ops: SET_OPS, value: 'string' },
  'orders.category': { target: { kind: 'order_items', column: 'category' }, ops: SET_OPS, value: 'string' },
  interest: { target: { kind: 'interest' }, ops: ['eq', 'in', 'exists'], value: 'string' },
};

/** An attribute's field: a personal one compares only for equality, through its blind index. */
export function attributeField(def: AttributeDef): FieldSpec {
  const target: Target = { kind: 'attribute', key: def.key, type: def.type, personal: def.personal };
  if (def.personal) return { target, ops: SET_OPS, value: 'string' };
  switch (def.type) {
    case 'text':
      return { target, ops: [...SET_OPS, 'contains'], value: 'string' };
    case 'list':
      return { target, ops: ['contains', 'exists'], value: 'string' };
    case 'number':
      return { target, ops: NUMBER_OPS, value: 'number' };
    case 'date':
      return { target, ops: DATE_OPS, value: 'date' };
    case 'boolean':
      return { target, ops: ['eq', 'neq', 'exists'], value: 'boolean' };
  }
}

/** The field's spec, or a 400 naming the field (and where it is). */
export function fieldSpec(field: string, attributes: ReadonlyMap<string, AttributeDef>, path: string): FieldSpec {
  const fixed = Object.hasOwn(FIXED_FIELDS, field) ? FIXED_FIELDS[field] : undefined;
  if (fixed) return fixed;
  if (field.startsWith('attribute.')) {
    const def = attributes.get(field.slice('attribute.'.length));
    if (def) return attributeField(def);
    throw new AppError('validation_failed', `${path}: unknown attribute "${field}" (the Page defines no such key)`, {
      path,
      field,
    });
  }
  if (field.startsWith('campaign.'))
    throw new AppError(
      'validation_failed',
      `${path}: "${field}": campaign fields become available with campaigns, which this version does not have yet`,
      { path, field },
    );
  throw new AppError('validation_failed', `${path}: unknown field "${field}"`, { path, field });
}
