import { useEffect, useMemo, useState } from 'react';
import { Badge, Checkbox, Group, Kbd, NavLink, SegmentedControl, Select, Text, TextInput } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { useQuery } from '@tanstack/react-query';
import { api, conversationsPath, textNow, type Conversation, type ConversationList, type Filters } from './api.ts';
import type { ScreenProps } from './sections.tsx';
import { onCommand, type CommandName } from './commands.ts';
import { typing } from './keys.ts';
import { ConversationView, contactName } from './Conversation.tsx';
import { ContactSidebar } from './ContactSidebar.tsx';
import { DetailPane, ListPane, NothingOpen } from './panes.tsx';

export type Command = { name: CommandName; at: number };

export function Inbox({ user, pageId, narrow, selected, onSelect }: ScreenProps) {
  const [filters, setFilters] = useState<Filters>({
    assignee: 'all',
    status: 'open',
    sort: 'last_activity',
    q: '',
    unread: false,
    unreplied: false,
    window: '',
  });
  const [search, setSearch] = useState('');
  const [q] = useDebouncedValue(search, 250);
  const [command, setCommand] = useState<Command | null>(null);

  const effective = { ...filters, q };
  const list = useQuery({
    queryKey: ['conversations', pageId, effective],
    queryFn: () => api<ConversationList>(conversationsPath(pageId!, effective)),
    enabled: pageId !== null,
    placeholderData: (prev) => prev,
  });
  const rows = useMemo(() => list.data?.data ?? [], [list.data]);

  useEffect(() => onCommand((name) => setCommand({ name, at: Date.now() })), []);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.metaKey || e.ctrlKey || e.altKey || typing(e.target)) return;
      if (e.key === 'j' || e.key === 'k') {
        if (rows.length === 0) return;
        const i = rows.findIndex((c) => c.id === selected);
        const next = e.key === 'j' ? Math.min(rows.length - 1, i + 1) : Math.max(0, i < 0 ? 0 : i - 1);
        onSelect(rows[next]!.id, { replace: true });
        e.preventDefault();
        return;
      }
      const name = ({ r: 'reply', n: 'note', a: 'assign', e: 'resolve' } as const)[e.key as 'r' | 'n' | 'a' | 'e'];
      if (name && selected) {
        e.preventDefault();
        setCommand({ name, at: Date.now() });
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [rows, selected, onSelect]);

  const set = <K extends keyof Filters>(k: K, v: Filters[K]) => setFilters((f) => ({ ...f, [k]: v }));
  const counts = list.data?.counts;
  const showList = !narrow || selected === null;
  const showConversation = !narrow || selected !== null;

  return (
    <>
      {showList && (
        <ListPane
          label="Conversation list"
          narrow={narrow}
          filters={
            <>
              <SegmentedControl
                aria-label="Assignee"
                fullWidth
                value={filters.assignee}
                onChange={(v) => set('assignee', v as Filters['assignee'])}
                data={[
                  { value: 'me', label: `Mine ${counts ? counts.mine : ''}` },
                  { value: 'unassigned', label: `Unassigned ${counts ? counts.unassigned : ''}` },
                  { value: 'all', label: `All ${counts ? counts.all : ''}` },
                ]}
              />
              <TextInput
                aria-label="Search"
                placeholder="Search messages and names"
                value={search}
                onChange={(e) => setSearch(e.currentTarget.value)}
              />
              <Group gap="xs" grow>
                <Select
                  aria-label="Status"
                  allowDeselect={false}
                  value={filters.status}
                  onChange={(v) => v && set('status', v as Filters['status'])}
                  data={[
                    { value: 'open', label: 'Open' },
                    { value: 'pending', label: 'Bot handling' },
                    { value: 'snoozed', label: 'Snoozed' },
                    { value: 'resolved', label: 'Resolved' },
                  ]}
                />
                <Select
                  aria-label="Sort"
                  allowDeselect={false}
                  value={filters.sort}
                  onChange={(v) => v && set('sort', v as Filters['sort'])}
                  data={[
                    { value: 'last_activity', label: 'Latest activity first' },
                    { value: 'waiting_since', label: 'Waiting longest first' },
                  ]}
                />
              </Group>
              <Group gap="md" wrap="nowrap">
                <Select
                  aria-label="Window"
                  w={160}
                  allowDeselect={false}
                  value={filters.window}
                  onChange={(v) => set('window', (v ?? '') as Filters['window'])}
                  data={[
                    { value: '', label: 'Any window' },
                    { value: 'closing_soon', label: 'Closing soon' },
                    { value: 'closed', label: 'Window closed' },
                  ]}
                />
                <Checkbox
                  size="xs"
                  label="Unread"
                  checked={filters.unread}
                  onChange={(e) => set('unread', e.currentTarget.checked)}
                />
                <Checkbox
                  size="xs"
                  label="Unreplied"
                  checked={filters.unreplied}
                  onChange={(e) => set('unreplied', e.currentTarget.checked)}
                />
              </Group>
            </>
          }
        >
          <nav aria-label="Conversations">
            {rows.length === 0 && !list.isPending && (
              <Text p="md" c="dimmed" size="sm">
                No conversations here.
              </Text>
            )}
            {rows.map((c) => (
              <ConversationRow key={c.id} c={c} active={c.id === selected} onOpen={() => onSelect(c.id)} />
            ))}
          </nav>
        </ListPane>
      )}
      {showConversation && (
        <DetailPane label="Conversation">
          {selected ? (
            <ConversationView
              key={selected}
              id={selected}
              user={user}
              command={command}
              onBack={narrow ? () => onSelect(null) : null}
            />
          ) : (
            <NothingOpen>
              <Text>Choose a conversation.</Text>
              <Text size="sm">
                Press <Kbd>j</Kbd> / <Kbd>k</Kbd> to move through the list, <Kbd>?</Kbd> for every shortcut.
              </Text>
            </NothingOpen>
          )}
        </DetailPane>
      )}
      {selected && showConversation && <ContactSidebar key={selected} conversationId={selected} user={user} />}
    </>
  );
}

function ago(iso: string | null): string {
  if (!iso) return '';
  const m = Math.floor((Date.now() - Date.parse(iso)) / 60_000);
  if (m < 1) return 'now';
  if (m < 60) return `${m} m`;
  if (m < 1440) return `${Math.floor(m / 60)} h`;
  return `${Math.floor(m / 1440)} d`;
}

function ConversationRow({ c, active, onOpen }: { c: Conversation; active: boolean; onOpen: () => void }) {
  const text = c.last_message
    ? c.last_message.kind === 'postback'
      ? `Pressed “${c.last_message.text ?? 'a button'}”`
      : `${c.last_message.direction === 'outbound' ? 'You: ' : ''}${textNow(c.last_message) ?? '[attachment]'}`
    : '';
  return (
    <NavLink
      component="button"
      active={active}
      aria-current={active ? 'true' : undefined}
      onClick={onOpen}
      label={
        <Group justify="space-between" wrap="nowrap">
          <Text size="sm" fw={c.unread_count > 0 ? 700 : 500} truncate>
            {contactName(c)}
          </Text>
          <Text size="xs" c="dimmed">
            {ago(c.last_activity_at)}
          </Text>
        </Group>
      }
      description={
        <Group justify="space-between" wrap="nowrap" gap="xs">
          <Text size="xs" c="dimmed" truncate>
            {text}
          </Text>
          {c.unread_count > 0 && (
            // A round badge holds one digit; a longer count gets a pill as wide as it needs, never cut short.
            <Badge
              size="xs"
              circle={c.unread_count < 10}
              style={{ flexShrink: 0 }}
              aria-label={`${c.unread_count} unread`}
            >
              {c.unread_count > 99 ? '99+' : c.unread_count}
            </Badge>
          )}
        </Group>
      }
    />
  );
}
