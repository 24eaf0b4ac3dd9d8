import { useState } from 'react';
import { Badge, Button, Checkbox, Group, Select, Stack, Table, Text, TextInput } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../api.ts';
import type { ScreenProps } from '../sections.tsx';
import { keyLabel, LockIcon, type AttributeDefinition } from '../sidebar/TagsAndAttributes.tsx';
import { ErrorNote, managesSettings, PanelHeader } from './shared.tsx';

const TYPES: { value: AttributeDefinition['type']; label: string }[] = [
  { value: 'text', label: 'Text' },
  { value: 'number', label: 'Number' },
  { value: 'date', label: 'Date' },
  { value: 'boolean', label: 'Yes / no' },
  { value: 'list', label: 'List' },
];
const typeLabel = (t: string) => TYPES.find((x) => x.value === t)?.label ?? t;

/** The attributes contacts of the Page chosen in the header can hold: owners and admins define them. */
export function AttributesPanel({ user, pageId, pages }: ScreenProps) {
  const queryClient = useQueryClient();
  const manager = managesSettings(user.role);
  const pageName = pages.find((p) => p.id === pageId)?.name ?? 'this Page';
  const defs = useQuery({
    queryKey: ['attribute-definitions', pageId],
    queryFn: () =>
      api<{ data: AttributeDefinition[] }>(`/api/v1/pages/${encodeURIComponent(pageId!)}/attribute-definitions`),
    enabled: pageId !== null,
  });
  const refresh = () => queryClient.invalidateQueries({ queryKey: ['attribute-definitions', pageId] });
  return (
    <>
      <PanelHeader title={`Attributes of ${pageName}`}>
        What the business knows about a contact beyond tags (“tier”, “lifetime value”, “birthday”), each with a type;
        agents fill them in from the contact’s sidebar. A personal attribute is stored encrypted like a name, and
        segments can only compare it for equality.
        {manager ? '' : ' Owners and admins define them.'}
      </PanelHeader>
      <Stack gap="md">
        {manager && pageId && <DefineAttribute pageId={pageId} onAdded={refresh} />}
        <ErrorNote error={defs.error} />
        {defs.data?.data.length === 0 && (
          <Text size="sm" c="dimmed">
            No attributes yet.
          </Text>
        )}
        {!!defs.data?.data.length && (
          <Table verticalSpacing="xs" aria-label="Attributes">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Attribute</Table.Th>
                <Table.Th visibleFrom="sm">Key</Table.Th>
                <Table.Th>Type</Table.Th>
                <Table.Th>Stored</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {defs.data.data.map((d) => (
                <Table.Tr key={d.id}>
                  <Table.Td>{keyLabel(d.key)}</Table.Td>
                  <Table.Td visibleFrom="sm">
                    <Text size="sm" ff="monospace">
                      {d.key}
                    </Text>
                  </Table.Td>
                  <Table.Td>{typeLabel(d.type)}</Table.Td>
                  <Table.Td>
                    {d.personal ? (
                      <Badge variant="light" color="grape" tt="none">
                        Personal <LockIcon />
                      </Badge>
                    ) : (
                      <Badge variant="light" color="gray" tt="none">
                        Plain
                      </Badge>
                    )}
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        )}
      </Stack>
    </>
  );
}

function DefineAttribute({ pageId, onAdded }: { pageId: string; onAdded: () => Promise<void> }) {
  const [key, setKey] = useState('');
  const [type, setType] = useState<string>('text');
  const [personal, setPersonal] = useState(false);
  const add = useMutation({
    mutationFn: () =>
      api(`/api/v1/pages/${encodeURIComponent(pageId)}/attribute-definitions`, {
        method: 'POST',
        body: { key: key.trim(), type, personal },
      }),
    onSuccess: async () => {
      setKey('');
      setPersonal(false);
      await onAdded();
    },
  });
  return (
    <Stack
      component="form"
      gap="xs"
      aria-label="Define an attribute"
      onSubmit={(e) => {
        e.preventDefault();
        add.mutate();
      }}
    >
      <Group align="end" gap="xs" wrap="wrap">
        <TextInput
          label="Key"
          placeholder="lifetime_value"
          title="lowercase letters, digits and _, starting with a letter"
          required
          maxLength={40}
          pattern="[a-z][a-z0-9_]*"
          value={key}
          onChange={(e) => setKey(e.currentTarget.value)}
          style={{ flex: '1 1 180px' }}
        />
        <Select
          label="Type"
          data={TYPES}
          value={type}
          onChange={(v) => v && setType(v)}
          allowDeselect={false}
          w={130}
        />
        <Checkbox
          label="Personal (encrypted)"
          checked={personal}
          onChange={(e) => setPersonal(e.currentTarget.checked)}
          mb={8}
        />
        <Button type="submit" loading={add.isPending}>
          Define attribute
        </Button>
      </Group>
      <ErrorNote error={add.error} />
    </Stack>
  );
}
