import { useState } from 'react';
import { ActionIcon, Badge, Button, Group, NavLink, ScrollArea, Select, Text, TextInput } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { api } from './api.ts';
import type { ScreenProps } from './sections.tsx';
import { navigate } from './route.ts';
import { ContactDetails } from './ContactSidebar.tsx';
import { ago, personName, type Contact, type ListPage } from './people.ts';
import { LoadMore } from './LoadMore.tsx';
import { DetailPane, ListPane, NothingOpen } from './panes.tsx';
import {
  EMPTY_DRAFT,
  SegmentBuilder,
  filterOf,
  useCountedFilter,
  type Draft,
  type SegmentField,
} from './SegmentBuilder.tsx';

type StatusFilter = '' | 'active' | 'unreachable';

function contactsPath(pageId: string, q: string, status: StatusFilter, cursor: string | null): string {
  const p = new URLSearchParams({ limit: '50', identifiers: 'false' });
  if (q.trim()) p.set('q', q.trim());
  if (status) p.set('status', status);
  if (cursor) p.set('cursor', cursor);
  return `/api/v1/pages/${encodeURIComponent(pageId)}/contacts?${p.toString()}`;
}

interface Preview {
  count: number;
  sample: Contact[];
  next_cursor: string | null;
}

const SAVERS = ['owner', 'admin', 'marketer'];

/**
 * The Page's contacts: search by name, a status filter, "Load more"; or, with **Segment**, the contacts of a segment
 * built from rows of conditions (previewed as they change, debounced). A contact opens full width beside the list.
 */
export function Contacts({ user, pageId, narrow, selected, onSelect }: ScreenProps) {
  const [search, setSearch] = useState('');
  const [q] = useDebouncedValue(search, 250);
  const [status, setStatus] = useState<StatusFilter>('');
  const [segmentOn, setSegmentOn] = useState(false);
  const [draft, setDraft] = useState<Draft>(EMPTY_DRAFT);
  // The same query as the builder's: the fields' types turn what the rows hold into the filter's values.
  const fieldList = useQuery({
    queryKey: ['segment-fields', pageId],
    queryFn: () => api<ListPage<SegmentField>>(`/api/v1/pages/${encodeURIComponent(pageId!)}/segments/fields`),
    enabled: segmentOn && pageId !== null,
  });
  const fields = fieldList.data?.data ?? [];
  const { counted: filter, waiting } = useCountedFilter(JSON.stringify(filterOf(draft, fields)));
  const list = useInfiniteQuery({
    queryKey: segmentOn ? ['segment-preview', pageId, filter] : ['contacts', pageId, q.trim(), status],
    queryFn: async ({ pageParam }): Promise<ListPage<Contact> & { count?: number }> => {
      if (!segmentOn) return api<ListPage<Contact>>(contactsPath(pageId!, q, status, pageParam));
      const r = await api<Preview>(`/api/v1/pages/${encodeURIComponent(pageId!)}/segments/preview`, {
        method: 'POST',
        body: { filter: JSON.parse(filter) as unknown, limit: 50, ...(pageParam && { cursor: pageParam }) },
      });
      return { data: r.sample, next_cursor: r.next_cursor, count: r.count };
    },
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.next_cursor,
    enabled: pageId !== null,
    placeholderData: (prev) => prev,
  });
  const rows = list.data?.pages.flatMap((p) => p.data) ?? [];
  const count = segmentOn && !waiting && !list.isPlaceholderData ? (list.data?.pages[0]?.count ?? null) : null;
  const showList = !narrow || selected === null;
  const showDetail = !narrow || selected !== null;

  return (
    <>
      {showList && (
        <ListPane
          label="Contact list"
          narrow={narrow}
          filters={
            <>
              <Group justify="space-between" wrap="nowrap">
                <Text size="sm" fw={600}>
                  {segmentOn ? 'Segment' : 'Contacts'}
                </Text>
                <Button
                  size="xs"
                  variant={segmentOn ? 'filled' : 'default'}
                  aria-pressed={segmentOn}
                  onClick={() => setSegmentOn((on) => !on)}
                >
                  {segmentOn ? 'Close segment' : 'Segment'}
                </Button>
              </Group>
              {segmentOn && pageId !== null && (
                <SegmentBuilder
                  pageId={pageId}
                  draft={draft}
                  onChange={setDraft}
                  count={count}
                  canSave={SAVERS.includes(user.role)}
                />
              )}
              {!segmentOn && (
                <>
                  <TextInput
                    aria-label="Search contacts"
                    placeholder="Search by name"
                    value={search}
                    onChange={(e) => setSearch(e.currentTarget.value)}
                  />
                  <Select
                    aria-label="Contact status"
                    allowDeselect={false}
                    value={status}
                    onChange={(v) => setStatus((v ?? '') as StatusFilter)}
                    data={[
                      { value: '', label: 'Everyone' },
                      { value: 'active', label: 'Reachable' },
                      { value: 'unreachable', label: 'Unreachable' },
                    ]}
                  />
                </>
              )}
            </>
          }
        >
          <nav aria-label="Contacts">
            {rows.length === 0 && !list.isPending && (
              <Text p="md" c="dimmed" size="sm">
                {list.isError
                  ? 'The contacts could not be loaded.'
                  : segmentOn
                    ? 'Nobody in this segment.'
                    : q.trim()
                      ? `Nobody named “${q.trim()}”.`
                      : 'No contacts yet: people appear here once they write to the Page.'}
              </Text>
            )}
            {rows.map((c) => (
              <NavLink
                key={c.id}
                component="button"
                active={c.id === selected}
                aria-current={c.id === selected ? 'true' : undefined}
                onClick={() => onSelect(c.id)}
                label={
                  <Group justify="space-between" wrap="nowrap">
                    <Text size="sm" fw={500} truncate>
                      {personName(c)}
                    </Text>
                    {c.status === 'unreachable' && (
                      <Badge size="xs" color="red" variant="light">
                        Unreachable
                      </Badge>
                    )}
                  </Group>
                }
                description={`Last seen ${ago(c.last_seen_at)}`}
              />
            ))}
            <LoadMore list={list} />
          </nav>
        </ListPane>
      )}
      {showDetail && (
        <DetailPane label="Contact">
          {selected ? (
            <>
              {narrow && (
                <Group p="xs" style={{ borderBottom: '1px solid var(--mantine-color-gray-3)' }}>
                  <ActionIcon variant="subtle" aria-label="Back to the contacts" onClick={() => onSelect(null)}>
                    ←
                  </ActionIcon>
                  <Text size="sm">Contacts</Text>
                </Group>
              )}
              <ScrollArea style={{ flex: 1 }}>
                <ContactDetails
                  key={selected}
                  contactId={selected}
                  user={user}
                  wide={!narrow}
                  onOpenConversation={(id) => navigate({ section: 'inbox', id })}
                />
              </ScrollArea>
            </>
          ) : (
            <NothingOpen>
              <Text>Choose a contact.</Text>
              <Text size="sm">
                {segmentOn
                  ? 'The list holds the segment’s contacts, newest first.'
                  : 'Search finds people by the start of any of their names.'}
              </Text>
            </NothingOpen>
          )}
        </DetailPane>
      )}
    </>
  );
}
