import { useEffect, useMemo, useRef, useState } from 'react';
import {
  ActionIcon,
  Alert,
  Badge,
  Box,
  Button,
  CloseButton,
  Group,
  Menu,
  Paper,
  SegmentedControl,
  Stack,
  Text,
  TextInput,
  Textarea,
  Title,
} from '@mantine/core';
import { useInterval } from '@mantine/hooks';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, ApiError, type Conversation, type User } from './api.ts';
import { replyState, type Recipient } from './window.ts';
import type { Command } from './Inbox.tsx';
import { useHistory } from './history.ts';
import { Timeline } from './Timeline.tsx';
import { PassThreadMenu, ThreadOwnerBanner, ThreadRequestBanner } from './ThreadOwner.tsx';
import { CannedListbox, matching, optionId, slashAt, type CannedResponse } from './CannedResponses.tsx';
import { renderTemplate, type TemplateValues } from '../../src/lib/template-variables.ts';
import { sendErrorInWords } from '../../src/lib/send-error-words.ts';

/** Messenger's limits for quick replies: 13 per message, titles of at most 20 characters. */
const MAX_QUICK_REPLIES = 13;
const MAX_QUICK_REPLY_TITLE = 20;

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
  const history = useHistory(contactId);
  const contact = useQuery({
    queryKey: ['contact', contactId],
    queryFn: () =>
      api<{ first_name: string | null; last_name: string | null; name: string | null } & Recipient>(
        // The same read as the contact sidebar's (same key): never the PSID, so no identifier read is audited.
        `/api/v1/contacts/${encodeURIComponent(contactId!)}?identifiers=false`,
      ),
    enabled: contactId !== undefined,
  });
  const canned = useQuery({
    queryKey: ['canned-responses', c?.page_id],
    queryFn: () => api<{ data: CannedResponse[] }>(`/api/v1/pages/${c!.page_id}/canned-responses`),
    enabled: c !== undefined,
    staleTime: 60_000,
  });
  const [now, setNow] = useState(Date.now());
  useInterval(() => setNow(Date.now()), 30_000, { autoInvoke: true });
  const [mode, setMode] = useState<'reply' | 'note'>('reply');
  const [text, setText] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const [confirming, setConfirming] = useState(false);
  const composer = useRef<HTMLTextAreaElement>(null);
  const [quickReplies, setQuickReplies] = useState<string[] | null>(null);
  const [caret, setCaret] = useState(0);
  const [active, setActive] = useState(0);
  const [dismissedAt, setDismissedAt] = useState<number | null>(null);
  const [typing, setTyping] = useState(false);

  // A send refused while another app owned the thread is moot once the thread is back under pagescope's control
  // (taken here, or passed back by that app): its "Not sent" goes when that happens, not only at the next send.
  const ours = c?.thread_owner.is_pagescope;
  const wasOurs = useRef(ours);
  useEffect(() => {
    if (ours === true && wasOurs.current === false) setProblem(null);
    wasOurs.current = ours;
  }, [ours]);

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

  // A change is sent with the version it was decided on, so one made on a stale view (resolving while a message came
  // in) is refused. Taking over and handing back are not: they say who answers from now, whatever came in meanwhile.
  const change = useMutation({
    mutationFn: (body: Record<string, unknown>) =>
      api<Conversation>(`/api/v1/conversations/${id}`, {
        method: 'PATCH',
        body,
        ...(Object.keys(body).some((k) => k !== 'handled_by') && { headers: { 'if-match': `"${c!.version}"` } }),
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
      const offered = (quickReplies ?? []).map((t) => t.trim()).filter((t) => t !== '');
      return api(`/api/v1/contacts/${contactId}/messages`, {
        method: 'POST',
        body: {
          text,
          author: 'agent',
          ...(offered.length > 0 && {
            quick_replies: offered.map((title) => ({ content_type: 'text', title, payload: title })),
          }),
        },
      });
    },
    onSuccess: (_r, as) => {
      setText('');
      setProblem(null);
      setConfirming(false);
      if (as === 'reply') setQuickReplies(null);
      refresh();
    },
    onError: (err) =>
      setProblem(
        err instanceof ApiError && err.status === 422
          ? `Not sent: ${sendErrorInWords({ code: err.code })} (${err.code})`
          : err instanceof Error
            ? err.message
            : 'Not sent.',
      ),
  });

  const win = c ? replyState(c.window, contact.data, now) : null;
  const replyAllowed = win !== null && win.kind !== 'closed' && win.kind !== 'refused';
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

  // The variables a canned response fills: the person's names as their profile gives them, and the agent's email.
  const values: TemplateValues = useMemo(
    () => ({
      'contact.first_name': contact.data?.first_name,
      'contact.last_name': contact.data?.last_name,
      'contact.name': contact.data?.name ?? c?.contact.name,
      'agent.email': user.email,
    }),
    [contact.data, c?.contact.name, user.email],
  );
  const slash = slashAt(text, caret);
  const options = slash && slash.start !== dismissedAt ? matching(canned.data?.data ?? [], slash.query) : [];
  // The list shows while the composer has the focus (a click on an option keeps it there).
  const picking = typing && options.length > 0;
  const activeOption = options[Math.min(active, options.length - 1)];

  const pick = (r: CannedResponse) => {
    if (!slash) return;
    const inserted = renderTemplate(r.text, values);
    const next = text.slice(0, slash.start) + inserted + text.slice(caret);
    const at = slash.start + inserted.length;
    setText(next);
    setCaret(at);
    setActive(0);
    requestAnimationFrame(() => {
      composer.current?.focus();
      composer.current?.setSelectionRange(at, at);
    });
  };

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
              <Text size="xs" c="dimmed">
                {!c.thread_owner.is_pagescope
                  ? 'Another app answering'
                  : c.handled_by === 'bot'
                    ? 'Bot answering'
                    : 'People answering'}
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
          {/* The bot (automation rules) answers until a person takes over; handing back lets it answer again. */}
          {c.handled_by === 'bot' ? (
            <Button size="xs" variant="default" onClick={() => change.mutate({ handled_by: 'human' })}>
              Take over
            </Button>
          ) : (
            <Button size="xs" variant="default" onClick={() => change.mutate({ handled_by: 'bot' })}>
              Hand back to the bot
            </Button>
          )}
          <PassThreadMenu conversation={c} onProblem={setProblem} />
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
          {(win.kind === 'closed' || win.kind === 'refused') && <Text size="xs">{win.reason}</Text>}
        </Box>
      )}
      <ThreadOwnerBanner conversation={c} />
      <ThreadRequestBanner conversation={c} />
      {problem && (
        <Alert color="orange" role="alert" m="sm" withCloseButton onClose={() => setProblem(null)}>
          {problem}
        </Alert>
      )}
      <Timeline {...history} />
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
          {win && !replyAllowed && (
            <Text size="xs" c="dimmed">
              {win.kind === 'refused' ? 'Replies refused: notes only' : 'Window closed: notes only'}
            </Text>
          )}
        </Group>
        {effectiveMode === 'reply' && quickReplies !== null && (
          <QuickRepliesEditor titles={quickReplies} onChange={setQuickReplies} />
        )}
        <Box pos="relative">
          {picking && (
            <CannedListbox
              id="canned-responses"
              options={options}
              active={Math.min(active, options.length - 1)}
              values={values}
              onPick={pick}
            />
          )}
          <Textarea
            ref={composer}
            label={effectiveMode === 'reply' ? 'Reply' : 'Note (only your team sees it)'}
            description={(canned.data?.data.length ?? 0) > 0 ? 'Type / for canned responses' : undefined}
            autosize
            minRows={2}
            maxRows={6}
            value={text}
            aria-autocomplete="list"
            aria-controls={picking ? 'canned-responses' : undefined}
            aria-activedescendant={picking && activeOption ? optionId(activeOption) : undefined}
            onChange={(e) => {
              const next = e.currentTarget.value;
              setText(next);
              setCaret(e.currentTarget.selectionStart);
              setActive(0);
              // Esc closed the list for that one `/`: a `/` typed anew (or elsewhere) opens it again.
              if (dismissedAt !== null && next[dismissedAt] !== '/') setDismissedAt(null);
            }}
            onSelect={(e) => setCaret(e.currentTarget.selectionStart)}
            onFocus={() => setTyping(true)}
            onBlur={() => setTyping(false)}
            onKeyDown={(e) => {
              if (picking) {
                if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
                  e.preventDefault();
                  const n = options.length;
                  setActive((i) => (Math.min(i, n - 1) + (e.key === 'ArrowDown' ? 1 : n - 1)) % n);
                  return;
                }
                if ((e.key === 'Enter' || e.key === 'Tab') && !e.shiftKey && !e.metaKey && !e.ctrlKey) {
                  e.preventDefault();
                  if (activeOption) pick(activeOption);
                  return;
                }
                if (e.key === 'Escape') {
                  e.preventDefault();
                  e.stopPropagation();
                  setDismissedAt(slash?.start ?? null);
                  return;
                }
              }
              if (e.key === 'Enter' && (e.metaKey || e.ctrlKey)) submit();
              if (e.key === 'Escape') e.currentTarget.blur();
            }}
            styles={effectiveMode === 'note' ? { input: { background: 'var(--mantine-color-yellow-0)' } } : {}}
          />
        </Box>
        <Group justify="flex-end" gap="xs">
          {effectiveMode === 'reply' && quickReplies === null && (
            <Button size="xs" variant="subtle" onClick={() => setQuickReplies([''])} mr="auto">
              Add quick replies
            </Button>
          )}
          <Text size="xs" c="dimmed" visibleFrom="sm">
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

/** The quick replies a reply offers: up to 13 chips of at most 20 characters, sent with the reply. */
function QuickRepliesEditor({ titles, onChange }: { titles: string[]; onChange: (t: string[] | null) => void }) {
  const set = (i: number, v: string) => onChange(titles.map((t, j) => (j === i ? v : t)));
  return (
    <Paper withBorder p="xs" role="group" aria-label="Quick replies">
      <Group justify="space-between" mb={4}>
        <Text size="xs" fw={600}>
          Quick replies ({titles.length}/{MAX_QUICK_REPLIES})
        </Text>
        <CloseButton size="sm" aria-label="Remove all quick replies" onClick={() => onChange(null)} />
      </Group>
      <Group gap={6} align="flex-start">
        {titles.map((t, i) => (
          <Group key={i} gap={2} wrap="nowrap">
            <TextInput
              size="xs"
              w={150}
              aria-label={`Quick reply ${i + 1}`}
              placeholder={`Choice ${i + 1}`}
              maxLength={MAX_QUICK_REPLY_TITLE}
              value={t}
              onChange={(e) => set(i, e.currentTarget.value)}
              rightSection={
                <Text size="10px" c="dimmed">
                  {MAX_QUICK_REPLY_TITLE - [...t].length}
                </Text>
              }
            />
            <CloseButton
              size="sm"
              aria-label={`Remove quick reply ${i + 1}`}
              onClick={() => {
                const rest = titles.filter((_, j) => j !== i);
                onChange(rest.length > 0 ? rest : null);
              }}
            />
          </Group>
        ))}
        <Button
          size="xs"
          variant="light"
          disabled={titles.length >= MAX_QUICK_REPLIES}
          onClick={() => onChange([...titles, ''])}
        >
          Add quick reply
        </Button>
      </Group>
      {titles.length >= MAX_QUICK_REPLIES && (
        <Text size="xs" c="dimmed" mt={4}>
          Messenger allows {MAX_QUICK_REPLIES} quick replies.
        </Text>
      )}
    </Paper>
  );
}
