// What the API shows of a sequence, a subscriber and the figures (an allow-list).
import type { SequenceSubscriptionTable, SequenceTable } from '../../db/tables/sequences.ts';
import { toIso } from '../../lib/time.ts';
import type { Step } from './sequence.policy.ts';

export interface SequenceView {
  id: string;
  page_id: string;
  name: string;
  enabled: boolean;
  stop_on_reply: boolean;
  steps: Step[];
  created_at: string;
  updated_at: string;
}

export function presentSequence(row: SequenceTable): SequenceView {
  return {
    id: row.id,
    page_id: row.page_id,
    name: row.name,
    enabled: row.enabled === 1,
    stop_on_reply: row.stop_on_reply === 1,
    steps: JSON.parse(row.steps) as Step[],
    created_at: toIso(row.created_at),
    updated_at: toIso(row.updated_at),
  };
}

export interface SubscriberView {
  contact_id: string;
  status: SequenceSubscriptionTable['status'];
  reason: string | null;
  round: number;
  /** The index of the step sent next (for an active subscriber), or how many steps were reached. */
  next_step: number;
  due_at: string | null;
  subscribed_at: string;
  ended_at: string | null;
}

export function presentSubscriber(row: SequenceSubscriptionTable): SubscriberView {
  return {
    contact_id: row.contact_id,
    status: row.status,
    reason: row.reason,
    round: row.round,
    next_step: row.next_step,
    due_at: toIso(row.due_at),
    subscribed_at: toIso(row.subscribed_at),
    ended_at: toIso(row.ended_at),
  };
}

export interface StepFiguresView {
  step: number;
  /** Active subscribers whose next step this is. */
  waiting: number;
  /** Sends queued for this step (whatever became of them since). */
  queued: number;
  sent: number;
  delivered: number;
  read: number;
  failed: number;
  skipped: Record<string, number>;
}

export interface SequenceFiguresView {
  active: number;
  finished: number;
  left: Record<string, number>;
  steps: StepFiguresView[];
}

/** The figures from the repository's counts. Delivered includes read; sent includes both. */
export function presentFigures(
  stepCount: number,
  subs: { byStatus: { status: string; reason: string | null; n: number }[]; waiting: { step: number; n: number }[] },
  runs: { step: number; status: string; reason: string | null; deliveryStatus: string | null; n: number }[],
): SequenceFiguresView {
  const out: SequenceFiguresView = { active: 0, finished: 0, left: {}, steps: [] };
  for (const r of subs.byStatus) {
    if (r.status === 'active') out.active += r.n;
    else if (r.status === 'finished') out.finished += r.n;
    else out.left[r.reason ?? 'unknown'] = (out.left[r.reason ?? 'unknown'] ?? 0) + r.n;
  }
  const empty = (step: number): StepFiguresView => ({
    step,
    waiting: 0,
    queued: 0,
    sent: 0,
    delivered: 0,
    read: 0,
    failed: 0,
    skipped: {},
  });
  const steps = Array.from({ length: stepCount }, (_, step) => empty(step));
  // A step removed since keeps its figures under its old index.
  const at = (i: number) => {
    while (steps.length <= i) steps.push(empty(steps.length));
    return steps[i]!;
  };
  for (const w of subs.waiting) if (w.step < stepCount) at(w.step).waiting += w.n;
  for (const r of runs) {
    const s = at(r.step);
    if (r.status === 'skipped') {
      s.skipped[r.reason ?? 'unknown'] = (s.skipped[r.reason ?? 'unknown'] ?? 0) + r.n;
      continue;
    }
    s.queued += r.n;
    const d = r.deliveryStatus;
    if (d === 'sent' || d === 'delivered' || d === 'read') s.sent += r.n;
    if (d === 'delivered' || d === 'read') s.delivered += r.n;
    if (d === 'read') s.read += r.n;
    if (d === 'failed') s.failed += r.n;
    if (d === 'skipped') s.skipped.refused = (s.skipped.refused ?? 0) + r.n;
  }
  out.steps = steps;
  return out;
}
