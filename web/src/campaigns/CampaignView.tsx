import { useRef, useState } from 'react';
import { Alert, Badge, Box, Button, Card, Group, Loader, Modal, Progress, Stack, Text, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, ApiError, type User } from '../api.ts';
import type { SavedSegment } from '../SegmentBuilder.tsx';
import { useCampaign, CAMPAIGN_ROLES } from './shared.tsx';
import { CampaignReport } from './Report.tsx';
import { CampaignEditor, type DraftControls } from './Editor.tsx';
import {
  freezing,
  freezingWords,
  progressOf,
  statusLine,
  STATUS_WORDS,
  when,
  type Campaign,
  type CampaignStats,
} from './model.ts';

type Action = 'start' | 'pause' | 'resume' | 'cancel';

const KIND_WORDS = { standard: 'Standard', utility: 'Utility', marketing: 'Marketing' } as const;

function Progression({ c, stats }: { c: Campaign; stats: CampaignStats }) {
  const p = progressOf(stats);
  const status = STATUS_WORDS[c.status];
  const skipped = Object.values(stats.skipped).reduce((a, n) => a + n, 0);
  const checking = freezing(c);
  return (
    <Card withBorder padding="md" component="section" aria-label="Progress">
      <Group justify="space-between" mb={6}>
        <Text fw={600}>
          {checking
            ? freezingWords(c, stats.recipients)
            : `${p.done.toLocaleString('en')} of ${p.total.toLocaleString('en')} done`}
        </Text>
        <Text size="sm" c="dimmed">
          {stats.sent.toLocaleString('en')} sent · {skipped.toLocaleString('en')} skipped ·{' '}
          {stats.failed.toLocaleString('en')} failed · {stats.queued.toLocaleString('en')} to go
        </Text>
      </Group>
      <Progress
        size="lg"
        value={checking ? 100 : p.percent}
        color={status.color}
        striped={checking}
        animated={c.status === 'running' || c.status === 'starting'}
        aria-label={checking ? 'Progress: checking who it reaches' : `Progress: ${p.percent}%`}
      />
      <Text size="xs" c="dimmed" mt={6}>
        {statusLine(c)}
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
        : `Who it reaches is checked now, as they are at this moment, and sending begins at ${c.max_per_second} a second once everyone is checked. Messages sent cannot be taken back.`,
    button: 'Start',
  },
  pause: {
    title: 'Pause this campaign?',
    body: (c) =>
      c.status === 'starting'
        ? 'Who it reaches is still checked to the end; nothing is queued until you resume.'
        : 'Nothing more is queued until you resume.',
    button: 'Pause',
  },
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
    case 'starting':
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
  // The draft's editor, and whether it held unsaved edits when Start was pressed (then Start asks which to send).
  const draft = useRef<DraftControls | null>(null);
  const [unsavedAtStart, setUnsavedAtStart] = useState(false);
  const [saving, setSaving] = useState(false);
  const [reloads, setReloads] = useState(0);
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
  // Saves the editor's changes, then starts what was just saved; a refused save closes the dialog on the form, whose
  // fields say what to fix.
  const saveAndStart = async () => {
    setSaving(true);
    const saved = (await draft.current?.save()) ?? false;
    setSaving(false);
    if (saved) act.mutate('start');
    else setAsking(null);
  };
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
  const verb = c.schedule_at ? 'schedule' : 'start';

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
                    setUnsavedAtStart(a === 'start' && draft.current?.unsaved === true);
                    setAsking(a);
                  }}
                >
                  {a === 'start' ? (c.schedule_at ? 'Schedule' : 'Start') : CONFIRM[a].button}
                </Button>
              ))}
            </Group>
          )}
        </Group>
        {c.status === 'draft' && manage && (
          <CampaignEditor
            key={reloads}
            pageId={c.page_id}
            narrow={narrow}
            campaign={c}
            controls={draft}
            onSaved={() => undefined}
            onReload={() => {
              void client.invalidateQueries({ queryKey: ['campaign', id] }).then(() => setReloads((n) => n + 1));
            }}
          />
        )}
        {c.status === 'scheduled' && !c.started_at && (
          <Alert color="violet" title="Scheduled">
            Sending begins {c.schedule_at ? when(c.schedule_at) : 'soon'}; the audience is frozen then, so who joins the
            segment meanwhile is included.
          </Alert>
        )}
        {started && stats && <Progression c={c} stats={stats} />}
        {started && stats && <CampaignReport c={c} stats={stats} narrow={narrow} />}
      </Stack>
      <Modal
        opened={confirm !== null}
        onClose={() => setAsking(null)}
        title={confirm?.title}
        size={asking === 'start' && unsavedAtStart ? 'lg' : 'md'}
      >
        {confirm && asking && (
          <Stack>
            {asking === 'start' && unsavedAtStart && (
              <Alert color="orange" title="You have unsaved changes" role="alert" aria-label="Unsaved changes">
                Save them and {verb}, or {verb} the version saved last and leave them out?
              </Alert>
            )}
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
              {asking === 'start' && unsavedAtStart ? (
                <>
                  <Button
                    variant="default"
                    disabled={saving}
                    loading={act.isPending && !saving}
                    onClick={() => act.mutate('start')}
                  >
                    {c.schedule_at ? 'Schedule the saved version' : 'Start the saved version'}
                  </Button>
                  <Button loading={saving || act.isPending} onClick={() => void saveAndStart()}>
                    {c.schedule_at ? 'Save and schedule' : 'Save and start'}
                  </Button>
                </>
              ) : (
                <Button color={confirm.color} loading={act.isPending} onClick={() => act.mutate(asking)}>
                  {asking === 'start' && c.schedule_at ? 'Schedule' : confirm.button}
                </Button>
              )}
            </Group>
          </Stack>
        )}
      </Modal>
    </Box>
  );
}
