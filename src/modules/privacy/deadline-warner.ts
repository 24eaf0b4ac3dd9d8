import { Gauge } from 'prom-client';
import type { AppContext } from '../../kernel/context.ts';
import { systemActor } from '../access/actor.ts';
import { appendAudit } from '../audit/audit.repository.ts';
import { warningAt } from './deadlines.ts';
import { countOverdue, openRequests, updateRequest } from './privacy.repository.ts';

const gauges = new WeakMap<object, Gauge>();

/** `pagescope_privacy_requests_overdue`, registered once on the app's metrics registry. */
export function overdueGauge(ctx: AppContext): Gauge {
  const registry = ctx.metrics.registry;
  let g = gauges.get(registry);
  if (!g) {
    g = new Gauge({
      name: 'pagescope_privacy_requests_overdue',
      help: 'Data subject requests past their legal deadline and not yet answered',
      registers: [registry],
    });
    gauges.set(registry, g);
  }
  return g;
}

/**
 * Warns once per deadline (again after an extension) when an open request reaches its warning time: an audit row
 * and a log line, both with ids only. Refreshes the overdue gauge. Returns how many warnings it gave.
 */
export async function warnDeadlines(ctx: AppContext): Promise<number> {
  const now = ctx.clock.now();
  let warned = 0;
  for (const r of await openRequests(ctx.db, 1000)) {
    if (r.warned_at !== null || warningAt(r.regime, r.received_at, r.extended === 1) > now) continue;
    const overdue = now > r.due_at;
    await ctx.db.transaction().execute(async (trx) => {
      await updateRequest(trx, r.id, { warned_at: now });
      await appendAudit(
        trx,
        systemActor('privacy-deadlines'),
        {
          action: 'privacy.request.deadline_warning',
          pageId: r.page_id,
          subjectType: 'privacy_request',
          subjectId: r.id,
          details: { due_at: r.due_at, overdue, status: r.status },
        },
        now,
      );
    });
    ctx.logger.warn(
      { privacy_request: r.id, due_at: new Date(r.due_at).toISOString(), overdue },
      'privacy request deadline approaching',
    );
    warned++;
  }
  overdueGauge(ctx).set(await countOverdue(ctx.db, now));
  return warned;
}
