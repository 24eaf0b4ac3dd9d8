import { useState } from 'react';
import { ActionIcon, Badge, Group, NavLink, ScrollArea, Select, Text, TextInput } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { useInfiniteQuery } from '@tanstack/react-query';
import { api } from './api.ts';
import type { ScreenProps } from './sections.tsx';
import { navigate } from './route.ts';
import { ContactDetails } from './ContactSidebar.tsx';
import { ago, personName, type Contact, type ListPage } from './people.ts';
import { LoadMore } from './LoadMore.tsx';
import { DetailPane, ListPane, NothingOpen } from './panes.tsx';

type StatusFilter = '' | 'active' | 'unreachable';

function contactsPath(pageId: string, q: string, status: StatusFilter, cursor: string | null): string {
  const p = new URLSearchParams({ limit: '50', identifiers: 'false' });
  if (q.trim()) p.set('q', q.trim());
  if (status) p.set('status', status);
  if (cursor) p.set('cursor', cursor);
  return `/api/v1/pages/${encodeURIComponent(pageId)}/contacts?${p.toString()}`;
}

/** The Page's contacts: search by name, a status filter, "Load more"; a contact opens full width beside the list. */
export function Contacts({ user, pageId, narrow, selected, onSelect }: ScreenProps) {
  const [search, setSearch] = useState('');
  const [q] = useDebouncedValue(search, 250);
  const [status, setStatus] = useState<StatusFilter>('');
  const list = useInfiniteQuery({
    queryKey: ['contacts', pageId, q.trim(), status],
    queryFn: ({ pageParam }) => api<ListPage<Contact>>(contactsPath(pageId!, q, status, pageParam)),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.next_cursor,
    enabled: pageId !== null,
    placeholderData: (prev) => prev,
  });
  const rows = list.data?.pages.flatMap((p) => p.data) ?? [];
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
          }
        >
          <nav aria-label="Contacts">
            {rows.length === 0 && !list.isPending && (
              <Text p="md" c="dimmed" size="sm">
                {list.isError
                  ? 'The contacts could not be loaded.'
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
              <Text size="sm">Search finds people by the start of any of their names.</Text>
            </NothingOpen>
          )}
        </DetailPane>
      )}
    </>
  );
}
