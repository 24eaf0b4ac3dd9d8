import { useState, type ReactNode } from 'react';
import {
  Anchor,
  Badge,
  Box,
  Button,
  Collapse,
  Group,
  Paper,
  ScrollArea,
  Select,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { useInfiniteQuery } from '@tanstack/react-query';
import { api } from './api.ts';
import type { ScreenProps } from './sections.tsx';
import { AUDIT_ACTIONS, actionName, dayTime, type AuditEvent, type ListPage } from './people.ts';
import { LoadMore } from './LoadMore.tsx';

const VIA: Record<string, string> = {
  reveal: 'Show PSID',
  get: 'opened through the API',
  list: 'listed through the API',
  psid_lookup: 'looked up by PSID',
};

const OBJECTS: Record<string, string> = {
  contact: 'Contact',
  conversation: 'Conversation',
  privacy_request: 'Privacy request',
  user: 'Team member',
  token: 'API token',
  page: 'Page',
  delivery: 'Message',
};

/** Local midnight of a `YYYY-MM-DD` day, `days` later, as RFC 3339. */
function dayStart(value: string, days = 0): string | null {
  const [y, m, d] = value.split('-').map(Number);
  if (!y || !m || !d) return null;
  return new Date(y, m - 1, d + days).toISOString();
}

function short(id: string): string {
  return id.length > 10 ? `…${id.slice(-6)}` : id;
}

/** Who acted, in words: the operator's email, "you", an API token, or the system's own job. */
function actorText(e: AuditEvent, me: string): string {
  const a = e.actor;
  if (a.type === 'user')
    return a.id === me ? `You (${a.email ?? 'you'})` : (a.email ?? `Team member ${short(a.id ?? '')}`);
  if (a.type === 'token') return `API token ${short(a.id ?? '')}`;
  if (a.type === 'cli') return 'Command line';
  if (a.type === 'system') return `pagescope (${a.id ?? 'system'})`;
  if (a.type === 'meta') return 'Meta';
  return a.type ?? 'Unknown';
}

/** The object the event is about, linked where the app has a screen for it; ids only, never personal data. */
function objectCell(e: AuditEvent): ReactNode {
  const s = e.subject;
  if (!s?.type)
    return (
      <Text size="sm" c="dimmed">
        —
      </Text>
    );
  const label = `${OBJECTS[s.type] ?? s.type} ${s.id ? short(s.id) : ''}`.trim();
  const href =
    s.id && s.type === 'contact'
      ? `#/contacts/${encodeURIComponent(s.id)}`
      : s.id && s.type === 'conversation'
        ? `#/inbox/${encodeURIComponent(s.id)}`
        : s.type === 'privacy_request'
          ? '#/privacy'
          : null;
  return href ? (
    <Anchor href={href} size="sm">
      {label}
    </Anchor>
  ) : (
    <Text size="sm">{label}</Text>
  );
}

/** A few words on how, from the row's details (ids, reasons and counts only: the API keeps personal data out). */
function how(e: AuditEvent): string | null {
  const d = e.details ?? {};
  if (e.action === 'contact.identifier_read' && typeof d.via === 'string') return VIA[d.via] ?? d.via;
  if (e.action === 'conversation.update' && d.changes && typeof d.changes === 'object') {
    const c = d.changes as Record<string, { to?: unknown }>;
    return Object.entries(c)
      .map(([k, v]) =>
        k === 'status' ? `status → ${String(v.to)}` : k === 'labels' ? 'labels changed' : `${k} changed`,
      )
      .join(', ');
  }
  if (typeof d.reason === 'string') return d.reason.replace(/_/g, ' ');
  return null;
}

/**
 * The audit log, newest first: who did what to which object and when, filtered by action, actor, Page and day, with
 * "Load more". What the API presents carries ids, reasons and counts, never a PSID, a name or a message.
 */
export function Audit({ user, pageId, pages, narrow }: ScreenProps) {
  const [action, setAction] = useState<string | null>(null);
  const [actor, setActor] = useState<string | null>(null);
  const [scope, setScope] = useState<'page' | 'all'>('page');
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [actors, setActors] = useState<Map<string, string>>(new Map());
  const since = from ? dayStart(from) : null;
  const until = to ? dayStart(to, 1) : null;
  const page = scope === 'page' ? pageId : null;
  const [showFilters, setShowFilters] = useState(false);
  const active = [action, actor, from, to].filter(Boolean).length + (scope === 'all' ? 1 : 0);

  const list = useInfiniteQuery({
    queryKey: ['audit-events', { action, actor, page, since, until }],
    queryFn: async ({ pageParam }) => {
      const p = new URLSearchParams({ limit: '50' });
      if (action) p.set('action', action);
      if (actor) p.set('actor_id', actor);
      if (page) p.set('page_id', page);
      if (since) p.set('since', since);
      if (until) p.set('until', until);
      if (pageParam) p.set('cursor', pageParam);
      const res = await api<ListPage<AuditEvent>>(`/api/v1/audit-events?${p.toString()}`);
      // Remember who appeared, so the actor filter offers them by name.
      setActors((prev) => {
        const next = new Map(prev);
        for (const e of res.data) if (e.actor.id && !next.has(e.actor.id)) next.set(e.actor.id, actorText(e, user.id));
        return next.size === prev.size ? prev : next;
      });
      return res;
    },
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.next_cursor,
    placeholderData: (prev) => prev,
  });
  const rows = list.data?.pages.flatMap((p) => p.data) ?? [];
  const pageName = (id: string | null) => (id ? (pages.find((p) => p.id === id)?.name ?? id) : '—');
  const actorOptions = [
    { value: user.id, label: 'You' },
    ...[...actors].filter(([id]) => id !== user.id).map(([value, label]) => ({ value, label })),
  ];

  return (
    <Box
      component="section"
      aria-label="Audit log"
      style={{ flex: 1, minWidth: 0, display: 'flex', flexDirection: 'column' }}
    >
      <Stack gap="xs" p="sm" style={{ borderBottom: '1px solid var(--mantine-color-gray-3)' }}>
        <Group justify="space-between">
          <Title order={2} size="h4">
            Audit log
          </Title>
          {narrow && (
            <Button size="xs" variant="default" aria-expanded={showFilters} onClick={() => setShowFilters((v) => !v)}>
              {active > 0 ? `Filters (${active})` : 'Filters'}
            </Button>
          )}
        </Group>
        <Collapse expanded={showFilters || !narrow}>
          <Group gap="xs" align="flex-end" wrap="wrap">
            <Select
              label="Action"
              placeholder="Any action"
              w={narrow ? '100%' : 240}
              searchable
              clearable
              value={action}
              onChange={setAction}
              data={Object.entries(AUDIT_ACTIONS)
                .map(([value, label]) => ({ value, label }))
                .sort((a, b) => a.label.localeCompare(b.label))}
            />
            <Select
              label="Actor"
              placeholder="Anyone"
              w={narrow ? '100%' : 220}
              clearable
              value={actor}
              onChange={setActor}
              data={actorOptions}
            />
            <Select
              label="Pages"
              w={narrow ? '100%' : 170}
              allowDeselect={false}
              value={scope}
              onChange={(v) => setScope(v === 'all' ? 'all' : 'page')}
              data={[
                { value: 'page', label: 'This Page' },
                { value: 'all', label: 'All Pages' },
              ]}
            />
            <TextInput
              label="From"
              type="date"
              w={narrow ? 'calc(50% - 4px)' : 150}
              value={from}
              onChange={(e) => setFrom(e.currentTarget.value)}
            />
            <TextInput
              label="To"
              type="date"
              w={narrow ? 'calc(50% - 4px)' : 150}
              value={to}
              onChange={(e) => setTo(e.currentTarget.value)}
            />
          </Group>
        </Collapse>
        {scope === 'page' && (
          <Text size="xs" c="dimmed">
            Sign-ins, tokens and other events of no Page show under All Pages.
          </Text>
        )}
      </Stack>
      <ScrollArea style={{ flex: 1 }}>
        {rows.length === 0 && !list.isPending && (
          <Text p="md" c="dimmed" size="sm">
            {list.isError ? 'The audit log could not be loaded.' : 'No events match.'}
          </Text>
        )}
        {narrow ? (
          <Stack component="ul" aria-label="Events" gap="xs" p="sm" style={{ listStyle: 'none', margin: 0 }}>
            {rows.map((e) => (
              <Paper component="li" key={e.id} withBorder p="xs">
                <Group justify="space-between" wrap="nowrap">
                  <Text size="sm" fw={600}>
                    {actionName(e.action)}
                  </Text>
                  {e.outcome === 'failure' && (
                    <Badge size="xs" color="red" variant="light">
                      failed
                    </Badge>
                  )}
                </Group>
                <Text size="xs" c="dimmed">
                  {dayTime(e.at)} · {actorText(e, user.id)}
                </Text>
                <Group gap="xs">
                  {objectCell(e)}
                  {how(e) && (
                    <Text size="xs" c="dimmed">
                      {how(e)}
                    </Text>
                  )}
                </Group>
              </Paper>
            ))}
          </Stack>
        ) : (
          rows.length > 0 && (
            <Table aria-label="Events" striped highlightOnHover verticalSpacing={6} horizontalSpacing="md">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Time</Table.Th>
                  <Table.Th>Actor</Table.Th>
                  <Table.Th>Action</Table.Th>
                  <Table.Th>Object</Table.Th>
                  <Table.Th>Page</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {rows.map((e) => (
                  <Table.Tr key={e.id}>
                    <Table.Td style={{ whiteSpace: 'nowrap' }}>
                      <Text size="sm">{dayTime(e.at)}</Text>
                    </Table.Td>
                    <Table.Td>
                      <Text size="sm">{actorText(e, user.id)}</Text>
                    </Table.Td>
                    <Table.Td>
                      <Group gap={6} wrap="nowrap">
                        <Text size="sm" title={e.action}>
                          {actionName(e.action)}
                        </Text>
                        {e.outcome === 'failure' && (
                          <Badge size="xs" color="red" variant="light">
                            failed
                          </Badge>
                        )}
                      </Group>
                      {how(e) && (
                        <Text size="xs" c="dimmed">
                          {how(e)}
                        </Text>
                      )}
                    </Table.Td>
                    <Table.Td>{objectCell(e)}</Table.Td>
                    <Table.Td>
                      <Text size="sm">{pageName(e.page_id)}</Text>
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          )
        )}
        <LoadMore list={list} />
      </ScrollArea>
    </Box>
  );
}
