import { useState } from 'react';
import {
  Alert,
  Anchor,
  Badge,
  Box,
  Button,
  Code,
  Group,
  Modal,
  Paper,
  ScrollArea,
  Select,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { useInfiniteQuery, useMutation, useQueryClient } from '@tanstack/react-query';
import { api } from './api.ts';
import type { ScreenProps } from './sections.tsx';
import {
  REQUEST_STATUS,
  REQUEST_TYPES,
  canReadIdentifiers,
  day,
  dueText,
  type ListPage,
  type PrivacyRequest,
} from './people.ts';
import { LoadMore } from './LoadMore.tsx';

type StatusFilter = 'open' | 'pending' | 'in_progress' | 'completed' | 'failed' | '';

const REVIEW_REASONS: Record<string, string> = {
  id_matching_disabled: 'Meta asked for a deletion; matching people across Pages is off, so find them by hand.',
  id_matching_failed: 'Meta asked for a deletion; Meta could not match the person to your Pages.',
};

/** Saves an access request's export as a file (the server audits the read). */
async function downloadExport(r: PrivacyRequest): Promise<void> {
  const doc = await api<unknown>(`/api/v1/privacy/requests/${encodeURIComponent(r.id)}/export`);
  const url = URL.createObjectURL(new Blob([JSON.stringify(doc, null, 2)], { type: 'application/json' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = `${r.contact_id ?? r.id}.json`;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

type Pending = { kind: 'extend' | 'resolve'; r: PrivacyRequest } | null;

/**
 * Data subject requests of every Page the reader may see, with their legal deadlines (overdue and soon-due stand out):
 * extend a deadline once, settle a request awaiting review, download an export.
 */
export function Privacy({ user, pages, narrow }: ScreenProps) {
  const queryClient = useQueryClient();
  const [status, setStatus] = useState<StatusFilter>('open');
  const [pending, setPending] = useState<Pending>(null);
  const [contactIds, setContactIds] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const list = useInfiniteQuery({
    queryKey: ['privacy-requests', 'list', status],
    queryFn: ({ pageParam }) => {
      const p = new URLSearchParams({ limit: '50' });
      if (status) p.set('status', status);
      if (pageParam) p.set('cursor', pageParam);
      return api<ListPage<PrivacyRequest>>(`/api/v1/privacy/requests?${p.toString()}`);
    },
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.next_cursor,
    placeholderData: (prev) => prev,
    // Requests run in the background (no inbox event says when): while some are still open, look again now and then.
    refetchInterval: (q) =>
      q.state.data?.pages.some((p) => p.data.some((r) => r.status !== 'completed')) ? 15_000 : false,
  });
  const rows = list.data?.pages.flatMap((p) => p.data) ?? [];
  const pageName = (id: string | null | undefined) =>
    id ? (pages.find((p) => p.id === id)?.name ?? id) : 'No Page yet';

  const act = useMutation({
    mutationFn: async (p: NonNullable<Pending>) => {
      if (p.kind === 'extend')
        return api(`/api/v1/privacy/requests/${encodeURIComponent(p.r.id)}/extend`, { method: 'POST' });
      const ids = contactIds
        .split(/[\s,]+/)
        .map((s) => s.trim())
        .filter(Boolean);
      return api(`/api/v1/privacy/requests/${encodeURIComponent(p.r.id)}/resolve`, {
        method: 'POST',
        body: { contact_ids: ids },
      });
    },
    onSuccess: () => {
      setPending(null);
      setContactIds('');
      void queryClient.invalidateQueries({ queryKey: ['privacy-requests'] });
    },
  });
  const download = useMutation({
    mutationFn: downloadExport,
    onSuccess: () => setProblem(null),
    onError: (err) => setProblem(err instanceof Error ? err.message : 'The export could not be downloaded.'),
  });

  const actions = (r: PrivacyRequest) => (
    <Group gap={4} wrap="nowrap">
      {r.type === 'access' && r.status === 'completed' && (
        <Button
          size="compact-xs"
          variant="default"
          loading={download.isPending && download.variables?.id === r.id}
          onClick={() => download.mutate(r)}
        >
          Download export
        </Button>
      )}
      {r.status !== 'completed' && !r.extended && !r.review_reason && (
        <Button size="compact-xs" variant="default" onClick={() => setPending({ kind: 'extend', r })}>
          Extend…
        </Button>
      )}
      {r.review_reason && r.status !== 'completed' && canReadIdentifiers(user) && (
        <Button size="compact-xs" onClick={() => setPending({ kind: 'resolve', r })}>
          Resolve…
        </Button>
      )}
    </Group>
  );

  const who = (r: PrivacyRequest) =>
    r.contact_id ? (
      <Anchor href={`#/contacts/${encodeURIComponent(r.contact_id)}`} size="sm">
        Open contact
      </Anchor>
    ) : (
      <Text size="sm" c="dimmed">
        Awaiting review
      </Text>
    );

  const due = (r: PrivacyRequest) => {
    const d = dueText(r);
    return (
      <Stack gap={0}>
        <Text size="sm" c={d.color} fw={d.color ? 700 : undefined}>
          {d.text}
        </Text>
        {r.status !== 'completed' && (d.color || r.extended) && (
          <Text size="xs" c="dimmed">
            {d.color ? `due ${day(r.due_at)}` : ''}
            {r.extended ? `${d.color ? ' ' : ''}(extended)` : ''}
          </Text>
        )}
      </Stack>
    );
  };

  const statusBadge = (r: PrivacyRequest) => (
    <Badge size="sm" variant="light" color={REQUEST_STATUS[r.status].color}>
      {REQUEST_STATUS[r.status].label}
    </Badge>
  );

  return (
    <Box
      component="section"
      aria-label="Privacy requests"
      style={{ flex: 1, minWidth: 0, display: 'flex', flexDirection: 'column' }}
    >
      <Group p="sm" justify="space-between" style={{ borderBottom: '1px solid var(--mantine-color-gray-3)' }}>
        <Title order={2} size="h4">
          Privacy requests
        </Title>
        <Select
          aria-label="Request status"
          w={170}
          allowDeselect={false}
          value={status}
          onChange={(v) => setStatus((v ?? '') as StatusFilter)}
          data={[
            { value: 'open', label: 'Open' },
            { value: 'pending', label: 'Pending' },
            { value: 'in_progress', label: 'In progress' },
            { value: 'failed', label: 'Failed' },
            { value: 'completed', label: 'Completed' },
            { value: '', label: 'All' },
          ]}
        />
      </Group>
      {problem && (
        <Alert color="red" role="alert" m="sm" withCloseButton onClose={() => setProblem(null)}>
          {problem}
        </Alert>
      )}
      <ScrollArea style={{ flex: 1 }}>
        {rows.length === 0 && !list.isPending && (
          <Text p="md" c="dimmed" size="sm">
            {list.isError
              ? 'The requests could not be loaded.'
              : status === 'open'
                ? 'No open requests. Open one from a contact’s page (Export data, Erase…).'
                : 'No requests here.'}
          </Text>
        )}
        {narrow ? (
          <Stack component="ul" aria-label="Requests" gap="xs" p="sm" style={{ listStyle: 'none', margin: 0 }}>
            {rows.map((r) => (
              <Paper component="li" key={r.id} withBorder p="sm" aria-label={`${REQUEST_TYPES[r.type]} request`}>
                <Group justify="space-between" mb={4}>
                  <Text fw={600} size="sm">
                    {REQUEST_TYPES[r.type]}
                  </Text>
                  {statusBadge(r)}
                </Group>
                {due(r)}
                <Text size="xs" c="dimmed" mt={4}>
                  {pageName(r.page_id)} · received {day(r.received_at)}
                </Text>
                {r.review_reason && (
                  <Text size="xs" mt={4}>
                    {REVIEW_REASONS[r.review_reason] ?? r.review_reason}
                  </Text>
                )}
                <Group justify="space-between" mt="xs">
                  {who(r)}
                  {actions(r)}
                </Group>
              </Paper>
            ))}
          </Stack>
        ) : (
          rows.length > 0 && (
            <Table aria-label="Requests" striped highlightOnHover verticalSpacing="xs" horizontalSpacing="md">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Type</Table.Th>
                  <Table.Th>Status</Table.Th>
                  <Table.Th>Due</Table.Th>
                  <Table.Th>Received</Table.Th>
                  <Table.Th>Page</Table.Th>
                  <Table.Th>Person</Table.Th>
                  <Table.Th>Actions</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {rows.map((r) => (
                  <Table.Tr key={r.id}>
                    <Table.Td>
                      <Text size="sm">{REQUEST_TYPES[r.type]}</Text>
                      {r.review_reason && (
                        <Text size="xs" c="dimmed" maw={260}>
                          {REVIEW_REASONS[r.review_reason] ?? r.review_reason}
                        </Text>
                      )}
                    </Table.Td>
                    <Table.Td>{statusBadge(r)}</Table.Td>
                    <Table.Td>{due(r)}</Table.Td>
                    <Table.Td>
                      <Text size="sm">{day(r.received_at)}</Text>
                    </Table.Td>
                    <Table.Td>
                      <Text size="sm">{pageName(r.page_id)}</Text>
                    </Table.Td>
                    <Table.Td>{who(r)}</Table.Td>
                    <Table.Td>{actions(r)}</Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          )
        )}
        <LoadMore list={list} />
      </ScrollArea>
      <Modal
        opened={pending?.kind === 'extend'}
        onClose={() => {
          setPending(null);
          act.reset();
        }}
        title="Extend the deadline?"
      >
        <Stack gap="sm">
          <Text size="sm">
            The law allows one extension (
            {pending?.r.regime === 'ccpa' ? '45 more days under CCPA' : 'two more months under GDPR'}), and only if you
            tell the person now, with the reasons for the delay. pagescope records that they were told today. It cannot
            be undone.
          </Text>
          {act.isError && (
            <Alert color="red" role="alert">
              {act.error.message}
            </Alert>
          )}
          <Group justify="flex-end">
            <Button variant="default" onClick={() => setPending(null)}>
              Cancel
            </Button>
            <Button loading={act.isPending} onClick={() => pending && act.mutate(pending)}>
              I told the person: extend
            </Button>
          </Group>
        </Stack>
      </Modal>
      <Modal
        opened={pending?.kind === 'resolve'}
        onClose={() => {
          setPending(null);
          act.reset();
        }}
        title="Resolve the request"
      >
        <Stack gap="sm">
          <Text size="sm">
            List the contacts you found for this person (their contact ids, from the contacts screen), or leave it empty
            if nothing is held about them. The request then runs on those contacts.
          </Text>
          {pending?.kind === 'resolve' && <AppScopedId requestId={pending.r.id} />}
          <TextInput
            label="Contact ids (comma separated; empty: nothing is held)"
            value={contactIds}
            onChange={(e) => setContactIds(e.currentTarget.value)}
          />
          {act.isError && (
            <Alert color="red" role="alert">
              {act.error.message}
            </Alert>
          )}
          <Group justify="flex-end">
            <Button variant="default" onClick={() => setPending(null)}>
              Cancel
            </Button>
            <Button loading={act.isPending} onClick={() => pending && act.mutate(pending)}>
              {contactIds.trim() ? 'Resolve with these contacts' : 'Nothing is held: resolve'}
            </Button>
          </Group>
        </Stack>
      </Modal>
    </Box>
  );
}

/** The app-scoped id Meta sent, shown on purpose to find the person (the read is audited). */
function AppScopedId({ requestId }: { requestId: string }) {
  const read = useMutation({
    mutationFn: () =>
      api<{ app_scoped_user_id?: string }>(`/api/v1/privacy/requests/${encodeURIComponent(requestId)}/app-scoped-id`),
  });
  if (read.data)
    return (
      <Group gap="xs" role="group" aria-label="App-scoped id">
        <Text size="xs" c="dimmed">
          App-scoped id
        </Text>
        <Code>{read.data.app_scoped_user_id ?? 'none left'}</Code>
      </Group>
    );
  return (
    <Group gap="xs">
      <Button size="compact-xs" variant="default" loading={read.isPending} onClick={() => read.mutate()}>
        Show the app-scoped id
      </Button>
      <Text size="xs" c="dimmed">
        {read.isError ? read.error.message : 'Meta’s id of the person in your app; the read is audited.'}
      </Text>
    </Group>
  );
}
