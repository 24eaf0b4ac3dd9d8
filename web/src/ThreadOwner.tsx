// Messenger's handover protocol in the conversation view: a banner while another app (a helpdesk bot, the Page Inbox)
// owns the thread, with Take and Request thread control; and, while pagescope owns it, a menu to pass it to one.
import { useState, type ReactNode } from 'react';
import { Alert, Box, Button, Group, Menu, Text } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, ApiError, type Conversation } from './api.ts';

interface HandoverApp {
  id: string;
  name: string;
}

function useHandoverApps(c: Conversation, enabled: boolean) {
  return useQuery({
    queryKey: ['handover-apps', c.page_id],
    queryFn: () => api<{ data: HandoverApp[] }>(`/api/v1/conversations/${c.id}/handover-apps`),
    enabled,
    staleTime: 5 * 60_000,
    retry: false,
  });
}

function useThreadControl(c: Conversation, onProblem: (p: string | null) => void) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: { action: 'take' | 'pass' | 'request' | 'decline'; target_app_id?: string }) =>
      api<Conversation>(`/api/v1/conversations/${c.id}/thread-control`, { method: 'POST', body }),
    onSuccess: (next, body) => {
      onProblem(body.action === 'request' ? 'Asked the other app to pass the conversation back.' : null);
      queryClient.setQueryData(['conversation', c.id], next);
      void queryClient.invalidateQueries({ queryKey: ['conversations'] });
    },
    onError: (err) =>
      onProblem(err instanceof ApiError || err instanceof Error ? err.message : 'Thread control did not change.'),
  });
}

/** Shown while another app owns the thread: who, why replies are refused, and how to get the thread back. */
export function ThreadOwnerBanner({ conversation: c }: { conversation: Conversation }) {
  const [note, setNote] = useState<string | null>(null);
  const owner = c.thread_owner;
  const apps = useHandoverApps(c, !owner.is_pagescope && owner.app_id !== null);
  const control = useThreadControl(c, setNote);
  if (owner.is_pagescope) return null;
  const name = apps.data?.data.find((a) => a.id === owner.app_id)?.name;
  const who =
    owner.app_id === null
      ? 'Another app'
      : name
        ? `Another app, ${name} (id ${owner.app_id}),`
        : `Another app (id ${owner.app_id})`;
  return (
    <ThreadBanner
      label="Thread control"
      title={`${who} is handling this conversation`}
      detail="Messenger lets only that app answer: replies and rules stay silent here until you take thread control."
      note={note}
      onCloseNote={() => setNote(null)}
    >
      <Button size="xs" loading={control.isPending} onClick={() => control.mutate({ action: 'take' })}>
        Take thread control
      </Button>
      <Button size="xs" variant="default" onClick={() => control.mutate({ action: 'request' })}>
        Ask for it back
      </Button>
    </ThreadBanner>
  );
}

/** A handover banner: what is going on, in a sentence and a detail, its actions, and what the last action said. */
function ThreadBanner(props: {
  label: string;
  title: string;
  detail: string;
  note: string | null;
  onCloseNote: () => void;
  children: ReactNode;
}) {
  return (
    <Box px="sm" py={6} bg="grape.0" role="region" aria-label={props.label}>
      <Group justify="space-between" gap="xs" wrap="wrap">
        <div>
          <Text size="sm" fw={500}>
            {props.title}
          </Text>
          <Text size="xs">{props.detail}</Text>
        </div>
        <Group gap="xs">{props.children}</Group>
      </Group>
      {props.note && (
        <Alert color="grape" mt={6} p="xs" withCloseButton onClose={props.onCloseNote}>
          {props.note}
        </Alert>
      )}
    </Box>
  );
}

/** While pagescope owns the thread and another app asked for it: who, and pass it to them or keep it. */
export function ThreadRequestBanner({ conversation: c }: { conversation: Conversation }) {
  const [note, setNote] = useState<string | null>(null);
  const request = c.thread_owner.is_pagescope ? c.thread_request : null;
  const apps = useHandoverApps(c, request !== null);
  const control = useThreadControl(c, setNote);
  if (request === null) return note ? <Alert color="grape">{note}</Alert> : null;
  const name = apps.data?.data.find((a) => a.id === request.app_id)?.name;
  const who = name ? `${name} (app id ${request.app_id})` : `Another app (id ${request.app_id})`;
  return (
    <ThreadBanner
      label="Thread request"
      title={`${who} asks to handle this conversation`}
      detail="Pass it to them and only they may answer the person; keep it and nothing changes for the person."
      note={note}
      onCloseNote={() => setNote(null)}
    >
      <Button
        size="xs"
        loading={control.isPending}
        onClick={() => control.mutate({ action: 'pass', target_app_id: request.app_id })}
      >
        Pass it to them
      </Button>
      <Button size="xs" variant="default" onClick={() => control.mutate({ action: 'decline' })}>
        Keep it
      </Button>
    </ThreadBanner>
  );
}

/** While pagescope owns the thread: pass it to one of the Page's other apps (listed when the menu opens). */
export function PassThreadMenu({
  conversation: c,
  onProblem,
}: {
  conversation: Conversation;
  onProblem: (p: string | null) => void;
}) {
  const [opened, setOpened] = useState(false);
  const apps = useHandoverApps(c, opened);
  const control = useThreadControl(c, onProblem);
  if (!c.thread_owner.is_pagescope) return null;
  return (
    <Menu opened={opened} onChange={setOpened}>
      <Menu.Target>
        <Button size="xs" variant="default">
          Pass to app
        </Button>
      </Menu.Target>
      <Menu.Dropdown>
        <Menu.Label>Pass this conversation to</Menu.Label>
        {apps.isPending && <Menu.Item disabled>Loading the Page’s apps…</Menu.Item>}
        {apps.isError && <Menu.Item disabled>Meta did not list the Page’s apps</Menu.Item>}
        {apps.data?.data.length === 0 && <Menu.Item disabled>No other app on this Page</Menu.Item>}
        {apps.data?.data.map((a) => (
          <Menu.Item key={a.id} onClick={() => control.mutate({ action: 'pass', target_app_id: a.id })}>
            Pass to {a.name}
          </Menu.Item>
        ))}
      </Menu.Dropdown>
    </Menu>
  );
}
