import { AppError } from '../../errors.ts';
import { fieldSpec, OPS, type AttributeDef, type Op, type Target, type ValueType } from './segment-fields.ts';

// The filter language parsed into a tree the compiler and the reference evaluator share. Parsing is pure and bounded:
// a filter deeper than MAX_DEPTH, with more than MAX_CONDITIONS conditions or MAX_VALUES listed values is refused
// before any SQL is built, so a hostile filter costs a 400, not a slow query.

export const MAX_DEPTH = 6;
export const MAX_CONDITIONS = 100;
export const MAX_IN_VALUES = 1000;
export const MAX_VALUES = 5000;
export const MAX_STRING_CHARS = 200;
export const MAX_DAYS = 36_500;

export type Scalar = string | number | boolean;

/** A checked condition; `values` holds one value (eq, neq, contains, ranges, days), several (in, nin) or none. */
export interface Condition {
  kind: 'cond';
  field: string;
  target: Target;
  op: Op;
  values: Scalar[];
  /** `exists` only: true unless `"value": false` asked for contacts without the field. */
  exists: boolean;
}

export type SegmentNode =
  | { kind: 'all'; items: SegmentNode[] }
  | { kind: 'any'; items: SegmentNode[] }
  | { kind: 'not'; item: SegmentNode }
  | Condition;

/** Tags are stored trimmed, lowercase, spaces collapsed; a filter's tag is compared the same way. */
export function normaliseTag(tag: string): string {
  return tag.trim().toLowerCase().replace(/\s+/g, ' ');
}

const bad = (path: string, message: string, extra: Record<string, unknown> = {}) =>
  new AppError('validation_failed', `${path}: ${message}`, { path, ...extra });

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function typeName(t: ValueType): string {
  if (typeof t === 'object') return `one of ${t.enum.join(', ')}`;
  return t === 'date' ? 'an RFC 3339 time' : t === 'integer' ? 'a whole number' : `a ${t}`;
}

function checkScalar(raw: unknown, type: ValueType, field: string, path: string): Scalar {
  const wrong = () => bad(path, `"${field}" takes ${typeName(type)}`, { field });
  if (type === 'number' || type === 'integer') {
    if (typeof raw !== 'number' || !Number.isFinite(raw) || (type === 'integer' && !Number.isSafeInteger(raw)))
      throw wrong();
    return raw;
  }
  if (type === 'boolean') {
    if (typeof raw !== 'boolean') throw wrong();
    return raw;
  }
  if (typeof raw !== 'string') throw wrong();
  if (type === 'date') {
    // RFC 3339 with a time and a zone: what presenters write, and nothing Date.parse would guess at.
    const ms = /^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:\d\d)$/i.test(raw) ? Date.parse(raw) : NaN;
    if (!Number.isFinite(ms)) throw wrong();
    return ms;
  }
  if (typeof type === 'object') {
    if (!type.enum.includes(raw)) throw wrong();
    return raw;
  }
  if ([...raw].length > MAX_STRING_CHARS)
    throw bad(path, `values are at most ${MAX_STRING_CHARS} characters`, { field });
  const value = field === 'tag' ? normaliseTag(raw) : raw;
  if (value.trim() === '') throw bad(path, `"${field}" takes a non-empty string`, { field });
  return value;
}

interface Budget {
  conditions: number;
  values: number;
}

function parseCondition(
  raw: Record<string, unknown>,
  attributes: ReadonlyMap<string, AttributeDef>,
  path: string,
  budget: Budget,
): Condition {
  for (const k of Object.keys(raw))
    if (k !== 'field' && k !== 'op' && k !== 'value') throw bad(path, `unexpected member "${k}" in a condition`);
  if (typeof raw.field !== 'string' || raw.field.length > 100)
    throw bad(`${path}.field`, 'a condition needs a "field": a string of at most 100 characters');
  const field = raw.field;
  const spec = fieldSpec(field, attributes, `${path}.field`);
  const op = raw.op;
  if (typeof op !== 'string' || !(OPS as readonly string[]).includes(op))
    throw bad(`${path}.op`, `unknown op "${String(op).slice(0, 40)}" (ops: ${OPS.join(', ')})`, { field });
  if (!spec.ops.includes(op as Op))
    throw bad(`${path}.op`, `op "${op}" does not fit "${field}" (it takes ${spec.ops.join(', ')})`, { field, op });
  if (++budget.conditions > MAX_CONDITIONS) throw bad(path, `a filter holds at most ${MAX_CONDITIONS} conditions`);
  const cond = (values: Scalar[], exists = true): Condition => ({
    kind: 'cond',
    field,
    target: spec.target,
    op: op as Op,
    values,
    exists,
  });
  const valuePath = `${path}.value`;
  switch (op as Op) {
    case 'exists':
      if (raw.value !== undefined && typeof raw.value !== 'boolean')
        throw bad(valuePath, '"exists" takes true, false or no value', { field, op });
      return cond([], raw.value !== false);
    case 'in':
    case 'nin': {
      const list = raw.value;
      if (!Array.isArray(list) || list.length === 0 || list.length > MAX_IN_VALUES)
        throw bad(valuePath, `"${op}" takes a list of 1 to ${MAX_IN_VALUES} values`, { field, op });
      budget.values += list.length;
      if (budget.values > MAX_VALUES) throw bad(valuePath, `a filter lists at most ${MAX_VALUES} values`);
      return cond([...new Set(list.map((v, i) => checkScalar(v, spec.value, field, `${valuePath}[${i}]`)))]);
    }
    case 'within_days':
    case 'before_days': {
      const days = raw.value;
      if (typeof days !== 'number' || !Number.isInteger(days) || days < 0 || days > MAX_DAYS)
        throw bad(valuePath, `"${op}" takes a whole number of days from 0 to ${MAX_DAYS}`, { field, op });
      return cond([days]);
    }
    default:
      if (raw.value === undefined) throw bad(valuePath, `"${op}" needs a value`, { field, op });
      budget.values += 1;
      return cond([checkScalar(raw.value, spec.value, field, valuePath)]);
  }
}

function parseNode(
  raw: unknown,
  attributes: ReadonlyMap<string, AttributeDef>,
  path: string,
  depth: number,
  budget: Budget,
): SegmentNode {
  if (depth > MAX_DEPTH) throw bad(path, `a filter nests at most ${MAX_DEPTH} levels`);
  if (!isObject(raw)) throw bad(path, 'a filter is an object: {"all": […]}, {"any": […]}, {"not": …} or a condition');
  const keys = Object.keys(raw);
  const group = keys.length === 1 && (keys[0] === 'all' || keys[0] === 'any') ? keys[0] : null;
  if (group) {
    const items = raw[group];
    if (!Array.isArray(items)) throw bad(`${path}.${group}`, `"${group}" takes a list of filters`);
    if (items.length > MAX_CONDITIONS)
      throw bad(`${path}.${group}`, `a filter holds at most ${MAX_CONDITIONS} conditions`);
    return {
      kind: group,
      items: items.map((item, i) => parseNode(item, attributes, `${path}.${group}[${i}]`, depth + 1, budget)),
    };
  }
  if (keys.length === 1 && keys[0] === 'not')
    return { kind: 'not', item: parseNode(raw.not, attributes, `${path}.not`, depth + 1, budget) };
  if ('field' in raw || 'op' in raw) return parseCondition(raw, attributes, path, budget);
  throw bad(path, 'a filter is {"all": […]}, {"any": […]}, {"not": …} or {"field", "op", "value"}');
}

/**
 * Checks a filter against the contract and the Page's attributes and returns its tree; anything else is a
 * `validation_failed` naming the path, and the field or op at fault.
 */
export function parseSegmentFilter(raw: unknown, attributes: readonly AttributeDef[]): SegmentNode {
  const defs = new Map(attributes.map((a) => [a.key, a]));
  return parseNode(raw, defs, 'filter', 1, { conditions: 0, values: 0 });
}

/** The tree written back in the contract's language (dates as RFC 3339): what a saved segment stores. */
export function formatSegmentFilter(node: SegmentNode): unknown {
  switch (node.kind) {
    case 'all':
      return { all: node.items.map(formatSegmentFilter) };
    case 'any':
      return { any: node.items.map(formatSegmentFilter) };
    case 'not':
      return { not: formatSegmentFilter(node.item) };
    case 'cond': {
      const isDate =
        (node.target.kind === 'time' ||
          (node.target.kind === 'orders' && node.target.agg === 'last_at') ||
          (node.target.kind === 'attribute' && node.target.type === 'date' && !node.target.personal)) &&
        ['gt', 'gte', 'lt', 'lte'].includes(node.op);
      const show = (v: Scalar) => (isDate ? new Date(v as number).toISOString() : v);
      if (node.op === 'exists') return { field: node.field, op: node.op, value: node.exists };
      if (node.op === 'in' || node.op === 'nin')
        return { field: node.field, op: node.op, value: node.values.map(show) };
      return { field: node.field, op: node.op, value: show(node.values[0]!) };
    }
  }
}
