import { useCallback, useEffect, useState, type ReactNode } from 'react';
import { AppShell, Badge, Burger, Button, Group, Kbd, Menu, Modal, Select, Table, Text, Title } from '@mantine/core';
import { useMediaQuery } from '@mantine/hooks';
import { useQuery } from '@tanstack/react-query';
import { api, type Page, type User } from './api.ts';
import { useLiveUpdates, type Health } from './events.ts';
import { typing } from './keys.ts';
import { navigate, useRoute, type Route } from './route.ts';
import { Palette } from './Palette.tsx';
import { SECTIONS, SHORTCUTS } from './sections.tsx';

const HEALTH: Record<Health, { color: string; label: string }> = {
  connected: { color: 'green', label: 'Live' },
  reconnecting: { color: 'yellow', label: 'Reconnecting…' },
  offline: { color: 'red', label: 'Offline' },
};

const MAC = /Mac|iPhone|iPad/.test(navigator.platform);

const hidden = { position: 'absolute', width: 1, height: 1, overflow: 'hidden', clip: 'rect(0 0 0 0)' } as const;

/**
 * The signed-in app: a header with the sections, the Page selector (one Page at a time: no screen ever mixes two),
 * the connection's health and the account; the current section below it.
 */
export function Shell({ user, onSignOut }: { user: User; onSignOut: () => void }) {
  const health = useLiveUpdates();
  const narrow = useMediaQuery('(max-width: 48em)') ?? false;
  // Below 1400 px the header keeps what is needed to work: the sections, the Page, the connection, sign-out.
  const wide = useMediaQuery('(min-width: 87.5em)') ?? true;
  const roomy = useMediaQuery('(min-width: 75em)') ?? true;
  const route = useRoute();
  const pages = useQuery({ queryKey: ['pages'], queryFn: () => api<{ data: Page[] }>('/api/v1/pages?limit=100') });
  const [pageId, setPageId] = useState<string | null>(null);
  const [help, setHelp] = useState(false);
  const [palette, setPalette] = useState(false);

  useEffect(() => {
    if (!pageId && pages.data?.data[0]) setPageId(pages.data.data[0].id);
  }, [pageId, pages.data]);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if ((e.metaKey || e.ctrlKey) && !e.altKey && e.key.toLowerCase() === 'k') {
        e.preventDefault();
        setPalette((open) => !open);
        return;
      }
      if (e.metaKey || e.ctrlKey || e.altKey || typing(e.target)) return;
      if (e.key === '?') {
        e.preventDefault();
        setHelp(true);
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  const visible = SECTIONS.filter((s) => !s.roles || s.roles.includes(user.role));
  const section = visible.find((s) => s.id === route.section) ?? visible[0]!;
  const go = (r: Route) => navigate(r);
  // Another Page: nothing of the last one stays open.
  const choosePage = useCallback(
    (id: string) => {
      setPageId(id);
      navigate({ section: section.id, id: null }, { replace: true });
    },
    [section.id],
  );
  const h = HEALTH[health];

  let body: ReactNode;
  if (pages.isPending) body = null;
  else
    body = (
      <section.Screen
        user={user}
        pageId={pageId}
        pages={pages.data?.data ?? []}
        narrow={narrow}
        selected={route.section === section.id ? route.id : null}
        onSelect={(id, opts) => navigate({ section: section.id, id }, opts)}
      />
    );

  return (
    <AppShell header={{ height: 56 }} padding={0}>
      <AppShell.Header>
        <Group h="100%" px="md" justify="space-between" wrap="nowrap">
          <Group gap="sm" wrap="nowrap">
            {narrow ? (
              <Menu position="bottom-start">
                <Menu.Target>
                  <Burger size="sm" aria-label="Sections" />
                </Menu.Target>
                <Menu.Dropdown>
                  {visible.map((s) => (
                    <Menu.Item key={s.id} onClick={() => go({ section: s.id, id: null })}>
                      {s.label}
                    </Menu.Item>
                  ))}
                  <Menu.Divider />
                  <Menu.Label>{user.email}</Menu.Label>
                  <Menu.Item onClick={onSignOut}>Sign out</Menu.Item>
                </Menu.Dropdown>
              </Menu>
            ) : null}
            <Title order={1} size="h4" style={narrow || !roomy ? hidden : undefined}>
              pagescope
            </Title>
            <Select
              aria-label="Page"
              placeholder="Page"
              w={narrow ? 170 : roomy ? 220 : 180}
              allowDeselect={false}
              data={(pages.data?.data ?? []).map((p) => ({ value: p.id, label: p.name }))}
              value={pageId}
              onChange={(v) => v && choosePage(v)}
            />
            {!narrow && (
              <Group component="nav" aria-label="Sections" gap={2} wrap="nowrap">
                {visible.map((s) => (
                  <Button
                    key={s.id}
                    component="a"
                    href={`#/${s.id}`}
                    size="xs"
                    variant={s.id === section.id ? 'light' : 'subtle'}
                    aria-current={s.id === section.id ? 'page' : undefined}
                  >
                    {s.label}
                  </Button>
                ))}
              </Group>
            )}
          </Group>
          <Group gap="sm" wrap="nowrap">
            <Badge
              color={h.color}
              variant="dot"
              role="status"
              aria-label={`Connection: ${h.label}`}
              title={`Connection: ${h.label}`}
            >
              {narrow ? null : h.label}
            </Badge>
            {wide && (
              <Text size="sm" c="dimmed">
                {user.email}
              </Text>
            )}
            {!narrow && (
              <Button
                variant="default"
                size="xs"
                aria-label="Go to or do (Ctrl+K)"
                aria-keyshortcuts="Control+K Meta+K"
                onClick={() => setPalette(true)}
              >
                {roomy ? 'Go to or do…' : 'Go to…'}
                {roomy && (
                  <Kbd ml={6} size="xs">
                    {MAC ? '⌘K' : 'Ctrl K'}
                  </Kbd>
                )}
              </Button>
            )}
            {wide && (
              <Button variant="subtle" size="xs" onClick={() => setHelp(true)}>
                Shortcuts{' '}
                <Kbd ml={4} size="xs">
                  ?
                </Kbd>
              </Button>
            )}
            {!narrow && (
              <Button variant="default" size="xs" onClick={onSignOut} title={wide ? undefined : user.email}>
                Sign out
              </Button>
            )}
          </Group>
        </Group>
      </AppShell.Header>
      <AppShell.Main style={{ display: 'flex', height: '100vh' }}>{body}</AppShell.Main>
      <Palette
        opened={palette}
        onClose={() => setPalette(false)}
        sections={visible}
        pages={pages.data?.data ?? []}
        pageId={pageId}
        onPage={choosePage}
        conversationOpen={route.section === 'inbox' && route.id !== null}
        onShortcuts={() => setHelp(true)}
        onSignOut={onSignOut}
      />
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
