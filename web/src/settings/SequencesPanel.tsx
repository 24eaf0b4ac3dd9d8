import { useState } from 'react';
import {
  ActionIcon,
  Badge,
  Button,
  Checkbox,
  Chip,
  Group,
  NumberInput,
  Paper,
  Stack,
  Switch,
  Table,
  Text,
  TextInput,
  Textarea,
  Title,
  VisuallyHidden,
} from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../api.ts';
import type { ScreenProps } from '../sections.tsx';
import { ErrorNote, PanelHeader, useConfirm, when } from './shared.tsx';

const DAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
const DAY_NAMES: Record<string, string> = {
  mon: 'Mon',
  tue: 'Tue',
  wed: 'Wed',
  thu: 'Thu',
  fri: 'Fri',
  sat: 'Sat',
  sun: 'Sun',
};

interface Step {
  delay: { days?: number; hours?: number; minutes?: number };
  message: { text?: string };
  send_window: { days: string[]; hours: [string, string] } | null;
}

interface Sequence {
  id: string;
  name: string;
  enabled: boolean;
  stop_on_reply: boolean;
  steps: Step[];
}

interface Figures {
  active: number;
  finished: number;
  left: Record<string, number>;
  steps: {
    step: number;
    waiting: number;
    queued: number;
    sent: number;
    delivered: number;
    read: number;
    failed: number;
    skipped: Record<string, number>;
  }[];
}

interface Subscriber {
  contact_id: string;
  status: string;
  reason: string | null;
  next_step: number;
  due_at: string | null;
  subscribed_at: string;
}

/** Owners, admins and marketers change sequences (the campaigns permission); everyone else reads them. */
const managesSequences = (role: string) => role === 'owner' || role === 'admin' || role === 'marketer';

function describeDelay(d: Step['delay']): string {
  const parts = [
    d.days ? `${d.days} d` : '',
    d.hours ? `${d.hours} h` : '',
    d.minutes ? `${d.minutes} min` : '',
  ].filter(Boolean);
  return parts.length ? `after ${parts.join(' ')}` : 'at once';
}

function describeWindow(w: Step['send_window']): string {
  if (!w) return 'any time';
  const days = w.days.length === 7 ? 'every day' : w.days.map((d) => DAY_NAMES[d]).join(', ');
  return `${days}, ${w.hours[0]}–${w.hours[1]}`;
}

const counts = (r: Record<string, number>) =>
  Object.entries(r)
    .map(([k, n]) => `${k.replace(/_/g, ' ')} ${n}`)
    .join(', ') || '—';

/** A Page's follow-up sequences: list, create with steps, switch on and off, and the subscribers with figures. */
export function SequencesPanel({ user, pageId, pages }: ScreenProps) {
  const queryClient = useQueryClient();
  const manager = managesSequences(user.role);
  const pageName = pages.find((p) => p.id === pageId)?.name ?? 'this Page';
  const key = ['sequences', pageId];
  const list = useQuery({
    queryKey: key,
    queryFn: () => api<{ data: Sequence[] }>(`/api/v1/pages/${encodeURIComponent(pageId!)}/sequences`),
    enabled: pageId !== null,
  });
  const [open, setOpen] = useState<string | null>(null);
  const { confirm, modal } = useConfirm();
  const refresh = () => queryClient.invalidateQueries({ queryKey: key });
  const toggle = useMutation({
    mutationFn: (s: Sequence) => api(`/api/v1/sequences/${s.id}`, { method: 'PATCH', body: { enabled: !s.enabled } }),
    onSuccess: refresh,
  });
  const remove = useMutation({
    mutationFn: (s: Sequence) => api(`/api/v1/sequences/${s.id}`, { method: 'DELETE' }),
    onSuccess: refresh,
  });
  const shown = list.data?.data.find((s) => s.id === open) ?? null;

  return (
    <>
      <PanelHeader title={`Follow-up sequences of ${pageName}`}>
        Messages sent one after another to a person who was subscribed (by an automation rule's “start sequence” action,
        or through the API), each after its delay and only inside its send window, in the person's time zone. A message
        from the person ends it (unless the sequence says otherwise), and so does an opt-out. A step whose 24-hour
        window has closed is skipped.
        {manager ? '' : ' Owners, admins and marketers manage them.'}
      </PanelHeader>
      <Stack gap="md">
        {manager && pageId && <SequenceForm pageId={pageId} onDone={refresh} />}
        <ErrorNote error={list.error ?? toggle.error ?? remove.error} />
        {list.data?.data.length === 0 && (
          <Text size="sm" c="dimmed">
            No sequences yet.
          </Text>
        )}
        {!!list.data?.data.length && (
          <Table verticalSpacing="xs" aria-label="Sequences" layout="fixed">
            <Table.Thead>
              <Table.Tr>
                <Table.Th w={180}>Name</Table.Th>
                <Table.Th>Steps</Table.Th>
                <Table.Th w={70}>On</Table.Th>
                <Table.Th w={190}>
                  <VisuallyHidden>Actions</VisuallyHidden>
                </Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {list.data.data.map((s) => (
                <Table.Tr key={s.id}>
                  <Table.Td>
                    <Text size="sm" fw={500} style={{ overflowWrap: 'anywhere' }}>
                      {s.name}
                    </Text>
                    {!s.stop_on_reply && (
                      <Badge size="xs" variant="light">
                        goes on after a reply
                      </Badge>
                    )}
                  </Table.Td>
                  <Table.Td>
                    <Stack gap={2}>
                      {s.steps.map((st, i) => (
                        <Text key={i} size="sm" style={{ overflowWrap: 'anywhere' }}>
                          {i + 1}. {describeDelay(st.delay)} ({describeWindow(st.send_window)}): “
                          {st.message.text ?? 'attachment'}”
                        </Text>
                      ))}
                    </Stack>
                  </Table.Td>
                  <Table.Td>
                    <Switch
                      checked={s.enabled}
                      disabled={!manager}
                      aria-label={`Sequence ${s.name} on`}
                      onChange={() => toggle.mutate(s)}
                    />
                  </Table.Td>
                  <Table.Td>
                    <Group gap="xs" justify="flex-end" wrap="nowrap">
                      <Button
                        size="xs"
                        variant={open === s.id ? 'filled' : 'default'}
                        aria-label={`Subscribers of ${s.name}`}
                        onClick={() => setOpen(open === s.id ? null : s.id)}
                      >
                        Subscribers
                      </Button>
                      {manager && (
                        <ActionIcon
                          variant="subtle"
                          color="red"
                          aria-label={`Delete ${s.name}`}
                          onClick={() =>
                            confirm({
                              title: `Delete ${s.name}?`,
                              text: 'Its subscribers get nothing more from it.',
                              action: 'Delete sequence',
                              run: () => remove.mutate(s),
                            })
                          }
                        >
                          ✕
                        </ActionIcon>
                      )}
                    </Group>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        )}
        {shown && <SubscribersView sequence={shown} />}
      </Stack>
      {modal}
    </>
  );
}

/** The figures of a sequence, whole and per step, and its subscribers. */
function SubscribersView({ sequence }: { sequence: Sequence }) {
  const data = useQuery({
    queryKey: ['sequence-subscribers', sequence.id],
    queryFn: () =>
      api<{ data: Subscriber[]; figures: Figures }>(`/api/v1/sequences/${sequence.id}/subscribers?limit=50`),
  });
  const f = data.data?.figures;
  return (
    <Paper withBorder p="md" component="section" aria-label={`Subscribers of ${sequence.name}`}>
      <Title order={3} size="h4" mb="xs">
        Subscribers of {sequence.name}
      </Title>
      <ErrorNote error={data.error} />
      {f && (
        <Stack gap="sm">
          <Text size="sm">
            In it now: {f.active} · finished: {f.finished} · left: {counts(f.left)}
          </Text>
          <Table verticalSpacing={4} aria-label="Figures per step">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Step</Table.Th>
                <Table.Th>Waiting</Table.Th>
                <Table.Th>Queued</Table.Th>
                <Table.Th>Sent</Table.Th>
                <Table.Th>Delivered</Table.Th>
                <Table.Th>Read</Table.Th>
                <Table.Th>Failed</Table.Th>
                <Table.Th>Skipped</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {f.steps.map((s) => (
                <Table.Tr key={s.step}>
                  <Table.Td>{s.step + 1}</Table.Td>
                  <Table.Td>{s.waiting}</Table.Td>
                  <Table.Td>{s.queued}</Table.Td>
                  <Table.Td>{s.sent}</Table.Td>
                  <Table.Td>{s.delivered}</Table.Td>
                  <Table.Td>{s.read}</Table.Td>
                  <Table.Td>{s.failed}</Table.Td>
                  <Table.Td>{counts(s.skipped)}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
          {data.data?.data.length === 0 ? (
            <Text size="sm" c="dimmed">
              Nobody has been subscribed yet.
            </Text>
          ) : (
            <Table verticalSpacing={4} aria-label="Subscribers">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Contact</Table.Th>
                  <Table.Th>Status</Table.Th>
                  <Table.Th>Next step</Table.Th>
                  <Table.Th>Subscribed</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {data.data?.data.map((s) => (
                  <Table.Tr key={s.contact_id}>
                    <Table.Td>
                      <a href={`#/contacts/${encodeURIComponent(s.contact_id)}`}>{s.contact_id}</a>
                    </Table.Td>
                    <Table.Td>{s.reason ? `${s.status} (${s.reason.replace(/_/g, ' ')})` : s.status}</Table.Td>
                    <Table.Td>{s.status === 'active' ? `${s.next_step + 1}, due ${when(s.due_at)}` : '—'}</Table.Td>
                    <Table.Td>{when(s.subscribed_at)}</Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          )}
        </Stack>
      )}
    </Paper>
  );
}

interface StepDraft {
  hours: number | string;
  text: string;
  windowed: boolean;
  days: string[];
  from: string;
  to: string;
}

const newStep = (hours: number): StepDraft => ({
  hours,
  text: '',
  windowed: false,
  days: ['mon', 'tue', 'wed', 'thu', 'fri'],
  from: '09:00',
  to: '18:00',
});

/** Adds a sequence with its steps. */
function SequenceForm({ pageId, onDone }: { pageId: string; onDone: () => Promise<void> }) {
  const [name, setName] = useState('');
  const [stopOnReply, setStopOnReply] = useState(true);
  const [steps, setSteps] = useState<StepDraft[]>([newStep(0)]);
  const change = (i: number, patch: Partial<StepDraft>) =>
    setSteps((all) => all.map((s, j) => (j === i ? { ...s, ...patch } : s)));
  const save = useMutation({
    mutationFn: () =>
      api(`/api/v1/pages/${encodeURIComponent(pageId)}/sequences`, {
        method: 'POST',
        body: {
          name,
          stop_on_reply: stopOnReply,
          steps: steps.map((s) => ({
            delay: { hours: Number(s.hours) || 0 },
            message: { text: s.text },
            send_window: s.windowed ? { days: s.days, hours: [s.from, s.to] } : null,
          })),
        },
      }),
    onSuccess: async () => {
      setName('');
      setStopOnReply(true);
      setSteps([newStep(0)]);
      await onDone();
    },
  });
  return (
    <Paper withBorder p="md">
      <Stack
        component="form"
        gap="sm"
        aria-label="Add a sequence"
        onSubmit={(e) => {
          e.preventDefault();
          save.mutate();
        }}
      >
        <Group align="end" gap="md" wrap="wrap">
          <TextInput
            label="Name"
            required
            maxLength={100}
            value={name}
            onChange={(e) => setName(e.currentTarget.value)}
            style={{ flex: '1 1 240px' }}
          />
          <Checkbox
            label="A reply from the person ends it"
            checked={stopOnReply}
            onChange={(e) => setStopOnReply(e.currentTarget.checked)}
            mb={8}
          />
        </Group>
        {steps.map((s, i) => (
          <Stack
            key={i}
            gap="xs"
            component="fieldset"
            aria-label={`Step ${i + 1}`}
            style={{ border: '1px solid var(--mantine-color-default-border)', borderRadius: 4, padding: 12 }}
          >
            <Group justify="space-between">
              <Text size="sm" fw={600} component="legend">
                Step {i + 1}
              </Text>
              {steps.length > 1 && (
                <Button
                  size="compact-xs"
                  variant="subtle"
                  color="red"
                  onClick={() => setSteps((all) => all.filter((_, j) => j !== i))}
                >
                  Remove step {i + 1}
                </Button>
              )}
            </Group>
            <Group align="start" gap="xs" wrap="wrap">
              <NumberInput
                label={i === 0 ? 'Hours after subscribing' : 'Hours after the previous step'}
                min={0}
                max={24 * 365}
                value={s.hours}
                onChange={(v) => change(i, { hours: v })}
                w={200}
              />
              <Textarea
                label="Message"
                description="Variables: {{contact.first_name|there}}, {{attribute.<key>}}, {{orders.count}}…"
                required
                autosize
                minRows={2}
                value={s.text}
                onChange={(e) => change(i, { text: e.currentTarget.value })}
                style={{ flex: '1 1 300px' }}
              />
            </Group>
            <Checkbox
              label="Only send on some days and hours (the person's time)"
              checked={s.windowed}
              onChange={(e) => change(i, { windowed: e.currentTarget.checked })}
            />
            {s.windowed && (
              <Group gap="xs" align="end" wrap="wrap">
                <Chip.Group multiple value={s.days} onChange={(days) => change(i, { days })}>
                  <Group gap={4} role="group" aria-label={`Days of step ${i + 1}`}>
                    {DAYS.map((d) => (
                      <Chip key={d} value={d} size="xs">
                        {DAY_NAMES[d]}
                      </Chip>
                    ))}
                  </Group>
                </Chip.Group>
                <TextInput
                  label="From"
                  w={90}
                  value={s.from}
                  onChange={(e) => change(i, { from: e.currentTarget.value })}
                />
                <TextInput label="To" w={90} value={s.to} onChange={(e) => change(i, { to: e.currentTarget.value })} />
              </Group>
            )}
          </Stack>
        ))}
        <ErrorNote error={save.error} />
        <Group gap="xs">
          <Button variant="default" onClick={() => setSteps((all) => [...all, newStep(24)])}>
            Add a step
          </Button>
          <Button type="submit" loading={save.isPending}>
            Add sequence
          </Button>
        </Group>
      </Stack>
    </Paper>
  );
}
