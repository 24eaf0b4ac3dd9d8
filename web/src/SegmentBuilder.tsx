import { useState } from 'react';
import {
  ActionIcon,
  Autocomplete,
  Button,
  Group,
  NativeSelect,
  NumberInput,
  SegmentedControl,
  Stack,
  TagsInput,
  Text,
  TextInput,
} from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, ApiError } from './api.ts';
import type { ListPage } from './people.ts';

/** A field as GET …/segments/fields describes it. */
export interface SegmentField {
  field: string;
  type: 'string' | 'number' | 'integer' | 'date' | 'boolean' | 'enum';
  ops: string[];
  values: string[];
  personal: boolean;
}

export interface SavedSegment {
  id: string;
  name: string;
  filter: Record<string, unknown>;
}

/** One row of the builder: a value is kept as typed, and turned into the filter's value only when complete. */
export interface Row {
  field: string;
  op: string;
  value: string;
  values: string[];
}

export interface Draft {
  match: 'all' | 'any';
  rows: Row[];
}

export const EMPTY_DRAFT: Draft = { match: 'all', rows: [{ field: 'tag', op: 'eq', value: '', values: [] }] };

const OP_WORDS: Record<string, string> = {
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

function valueOf(row: Row, spec: SegmentField | undefined): unknown {
  if (!spec) return undefined;
  if (row.op === 'exists') return row.value !== 'no';
  if (row.op === 'in' || row.op === 'nin') return row.values.length ? row.values : undefined;
  if (row.value.trim() === '') return undefined;
  if (row.op === 'within_days' || row.op === 'before_days') return Number(row.value);
  if (spec.type === 'number' || spec.type === 'integer') return Number(row.value);
  if (spec.type === 'boolean') return row.value === 'true';
  if (spec.type === 'date') return new Date(`${row.value}T00:00:00Z`).toISOString();
  return row.value;
}

/** The filter the rows say, leaving out rows not filled in yet. */
export function filterOf(draft: Draft, fields: SegmentField[]): Record<string, unknown> {
  const conditions = draft.rows.flatMap((row) => {
    const value = valueOf(
      row,
      fields.find((f) => f.field === row.field),
    );
    return value === undefined ? [] : [{ field: row.field, op: row.op, value }];
  });
  return { [draft.match]: conditions };
}

/** Rows from a saved filter: one level of conditions (what the builder writes); anything deeper is shown as is. */
export function draftOf(filter: Record<string, unknown>): Draft | null {
  const match = 'any' in filter ? 'any' : 'all';
  const items = (filter[match] ?? [filter]) as Record<string, unknown>[];
  if (!Array.isArray(items) || items.some((c) => typeof c.field !== 'string')) return null;
  return {
    match,
    rows: items.map((c) => {
      const v = c.value;
      const date = typeof v === 'string' && /^\d{4}-\d\d-\d\dT/.test(v) ? v.slice(0, 10) : null;
      return {
        field: String(c.field),
        op: String(c.op),
        value: c.op === 'exists' ? (v === false ? 'no' : 'yes') : Array.isArray(v) ? '' : (date ?? String(v ?? '')),
        values: Array.isArray(v) ? v.map(String) : [],
      };
    }),
  };
}

function ValueInput({
  row,
  spec,
  n,
  set,
}: {
  row: Row;
  spec: SegmentField;
  n: number;
  set: (r: Partial<Row>) => void;
}) {
  const label = `Value ${n}`;
  if (row.op === 'exists')
    return (
      <NativeSelect
        aria-label={label}
        value={row.value || 'yes'}
        onChange={(e) => set({ value: e.currentTarget.value })}
        data={[
          { value: 'yes', label: 'has a value' },
          { value: 'no', label: 'has none' },
        ]}
      />
    );
  if (row.op === 'in' || row.op === 'nin')
    return (
      <TagsInput
        aria-label={label}
        placeholder="Values, Enter after each"
        data={spec.values}
        value={row.values}
        onChange={(values) => set({ values })}
      />
    );
  if (row.op === 'within_days' || row.op === 'before_days' || spec.type === 'number' || spec.type === 'integer')
    return (
      <NumberInput
        aria-label={label}
        placeholder={row.op.endsWith('_days') ? 'days' : 'number'}
        value={row.value}
        allowDecimal={spec.type === 'number' && !row.op.endsWith('_days')}
        onChange={(v) => set({ value: String(v) })}
      />
    );
  if (spec.type === 'enum' || spec.type === 'boolean')
    return (
      <NativeSelect
        aria-label={label}
        value={row.value}
        onChange={(e) => set({ value: e.currentTarget.value })}
        data={[{ value: '', label: 'Choose…' }, ...(spec.type === 'boolean' ? ['true', 'false'] : spec.values)]}
      />
    );
  if (spec.type === 'date')
    return (
      <TextInput
        aria-label={label}
        type="date"
        value={row.value}
        onChange={(e) => set({ value: e.currentTarget.value })}
      />
    );
  return (
    <Autocomplete
      aria-label={label}
      placeholder={spec.personal ? 'exact value' : 'value'}
      data={spec.values}
      value={row.value}
      onChange={(value) => set({ value })}
    />
  );
}

/**
 * The segment builder: rows of field → op → value, all or any, saved segments to pick, a name to save under. The
 * count is the caller's (it previews the filter this reports).
 */
export function SegmentBuilder({
  pageId,
  draft,
  onChange,
  count,
  canSave,
}: {
  pageId: string;
  draft: Draft;
  onChange: (d: Draft) => void;
  count: number | null;
  canSave: boolean;
}) {
  const client = useQueryClient();
  const [name, setName] = useState('');
  const [picked, setPicked] = useState('');
  const fields = useQuery({
    queryKey: ['segment-fields', pageId],
    queryFn: () => api<ListPage<SegmentField>>(`/api/v1/pages/${encodeURIComponent(pageId)}/segments/fields`),
  });
  const saved = useQuery({
    queryKey: ['segments', pageId],
    queryFn: () => api<{ data: SavedSegment[] }>(`/api/v1/pages/${encodeURIComponent(pageId)}/segments`),
  });
  const specs = fields.data?.data ?? [];
  const save = useMutation({
    mutationFn: () =>
      api<SavedSegment>(`/api/v1/pages/${encodeURIComponent(pageId)}/segments`, {
        method: 'POST',
        body: { name, filter: filterOf(draft, specs) },
      }),
    onSuccess: (s) => {
      setName('');
      setPicked(s.id);
      void client.invalidateQueries({ queryKey: ['segments', pageId] });
    },
  });
  const setRow = (i: number, patch: Partial<Row>) =>
    onChange({ ...draft, rows: draft.rows.map((r, j) => (j === i ? { ...r, ...patch } : r)) });
  const pick = (id: string) => {
    setPicked(id);
    const s = saved.data?.data.find((x) => x.id === id);
    const d = s ? draftOf(s.filter) : null;
    if (d) onChange(d);
  };

  return (
    <Stack gap="xs" role="group" aria-label="Segment">
      <NativeSelect
        aria-label="Saved segments"
        value={picked}
        onChange={(e) => pick(e.currentTarget.value)}
        data={[
          { value: '', label: 'Saved segments…' },
          ...(saved.data?.data ?? []).map((s) => ({ value: s.id, label: s.name })),
        ]}
      />
      <SegmentedControl
        aria-label="Match"
        size="xs"
        value={draft.match}
        onChange={(v) => onChange({ ...draft, match: v === 'any' ? 'any' : 'all' })}
        data={[
          { value: 'all', label: 'Match all' },
          { value: 'any', label: 'Match any' },
        ]}
      />
      {draft.rows.map((row, i) => {
        const spec = specs.find((f) => f.field === row.field);
        const n = i + 1;
        return (
          <Stack key={i} gap={4} role="group" aria-label={`Condition ${n}`}>
            <Group gap={4} wrap="nowrap">
              <NativeSelect
                aria-label={`Field ${n}`}
                style={{ flex: 1 }}
                value={row.field}
                onChange={(e) => {
                  const next = specs.find((f) => f.field === e.currentTarget.value);
                  setRow(i, { field: e.currentTarget.value, op: next?.ops[0] ?? 'eq', value: '', values: [] });
                }}
                data={specs.map((f) => ({ value: f.field, label: fieldWords(f.field) }))}
              />
              <NativeSelect
                aria-label={`Operator ${n}`}
                style={{ flex: 1 }}
                value={row.op}
                onChange={(e) => setRow(i, { op: e.currentTarget.value, value: '', values: [] })}
                data={(spec?.ops ?? [row.op]).map((op) => ({ value: op, label: OP_WORDS[op] ?? op }))}
              />
              <ActionIcon
                variant="subtle"
                color="gray"
                aria-label={`Remove condition ${n}`}
                onClick={() => onChange({ ...draft, rows: draft.rows.filter((_, j) => j !== i) })}
              >
                ×
              </ActionIcon>
            </Group>
            {spec && <ValueInput row={row} spec={spec} n={n} set={(p) => setRow(i, p)} />}
          </Stack>
        );
      })}
      <Group justify="space-between">
        <Button
          size="xs"
          variant="default"
          onClick={() =>
            onChange({ ...draft, rows: [...draft.rows, { field: 'tag', op: 'eq', value: '', values: [] }] })
          }
        >
          Add condition
        </Button>
        <Text size="sm" fw={500} role="status" aria-label="Segment size">
          {count === null ? 'Counting…' : `${count.toLocaleString('en')} contact${count === 1 ? '' : 's'}`}
        </Text>
      </Group>
      {canSave && (
        <Group gap={4} wrap="nowrap" align="flex-start">
          <TextInput
            aria-label="Segment name"
            placeholder="Name to save as"
            style={{ flex: 1 }}
            value={name}
            onChange={(e) => setName(e.currentTarget.value)}
            error={save.error instanceof ApiError ? save.error.message : undefined}
          />
          <Button size="sm" disabled={name.trim() === ''} loading={save.isPending} onClick={() => save.mutate()}>
            Save segment
          </Button>
        </Group>
      )}
    </Stack>
  );
}
