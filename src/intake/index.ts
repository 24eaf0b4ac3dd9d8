// Webhook intake: how an acknowledged POST becomes durable, behind one interface (webhook-intake.ts).
import type { AppContext } from '../kernel/context.ts';
import { PostgresGroupCommitIntake } from './group-commit-intake.ts';
import { SpoolIntake, spoolConfigured } from './spool-intake.ts';
import { SqliteThreadIntake } from './thread-intake.ts';
import type { WebhookIntake } from '../kernel/webhook-intake.ts';

export { ACCEPTED, refused, type Accepted, type Refusal, type WebhookIntake } from '../kernel/webhook-intake.ts';
export { rescueWebhookSpool, spoolConfigured } from './spool-intake.ts';

export interface IntakeChoice {
  /**
   * Whether this process answers Meta's POSTs from the webhook spool (the web role of `serve`): it then opens the
   * spool at once, moving what an earlier run acknowledged and did not move. Other processes never take the spool.
   */
  spool: boolean;
  /** Called whenever POSTs became rows of webhook_deliveries (the processor is woken by it). */
  onStored: () => void;
  /** How often a spool held by another live process is tried again (default 5 s). */
  spoolRetryMs?: number;
}

/**
 * The app's intake, chosen once: PostgreSQL stores by group commit from this thread; SQLite answers from the spool
 * (when this process serves webhooks and the spool is on) or else commits through the intake thread.
 */
export async function openWebhookIntake(ctx: AppContext, choice: IntakeChoice): Promise<WebhookIntake> {
  if (ctx.database.file === null) return new PostgresGroupCommitIntake(ctx, choice.onStored);
  const sqlite = ctx as AppContext & { database: { file: string } };
  if (choice.spool && spoolConfigured(ctx)) return SpoolIntake.open(sqlite, choice.onStored, choice.spoolRetryMs);
  return new SqliteThreadIntake(sqlite, choice.onStored);
}
