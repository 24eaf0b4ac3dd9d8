import { useEffect, useRef, useState } from 'react';
import {
  ActionIcon,
  Alert,
  Badge,
  Box,
  Button,
  Group,
  Menu,
  Paper,
  ScrollArea,
  SegmentedControl,
  Stack,
  Text,
  Textarea,
  Title,
} from '@mantine/core';
import { useInterval } from '@mantine/hooks';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, ApiError, type Conversation, type Message, type User } from './api.ts';
import { windowState } from './window.ts';
import type { Command } from './Inbox.tsx';

export function contactName(c: Conversation): string {
  return c.contact.name ?? `Customer …${c.contact.id.slice(-4)}`;
}

/** Conversations whose first HUMAN_AGENT reply the agent confirmed (once per conversation, for this tab). */
const confirmedHumanAgent = new Set<string>();

const SNOOZES: { label: string; at: () => Date }[] = [
  { label: '1 hour', at: () => new Date(Date.now() + 3_600_000) },
  { label: '4 hours', at: () => new Date(Date.now() + 4 * 3_600_000) },
  {
    label: 'Tomorrow 9:00',
    at: () => {
      const d = new Date();
      d.setDate(d.getDate() + 1);
      d.setHours(9, 0, 0, 0);
      return d;
    },
  },
  {
    label: 'Next week',
    at: () => {
      const d = new Date();
      d.setDate(d.getDate() + 7);
      d.setHours(9, 0, 0, 0);
      return d;
    },
  },
];

export function ConversationView({
  id,
  user,
  command,
  onBack,
}: {
  id: string;
  user: User;
  command: Command | null;
  onBack: (() => void) | null;
}) {
  const queryClient = useQueryClient();
  const conversation = useQuery({
    queryKey: ['conversation', id],
    queryFn: () => api<Conversation>(`/api/v1/conversations/${id}`),
  });
  const c = conversation.data;
  const contactId = c?.contact.id;
  const messages = useQuery({
    queryKey: ['messages', contactId],
    queryFn: () => api<{ data: Message[] }>(`/api/v1/contacts/${contactId}/messages?order=desc&limit=100`),
    enabled: contactId !== undefined,
  });
  const [now, setNow] = useState(Date.now());
  useInterval(() => setNow(Date.now()), 30_000, { autoInvoke: true });
  const [mode, setMode] = useState<'reply' | 'note'>('reply');
  const [text, setText] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const [confirming, setConfirming] = useState(false);
  const composer = useRef<HTMLTextAreaElement>(null);
  const bottom = useRef<HTMLDivElement>(null);

  const refresh = () => {
    void queryClient.invalidateQueries({ queryKey: ['conversation', id] });
    void queryClient.invalidateQueries({ queryKey: ['conversations'] });
    if (contactId) void queryClient.invalidateQueries({ queryKey: ['messages', contactId] });
  };

  // Opening a conversation reads it: its unread count goes to zero for everyone.
  const unread = c?.unread_count ?? 0;
  useEffect(() => {
    if (unread > 0) void api(`/api/v1/conversations/${id}/read`, { method: 'POST' }).then(refresh, () => undefined);
  }, [id, unread]);

  const change = useMutation({
    mutationFn: (body: Record<string, unknown>) =>
      api<Conversation>(`/api/v1/conversations/${id}`, {
        method: 'PATCH',
        body,
        headers: { 'if-match': `"${c!.version}"` },
      }),
    onSuccess: (next) => {
      setProblem(null);
      queryClient.setQueryData(['conversation', id], next);
      void queryClient.invalidateQueries({ queryKey: ['conversations'] });
    },
    onError: (err) => {
      setProblem(
        err instanceof ApiError && err.status === 409
          ? 'This conversation changed meanwhile — reloaded. Check it and try again.'
          : err instanceof Error
            ? err.message
            : 'The change failed.',
      );
      refresh();
    },
  });

  const send = useMutation({
    // The mode the composer shows (a closed window forces a note), passed in: not the last toggle's state.
    mutationFn: async (as: 'reply' | 'note') => {
      if (as === 'note') return api(`/api/v1/conversations/${id}/notes`, { method: 'POST', body: { text } });
      return api(`/api/v1/contacts/${contactId}/messages`, { method: 'POST', body: { text, author: 'agent' } });
    },
    onSuccess: () => {
      setText('');
      setProblem(null);
      setConfirming(false);
      refresh();
    },
    onError: (err) =>
      setProblem(
        err instanceof ApiError && err.status === 422
          ? `Not sent: ${err.message}`
          : err instanceof Error
            ? err.message
            : 'Not sent.',
      ),
  });

  const win = c ? windowState(c.window, now) : null;
  const replyAllowed = win !== null && win.kind !== 'closed';
  const effectiveMode = replyAllowed ? mode : 'note';

  // Shortcuts from the inbox (r, n, a, e).
  useEffect(() => {
    if (!command || !c) return;
    if (command.name === 'reply' || command.name === 'note') {
      setMode(command.name);
      composer.current?.focus();
    } else if (command.name === 'assign') change.mutate({ assignee_id: user.id });
    else if (command.name === 'resolve') change.mutate({ status: 'resolved' });
  }, [command]);

  useEffect(() => {
    // Braces: newer browsers' scrollIntoView answers a promise, which React would take for a clean-up function.
    void bottom.current?.scrollIntoView({ block: 'end' });
  }, [messages.data]);

  if (!c)
    return (
      <Text p="md" c="dimmed">
        {conversation.isError ? 'This conversation could not be loaded.' : 'Loading…'}
      </Text>
    );

  const submit = () => {
    if (!text.trim()) return;
    if (effectiveMode === 'reply' && win?.kind === 'human_agent' && !confirmedHumanAgent.has(id)) {
      setConfirming(true);
      return;
    }
    send.mutate(effectiveMode);
  };
  const history = [...(messages.data?.data ?? [])].reverse();
  const resolved = c.status === 'resolved';

  return (
    <>
      <Group
        p="sm"
        justify="space-between"
        style={{ borderBottom: '1px solid var(--mantine-color-gray-3)' }}
        wrap="wrap"
        gap="xs"
      >
        <Group gap="xs" wrap="nowrap">
          {onBack && (
            <ActionIcon variant="subtle" aria-label="Back to the list" onClick={onBack}>
              ←
            </ActionIcon>
          )}
          <div>
            <Title order={2} size="h4">
              {contactName(c)}
            </Title>
            <Group gap={6}>
              <Badge size="sm" variant="light" color={resolved ? 'gray' : c.status === 'snoozed' ? 'yellow' : 'indigo'}>
                {c.status === 'pending' ? 'bot handling' : c.status}
              </Badge>
              <Text size="xs" c="dimmed">
                {c.assignee
                  ? `Assigned to ${c.assignee.id === user.id ? 'you' : (c.assignee.email ?? 'someone')}`
                  : 'Unassigned'}
              </Text>
              {c.status === 'snoozed' && c.snoozed_until && (
                <Text size="xs" c="dimmed">
                  until {new Date(c.snoozed_until).toLocaleString()}
                </Text>
              )}
            </Group>
          </div>
        </Group>
        <Group gap="xs">
          {c.assignee?.id !== user.id && (
            <Button size="xs" variant="default" onClick={() => change.mutate({ assignee_id: user.id })}>
              Assign to me
            </Button>
          )}
          <Menu>
            <Menu.Target>
              <Button size="xs" variant="default">
                Snooze
              </Button>
            </Menu.Target>
            <Menu.Dropdown>
              {SNOOZES.map((s) => (
                <Menu.Item
                  key={s.label}
                  onClick={() => change.mutate({ status: 'snoozed', snoozed_until: s.at().toISOString() })}
                >
                  {s.label}
                </Menu.Item>
              ))}
            </Menu.Dropdown>
          </Menu>
          {resolved ? (
            <Button size="xs" variant="default" onClick={() => change.mutate({ status: 'open' })}>
              Reopen
            </Button>
          ) : (
            <Button size="xs" onClick={() => change.mutate({ status: 'resolved' })}>
              Resolve
            </Button>
          )}
        </Group>
      </Group>
      {win && (
        <Box
          px="sm"
          py={6}
          bg={win.kind === 'standard' ? 'green.0' : win.kind === 'human_agent' ? 'yellow.0' : 'red.0'}
          role="status"
          aria-label="Messaging window"
        >
          <Text size="sm" fw={500}>
            {win.label}
          </Text>
          {win.kind === 'closed' && <Text size="xs">{win.reason}</Text>}
        </Box>
      )}
      {problem && (
        <Alert color="orange" role="alert" m="sm" withCloseButton onClose={() => setProblem(null)}>
          {problem}
        </Alert>
      )}
      <ScrollArea style={{ flex: 1 }} p="sm">
        <Stack component="ol" aria-label="Timeline" gap="xs" style={{ listStyle: 'none', padding: 0, margin: 0 }}>
          {history.map((m) => (
            <Bubble key={m.id} m={m} />
          ))}
        </Stack>
        <div ref={bottom} />
      </ScrollArea>
      <Stack gap="xs" p="sm" style={{ borderTop: '1px solid var(--mantine-color-gray-3)' }}>
        {confirming && (
          <Paper withBorder p="sm" bg="yellow.0" role="alertdialog" aria-label="Confirm human agent reply">
            <Text size="sm" fw={700}>
              Reply outside the 24-hour window?
            </Text>
            <Text size="sm" mb="xs">
              This reply goes with the HUMAN_AGENT tag: use it only for a person's answer to what they asked, never for
              promotion.
            </Text>
            <Group gap="xs">
              <Button
                size="xs"
                color="yellow"
                onClick={() => {
                  confirmedHumanAgent.add(id);
                  setConfirming(false);
                  send.mutate(effectiveMode);
                }}
              >
                Send as HUMAN_AGENT
              </Button>
              <Button size="xs" variant="default" onClick={() => setConfirming(false)}>
                Cancel
              </Button>
            </Group>
          </Paper>
        )}
        <Group justify="space-between">
          <SegmentedControl
            size="xs"
            aria-label="Compose"
            value={effectiveMode}
            onChange={(v) => setMode(v as 'reply' | 'note')}
            data={[
              { value: 'reply', label: 'Reply', disabled: !replyAllowed },
              { value: 'note', label: 'Note' },
            ]}
          />
          {!replyAllowed && (
            <Text size="xs" c="dimmed">
              Window closed: notes only
            </Text>
          )}
        </Group>
        <Textarea
          ref={composer}
          label={effectiveMode === 'reply' ? 'Reply' : 'Note (only your team sees it)'}
          autosize
          minRows={2}
          maxRows={6}
          value={text}
          onChange={(e) => setText(e.currentTarget.value)}
          onKeyDown={(e) => {
            if (e.key === 'Enter' && (e.metaKey || e.ctrlKey)) submit();
            if (e.key === 'Escape') e.currentTarget.blur();
          }}
          styles={effectiveMode === 'note' ? { input: { background: 'var(--mantine-color-yellow-0)' } } : {}}
        />
        <Group justify="flex-end">
          <Text size="xs" c="dimmed">
            Ctrl+Enter
          </Text>
          <Button size="sm" onClick={submit} loading={send.isPending} disabled={!text.trim()}>
            {effectiveMode === 'reply' ? 'Send reply' : 'Add note'}
          </Button>
        </Group>
      </Stack>
    </>
  );
}

const AUTHOR: Record<Message['author'], string> = {
  contact: 'Customer',
  agent: 'Agent',
  automation: 'Bot',
  campaign: 'Campaign',
  page: 'Page',
  note: 'Note',
};

function Bubble({ m }: { m: Message }) {
  const note = m.author === 'note';
  const out = m.direction === 'outbound' && !note;
  const body = m.text ?? (m.attachments.length > 0 ? `[${m.attachments.map((a) => a.type).join(', ')}]` : '');
  return (
    <Box
      component="li"
      style={{ display: 'flex', justifyContent: note ? 'center' : out ? 'flex-end' : 'flex-start' }}
      aria-label={`${AUTHOR[m.author]}: ${body}`}
    >
      <Paper
        px="sm"
        py={6}
        maw="75%"
        radius="lg"
        bg={note ? 'yellow.1' : out ? 'indigo.6' : 'gray.1'}
        c={out ? 'white' : undefined}
        withBorder={note}
        style={note ? { borderStyle: 'dashed' } : undefined}
      >
        {note && (
          <Text size="xs" fw={700}>
            Note
          </Text>
        )}
        <Text size="sm" style={{ whiteSpace: 'pre-wrap', wordBreak: 'break-word' }}>
          {body}
        </Text>
        <Text size="xs" c={out ? 'indigo.1' : 'dimmed'} ta="right">
          {note ? '' : `${AUTHOR[m.author]} · `}
          {new Date(m.created_at).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })}
        </Text>
      </Paper>
    </Box>
  );
}
