import { useState } from 'react';
import { BarChart } from '@mantine/charts';
import { Badge, Box, Card, Group, ScrollArea, Select, SimpleGrid, Stack, Table, Text } from '@mantine/core';
import { useInfiniteQuery } from '@tanstack/react-query';
import { api } from '../api.ts';
import type { ListPage } from '../people.ts';
import { LoadMore } from '../LoadMore.tsx';
import { ContactName } from './shared.tsx';
import {
  reasonWords,
  recipientState,
  variantName,
  type Campaign,
  type CampaignStats,
  type Recipient,
} from './model.ts';

/** The figures of the report, in the order a message goes: each row a stage, each column the whole or a variant. */
const FIGURES: { key: keyof Omit<CampaignStats, 'skipped'>; label: string }[] = [
  { key: 'recipients', label: 'Recipients' },
  { key: 'sent', label: 'Sent' },
  { key: 'delivered', label: 'Delivered' },
  { key: 'read', label: 'Read' },
  { key: 'clicked', label: 'Clicked' },
  { key: 'replied', label: 'Replied' },
  { key: 'opted_out', label: 'Opted out' },
  { key: 'failed', label: 'Failed' },
  { key: 'queued', label: 'Still to send' },
];

const FUNNEL = ['sent', 'delivered', 'read', 'clicked', 'replied'] as const;
const FUNNEL_WORDS: Record<(typeof FUNNEL)[number], string> = {
  sent: 'Sent',
  delivered: 'Delivered',
  read: 'Read',
  clicked: 'Clicked',
  replied: 'Replied',
};
const VARIANT_COLORS = ['indigo.6', 'teal.6', 'orange.6', 'grape.6', 'cyan.6'];

const n = (x: number) => x.toLocaleString('en');
const percentOf = (x: number, of: number) => (of === 0 ? 0 : Math.round((x / of) * 1000) / 10);

function Figures({ c, stats }: { c: Campaign; stats: CampaignStats }) {
  const ab = c.variants.length > 1;
  const reasons = [
    ...new Set([stats, ...c.variants.map((v) => v.stats)].flatMap((s) => Object.keys(s?.skipped ?? {}))),
  ];
  const cell = (s: CampaignStats | undefined, key: keyof Omit<CampaignStats, 'skipped'>) => {
    if (!s) return '—';
    const rate = key !== 'recipients' && key !== 'sent' && key !== 'queued' && s.sent > 0;
    return `${n(s[key])}${rate ? ` (${percentOf(s[key], s.sent)}%)` : ''}`;
  };
  return (
    <Table.ScrollContainer minWidth={ab ? 480 : 280}>
      <Table aria-label="Figures" striped withTableBorder>
        <Table.Thead>
          <Table.Tr>
            <Table.Th scope="col">Figure</Table.Th>
            <Table.Th scope="col" ta="right">
              {ab ? 'All' : 'People'}
            </Table.Th>
            {ab &&
              c.variants.map((v) => (
                <Table.Th key={v.index} scope="col" ta="right">
                  Variant {variantName(v.index)}
                </Table.Th>
              ))}
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {FIGURES.map((f) => (
            <Table.Tr key={f.key}>
              <Table.Th scope="row" fw={500}>
                {f.label}
              </Table.Th>
              <Table.Td ta="right">{cell(stats, f.key)}</Table.Td>
              {ab &&
                c.variants.map((v) => (
                  <Table.Td key={v.index} ta="right">
                    {cell(v.stats, f.key)}
                  </Table.Td>
                ))}
            </Table.Tr>
          ))}
          {reasons.map((r) => (
            <Table.Tr key={r}>
              <Table.Th scope="row" fw={400}>
                Skipped: {reasonWords(r)}
              </Table.Th>
              <Table.Td ta="right">{n(stats.skipped[r] ?? 0)}</Table.Td>
              {ab &&
                c.variants.map((v) => (
                  <Table.Td key={v.index} ta="right">
                    {n(v.stats?.skipped[r] ?? 0)}
                  </Table.Td>
                ))}
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}

function Funnel({ stats }: { stats: CampaignStats }) {
  const funnel = FUNNEL.map((k) => ({ stage: FUNNEL_WORDS[k], People: stats[k] }));
  return (
    <Card withBorder padding="md">
      <Text fw={600} size="sm" id="funnel-title">
        From sent to replied
      </Text>
      <Text size="xs" c="dimmed" mb="xs">
        People at each step.
      </Text>
      <Box role="img" aria-labelledby="funnel-title" aria-describedby="funnel-words">
        <BarChart
          h={200}
          data={funnel}
          dataKey="stage"
          series={[{ name: 'People', color: 'indigo.6' }]}
          withBarValueLabel
          valueFormatter={n}
          withTooltip={false}
          maxBarWidth={56}
          gridAxis="y"
          yAxisProps={{ allowDecimals: false }}
        />
      </Box>
      <Text id="funnel-words" style={{ position: 'absolute', width: 1, height: 1, overflow: 'hidden' }}>
        {funnel.map((f) => `${f.stage}: ${n(f.People)}`).join(', ')}
      </Text>
    </Card>
  );
}

function VariantsChart({ c }: { c: Campaign }) {
  const byVariant = FUNNEL.slice(1).map((k) => {
    const row: Record<string, string | number> = { stage: FUNNEL_WORDS[k] };
    for (const v of c.variants)
      row[`Variant ${variantName(v.index)}`] = percentOf(v.stats?.[k] ?? 0, v.stats?.sent ?? 0);
    return row;
  });
  return (
    <Card withBorder padding="md">
      <Text fw={600} size="sm" id="variants-title">
        Variants compared
      </Text>
      <Text size="xs" c="dimmed" mb="xs">
        Share of each variant&apos;s sent messages that were delivered, read, clicked and replied to.
      </Text>
      <Box role="img" aria-labelledby="variants-title">
        <BarChart
          h={200}
          data={byVariant}
          dataKey="stage"
          unit="%"
          withLegend
          maxBarWidth={40}
          series={c.variants.map((v) => ({
            name: `Variant ${variantName(v.index)}`,
            color: VARIANT_COLORS[v.index % VARIANT_COLORS.length]!,
          }))}
          gridAxis="y"
        />
      </Box>
    </Card>
  );
}

const STATUS_FILTERS = [
  { value: '', label: 'Everyone' },
  { value: 'queued', label: 'Sent or sending' },
  { value: 'pending', label: 'Waiting' },
  { value: 'skipped', label: 'Skipped' },
  { value: 'cancelled', label: 'Cancelled' },
];

function Recipients({ c }: { c: Campaign }) {
  const [status, setStatus] = useState('');
  const list = useInfiniteQuery({
    queryKey: ['campaign', c.id, 'recipients', status],
    queryFn: ({ pageParam }) => {
      const p = new URLSearchParams({ limit: '25' });
      if (status) p.set('status', status);
      if (pageParam) p.set('cursor', pageParam);
      return api<ListPage<Recipient>>(`/api/v1/campaigns/${encodeURIComponent(c.id)}/recipients?${p.toString()}`);
    },
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.next_cursor,
    placeholderData: (prev) => prev,
  });
  const rows = list.data?.pages.flatMap((p) => p.data) ?? [];
  const ab = c.variants.length > 1;
  return (
    <Card withBorder padding="md" component="section" aria-label="Recipients">
      <Group justify="space-between" mb="xs">
        <Text fw={600}>Recipients</Text>
        <Select
          aria-label="Recipients to show"
          size="xs"
          w={180}
          allowDeselect={false}
          data={STATUS_FILTERS}
          value={status}
          onChange={(v) => setStatus(v ?? '')}
        />
      </Group>
      <ScrollArea type="auto">
        <Table aria-label="Recipients" miw={520}>
          <Table.Thead>
            <Table.Tr>
              <Table.Th scope="col">Person</Table.Th>
              {ab && <Table.Th scope="col">Variant</Table.Th>}
              <Table.Th scope="col">Status</Table.Th>
              <Table.Th scope="col">Why</Table.Th>
              <Table.Th scope="col">Sent</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {rows.map((r) => {
              const state = recipientState(r);
              return (
                <Table.Tr key={r.contact_id}>
                  <Table.Td>
                    <a href={`#/contacts/${encodeURIComponent(r.contact_id)}`}>
                      <ContactName id={r.contact_id} />
                    </a>
                  </Table.Td>
                  {ab && <Table.Td>{variantName(r.variant)}</Table.Td>}
                  <Table.Td>
                    <Badge
                      size="sm"
                      variant="light"
                      color={
                        state === 'Failed'
                          ? 'red'
                          : state === 'Skipped' || state === 'Cancelled'
                            ? 'gray'
                            : state === 'Waiting' || state === 'Sending'
                              ? 'blue'
                              : 'green'
                      }
                    >
                      {state}
                    </Badge>
                  </Table.Td>
                  <Table.Td>
                    <Text size="sm" c="dimmed">
                      {r.reason ? reasonWords(r.reason) : ''}
                    </Text>
                  </Table.Td>
                  <Table.Td>
                    <Text size="sm" c="dimmed">
                      {r.sent_at
                        ? new Date(r.sent_at).toLocaleString('en', { dateStyle: 'short', timeStyle: 'short' })
                        : ''}
                    </Text>
                  </Table.Td>
                </Table.Tr>
              );
            })}
          </Table.Tbody>
        </Table>
      </ScrollArea>
      {rows.length === 0 && !list.isPending && (
        <Text size="sm" c="dimmed" p="sm">
          {list.isError ? 'The recipients could not be loaded.' : 'Nobody here.'}
        </Text>
      )}
      <LoadMore list={list} />
    </Card>
  );
}

/** The report of a started campaign: its figures (whole and per variant), the charts, and who got what, and why not. */
export function CampaignReport({ c, stats, narrow }: { c: Campaign; stats: CampaignStats; narrow: boolean }) {
  return (
    <Stack gap="md" component="section" aria-label="Report">
      {c.variants.length > 1 ? (
        <>
          <SimpleGrid cols={narrow ? 1 : 2} spacing="md">
            <Funnel stats={stats} />
            <VariantsChart c={c} />
          </SimpleGrid>
          <Figures c={c} stats={stats} />
        </>
      ) : (
        <SimpleGrid cols={narrow ? 1 : 2} spacing="md">
          <Funnel stats={stats} />
          <Figures c={c} stats={stats} />
        </SimpleGrid>
      )}
      <Recipients c={c} />
    </Stack>
  );
}
