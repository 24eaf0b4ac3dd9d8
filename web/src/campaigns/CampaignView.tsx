import { useState } from 'react';
import {
  Alert,
  Badge,
  Box,
  Button,
  Card,
  Group,
  List,
  Loader,
  Modal,
  Progress,
  Stack,
  Text,
  Title,
} from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, ApiError, type User } from '../api.ts';
import type { SavedSegment } from '../SegmentBuilder.tsx';
import { ContactName, useCampaign, CAMPAIGN_ROLES } from './shared.tsx';
import { CampaignReport } from './Report.tsx';
import {
  buttonTitles,
  progressOf,
  reasonWords,
  STATUS_WORDS,
  variantName,
  type Campaign,
  type CampaignPreview,
  type CampaignStats,
} from './model.ts';

type Action = 'start' | 'pause' | 'resume' | 'cancel';

const KIND_WORDS = { standard: 'Standard', utility: 'Utility', marketing: 'Marketing' } as const;

const when = (iso: string) => new Date(iso).toLocaleString('en', { dateStyle: 'medium', timeStyle: 'short' });

/** Who a draft would reach now, those left out by reason in words, and the message as a few real people would read it. */
function DraftPreview({ c }: { c: Campaign }) {
  const preview = useQuery({
    queryKey: ['campaign-preview', c.id],
    queryFn: () => api<CampaignPreview>(`/api/v1/campaigns/${encodeURIComponent(c.id)}/preview`, { method: 'POST' }),
    staleTime: 0,
    placeholderData: (prev) => prev,
  });
  if (preview.isPending) return <Loader size="sm" aria-label="Checking the audience" />;
  if (preview.isError)
    return (
      <Alert color="red" title="The audience could not be checked">
        {preview.error.message}
      </Alert>
    );
  const p = preview.data;
  const left = Object.entries(p.by_reason).sort((a, b) => b[1] - a[1]);
  return (
    <Stack gap="md">
      <Card withBorder padding="md" component="section" aria-label="Eligibility">
        <Text fw={600} mb={4}>
          {p.eligible.toLocaleString('en')} of {p.recipients.toLocaleString('en')}{' '}
          {p.recipients === 1 ? 'person' : 'people'} can receive it now
        </Text>
        {p.recipients > 0 && (
          <Progress
            value={(p.eligible / p.recipients) * 100}
            color="green"
            mb="xs"
            aria-label={`${p.eligible} of ${p.recipients} can receive it`}
          />
        )}
        {left.length > 0 ? (
          <>
            <Text size="sm" c="dimmed">
              Left out:
            </Text>
            <List size="sm" aria-label="Left out" spacing={2}>
              {left.map(([reason, n]) => (
                <List.Item key={reason}>
                  {n.toLocaleString('en')} {reasonWords(reason)}
                </List.Item>
              ))}
            </List>
          </>
        ) : (
          <Text size="sm" c="dimmed">
            Nobody is left out.
          </Text>
        )}
        <Text size="xs" c="dimmed" mt="xs">
          Counted as start would freeze it; each person is checked again as their message is sent.
        </Text>
      </Card>
      <Card withBorder padding="md" component="section" aria-label="Preview on real contacts">
        <Text fw={600} mb="xs">
          As they will read it
        </Text>
        {p.sample.length === 0 ? (
          <Text size="sm" c="dimmed">
            Nobody to show: nobody in the audience can receive it now.
          </Text>
        ) : (
          <Stack gap="xs" role="list" aria-label="Sample messages">
            {p.sample.map((s) => (
              <Box key={s.contact_id} role="listitem">
                <Group gap={6} mb={2}>
                  <Text size="xs" fw={600}>
                    <ContactName id={s.contact_id} />
                  </Text>
                  {c.variants.length > 1 && (
                    <Badge size="xs" variant="outline">
                      Variant {variantName(s.variant)}
                    </Badge>
                  )}
                </Group>
                <Box style={{ display: 'inline-block', maxWidth: 480 }}>
                  <Text size="sm" px="sm" py={6} bg="indigo.0" style={{ borderRadius: 12, whiteSpace: 'pre-wrap' }}>
                    {s.text ?? '(a template)'}
                  </Text>
                  {buttonTitles(c.variants[s.variant]?.message).map((t) => (
                    <Text
                      key={t}
                      size="sm"
                      ta="center"
                      c="indigo.7"
                      fw={500}
                      py={4}
                      mt={2}
                      style={{ border: '1px solid var(--mantine-color-indigo-2)', borderRadius: 12 }}
                    >
                      {t}
                    </Text>
                  ))}
                </Box>
              </Box>
            ))}
          </Stack>
        )}
      </Card>
    </Stack>
  );
}

function Progression({ c, stats }: { c: Campaign; stats: CampaignStats }) {
  const p = progressOf(stats);
  const status = STATUS_WORDS[c.status];
  const skipped = Object.values(stats.skipped).reduce((a, n) => a + n, 0);
  return (
    <Card withBorder padding="md" component="section" aria-label="Progress">
      <Group justify="space-between" mb={6}>
        <Text fw={600}>
          {p.done.toLocaleString('en')} of {p.total.toLocaleString('en')} done
        </Text>
        <Text size="sm" c="dimmed">
          {stats.sent.toLocaleString('en')} sent · {skipped.toLocaleString('en')} skipped ·{' '}
          {stats.failed.toLocaleString('en')} failed · {stats.queued.toLocaleString('en')} to go
        </Text>
      </Group>
      <Progress
        size="lg"
        value={p.percent}
        color={status.color}
        animated={c.status === 'running'}
        aria-label={`Progress: ${p.percent}%`}
      />
      <Text size="xs" c="dimmed" mt={6}>
        {c.status === 'running'
          ? `Sending at up to ${c.max_per_second} a second; this follows live.`
          : c.status === 'paused'
            ? 'Paused: nothing more is queued until you resume.'
            : c.status === 'completed' && c.finished_at
              ? `Completed ${when(c.finished_at)}.`
              : c.status === 'cancelled'
                ? 'Cancelled: what was not queued was never sent.'
                : ''}
      </Text>
    </Card>
  );
}

const CONFIRM: Record<Action, { title: string; body: (c: Campaign) => string; button: string; color?: string }> = {
  start: {
    title: 'Start this campaign?',
    body: (c) =>
      c.schedule_at
        ? `It will start ${when(c.schedule_at)}: the audience is frozen then, and sending begins at ${c.max_per_second} a second.`
        : `The audience is frozen now and sending begins at ${c.max_per_second} a second. Messages sent cannot be taken back.`,
    button: 'Start',
  },
  pause: { title: 'Pause this campaign?', body: () => 'Nothing more is queued until you resume.', button: 'Pause' },
  resume: { title: 'Resume this campaign?', body: () => 'Sending goes on where it stopped.', button: 'Resume' },
  cancel: {
    title: 'Cancel this campaign?',
    body: (c) =>
      c.status === 'draft'
        ? 'The draft is kept as cancelled and can no longer be started.'
        : 'Whoever was not sent to yet will never be. This cannot be undone.',
    button: 'Cancel campaign',
    color: 'red',
  },
};

function actionsFor(status: Campaign['status']): Action[] {
  switch (status) {
    case 'draft':
      return ['start', 'cancel'];
    case 'scheduled':
      return ['cancel'];
    case 'running':
      return ['pause', 'cancel'];
    case 'paused':
      return ['resume', 'cancel'];
    default:
      return [];
  }
}

/**
 * One campaign: its header and actions (each confirmed), then while a draft who it would reach and the message as
 * real people would read it, and once started its progress (following `campaign.updated` events, no polling) and
 * its report.
 */
export function CampaignView({ id, narrow, user }: { id: string; narrow: boolean; user: User }) {
  const client = useQueryClient();
  const campaign = useCampaign(id);
  const [asking, setAsking] = useState<Action | null>(null);
  const segments = useQuery({
    queryKey: ['segments', campaign.data?.page_id],
    queryFn: () =>
      api<{ data: SavedSegment[] }>(`/api/v1/pages/${encodeURIComponent(campaign.data!.page_id)}/segments`),
    enabled: typeof campaign.data?.segment_id === 'string',
  });
  const act = useMutation({
    mutationFn: (action: Action) =>
      api<Campaign>(`/api/v1/campaigns/${encodeURIComponent(id)}/${action}`, { method: 'POST' }),
    onSuccess: (c) => {
      setAsking(null);
      client.setQueryData(['campaign', id], (old: Campaign | undefined) => ({ ...old, ...c }));
      void client.invalidateQueries({ queryKey: ['campaign', id] });
      void client.invalidateQueries({ queryKey: ['campaigns', c.page_id] });
    },
  });
  if (campaign.isPending) return <Loader m="lg" size="sm" aria-label="Loading the campaign" />;
  if (campaign.isError)
    return (
      <Text p="lg" c="dimmed">
        {campaign.error instanceof ApiError && campaign.error.status === 404
          ? 'No such campaign on this Page.'
          : 'The campaign could not be loaded.'}
      </Text>
    );
  const c = campaign.data;
  const status = STATUS_WORDS[c.status];
  const manage = CAMPAIGN_ROLES.includes(user.role);
  const stats = c.stats;
  const started = c.status !== 'draft' && !(c.status === 'scheduled' && !c.started_at);
  const confirm = asking ? CONFIRM[asking] : null;
  const segment = segments.data?.data.find((s) => s.id === c.segment_id);

  return (
    <Box p={narrow ? 'sm' : 'lg'} maw={1100}>
      <Stack gap="md">
        <Group justify="space-between" align="flex-start">
          <Stack gap={2}>
            <Group gap="xs">
              <Title order={2} size="h3">
                {c.name}
              </Title>
              <Badge variant="light" color={status.color} role="status" aria-label={`Status: ${status.label}`}>
                {status.label}
              </Badge>
            </Group>
            <Text size="sm" c="dimmed">
              {KIND_WORDS[c.kind]} · to {c.segment_id ? `the segment “${segment?.name ?? '…'}”` : 'a filter'} ·{' '}
              {c.variants.length > 1 ? `${c.variants.length} variants · ` : ''}
              up to {c.max_per_second}/s
              {c.schedule_at ? ` · starts ${when(c.schedule_at)}` : ''}
              {c.started_at ? ` · started ${when(c.started_at)}` : ''}
            </Text>
          </Stack>
          {manage && (
            <Group gap="xs">
              {actionsFor(c.status).map((a) => (
                <Button
                  key={a}
                  size="sm"
                  variant={a === 'cancel' ? 'default' : 'filled'}
                  color={a === 'cancel' ? 'red' : undefined}
                  onClick={() => {
                    act.reset();
                    setAsking(a);
                  }}
                >
                  {a === 'start' ? (c.schedule_at ? 'Schedule' : 'Start') : CONFIRM[a].button}
                </Button>
              ))}
            </Group>
          )}
        </Group>
        {c.status === 'draft' && manage && <DraftPreview c={c} />}
        {c.status === 'scheduled' && !c.started_at && (
          <Alert color="violet" title="Scheduled">
            Sending begins {c.schedule_at ? when(c.schedule_at) : 'soon'}; the audience is frozen then, so who joins the
            segment meanwhile is included.
          </Alert>
        )}
        {started && stats && <Progression c={c} stats={stats} />}
        {started && stats && <CampaignReport c={c} stats={stats} narrow={narrow} />}
      </Stack>
      <Modal opened={confirm !== null} onClose={() => setAsking(null)} title={confirm?.title}>
        {confirm && asking && (
          <Stack>
            <Text size="sm">{confirm.body(c)}</Text>
            {act.error && (
              <Alert color="red" role="alert">
                {act.error.message}
              </Alert>
            )}
            <Group justify="flex-end">
              <Button variant="default" onClick={() => setAsking(null)}>
                Back
              </Button>
              <Button color={confirm.color} loading={act.isPending} onClick={() => act.mutate(asking)}>
                {asking === 'start' && c.schedule_at ? 'Schedule' : confirm.button}
              </Button>
            </Group>
          </Stack>
        )}
      </Modal>
    </Box>
  );
}
