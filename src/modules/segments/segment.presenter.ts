import type { SegmentTable } from '../../db/tables/audience.ts';
import { toIso } from '../../lib/time.ts';
import type { FieldSpec } from './segment-fields.ts';

/** A saved segment as the API shows it: its filter in the contract's language. */
export function presentSegment(row: SegmentTable) {
  return {
    id: row.id,
    page_id: row.page_id,
    name: row.name,
    filter: JSON.parse(row.filter) as Record<string, unknown>,
    created_at: toIso(row.created_at),
    updated_at: toIso(row.updated_at),
  };
}

export type SegmentView = ReturnType<typeof presentSegment>;

/** One field for the builder: its ops, the kind of value it takes and the values worth suggesting. */
export function presentField(field: string, spec: FieldSpec, suggestions: readonly string[], personal = false) {
  const type: 'string' | 'number' | 'integer' | 'date' | 'boolean' | 'enum' =
    typeof spec.value === 'string' ? spec.value : 'enum';
  return {
    field,
    type,
    ops: [...spec.ops],
    values: typeof spec.value === 'object' ? [...spec.value.enum] : [...suggestions],
    personal,
  };
}

export type SegmentFieldView = ReturnType<typeof presentField>;
