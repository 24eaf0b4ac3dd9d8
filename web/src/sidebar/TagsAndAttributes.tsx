import { useEffect, useState } from 'react';
import {
  ActionIcon,
  Autocomplete,
  Badge,
  Button,
  Group,
  NumberInput,
  Stack,
  Switch,
  TagsInput,
  Text,
  TextInput,
} from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, type User } from '../api.ts';
import type { Contact } from '../people.ts';
import { ErrorNote } from '../settings/shared.tsx';
import { Block } from './Block.tsx';

export interface AttributeDefinition {
  id: string;
  key: string;
  type: 'text' | 'number' | 'date' | 'boolean' | 'list';
  personal: boolean;
}

type Value = string | number | boolean | string[] | null;

/** Agents and up tag contacts and set their attributes (`contacts:write` in src/modules/access/roles.ts). */
const canEdit = (u: User) => ['owner', 'admin', 'agent'].includes(u.role);

/** "lifetime_value" → "Lifetime value". */
export const keyLabel = (key: string) => (key.charAt(0).toUpperCase() + key.slice(1)).replace(/_/g, ' ');

/** The contact's tags (chips, each with its remove button, and an input suggesting the Page's tags) and attributes. */
export function TagsAndAttributes({ contact, user }: { contact: Contact; user: User }) {
  return (
    <>
      <Block title="Tags">
        <Tags contact={contact} editable={canEdit(user)} />
      </Block>
      <Block title="Attributes">
        <Attributes contact={contact} editable={canEdit(user)} />
      </Block>
    </>
  );
}

function useContactChanged(contact: Contact) {
  const queryClient = useQueryClient();
  return async () => {
    await queryClient.invalidateQueries({ queryKey: ['contact', contact.id] });
    await queryClient.invalidateQueries({ queryKey: ['page-tags', contact.page_id] });
  };
}

function Tags({ contact, editable }: { contact: Contact; editable: boolean }) {
  const [draft, setDraft] = useState('');
  const changed = useContactChanged(contact);
  const pageTags = useQuery({
    queryKey: ['page-tags', contact.page_id],
    queryFn: () =>
      api<{ data: { tag: string; count: number }[] }>(`/api/v1/pages/${encodeURIComponent(contact.page_id)}/tags`),
    enabled: editable,
  });
  const add = useMutation({
    mutationFn: (tag: string) =>
      api(`/api/v1/contacts/${encodeURIComponent(contact.id)}/tags`, { method: 'POST', body: { tags: [tag] } }),
    onSuccess: async () => {
      setDraft('');
      await changed();
    },
  });
  const remove = useMutation({
    mutationFn: (tag: string) =>
      api(`/api/v1/contacts/${encodeURIComponent(contact.id)}/tags/${encodeURIComponent(tag)}`, { method: 'DELETE' }),
    onSuccess: changed,
  });
  const suggestions = (pageTags.data?.data ?? []).map((t) => t.tag).filter((t) => !contact.tags.includes(t));
  return (
    <Stack gap={6}>
      {contact.tags.length === 0 ? (
        <Text size="sm" c="dimmed">
          No tags yet.
        </Text>
      ) : (
        <Group gap={4} component="ul" aria-label="Tags" style={{ listStyle: 'none', padding: 0, margin: 0 }}>
          {contact.tags.map((t) => (
            <Badge
              key={t}
              component="li"
              variant="light"
              color="gray"
              tt="none"
              rightSection={
                editable ? (
                  <ActionIcon
                    size="xs"
                    variant="transparent"
                    color="gray"
                    aria-label={`Remove tag ${t}`}
                    onClick={() => remove.mutate(t)}
                  >
                    ✕
                  </ActionIcon>
                ) : undefined
              }
            >
              {t}
            </Badge>
          ))}
        </Group>
      )}
      {editable && (
        <form
          aria-label="Add a tag"
          onSubmit={(e) => {
            e.preventDefault();
            if (draft.trim()) add.mutate(draft.trim());
          }}
        >
          <Group gap={4} wrap="nowrap" align="end">
            <Autocomplete
              label="Add a tag"
              placeholder="vip, wholesale…"
              size="xs"
              maxLength={50}
              data={suggestions}
              value={draft}
              onChange={setDraft}
              onOptionSubmit={(tag) => add.mutate(tag)}
              style={{ flex: 1 }}
            />
            <Button type="submit" size="xs" variant="default" loading={add.isPending}>
              Add
            </Button>
          </Group>
        </form>
      )}
      <ErrorNote error={add.error ?? remove.error} />
    </Stack>
  );
}

/** The form's value for a stored one, and back: an empty field removes the value. */
function toField(type: AttributeDefinition['type'], v: unknown): Value {
  if (v === undefined || v === null) return type === 'boolean' ? false : type === 'list' ? [] : '';
  return v as Value;
}
function fromField(type: AttributeDefinition['type'], v: Value): Value {
  if (type === 'boolean') return v;
  if (type === 'list') return Array.isArray(v) && v.length > 0 ? v : null;
  if (v === '' || v === null) return null;
  return type === 'date' && typeof v === 'string' ? v.slice(0, 10) : v;
}

function Attributes({ contact, editable }: { contact: Contact; editable: boolean }) {
  const changed = useContactChanged(contact);
  const defs = useQuery({
    queryKey: ['attribute-definitions', contact.page_id],
    queryFn: () =>
      api<{ data: AttributeDefinition[] }>(
        `/api/v1/pages/${encodeURIComponent(contact.page_id)}/attribute-definitions`,
      ),
  });
  const list = defs.data?.data ?? [];
  const initial = () => Object.fromEntries(list.map((d) => [d.key, toField(d.type, contact.attributes[d.key])]));
  const [values, setValues] = useState<Record<string, Value>>(initial);
  // A fresh contact (saved here, or changed elsewhere and refetched) resets the form.
  useEffect(() => setValues(initial()), [defs.data, contact]);
  const save = useMutation({
    mutationFn: (patch: Record<string, Value>) =>
      api(`/api/v1/contacts/${encodeURIComponent(contact.id)}/attributes`, { method: 'PATCH', body: patch }),
    onSuccess: changed,
  });
  if (list.length === 0)
    return (
      <Text size="sm" c="dimmed">
        No attributes defined for this Page. Owners and admins define them in Settings.
      </Text>
    );
  const patch: Record<string, Value> = {};
  for (const d of list) {
    const next = fromField(d.type, values[d.key] ?? null);
    const before = fromField(d.type, toField(d.type, contact.attributes[d.key]));
    if (JSON.stringify(next) !== JSON.stringify(before)) patch[d.key] = next;
  }
  const dirty = Object.keys(patch).length > 0;
  return (
    <Stack
      component="form"
      gap={6}
      aria-label="Attributes of this contact"
      onSubmit={(e) => {
        e.preventDefault();
        if (dirty) save.mutate(patch);
      }}
    >
      {list.map((d) => (
        <AttributeInput
          key={d.key}
          def={d}
          value={values[d.key] ?? toField(d.type, null)}
          disabled={!editable}
          onChange={(v) => setValues((s) => ({ ...s, [d.key]: v }))}
        />
      ))}
      <ErrorNote error={save.error} />
      {editable && (
        <Group gap="xs">
          <Button type="submit" size="xs" disabled={!dirty} loading={save.isPending}>
            Save attributes
          </Button>
          {dirty && (
            <Button size="xs" variant="subtle" onClick={() => setValues(initial())}>
              Discard
            </Button>
          )}
        </Group>
      )}
    </Stack>
  );
}

/** A padlock drawn inline (no icon font or emoji font needed): what marks a personal attribute. */
export function LockIcon() {
  return (
    <svg
      role="img"
      aria-label="personal: stored encrypted"
      width="11"
      height="11"
      viewBox="0 0 16 16"
      style={{ marginLeft: 4, verticalAlign: '-1px' }}
    >
      <title>Personal: stored encrypted</title>
      <path
        fill="currentColor"
        d="M4 7V5a4 4 0 1 1 8 0v2h1a1 1 0 0 1 1 1v7a1 1 0 0 1-1 1H3a1 1 0 0 1-1-1V8a1 1 0 0 1 1-1h1Zm2 0h4V5a2 2 0 1 0-4 0v2Z"
      />
    </svg>
  );
}

function AttributeInput({
  def,
  value,
  disabled,
  onChange,
}: {
  def: AttributeDefinition;
  value: Value;
  disabled: boolean;
  onChange: (v: Value) => void;
}) {
  const label = (
    <>
      {keyLabel(def.key)}
      {def.personal && <LockIcon />}
    </>
  );
  const common = { label, size: 'xs' as const, disabled };
  switch (def.type) {
    case 'boolean':
      return (
        <Switch
          label={label}
          size="xs"
          disabled={disabled}
          checked={value === true}
          onChange={(e) => onChange(e.currentTarget.checked)}
        />
      );
    case 'number':
      return (
        <NumberInput
          {...common}
          value={typeof value === 'number' ? value : ''}
          onChange={(v) => onChange(v === '' ? '' : Number(v))}
        />
      );
    case 'list':
      return (
        <TagsInput {...common} value={Array.isArray(value) ? value : []} onChange={(v) => onChange(v)} clearable />
      );
    case 'date':
      return (
        <TextInput
          {...common}
          type="date"
          value={typeof value === 'string' ? value.slice(0, 10) : ''}
          onChange={(e) => onChange(e.currentTarget.value)}
        />
      );
    default:
      return (
        <TextInput
          {...common}
          maxLength={1000}
          value={typeof value === 'string' ? value : ''}
          onChange={(e) => onChange(e.currentTarget.value)}
        />
      );
  }
}
