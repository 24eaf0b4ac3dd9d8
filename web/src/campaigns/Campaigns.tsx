import { ActionIcon, Badge, Button, Group, NavLink, Progress, ScrollArea, Stack, Text } from '@mantine/core';
import { useInfiniteQuery } from '@tanstack/react-query';
import { api } from '../api.ts';
import type { ScreenProps } from '../sections.tsx';
import type { ListPage } from '../people.ts';
import { LoadMore } from '../LoadMore.tsx';
import { DetailPane, ListPane, NothingOpen } from '../panes.tsx';
import { freezing, freezingWords, progressOf, STATUS_WORDS, when, type Campaign } from './model.ts';
import { CampaignEditor } from './Editor.tsx';
import { CampaignView } from './CampaignView.tsx';
import { useCampaign } from './shared.tsx';

function CampaignRow({ c, active, onOpen }: { c: Campaign; active: boolean; onOpen: () => void }) {
  const full = useCampaign(c.id);
  const status = STATUS_WORDS[(full.data ?? c).status];
  const stats = full.data?.stats;
  const progress = stats ? progressOf(stats) : null;
  const figures =
    stats && freezing(full.data ?? c)
      ? freezingWords(full.data ?? c, stats.recipients)
      : stats && stats.recipients > 0
        ? `${stats.sent.toLocaleString('en')} sent of ${stats.recipients.toLocaleString('en')} · ${stats.read.toLocaleString('en')} read · ${stats.clicked.toLocaleString('en')} clicked`
        : c.schedule_at && (full.data ?? c).status === 'scheduled'
          ? `Starts ${when(c.schedule_at)}`
          : `Created ${new Date(c.created_at).toLocaleDateString('en', { dateStyle: 'medium' })}`;
  return (
    <NavLink
      component="button"
      active={active}
      aria-current={active ? 'true' : undefined}
      onClick={onOpen}
      label={
        <Group justify="space-between" wrap="nowrap" gap="xs">
          <Text size="sm" fw={500} truncate>
            {c.name}
          </Text>
          <Badge size="xs" variant="light" color={status.color} style={{ flexShrink: 0 }}>
            {status.label}
          </Badge>
        </Group>
      }
      description={
        <Stack gap={4} mt={4}>
          <Text size="xs" c="dimmed">
            {figures}
          </Text>
          {progress && progress.total > 0 && !freezing(full.data ?? c) && (
            <Progress
              size="sm"
              value={progress.percent}
              color={status.color}
              aria-label={`${c.name}: ${progress.percent}% done`}
            />
          )}
        </Stack>
      }
    />
  );
}

/**
 * Campaigns of the Page chosen in the header: the list (status, progress, key figures) and, beside it, the editor
 * (`#/campaigns/new`) or a campaign: its audience and preview while a draft, its progress while it runs, its report.
 */
export function Campaigns({ pageId, narrow, selected, onSelect, user }: ScreenProps) {
  const list = useInfiniteQuery({
    queryKey: ['campaigns', pageId],
    queryFn: ({ pageParam }) =>
      api<ListPage<Campaign>>(
        `/api/v1/pages/${encodeURIComponent(pageId!)}/campaigns?limit=50${pageParam ? `&cursor=${encodeURIComponent(pageParam)}` : ''}`,
      ),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.next_cursor,
    enabled: pageId !== null,
  });
  const rows = list.data?.pages.flatMap((p) => p.data) ?? [];
  const showList = !narrow || selected === null;
  const showDetail = !narrow || selected !== null;

  return (
    <>
      {showList && (
        <ListPane
          label="Campaign list"
          narrow={narrow}
          filters={
            <Group justify="space-between" wrap="nowrap">
              <Text size="sm" fw={600}>
                Campaigns
              </Text>
              <Button size="xs" onClick={() => onSelect('new')} disabled={pageId === null}>
                New campaign
              </Button>
            </Group>
          }
        >
          <nav aria-label="Campaigns">
            {rows.length === 0 && !list.isPending && (
              <Text p="md" c="dimmed" size="sm">
                {list.isError
                  ? 'The campaigns could not be loaded.'
                  : 'No campaigns yet. A campaign sends one message (or A/B variants) to a segment, at its own pace.'}
              </Text>
            )}
            {rows.map((c) => (
              <CampaignRow key={c.id} c={c} active={c.id === selected} onOpen={() => onSelect(c.id)} />
            ))}
            <LoadMore list={list} />
          </nav>
        </ListPane>
      )}
      {showDetail && (
        <DetailPane label={selected === 'new' ? 'New campaign' : 'Campaign'}>
          {narrow && selected !== null && (
            <Group p="xs" style={{ borderBottom: '1px solid var(--mantine-color-gray-3)' }}>
              <ActionIcon variant="subtle" aria-label="Back to the campaigns" onClick={() => onSelect(null)}>
                ←
              </ActionIcon>
              <Text size="sm">Campaigns</Text>
            </Group>
          )}
          {selected !== null && pageId !== null ? (
            <ScrollArea style={{ flex: 1 }} type="auto">
              {selected === 'new' ? (
                <CampaignEditor key={pageId} pageId={pageId} narrow={narrow} onSaved={(id) => onSelect(id)} />
              ) : (
                <CampaignView key={selected} id={selected} narrow={narrow} user={user} />
              )}
            </ScrollArea>
          ) : (
            <NothingOpen>
              <Text>Choose a campaign, or start a new one.</Text>
              <Text size="sm">
                A draft shows who it would reach and the message as each person would read it before anything is sent.
              </Text>
            </NothingOpen>
          )}
        </DetailPane>
      )}
    </>
  );
}
