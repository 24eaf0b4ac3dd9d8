import { useState } from 'react';
import { ActionIcon, Badge, Button, Group, Select, Stack, Table, Text, TextInput, VisuallyHidden } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { LABEL_COLORS } from '../../../src/lib/label-colors.ts';
import { api } from '../api.ts';
import type { ScreenProps } from '../sections.tsx';
import { ErrorNote, managesSettings, PanelHeader, useConfirm } from './shared.tsx';

interface Label {
  id: string;
  name: string;
  color: string;
}

/** The labels of the Page chosen in the header: owners and admins define, rename, recolour and delete them. */
export function LabelsPanel({ user, pageId, pages }: ScreenProps) {
  const queryClient = useQueryClient();
  const manager = managesSettings(user.role);
  const pageName = pages.find((p) => p.id === pageId)?.name ?? 'this Page';
  const labels = useQuery({
    queryKey: ['labels', pageId],
    queryFn: () => api<{ data: Label[] }>(`/api/v1/pages/${encodeURIComponent(pageId!)}/labels`),
    enabled: pageId !== null,
  });
  const [editing, setEditing] = useState<string | null>(null);
  const { confirm, modal } = useConfirm();
  const refresh = () => queryClient.invalidateQueries({ queryKey: ['labels', pageId] });
  const remove = useMutation({
    mutationFn: (l: Label) => api(`/api/v1/labels/${l.id}`, { method: 'DELETE' }),
    onSuccess: async () => {
      await refresh();
      await queryClient.invalidateQueries({ queryKey: ['conversations', pageId] });
    },
  });

  return (
    <>
      <PanelHeader title={`Labels of ${pageName}`}>
        Labels sort conversations (“refund”, “VIP”). Once a Page has labels, conversations can be given only these;
        renaming a label renames it on every conversation, deleting it takes it off them.
        {manager ? '' : ' Owners and admins manage them.'}
      </PanelHeader>
      <Stack gap="md">
        {manager && pageId && <AddLabel pageId={pageId} onAdded={refresh} />}
        <ErrorNote error={labels.error ?? remove.error} />
        {labels.data?.data.length === 0 && (
          <Text size="sm" c="dimmed">
            No labels yet: conversations can be given any label.
          </Text>
        )}
        {!!labels.data?.data.length && (
          <Table verticalSpacing="xs" aria-label="Labels">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Label</Table.Th>
                {manager && (
                  <Table.Th>
                    <VisuallyHidden>Actions</VisuallyHidden>
                  </Table.Th>
                )}
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {labels.data.data.map((l) =>
                editing === l.id ? (
                  <Table.Tr key={l.id}>
                    <Table.Td colSpan={2}>
                      <EditLabel
                        label={l}
                        onDone={async () => {
                          setEditing(null);
                          await refresh();
                        }}
                      />
                    </Table.Td>
                  </Table.Tr>
                ) : (
                  <Table.Tr key={l.id}>
                    <Table.Td>
                      <Badge color={l.color} variant="light" size="lg" tt="none">
                        {l.name}
                      </Badge>
                    </Table.Td>
                    {manager && (
                      <Table.Td>
                        <Group gap="xs" justify="flex-end" wrap="nowrap">
                          <Button
                            size="xs"
                            variant="default"
                            aria-label={`Edit ${l.name}`}
                            onClick={() => setEditing(l.id)}
                          >
                            Edit
                          </Button>
                          <ActionIcon
                            variant="subtle"
                            color="red"
                            aria-label={`Delete ${l.name}`}
                            onClick={() =>
                              confirm({
                                title: `Delete the label ${l.name}?`,
                                text: 'It is taken off every conversation of this Page that has it.',
                                action: 'Delete label',
                                run: () => remove.mutate(l),
                              })
                            }
                          >
                            ✕
                          </ActionIcon>
                        </Group>
                      </Table.Td>
                    )}
                  </Table.Tr>
                ),
              )}
            </Table.Tbody>
          </Table>
        )}
      </Stack>
      {modal}
    </>
  );
}

function ColorSelect({ value, onChange }: { value: string; onChange: (v: string) => void }) {
  return (
    <Select
      label="Colour"
      data={[...LABEL_COLORS]}
      value={value}
      onChange={(v) => v && onChange(v)}
      allowDeselect={false}
      w={120}
      renderOption={({ option }) => (
        <Badge color={option.value} variant="light" tt="none">
          {option.value}
        </Badge>
      )}
    />
  );
}

function AddLabel({ pageId, onAdded }: { pageId: string; onAdded: () => Promise<void> }) {
  const [name, setName] = useState('');
  const [color, setColor] = useState('blue');
  const add = useMutation({
    mutationFn: () =>
      api(`/api/v1/pages/${encodeURIComponent(pageId)}/labels`, { method: 'POST', body: { name: name.trim(), color } }),
    onSuccess: async () => {
      setName('');
      await onAdded();
    },
  });
  return (
    <Stack
      component="form"
      gap="xs"
      aria-label="Add a label"
      onSubmit={(e) => {
        e.preventDefault();
        add.mutate();
      }}
    >
      <Group align="end" gap="xs" wrap="wrap">
        <TextInput
          label="Label name"
          required
          maxLength={50}
          value={name}
          onChange={(e) => setName(e.currentTarget.value)}
          style={{ flex: '1 1 200px' }}
        />
        <ColorSelect value={color} onChange={setColor} />
        <Button type="submit" loading={add.isPending}>
          Add label
        </Button>
      </Group>
      <ErrorNote error={add.error} />
    </Stack>
  );
}

function EditLabel({ label, onDone }: { label: Label; onDone: () => Promise<void> }) {
  const queryClient = useQueryClient();
  const [name, setName] = useState(label.name);
  const [color, setColor] = useState(label.color);
  const save = useMutation({
    mutationFn: () => api(`/api/v1/labels/${label.id}`, { method: 'PATCH', body: { name: name.trim(), color } }),
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: ['conversations'] });
      await onDone();
    },
  });
  return (
    <Stack
      component="form"
      gap="xs"
      aria-label={`Edit ${label.name}`}
      onSubmit={(e) => {
        e.preventDefault();
        save.mutate();
      }}
    >
      <Group align="end" gap="xs" wrap="wrap">
        <TextInput
          label="Label name"
          required
          maxLength={50}
          value={name}
          onChange={(e) => setName(e.currentTarget.value)}
          style={{ flex: '1 1 200px' }}
        />
        <ColorSelect value={color} onChange={setColor} />
        <Button type="submit" loading={save.isPending}>
          Save
        </Button>
        <Button variant="subtle" onClick={() => void onDone()}>
          Cancel
        </Button>
      </Group>
      <ErrorNote error={save.error} />
    </Stack>
  );
}
