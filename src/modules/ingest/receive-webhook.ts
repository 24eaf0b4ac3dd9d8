import type { AppContext } from '../../kernel/context.ts';
import { AppError } from '../../errors.ts';
import { refused, type Accepted, type Refusal } from '../../kernel/webhook-intake.ts';
import type { SignatureHeaders } from '../../platform/index.ts';

/**
 * Accepts one webhook POST: the app's intake checks the signature over the exact bytes and that it is a Meta
 * envelope, and stores the body encrypted with a keyed hash of it (the processor skips a body it has seen before).
 * Resolves only once the POST is durable; storage failure is `storage_unavailable` so Meta retries. Nothing is stored
 * for a refused request.
 */
export function receiveWebhook(ctx: AppContext, raw: Buffer, headers: SignatureHeaders): Promise<void> {
  // One promise step per POST: Meta's bursts make each one count.
  return ctx.intake.accept(raw, headers).then((answer) => settle(ctx, answer));
}

/** Counts the POST's outcome; throws the refusal's error, so the route answers it. */
function settle(ctx: AppContext, answer: Accepted | Refusal): void {
  if (refused(answer)) {
    if ('cause' in answer) ctx.logger.error({ err: { code: answer.cause } }, 'webhook delivery could not be stored');
    ctx.metrics.webhookDeliveries.inc({ outcome: answer.outcome });
    throw new AppError(answer.code, answer.message);
  }
  ctx.metrics.webhookStored.inc();
}
