import { useEffect, useId, useMemo, useState } from 'react';
import { Group, Kbd, Modal, ScrollArea, Text, TextInput, UnstyledButton } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { useQuery } from '@tanstack/react-query';
import { api, textNow, type ConversationList, type Page, type Status } from './api.ts';
import { runCommand } from './commands.ts';
import { contactName } from './Conversation.tsx';
import { navigate } from './route.ts';
import type { Section } from './sections.tsx';

const STATUSES: Status[] = ['open', 'pending', 'snoozed', 'resolved'];
const STATUS_WORDS: Record<Status, string> = {
  open: 'open',
  pending: 'bot handling',
  snoozed: 'snoozed',
  resolved: 'resolved',
};

interface Item {
  id: string;
  label: string;
  hint: string;
  run: () => void;
}

/** Words of the query all found in the label, in any order, ignoring case and accents. */
function matches(label: string, query: string): boolean {
  const fold = (s: string) => s.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();
  const l = fold(label);
  return fold(query)
    .split(/\s+/)
    .filter(Boolean)
    .every((w) => l.includes(w));
}

/**
 * The command palette (⌘K or Ctrl+K): go to a section, switch Page, act on the open conversation, or find a
 * conversation by a person's name or the words of a message (the inbox's search). Arrows move, Enter runs, Esc closes.
 */
export function Palette({
  opened,
  onClose,
  sections,
  pages,
  pageId,
  onPage,
  conversationOpen,
  onShortcuts,
  onSignOut,
}: {
  opened: boolean;
  onClose: () => void;
  sections: Section[];
  pages: Page[];
  pageId: string | null;
  onPage: (id: string) => void;
  conversationOpen: boolean;
  onShortcuts: () => void;
  onSignOut: () => void;
}) {
  const listId = useId();
  const [query, setQuery] = useState('');
  const [active, setActive] = useState(0);
  const [q] = useDebouncedValue(query.trim(), 200);
  // The inbox's search over every status (the list answers one status at a time), a few of each.
  const found = useQuery({
    queryKey: ['palette', pageId, q],
    queryFn: async () => {
      const lists = await Promise.all(
        STATUSES.map((status) =>
          api<ConversationList>(
            `/api/v1/pages/${encodeURIComponent(pageId!)}/conversations?${new URLSearchParams({ assignee: 'all', status, q, limit: '4' }).toString()}`,
          ),
        ),
      );
      return lists.flatMap((l) => l.data);
    },
    enabled: opened && pageId !== null && q.length >= 2,
  });

  const items = useMemo(() => {
    const all: Item[] = [];
    if (conversationOpen) {
      all.push(
        { id: 'reply', label: 'Reply', hint: 'r', run: () => runCommand('reply') },
        { id: 'note', label: 'Add a note', hint: 'n', run: () => runCommand('note') },
        { id: 'assign', label: 'Assign to me', hint: 'a', run: () => runCommand('assign') },
        { id: 'resolve', label: 'Resolve', hint: 'e', run: () => runCommand('resolve') },
      );
    }
    for (const s of sections)
      all.push({
        id: `go-${s.id}`,
        label: `Go to ${s.label}`,
        hint: '',
        run: () => navigate({ section: s.id, id: null }),
      });
    for (const p of pages)
      if (p.id !== pageId)
        all.push({ id: `page-${p.id}`, label: `Switch to Page ${p.name}`, hint: '', run: () => onPage(p.id) });
    all.push(
      { id: 'shortcuts', label: 'Keyboard shortcuts', hint: '?', run: onShortcuts },
      { id: 'sign-out', label: 'Sign out', hint: '', run: onSignOut },
    );
    const commands = query.trim() ? all.filter((i) => matches(i.label, query)) : all;
    const conversations: Item[] =
      q.length >= 2
        ? (found.data ?? []).map((c) => ({
            id: `conversation-${c.id}`,
            label: [contactName(c), c.last_message && textNow(c.last_message)].filter(Boolean).join(' — '),
            hint: STATUS_WORDS[c.status],
            run: () => navigate({ section: 'inbox', id: c.id }),
          }))
        : [];
    return [...commands, ...conversations];
  }, [conversationOpen, sections, pages, pageId, onPage, onShortcuts, onSignOut, query, q, found.data]);

  useEffect(() => setActive(0), [query, items.length]);
  useEffect(() => {
    if (!opened) setQuery('');
  }, [opened]);

  const run = (item: Item | undefined) => {
    if (!item) return;
    onClose();
    item.run();
  };

  return (
    <Modal opened={opened} onClose={onClose} title="Go to or do…" size="lg" yOffset="12vh">
      <TextInput
        data-autofocus
        role="combobox"
        aria-label="Command"
        aria-expanded
        aria-controls={listId}
        aria-activedescendant={items[active] ? `${listId}-${items[active].id}` : undefined}
        placeholder="Type a command, a Page, or a person's name or words from their messages"
        value={query}
        onChange={(e) => setQuery(e.currentTarget.value)}
        onKeyDown={(e) => {
          if (e.key === 'ArrowDown') {
            e.preventDefault();
            setActive((a) => Math.min(items.length - 1, a + 1));
          } else if (e.key === 'ArrowUp') {
            e.preventDefault();
            setActive((a) => Math.max(0, a - 1));
          } else if (e.key === 'Enter') {
            e.preventDefault();
            run(items[active]);
          }
        }}
      />
      <ScrollArea.Autosize mah="50vh" mt="sm">
        <div role="listbox" id={listId} aria-label="Results">
          {items.length === 0 && (
            <Text size="sm" c="dimmed" p="xs">
              {found.isFetching ? 'Searching…' : 'Nothing matches.'}
            </Text>
          )}
          {items.map((item, i) => (
            <UnstyledButton
              key={item.id}
              id={`${listId}-${item.id}`}
              role="option"
              aria-selected={i === active}
              tabIndex={-1}
              onMouseEnter={() => setActive(i)}
              onClick={() => run(item)}
              w="100%"
              px="sm"
              py={6}
              style={{
                borderRadius: 'var(--mantine-radius-sm)',
                background: i === active ? 'var(--mantine-color-indigo-light)' : undefined,
              }}
            >
              <Group justify="space-between" wrap="nowrap">
                <Text size="sm" truncate>
                  {item.label}
                </Text>
                {item.hint &&
                  (item.hint.length === 1 ? (
                    <Kbd size="xs">{item.hint}</Kbd>
                  ) : (
                    <Text size="xs" c="dimmed">
                      {item.hint}
                    </Text>
                  ))}
              </Group>
            </UnstyledButton>
          ))}
        </div>
      </ScrollArea.Autosize>
    </Modal>
  );
}
