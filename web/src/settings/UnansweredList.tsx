import { Button, Group, Menu, Stack, Text, Title } from '@mantine/core';
import { useMutation, useQuery } from '@tanstack/react-query';
import { api } from '../api.ts';
import { ErrorNote, ResponsiveTable, when, type Column } from './shared.tsx';
import type { FaqEntry } from './AssistantPanel.tsx';

/** A question the assistant could not answer, as the API lists it (its words null when no longer readable). */
export interface Unanswered {
  id: string;
  text: string | null;
  count: number;
  first_asked_at: string;
  last_asked_at: string;
}

const words = (q: Unanswered) => q.text ?? '(the words are no longer readable)';

/**
 * The questions the assistant left unanswered, most asked first, for those who may read the Page's messages; owners
 * and admins turn one into an FAQ entry (`onTurn` opens the form), add it to an entry as a phrasing, or dismiss it.
 */
export function UnansweredList({
  pageId,
  manager,
  narrow,
  entries,
  onTurn,
  onChanged,
}: {
  pageId: string;
  manager: boolean;
  narrow: boolean;
  entries: FaqEntry[];
  onTurn: (q: Unanswered) => void;
  onChanged: () => Promise<void>;
}) {
  const list = useQuery({
    queryKey: ['unanswered', pageId],
    queryFn: () => api<{ data: Unanswered[] }>(`/api/v1/pages/${encodeURIComponent(pageId)}/assistant/unanswered`),
  });
  const addTo = useMutation({
    mutationFn: ({ q, faqId }: { q: Unanswered; faqId: string }) =>
      api(`/api/v1/assistant/unanswered/${encodeURIComponent(q.id)}/phrase`, {
        method: 'POST',
        body: { faq_id: faqId },
      }),
    onSuccess: onChanged,
  });
  const dismiss = useMutation({
    mutationFn: (q: Unanswered) =>
      api(`/api/v1/assistant/unanswered/${encodeURIComponent(q.id)}/dismiss`, { method: 'POST' }),
    onSuccess: onChanged,
  });
  const columns: Column<Unanswered>[] = [
    {
      header: 'Question',
      cell: (q) => (
        <Text size="sm" style={{ overflowWrap: 'anywhere' }} c={q.text === null ? 'dimmed' : undefined}>
          {words(q)}
        </Text>
      ),
    },
    { header: 'Asked', cell: (q) => <Text size="sm">{q.count === 1 ? 'once' : `${q.count} times`}</Text> },
    { header: 'Last asked', cell: (q) => <Text size="sm">{when(q.last_asked_at)}</Text> },
  ];
  if (manager)
    columns.push({
      header: 'Actions',
      hiddenHeader: true,
      cell: (q) => (
        <Group gap={4} justify="flex-end" wrap="wrap">
          <Button size="compact-sm" aria-label={`Turn “${words(q)}” into an FAQ entry`} onClick={() => onTurn(q)}>
            Turn into FAQ entry
          </Button>
          {entries.length > 0 && q.text !== null && (
            <Menu position="bottom-end" withinPortal>
              <Menu.Target>
                <Button size="compact-sm" variant="default" aria-label={`Add “${words(q)}” to an entry`}>
                  Add to entry…
                </Button>
              </Menu.Target>
              <Menu.Dropdown aria-label="FAQ entries to add it to" mah={300} style={{ overflowY: 'auto' }}>
                <Menu.Label>As another phrasing of</Menu.Label>
                {entries.map((e) => (
                  <Menu.Item key={e.id} onClick={() => addTo.mutate({ q, faqId: e.id })}>
                    {e.question}
                  </Menu.Item>
                ))}
              </Menu.Dropdown>
            </Menu>
          )}
          <Button
            size="compact-sm"
            variant="subtle"
            color="gray"
            aria-label={`Dismiss “${words(q)}”`}
            onClick={() => dismiss.mutate(q)}
          >
            Dismiss
          </Button>
        </Group>
      ),
    });
  const rows = list.data?.data ?? [];
  return (
    <Stack gap="xs" component="section" aria-labelledby="unanswered-title">
      <Title order={3} size="h4" id="unanswered-title">
        Unanswered questions
      </Title>
      <Text size="sm" c="dimmed">
        Questions the assistant had no approved answer for, most asked first. The words are the last asker&apos;s; they
        go when that person&apos;s data is erased.
      </Text>
      <ErrorNote error={list.error ?? addTo.error ?? dismiss.error} />
      {list.data && rows.length === 0 && (
        <Text size="sm" c="dimmed">
          No unanswered questions.
        </Text>
      )}
      {rows.length > 0 && (
        <ResponsiveTable
          label="Unanswered questions"
          rows={rows}
          columns={columns}
          narrow={narrow}
          rowKey={(q) => q.id}
        />
      )}
    </Stack>
  );
}
