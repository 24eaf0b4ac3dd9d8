import { useState, type ReactNode } from 'react';
import {
  ActionIcon,
  Alert,
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
import { useDebouncedValue } from '@mantine/hooks';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, ApiError } from './api.ts';
import type { ListPage } from './people.ts';
import { fieldWords, OP_WORDS } from './filter-words.ts';

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

/** One condition of the builder: a value is kept as typed, and turned into the filter's value only when complete. */
export interface Row {
  field: string;
  op: string;
  value: string;
  values: string[];
}

/**
 * The builder's tree, shaped as the filter language is: conditions, groups that match all or any of their items, and
 * "not" around any item. A saved filter loads into it and is written back the same.
 */
export type DraftNode = ({ kind: 'cond' } & Row) | Draft | { kind: 'not'; item: DraftNode };

export interface Draft {
  kind: 'group';
  match: 'all' | 'any';
  items: DraftNode[];
}

const newCondition = (): DraftNode => ({ kind: 'cond', field: 'tag', op: 'eq', value: '', values: [] });

export const EMPTY_DRAFT: Draft = { kind: 'group', match: 'all', items: [newCondition()] };

/** Groups nest at most this deep in the builder (the server refuses filters past six levels). */
const MAX_GROUP_DEPTH = 4;

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

/** The filter an item says, or undefined for a condition not filled in yet (or a group of nothing but those). */
function nodeFilter(node: DraftNode, fields: SegmentField[], root = false): Record<string, unknown> | undefined {
  if (node.kind === 'cond') {
    const value = valueOf(
      node,
      fields.find((f) => f.field === node.field),
    );
    return value === undefined ? undefined : { field: node.field, op: node.op, value };
  }
  if (node.kind === 'not') {
    const inner = nodeFilter(node.item, fields);
    return inner === undefined ? undefined : { not: inner };
  }
  const items = node.items.flatMap((item) => nodeFilter(item, fields) ?? []);
  return items.length === 0 && !root ? undefined : { [node.match]: items };
}

/** The filter the builder says, leaving out conditions not filled in yet. */
export function filterOf(draft: Draft, fields: SegmentField[]): Record<string, unknown> {
  return nodeFilter(draft, fields, true)!;
}

function nodeOf(filter: unknown): DraftNode | null {
  if (typeof filter !== 'object' || filter === null || Array.isArray(filter)) return null;
  const f = filter as Record<string, unknown>;
  for (const match of ['all', 'any'] as const) {
    if (!(match in f)) continue;
    if (!Array.isArray(f[match])) return null;
    const items = (f[match] as unknown[]).map(nodeOf);
    return items.every((i) => i !== null) ? { kind: 'group', match, items: items as DraftNode[] } : null;
  }
  if ('not' in f) {
    const item = nodeOf(f.not);
    return item && { kind: 'not', item };
  }
  if (typeof f.field !== 'string' || typeof f.op !== 'string') return null;
  const v = f.value;
  const date = typeof v === 'string' && /^\d{4}-\d\d-\d\dT/.test(v) ? v.slice(0, 10) : null;
  return {
    kind: 'cond',
    field: f.field,
    op: f.op,
    value: f.op === 'exists' ? (v === false ? 'no' : 'yes') : Array.isArray(v) ? '' : (date ?? String(v ?? '')),
    values: Array.isArray(v) ? v.map(String) : [],
  };
}

/**
 * The builder's tree from a saved filter, every level of all/any/not; a filter that is a single condition or a "not"
 * becomes a group of that one item (the same meaning). Null for what is not a filter.
 */
export function draftOf(filter: Record<string, unknown>): Draft | null {
  const node = nodeOf(filter);
  if (node === null) return null;
  return node.kind === 'group' ? node : { kind: 'group', match: 'all', items: [node] };
}

/** The tree with the item at `path` (indexes into groups' items; 0 steps into a "not") replaced by `fn` of it. */
function updateAt(node: DraftNode, path: readonly number[], fn: (n: DraftNode) => DraftNode | null): DraftNode | null {
  if (path.length === 0) return fn(node);
  const [i, ...rest] = path as [number, ...number[]];
  if (node.kind === 'not') {
    const item = updateAt(node.item, rest, fn);
    return item && { ...node, item };
  }
  if (node.kind !== 'group') return node;
  const items = node.items.flatMap((item, j) => (j === i ? (updateAt(item, rest, fn) ?? []) : [item]));
  return { ...node, items };
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

const newGroup = (): DraftNode => ({ kind: 'group', match: 'any', items: [newCondition()] });

/** Whether the item at `path` is a "not" (its group then shows no "Leave out" of its own). */
function isNotAt(node: DraftNode, path: readonly number[]): boolean {
  let at: DraftNode | undefined = node;
  for (const i of path) at = at?.kind === 'group' ? at.items[i] : at?.kind === 'not' ? at.item : undefined;
  return at?.kind === 'not';
}

const nestedStyle = (color: string) => ({
  borderLeft: `3px solid var(--mantine-color-${color}-3)`,
  paddingLeft: 'var(--mantine-spacing-xs)',
});

function MatchControl({ label, group, set }: { label: string; group: Draft; set: (m: 'all' | 'any') => void }) {
  return (
    <SegmentedControl
      aria-label={label}
      size="xs"
      value={group.match}
      onChange={(v) => set(v === 'any' ? 'any' : 'all')}
      data={[
        { value: 'all', label: 'Match all' },
        { value: 'any', label: 'Match any' },
      ]}
    />
  );
}

/**
 * The filter to count, as its JSON text, once 300 ms passed without an edit (a count for every keystroke would be
 * wasted), and whether an edit is still waiting for that. While one waits, the count on hand is an earlier filter's:
 * callers then pass the builder no count, and it says "Counting…" rather than a figure that no longer holds.
 */
export function useCountedFilter<T extends string | null>(filter: T): { counted: T; waiting: boolean } {
  const [counted] = useDebouncedValue(filter, 300);
  return { counted, waiting: counted !== filter };
}

/**
 * How many contacts a filter holds now, or null while the filter as edited is being counted (or is null): the count
 * a campaign's audience and a rule's conditions show.
 */
export function useSegmentCount(pageId: string, filter: Record<string, unknown> | null) {
  const { counted: debounced, waiting } = useCountedFilter(filter === null ? null : JSON.stringify(filter));
  const size = useQuery({
    queryKey: ['segment-preview', pageId, 'count', debounced],
    queryFn: () =>
      api<{ count: number }>(`/api/v1/pages/${encodeURIComponent(pageId)}/segments/preview`, {
        method: 'POST',
        body: { filter: JSON.parse(debounced!) as unknown, limit: 0 },
      }),
    enabled: debounced !== null,
    placeholderData: (prev) => prev,
  });
  return size.data && !waiting && !size.isPlaceholderData ? size.data.count : null;
}

/**
 * The segment builder: conditions (field → op → value) in groups that match all or any of them, groups inside groups,
 * a group left out ("not"), saved segments to pick (loaded at every level), a name to save under. The count is the
 * caller's (it previews the filter this reports).
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
  // Deleting a saved segment leaves the conditions shown as they are; one that a campaign not started yet will read
  // is refused, and the answer names those campaigns.
  const savedById = (id: string) => saved.data?.data.find((x) => x.id === id);
  const pickedSegment = savedById(picked);
  const remove = useMutation({
    mutationFn: (s: SavedSegment) => api(`/api/v1/segments/${encodeURIComponent(s.id)}`, { method: 'DELETE' }),
    onSuccess: () => {
      setPicked('');
      void client.invalidateQueries({ queryKey: ['segments', pageId] });
    },
  });
  const change = (path: readonly number[], fn: (n: DraftNode) => DraftNode | null) =>
    onChange((updateAt(draft, path, fn) as Draft | null) ?? EMPTY_DRAFT);
  const append = (path: readonly number[], item: DraftNode) =>
    change(path, (n) => (n.kind === 'group' ? { ...n, items: [...n.items, item] } : n));
  const pick = (id: string) => {
    setPicked(id);
    remove.reset();
    const s = savedById(id);
    const d = s ? draftOf(s.filter) : null;
    if (d) onChange(d);
  };

  // Conditions, groups and exclusions are numbered in the order they show, for their labels ("Field 3", "Group 2").
  const numbers = { cond: 0, group: 0, not: 0 };
  const renderItems = (group: Draft, path: readonly number[], depth: number) =>
    group.items.map((item, i) => renderNode(item, [...path, i], depth));
  const renderNode = (node: DraftNode, path: readonly number[], depth: number): ReactNode => {
    const key = path.join('.');
    if (node.kind === 'cond') {
      const n = ++numbers.cond;
      const spec = specs.find((f) => f.field === node.field);
      const set = (patch: Partial<Row>) => change(path, (c) => ({ ...c, ...patch }) as DraftNode);
      return (
        <Stack key={key} gap={4} role="group" aria-label={`Condition ${n}`}>
          <Group gap={4} wrap="nowrap">
            <NativeSelect
              aria-label={`Field ${n}`}
              style={{ flex: 1 }}
              value={node.field}
              onChange={(e) => {
                const next = specs.find((f) => f.field === e.currentTarget.value);
                set({ field: e.currentTarget.value, op: next?.ops[0] ?? 'eq', value: '', values: [] });
              }}
              data={specs.map((f) => ({ value: f.field, label: fieldWords(f.field) }))}
            />
            <NativeSelect
              aria-label={`Operator ${n}`}
              style={{ flex: 1 }}
              value={node.op}
              onChange={(e) => set({ op: e.currentTarget.value, value: '', values: [] })}
              data={(spec?.ops ?? [node.op]).map((op) => ({ value: op, label: OP_WORDS[op] ?? op }))}
            />
            <ActionIcon
              variant="subtle"
              color="gray"
              aria-label={`Remove condition ${n}`}
              onClick={() => change(path, () => null)}
            >
              ×
            </ActionIcon>
          </Group>
          {spec && <ValueInput row={node} spec={spec} n={n} set={set} />}
        </Stack>
      );
    }
    if (node.kind === 'not') {
      const n = ++numbers.not;
      return (
        <Stack key={key} gap={4} role="group" aria-label={`Exclusion ${n}`} style={nestedStyle('red')}>
          <Group justify="space-between" wrap="nowrap">
            <Text size="xs" fw={600} c="red.8">
              Leave out who matches
            </Text>
            <Button
              size="compact-xs"
              variant="subtle"
              color="gray"
              aria-label={`Include again ${n}`}
              onClick={() => change(path, (x) => (x.kind === 'not' ? x.item : x))}
            >
              Include again
            </Button>
          </Group>
          {renderNode(node.item, [...path, 0], depth)}
        </Stack>
      );
    }
    const n = ++numbers.group;
    const excluded = path.length > 0 && isNotAt(draft, path.slice(0, -1));
    return (
      <Stack key={key} gap={4} role="group" aria-label={`Group ${n}`} style={nestedStyle('blue')}>
        <Group justify="space-between" wrap="nowrap" gap={4}>
          <MatchControl
            label={`Match of group ${n}`}
            group={node}
            set={(match) => change(path, (g) => ({ ...g, match }) as DraftNode)}
          />
          <Group gap={0} wrap="nowrap">
            {!excluded && (
              <Button
                size="compact-xs"
                variant="subtle"
                color="gray"
                aria-label={`Leave out group ${n}`}
                onClick={() => change(path, (g) => ({ kind: 'not', item: g }))}
              >
                Leave out
              </Button>
            )}
            <ActionIcon
              variant="subtle"
              color="gray"
              aria-label={`Remove group ${n}`}
              onClick={() => change(excluded ? path.slice(0, -1) : path, () => null)}
            >
              ×
            </ActionIcon>
          </Group>
        </Group>
        {renderItems(node, path, depth + 1)}
        <Group gap={4}>
          <Button
            size="compact-xs"
            variant="default"
            aria-label={`Add condition to group ${n}`}
            onClick={() => append(path, newCondition())}
          >
            Add condition
          </Button>
          {depth + 1 < MAX_GROUP_DEPTH && (
            <Button
              size="compact-xs"
              variant="default"
              aria-label={`Add group to group ${n}`}
              onClick={() => append(path, newGroup())}
            >
              Add group
            </Button>
          )}
        </Group>
      </Stack>
    );
  };

  return (
    <Stack gap="xs" role="group" aria-label="Segment">
      <Group gap={4} wrap="nowrap">
        <NativeSelect
          aria-label="Saved segments"
          style={{ flex: 1 }}
          value={picked}
          onChange={(e) => pick(e.currentTarget.value)}
          data={[
            { value: '', label: 'Saved segments…' },
            ...(saved.data?.data ?? []).map((s) => ({ value: s.id, label: s.name })),
          ]}
        />
        {canSave && pickedSegment && (
          <Button
            size="sm"
            variant="subtle"
            color="red"
            aria-label={`Delete the saved segment ${pickedSegment.name}`}
            loading={remove.isPending}
            onClick={() => remove.mutate(pickedSegment)}
          >
            Delete
          </Button>
        )}
      </Group>
      {remove.error && (
        <Alert color="red" role="alert" withCloseButton onClose={() => remove.reset()}>
          {remove.error instanceof ApiError ? remove.error.message : 'The segment could not be deleted.'}
        </Alert>
      )}
      <MatchControl label="Match" group={draft} set={(match) => onChange({ ...draft, match })} />
      {renderItems(draft, [], 0)}
      <Group justify="space-between">
        <Group gap={4}>
          <Button size="xs" variant="default" onClick={() => append([], newCondition())}>
            Add condition
          </Button>
          <Button size="xs" variant="default" onClick={() => append([], newGroup())}>
            Add group
          </Button>
        </Group>
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
