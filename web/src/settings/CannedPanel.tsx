import { useState } from 'react';
import {
  ActionIcon,
  Button,
  Code,
  Group,
  Stack,
  Table,
  Text,
  TextInput,
  Textarea,
  VisuallyHidden,
} from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../api.ts';
import type { ScreenProps } from '../sections.tsx';
import { ErrorNote, managesSettings, PanelHeader, useConfirm } from './shared.tsx';

interface Canned {
  id: string;
  shortcut: string;
  text: string;
}

const VARIABLES = '{{contact.first_name}}, {{contact.last_name}}, {{contact.name}}, {{agent.email}}';

/** The Page's canned responses: everyone who answers sees them; owners and admins write, change and delete them. */
export function CannedPanel({ user, pageId, pages }: ScreenProps) {
  const queryClient = useQueryClient();
  const manager = managesSettings(user.role);
  const pageName = pages.find((p) => p.id === pageId)?.name ?? 'this Page';
  const key = ['canned-responses', pageId];
  const list = useQuery({
    queryKey: key,
    queryFn: () => api<{ data: Canned[] }>(`/api/v1/pages/${encodeURIComponent(pageId!)}/canned-responses`),
    enabled: pageId !== null,
  });
  const [editing, setEditing] = useState<string | null>(null);
  const { confirm, modal } = useConfirm();
  const refresh = () => queryClient.invalidateQueries({ queryKey: key });
  const remove = useMutation({
    mutationFn: (c: Canned) => api(`/api/v1/canned-responses/${c.id}`, { method: 'DELETE' }),
    onSuccess: refresh,
  });

  return (
    <>
      <PanelHeader title={`Canned responses of ${pageName}`}>
        Saved replies an agent inserts by typing <Code>/</Code> and the shortcut in the composer. Variables are filled
        for each person: {VARIABLES}; a default follows a bar, as in <Code>{'{{contact.first_name|there}}'}</Code>.
        {manager ? '' : ' Owners and admins manage them.'}
      </PanelHeader>
      <Stack gap="md">
        {manager && pageId && <CannedForm pageId={pageId} onDone={refresh} />}
        <ErrorNote error={list.error ?? remove.error} />
        {list.data?.data.length === 0 && (
          <Text size="sm" c="dimmed">
            No canned responses yet.
          </Text>
        )}
        {!!list.data?.data.length && (
          <Table verticalSpacing="xs" aria-label="Canned responses" layout="fixed">
            <Table.Thead>
              <Table.Tr>
                <Table.Th w={140}>Shortcut</Table.Th>
                <Table.Th>Text</Table.Th>
                {manager && (
                  <Table.Th w={110}>
                    <VisuallyHidden>Actions</VisuallyHidden>
                  </Table.Th>
                )}
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {list.data.data.map((c) =>
                editing === c.id && pageId ? (
                  <Table.Tr key={c.id}>
                    <Table.Td colSpan={manager ? 3 : 2}>
                      <CannedForm
                        pageId={pageId}
                        existing={c}
                        onDone={async () => {
                          setEditing(null);
                          await refresh();
                        }}
                      />
                    </Table.Td>
                  </Table.Tr>
                ) : (
                  <Table.Tr key={c.id}>
                    <Table.Td>
                      <Code>/{c.shortcut}</Code>
                    </Table.Td>
                    <Table.Td>
                      <Text size="sm" style={{ whiteSpace: 'pre-wrap', overflowWrap: 'anywhere' }}>
                        {c.text}
                      </Text>
                    </Table.Td>
                    {manager && (
                      <Table.Td>
                        <Group gap="xs" justify="flex-end" wrap="nowrap">
                          <Button
                            size="xs"
                            variant="default"
                            aria-label={`Edit /${c.shortcut}`}
                            onClick={() => setEditing(c.id)}
                          >
                            Edit
                          </Button>
                          <ActionIcon
                            variant="subtle"
                            color="red"
                            aria-label={`Delete /${c.shortcut}`}
                            onClick={() =>
                              confirm({
                                title: `Delete /${c.shortcut}?`,
                                text: 'Agents will no longer find it in the composer.',
                                action: 'Delete canned response',
                                run: () => remove.mutate(c),
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

/** Adds a canned response, or changes one (`existing`). */
function CannedForm({ pageId, existing, onDone }: { pageId: string; existing?: Canned; onDone: () => Promise<void> }) {
  const [shortcut, setShortcut] = useState(existing?.shortcut ?? '');
  const [text, setText] = useState(existing?.text ?? '');
  const save = useMutation({
    mutationFn: () => {
      const body = { shortcut: shortcut.trim().replace(/^\//, ''), text };
      return existing
        ? api(`/api/v1/canned-responses/${existing.id}`, { method: 'PATCH', body })
        : api(`/api/v1/pages/${encodeURIComponent(pageId)}/canned-responses`, { method: 'POST', body });
    },
    onSuccess: async () => {
      if (!existing) {
        setShortcut('');
        setText('');
      }
      await onDone();
    },
  });
  const name = existing ? `Edit /${existing.shortcut}` : 'Add a canned response';
  return (
    <Stack
      component="form"
      gap="xs"
      aria-label={name}
      onSubmit={(e) => {
        e.preventDefault();
        save.mutate();
      }}
    >
      <Group align="start" gap="xs" wrap="wrap">
        <TextInput
          label="Shortcut"
          description="Letters, digits, - and _"
          required
          maxLength={33}
          leftSection="/"
          value={shortcut}
          onChange={(e) => setShortcut(e.currentTarget.value.toLowerCase())}
          w={180}
        />
        <Textarea
          label="Text"
          description="What the agent's reply will say"
          required
          autosize
          minRows={2}
          maxRows={8}
          value={text}
          onChange={(e) => setText(e.currentTarget.value)}
          style={{ flex: '1 1 280px' }}
        />
      </Group>
      <Group gap="xs">
        <Button type="submit" loading={save.isPending}>
          {existing ? 'Save' : 'Add canned response'}
        </Button>
        {existing && (
          <Button variant="subtle" onClick={() => void onDone()}>
            Cancel
          </Button>
        )}
      </Group>
      <ErrorNote error={save.error} />
    </Stack>
  );
}
