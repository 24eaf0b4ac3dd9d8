import { useEffect, useRef, useState } from 'react';
import {
  Alert,
  Anchor,
  Avatar,
  Badge,
  Box,
  Button,
  Code,
  CopyButton,
  DataList,
  Drawer,
  Group,
  Modal,
  ScrollArea,
  Stack,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { useMediaQuery } from '@mantine/hooks';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, ApiError, type Conversation, type User } from './api.ts';
import {
  MARKETING,
  REQUEST_STATUS,
  REQUEST_TYPES,
  ago,
  canManagePrivacy,
  canReadHistory,
  canReadIdentifiers,
  day,
  dayTime,
  dueText,
  initials,
  languageName,
  personName,
  reachability,
  timezoneText,
  type Activity,
  type Consent,
  type Contact,
  type ListPage,
  type PrivacyRequest,
} from './people.ts';
import { windowState } from './window.ts';
import { InterestsCard } from './sidebar/InterestsCard.tsx';
import { OrdersCard } from './sidebar/OrdersCard.tsx';
import { TagsAndAttributes } from './sidebar/TagsAndAttributes.tsx';
import { Block } from './sidebar/Block.tsx';

const STATUS_BADGE: Record<Contact['status'], { label: string; color: string }> = {
  active: { label: 'Reachable', color: 'green' },
  unreachable: { label: 'Unreachable', color: 'red' },
  erased: { label: 'Erased', color: 'gray' },
};

const CONSENT_SOURCE: Record<string, string> = {
  keyword: 'by a keyword they sent',
  marketing_optin: 'through Messenger’s opt-in',
  merge: '(kept from a merged record)',
  meta_deauthorize: '(they removed the app on Facebook)',
};

/**
 * Everything the team may know about one person, as their role allows: profile, reachability, consent with its
 * history, tags and attributes, previous activity, their privacy requests and actions. The PSID is never fetched
 * until someone asks for it (and that read is audited). Used in the inbox's sidebar and as the contact's own page.
 */
export function ContactDetails({
  contactId,
  user,
  wide = false,
  onOpenConversation,
}: {
  contactId: string;
  user: User;
  /** Full width (the contact's own page): two columns where there is room. */
  wide?: boolean;
  /** Shown as "Open conversation" when given. */
  onOpenConversation?: ((conversationId: string) => void) | undefined;
}) {
  const contact = useQuery({
    queryKey: ['contact', contactId],
    queryFn: () => api<Contact>(`/api/v1/contacts/${encodeURIComponent(contactId)}?identifiers=false`),
  });
  const consent = useQuery({
    queryKey: ['consent', contactId],
    queryFn: () => api<Consent>(`/api/v1/privacy/consent/${encodeURIComponent(contactId)}`),
    enabled: contact.isSuccess,
  });
  const history = canReadHistory(user);
  const activity = useQuery({
    queryKey: ['activity', contactId],
    queryFn: () => api<Activity>(`/api/v1/contacts/${encodeURIComponent(contactId)}/activity`),
    enabled: contact.isSuccess && history,
  });

  if (contact.isError)
    return (
      <Text p="md" c="dimmed">
        {contact.error instanceof ApiError && contact.error.status === 404
          ? 'This contact does not exist, was erased, or belongs to a Page you cannot see.'
          : 'This contact could not be loaded.'}
      </Text>
    );
  const c = contact.data;
  if (!c)
    return (
      <Text p="md" c="dimmed">
        Loading…
      </Text>
    );

  const name = personName(c);
  const reach = reachability(c);
  const win = windowState(c.window, Date.now());
  const lang = languageName(c.locale);
  const tz = timezoneText(c.timezone);
  const conversationId = activity.data?.conversation?.id;

  const profile = (
    <Stack gap="md">
      <Identity contact={c} name={name} user={user} />
      {onOpenConversation && conversationId && (
        <Group gap="xs">
          <Button
            size="xs"
            component="a"
            href={`#/inbox/${conversationId}`}
            onClick={(e) => {
              e.preventDefault();
              onOpenConversation(conversationId);
            }}
          >
            Open conversation
          </Button>
        </Group>
      )}
      <DataList size="sm" gap={6} labelWidth={92}>
        <DataList.Item>
          <DataList.ItemLabel>Language</DataList.ItemLabel>
          <DataList.ItemValue>{lang ?? 'Unknown'}</DataList.ItemValue>
        </DataList.Item>
        <DataList.Item>
          <DataList.ItemLabel>Time zone</DataList.ItemLabel>
          <DataList.ItemValue>{tz ?? 'Unknown'}</DataList.ItemValue>
        </DataList.Item>
      </DataList>
      <Block title="Reachability">
        <Text size="sm" c={reach.ok ? undefined : 'red.8'} fw={reach.ok ? undefined : 600}>
          {reach.text}
        </Text>
        {reach.ok && (
          <Text size="sm" c="dimmed">
            {win.kind === 'closed' ? `Window closed: ${win.reason.split(':')[0]}.` : win.label}
          </Text>
        )}
      </Block>
      <Block title="Consent">
        <ConsentView contact={c} consent={consent.data} />
      </Block>
    </Stack>
  );

  const more = (
    <Stack gap="md">
      <TagsAndAttributes contact={c} user={user} />
      <OrdersCard contactId={c.id} pageId={c.page_id} user={user} />
      <InterestsCard contactId={c.id} />
      <Block title="Previous activity">
        {!history ? (
          <Text size="sm" c="dimmed">
            Your role does not read conversation history.
          </Text>
        ) : activity.data ? (
          <ActivityView a={activity.data} />
        ) : (
          <Text size="sm" c="dimmed">
            {activity.isError ? 'Could not be loaded.' : 'Loading…'}
          </Text>
        )}
      </Block>
      {canManagePrivacy(user) && (
        <Block title="Privacy">
          <PrivacyActions contact={c} name={name} />
        </Block>
      )}
    </Stack>
  );

  if (wide)
    return (
      <Group align="flex-start" gap="xl" wrap="wrap" p="md">
        <Box style={{ flex: '1 1 320px', maxWidth: 480 }}>{profile}</Box>
        <Box style={{ flex: '1 1 320px', maxWidth: 480 }}>{more}</Box>
      </Group>
    );
  return (
    <Stack gap="md" p="md">
      {profile}
      {more}
    </Stack>
  );
}

/** Name, picture and status; "Show PSID" reveals the identifiers on purpose (audited), for roles that may read them. */
function Identity({ contact, name, user }: { contact: Contact; name: string; user: User }) {
  const reveal = useMutation({
    mutationFn: () =>
      api<{ psid: string | null; picture_url: string | null }>(
        `/api/v1/contacts/${encodeURIComponent(contact.id)}/identifiers`,
      ),
  });
  const [shown, setShown] = useState(false);
  const ids = shown ? reveal.data : undefined;
  const badge = STATUS_BADGE[contact.status];
  return (
    <Stack gap="xs">
      <Group gap="sm" wrap="nowrap">
        <Avatar
          src={ids?.picture_url ?? null}
          alt={ids?.picture_url ? `Picture of ${name}` : undefined}
          radius="xl"
          size="lg"
          color="indigo"
        >
          {initials(contact.name)}
        </Avatar>
        <div style={{ minWidth: 0 }}>
          <Title order={2} size="h4" style={{ wordBreak: 'break-word' }}>
            {name}
          </Title>
          <Group gap={6}>
            <Badge size="sm" variant="light" color={badge.color}>
              {badge.label}
            </Badge>
            <Text size="xs" c="dimmed">
              Last seen {ago(contact.last_seen_at)}
            </Text>
          </Group>
        </div>
      </Group>
      {canReadIdentifiers(user) &&
        (ids ? (
          <Group gap="xs" aria-label="PSID" role="group">
            <Text size="xs" c="dimmed">
              PSID
            </Text>
            <Code>{ids.psid ?? 'none'}</Code>
            <CopyButton value={ids.psid ?? ''}>
              {({ copied, copy }) => (
                <Button size="compact-xs" variant="subtle" onClick={copy}>
                  {copied ? 'Copied' : 'Copy'}
                </Button>
              )}
            </CopyButton>
            <Button size="compact-xs" variant="subtle" color="gray" onClick={() => setShown(false)}>
              Hide
            </Button>
          </Group>
        ) : (
          <Group gap="xs">
            <Button
              size="compact-xs"
              variant="default"
              loading={reveal.isPending}
              onClick={() => reveal.mutate(undefined, { onSuccess: () => setShown(true) })}
            >
              Show PSID
            </Button>
            <Text size="xs" c="dimmed">
              {reveal.isError ? 'Could not be read.' : 'Each read is recorded in the audit log.'}
            </Text>
          </Group>
        ))}
    </Stack>
  );
}

function ConsentView({ contact, consent }: { contact: Contact; consent: Consent | undefined }) {
  const marketing = consent?.state.marketing ?? contact.consent.marketing;
  const replies = consent?.state.replies ?? contact.consent.replies;
  const records = [...(consent?.records ?? [])].reverse();
  return (
    <Stack gap={6}>
      <DataList size="sm" gap={4} labelWidth={92}>
        <DataList.Item>
          <DataList.ItemLabel>Marketing</DataList.ItemLabel>
          <DataList.ItemValue>
            <Badge
              size="sm"
              variant="light"
              color={marketing === 'granted' ? 'green' : marketing === 'withdrawn' ? 'red' : 'gray'}
            >
              {MARKETING[marketing] ?? marketing}
            </Badge>
            {contact.consent.marketing_at && (
              <Text span size="xs" c="dimmed" ml={6}>
                since {day(contact.consent.marketing_at)}
              </Text>
            )}
          </DataList.ItemValue>
        </DataList.Item>
        <DataList.Item>
          <DataList.ItemLabel>Replies</DataList.ItemLabel>
          <DataList.ItemValue>
            {replies === 'withdrawn' ? 'Asked us to stop writing (STOP)' : 'Accepts replies'}
          </DataList.ItemValue>
        </DataList.Item>
      </DataList>
      {records.length === 0 ? (
        <Text size="xs" c="dimmed">
          No consent changes recorded.
        </Text>
      ) : (
        <Box component="ol" aria-label="Consent history" style={{ margin: 0, paddingLeft: 18 }}>
          {records.slice(0, 8).map((r) => (
            <Text component="li" key={r.id} size="xs">
              {dayTime(r.occurred_at)}: {r.action === 'grant' ? 'gave' : 'withdrew'}{' '}
              {r.purpose.startsWith('topic:') ? `“${r.purpose.slice(6)}” messages` : r.purpose}{' '}
              {CONSENT_SOURCE[r.source] ?? `(${r.source})`}
            </Text>
          ))}
        </Box>
      )}
    </Stack>
  );
}

const CONVERSATION_STATUS: Record<string, string> = {
  open: 'Open',
  pending: 'Handled by the bot',
  snoozed: 'Snoozed',
  resolved: 'Resolved',
};

function ActivityView({ a }: { a: Activity }) {
  const rows: [string, string][] = [
    ['First seen', day(a.first_seen_at)],
    ['Last message', a.last_inbound_at ? `${dayTime(a.last_inbound_at)} (${ago(a.last_inbound_at)})` : 'Never wrote'],
    ['Last reply', a.last_outbound_at ? dayTime(a.last_outbound_at) : 'None yet'],
    [
      'Messages',
      `${a.messages.received} from them, ${a.messages.sent} to them` +
        (a.messages.notes ? `, ${a.messages.notes} note${a.messages.notes === 1 ? '' : 's'}` : ''),
    ],
  ];
  if (a.conversation) {
    rows.push(['Conversation', CONVERSATION_STATUS[a.conversation.status] ?? a.conversation.status]);
    rows.push(['Last resolved', a.conversation.last_resolved_at ? dayTime(a.conversation.last_resolved_at) : 'Never']);
  }
  return (
    <DataList size="sm" gap={4} labelWidth={92}>
      {rows.map(([k, v]) => (
        <DataList.Item key={k}>
          <DataList.ItemLabel>{k}</DataList.ItemLabel>
          <DataList.ItemValue>{v}</DataList.ItemValue>
        </DataList.Item>
      ))}
    </DataList>
  );
}

/** This person's privacy requests, and the two actions: an export (access request) and an erasure, each confirmed. */
function PrivacyActions({ contact, name }: { contact: Contact; name: string }) {
  const queryClient = useQueryClient();
  const [asking, setAsking] = useState<'access' | 'erasure' | null>(null);
  const [typed, setTyped] = useState('');
  const [done, setDone] = useState<string | null>(null);
  const requests = useQuery({
    queryKey: ['privacy-requests', 'contact', contact.id],
    queryFn: () =>
      api<ListPage<PrivacyRequest>>(`/api/v1/privacy/requests?contact_id=${encodeURIComponent(contact.id)}&limit=20`),
    refetchInterval: (q) => (q.state.data?.data.some((r) => r.status !== 'completed') ? 15_000 : false),
  });
  const open = useMutation({
    mutationFn: (type: 'access' | 'erasure') =>
      api<PrivacyRequest>('/api/v1/privacy/requests', { method: 'POST', body: { type, contact_id: contact.id } }),
    onSuccess: (r) => {
      setAsking(null);
      setTyped('');
      setDone(
        r.type === 'access'
          ? `Export requested: due ${day(r.due_at)}. Download it from Privacy requests when it is ready.`
          : `Erasure requested: due ${day(r.due_at)}. Everything about this person will be deleted.`,
      );
      void queryClient.invalidateQueries({ queryKey: ['privacy-requests'] });
    },
  });
  const close = () => {
    setAsking(null);
    setTyped('');
    open.reset();
  };
  const list = requests.data?.data ?? [];
  return (
    <Stack gap="xs">
      {list.length > 0 && (
        <Box component="ul" aria-label="Privacy requests of this person" style={{ margin: 0, paddingLeft: 18 }}>
          {list.map((r) => {
            const due = dueText(r);
            return (
              <Text component="li" size="xs" key={r.id}>
                {REQUEST_TYPES[r.type]}: {REQUEST_STATUS[r.status].label.toLowerCase()},{' '}
                <Text span size="xs" c={due.color} fw={due.color ? 600 : undefined}>
                  {due.text.charAt(0).toLowerCase() + due.text.slice(1)}
                </Text>
              </Text>
            );
          })}
        </Box>
      )}
      {done && (
        <Alert color="green" p="xs" role="status" withCloseButton onClose={() => setDone(null)}>
          <Text size="xs">
            {done}{' '}
            <Anchor href="#/privacy" size="xs">
              Privacy requests
            </Anchor>
          </Text>
        </Alert>
      )}
      <Group gap="xs">
        <Button size="xs" variant="default" onClick={() => setAsking('access')}>
          Export data
        </Button>
        <Button size="xs" variant="outline" color="red" onClick={() => setAsking('erasure')}>
          Erase…
        </Button>
      </Group>
      <Modal opened={asking === 'access'} onClose={close} title={`Export ${name}’s data?`}>
        <Stack gap="sm">
          <Text size="sm">
            This opens an access request: pagescope gathers every piece of personal data held about this person
            (profile, messages, consent, PSID) into one file. The download is in Privacy requests once it is ready, and
            each download is recorded in the audit log.
          </Text>
          {open.isError && (
            <Alert color="red" role="alert">
              {open.error.message}
            </Alert>
          )}
          <Group justify="flex-end">
            <Button variant="default" onClick={close}>
              Cancel
            </Button>
            <Button loading={open.isPending} onClick={() => open.mutate('access')}>
              Open access request
            </Button>
          </Group>
        </Stack>
      </Modal>
      <Modal opened={asking === 'erasure'} onClose={close} title={`Erase ${name}?`}>
        <Stack gap="sm">
          <Text size="sm">
            Everything held about this person is deleted for good: profile, messages, notes, consent records and
            exports. Their conversation disappears from the inbox. This cannot be undone; the audit log keeps only that
            it happened.
          </Text>
          <TextInput
            label="Type erase to confirm"
            value={typed}
            onChange={(e) => setTyped(e.currentTarget.value)}
            autoComplete="off"
            data-autofocus
          />
          {open.isError && (
            <Alert color="red" role="alert">
              {open.error.message}
            </Alert>
          )}
          <Group justify="flex-end">
            <Button variant="default" onClick={close}>
              Cancel
            </Button>
            <Button
              color="red"
              disabled={typed.trim().toLowerCase() !== 'erase'}
              loading={open.isPending}
              onClick={() => open.mutate('erasure')}
            >
              Erase this person
            </Button>
          </Group>
        </Stack>
      </Modal>
    </Stack>
  );
}

/**
 * The contact beside the open conversation: a column right of it on screens at least 1280 px wide; on narrower
 * screens a "Contact" button that opens the same details in a drawer.
 */
export function ContactSidebar({ conversationId, user }: { conversationId: string; user: User }) {
  const queryClient = useQueryClient();
  const wide = useMediaQuery('(min-width: 80em)') ?? false;
  const phone = useMediaQuery('(max-width: 48em)') ?? false;
  const [opened, setOpened] = useState(false);
  const conversation = useQuery({
    queryKey: ['conversation', conversationId],
    queryFn: () => api<Conversation>(`/api/v1/conversations/${conversationId}`),
  });
  const contactId = conversation.data?.contact.id;
  // The live stream refetches the conversation when something happens to it: the contact may have changed too.
  const updated = conversation.dataUpdatedAt;
  const seen = useRef(updated);
  useEffect(() => {
    if (!contactId || seen.current === updated) return;
    seen.current = updated;
    for (const key of ['contact', 'activity', 'consent'])
      void queryClient.invalidateQueries({ queryKey: [key, contactId] });
  }, [updated, contactId, queryClient]);
  useEffect(() => setOpened(false), [conversationId]);

  if (!contactId) return null;
  if (wide)
    return (
      <Box
        component="aside"
        aria-label="Contact"
        w={320}
        style={{ borderLeft: '1px solid var(--mantine-color-gray-3)', flexShrink: 0, minHeight: 0 }}
      >
        <ScrollArea h="100%">
          <ContactDetails contactId={contactId} user={user} />
          <Box px="md" pb="md">
            <Anchor href={`#/contacts/${encodeURIComponent(contactId)}`} size="sm">
              Open the contact’s page
            </Anchor>
          </Box>
        </ScrollArea>
      </Box>
    );
  const drawer = (
    <Drawer
      opened={opened}
      onClose={() => setOpened(false)}
      position="right"
      size={360}
      title="Contact"
      styles={{ body: { padding: 0 } }}
    >
      <ContactDetails contactId={contactId} user={user} />
      <Box px="md" pb="md">
        <Anchor href={`#/contacts/${encodeURIComponent(contactId)}`} size="sm">
          Open the contact’s page
        </Anchor>
      </Box>
    </Drawer>
  );
  // On a phone the conversation's buttons wrap below its title, leaving the top right corner free for the button.
  if (phone)
    return (
      <>
        <Button
          size="xs"
          variant="default"
          onClick={() => setOpened(true)}
          aria-haspopup="dialog"
          style={{ position: 'fixed', top: 64, right: 8, zIndex: 150, boxShadow: 'var(--mantine-shadow-sm)' }}
        >
          Contact
        </Button>
        {drawer}
      </>
    );
  // Between a phone and 1280 px: a slim rail right of the conversation, its button written down the side.
  return (
    <Box
      component="aside"
      aria-label="Contact"
      w={40}
      style={{ borderLeft: '1px solid var(--mantine-color-gray-3)', flexShrink: 0 }}
    >
      <Button
        variant="subtle"
        size="xs"
        w="100%"
        h="auto"
        px={0}
        py="md"
        radius={0}
        onClick={() => setOpened(true)}
        aria-haspopup="dialog"
        styles={{ label: { writingMode: 'vertical-rl' } }}
      >
        Contact
      </Button>
      {drawer}
    </Box>
  );
}
