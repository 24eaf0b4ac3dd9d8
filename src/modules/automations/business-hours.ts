import type { AppContext } from '../../kernel/context.ts';
import type { PageAutomationSettingsTable } from '../../db/tables/automations.ts';
import { notFound } from '../../errors.ts';
import { assertCan, assertPage, type Actor } from '../access/actor.ts';
import { appendAudit } from '../audit/audit.repository.ts';
import { findPage } from '../pages/pages.repository.ts';
import { findSettings, upsertHours } from './automations.repository.ts';
import { checkBusinessHours, isOpenAt, type BusinessHours, type WeeklyHours } from './business-hours.policy.ts';

export interface BusinessHoursView extends BusinessHours {
  /** Whether the business is open now, as the outside_hours trigger sees it. */
  open_now: boolean;
}

/** A Page's business hours from its settings row; null when never set (outside_hours then never fires). */
export function businessHoursOf(row: PageAutomationSettingsTable | undefined): BusinessHours | null {
  if (!row || row.time_zone === '') return null;
  return {
    time_zone: row.time_zone,
    hours: JSON.parse(row.weekly_hours) as WeeklyHours,
    holidays: JSON.parse(row.holidays) as string[],
  };
}

function view(ctx: AppContext, hours: BusinessHours | null): BusinessHoursView | null {
  return hours && { ...hours, open_now: isOpenAt(hours, ctx.clock.now()) };
}

/** A Page's business hours (404 when never set), for whoever may read the Page. */
export async function getBusinessHours(ctx: AppContext, actor: Actor, pageId: string): Promise<BusinessHoursView> {
  assertCan(actor, 'pages:read');
  assertPage(actor, pageId);
  if (!(await findPage(ctx.db, pageId))) throw notFound('page');
  const hours = view(ctx, businessHoursOf(await findSettings(ctx.db, pageId)));
  if (!hours) throw notFound('business hours');
  return hours;
}

/** Sets a Page's business hours, time zone and holidays (owners and admins); audited. */
export async function setBusinessHours(
  ctx: AppContext,
  actor: Actor,
  pageId: string,
  input: { time_zone: unknown; hours: unknown; holidays?: unknown },
): Promise<BusinessHoursView> {
  assertCan(actor, 'pages:write');
  assertPage(actor, pageId);
  const hours = checkBusinessHours(input);
  const now = ctx.clock.now();
  await ctx.db.transaction().execute(async (trx) => {
    if (!(await findPage(trx, pageId))) throw notFound('page');
    await upsertHours(trx, {
      page_id: pageId,
      time_zone: hours.time_zone,
      weekly_hours: JSON.stringify(hours.hours),
      holidays: JSON.stringify(hours.holidays),
      updated_at: now,
    });
    await appendAudit(
      trx,
      actor,
      {
        action: 'business_hours.update',
        pageId,
        subjectType: 'page',
        subjectId: pageId,
        details: { time_zone: hours.time_zone, holidays: hours.holidays.length },
      },
      now,
    );
  });
  return view(ctx, hours)!;
}
