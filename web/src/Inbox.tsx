import { useEffect, useMemo, useState } from 'react';
import {
  AppShell,
  Badge,
  Box,
  Button,
  Checkbox,
  Group,
  Kbd,
  Modal,
  NavLink,
  ScrollArea,
  SegmentedControl,
  Select,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { useDebouncedValue, useMediaQuery } from '@mantine/hooks';
import { useQuery } from '@tanstack/react-query';
import {
  api,
  conversationsPath,
  type Conversation,
  type ConversationList,
  type Filters,
  type Page,
  type User,
} from './api.ts';
import { useLiveUpdates, type Health } from './events.ts';
import { ConversationView, contactName } from './Conversation.tsx';

const HEALTH: Record<Health, { color: string; label: string }> = {
  connected: { color: 'green', label: 'Live' },
  reconnecting: { color: 'yellow', label: 'Reconnecting…' },
  offline: { color: 'red', label: 'Offline' },
};

const SHORTCUTS: [string, string][] = [
  ['j', 'Next conversation'],
  ['k', 'Previous conversation'],
  ['r', 'Reply'],
  ['n', 'Note'],
  ['a', 'Assign to me'],
  ['e', 'Resolve'],
  ['?', 'This list'],
];

/** Typing in a field never triggers a shortcut. */
function typing(target: EventTarget | null): boolean {
  return (
    target instanceof HTMLElement &&
    (target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName))
  );
}

export type Command = { name: 'reply' | 'note' | 'assign' | 'resolve'; at: number };

export function Inbox({ user, onSignOut }: { user: User; onSignOut: () => void }) {
  const health = useLiveUpdates();
  const narrow = useMediaQuery('(max-width: 48em)');
  const pages = useQuery({ queryKey: ['pages'], queryFn: () => api<{ data: Page[] }>('/api/v1/pages?limit=100') });
  const [pageId, setPageId] = useState<string | null>(null);
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
  const [selected, setSelected] = useState<string | null>(null);
  const [help, setHelp] = useState(false);
  const [command, setCommand] = useState<Command | null>(null);

  useEffect(() => {
    if (!pageId && pages.data?.data[0]) setPageId(pages.data.data[0].id);
  }, [pageId, pages.data]);

  const effective = { ...filters, q };
  const list = useQuery({
    queryKey: ['conversations', pageId, effective],
    queryFn: () => api<ConversationList>(conversationsPath(pageId!, effective)),
    enabled: pageId !== null,
    placeholderData: (prev) => prev,
  });
  const rows = useMemo(() => list.data?.data ?? [], [list.data]);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.metaKey || e.ctrlKey || e.altKey || typing(e.target)) return;
      if (e.key === '?') {
        setHelp(true);
        return;
      }
      if (e.key === 'j' || e.key === 'k') {
        if (rows.length === 0) return;
        const i = rows.findIndex((c) => c.id === selected);
        const next = e.key === 'j' ? Math.min(rows.length - 1, i + 1) : Math.max(0, i < 0 ? 0 : i - 1);
        setSelected(rows[next]!.id);
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
  }, [rows, selected]);

  const set = <K extends keyof Filters>(k: K, v: Filters[K]) => setFilters((f) => ({ ...f, [k]: v }));
  const counts = list.data?.counts;
  const h = HEALTH[health];
  const showList = !narrow || selected === null;
  const showConversation = !narrow || selected !== null;

  return (
    <AppShell header={{ height: 56 }} padding={0}>
      <AppShell.Header>
        <Group h="100%" px="md" justify="space-between" wrap="nowrap">
          <Group gap="sm" wrap="nowrap">
            {narrow ? (
              <Title
                order={1}
                className="visually-hidden"
                style={{ position: 'absolute', width: 1, height: 1, overflow: 'hidden', clip: 'rect(0 0 0 0)' }}
              >
                pagescope
              </Title>
            ) : (
              <Title order={1} size="h4">
                pagescope
              </Title>
            )}
            <Select
              aria-label="Page"
              placeholder="Page"
              w={narrow ? 180 : 240}
              allowDeselect={false}
              data={(pages.data?.data ?? []).map((p) => ({ value: p.id, label: p.name }))}
              value={pageId}
              onChange={(v) => {
                setPageId(v);
                setSelected(null);
              }}
            />
          </Group>
          <Group gap="sm" wrap="nowrap">
            <Badge color={h.color} variant="dot" role="status" aria-label={`Connection: ${h.label}`}>
              {h.label}
            </Badge>
            {!narrow && (
              <Text size="sm" c="dimmed">
                {user.email}
              </Text>
            )}
            {!narrow && (
              <Button variant="subtle" size="xs" onClick={() => setHelp(true)}>
                Shortcuts{' '}
                <Kbd ml={4} size="xs">
                  ?
                </Kbd>
              </Button>
            )}
            <Button variant="default" size="xs" onClick={onSignOut}>
              Sign out
            </Button>
          </Group>
        </Group>
      </AppShell.Header>
      <AppShell.Main style={{ display: 'flex', height: '100vh' }}>
        {showList && (
          <Box
            component="section"
            aria-label="Conversation list"
            w={narrow ? '100%' : 380}
            style={{
              borderRight: '1px solid var(--mantine-color-gray-3)',
              display: 'flex',
              flexDirection: 'column',
              minHeight: 0,
            }}
          >
            <Stack gap="xs" p="sm" style={{ borderBottom: '1px solid var(--mantine-color-gray-3)' }}>
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
            </Stack>
            <ScrollArea style={{ flex: 1 }}>
              <nav aria-label="Conversations">
                {rows.length === 0 && !list.isPending && (
                  <Text p="md" c="dimmed" size="sm">
                    No conversations here.
                  </Text>
                )}
                {rows.map((c) => (
                  <ConversationRow key={c.id} c={c} active={c.id === selected} onOpen={() => setSelected(c.id)} />
                ))}
              </nav>
            </ScrollArea>
          </Box>
        )}
        {showConversation && (
          <Box
            component="section"
            aria-label="Conversation"
            style={{ flex: 1, minWidth: 0, display: 'flex', flexDirection: 'column' }}
          >
            {selected ? (
              <ConversationView
                key={selected}
                id={selected}
                user={user}
                command={command}
                onBack={narrow ? () => setSelected(null) : null}
              />
            ) : (
              <Stack align="center" justify="center" h="100%" c="dimmed" gap={4}>
                <Text>Choose a conversation.</Text>
                <Text size="sm">
                  Press <Kbd>j</Kbd> / <Kbd>k</Kbd> to move through the list, <Kbd>?</Kbd> for every shortcut.
                </Text>
              </Stack>
            )}
          </Box>
        )}
      </AppShell.Main>
      <Modal opened={help} onClose={() => setHelp(false)} title="Keyboard shortcuts">
        <Table>
          <Table.Tbody>
            {SHORTCUTS.map(([k, what]) => (
              <Table.Tr key={k}>
                <Table.Td>
                  <Kbd>{k}</Kbd>
                </Table.Td>
                <Table.Td>{what}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Modal>
    </AppShell>
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
    ? `${c.last_message.direction === 'outbound' ? 'You: ' : ''}${c.last_message.text ?? '[attachment]'}`
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
            <Badge size="xs" circle aria-label={`${c.unread_count} unread`}>
              {c.unread_count}
            </Badge>
          )}
        </Group>
      }
    />
  );
}
