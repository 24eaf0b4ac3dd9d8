import type { CampaignTable } from '../../db/tables/campaigns.ts';
import { toIso } from '../../lib/time.ts';

export interface CampaignStats {
  recipients: number;
  queued: number;
  sent: number;
  delivered: number;
  read: number;
  clicked: number;
  replied: number;
  opted_out: number;
  failed: number;
  skipped: Record<string, number>;
}

export interface StoredVariant {
  weight: number;
  message: Record<string, unknown>;
}

export const emptyStats = (): CampaignStats => ({
  recipients: 0,
  queued: 0,
  sent: 0,
  delivered: 0,
  read: 0,
  clicked: 0,
  replied: 0,
  opted_out: 0,
  failed: 0,
  skipped: {},
});

/** The contract's Campaign, from an allow-list; `stats` (the whole and per variant) when they were read. */
export function presentCampaign(c: CampaignTable, stats?: { total: CampaignStats; variants: CampaignStats[] }) {
  const variants = JSON.parse(c.variants) as StoredVariant[];
  return {
    id: c.id,
    page_id: c.page_id,
    name: c.name,
    kind: c.kind,
    segment_id: c.segment_id,
    filter: c.filter === null ? null : (JSON.parse(c.filter) as Record<string, unknown>),
    message: c.message === null ? null : (JSON.parse(c.message) as Record<string, unknown>),
    template: c.template === null ? null : (JSON.parse(c.template) as Record<string, unknown>),
    status: c.status,
    schedule_at: toIso(c.schedule_at),
    max_per_second: c.max_per_second,
    version: Number(c.version),
    created_at: toIso(c.created_at),
    updated_at: toIso(c.updated_at),
    started_at: toIso(c.started_at),
    finished_at: toIso(c.finished_at),
    audience_frozen_at: toIso(c.audience_frozen_at ?? null),
    variants: variants.map((v, i) => ({
      index: i,
      weight: v.weight,
      message: v.message,
      ...(stats && { stats: stats.variants[i] ?? emptyStats() }),
    })),
    ...(stats && { stats: stats.total }),
  };
}

export type CampaignView = ReturnType<typeof presentCampaign>;
