// Calling the Send API for a prepared send, and reading its answer as an outcome (sent, retry, failed, reauthorize).
import type { Clock } from '../../lib/time.ts';
import type { GraphClient } from '../../platform/index.ts';
import type { MessagingMetrics } from './messaging.metrics.ts';
import type { PreparedSend } from './prepare-send.ts';
import { outcomeOfError, type RetryPolicy, type SendOutcome } from './send-outcome.ts';

export interface SendApiCaller {
  graph: GraphClient;
  clock: Clock;
  retry: RetryPolicy;
  metrics: Pick<MessagingMetrics, 'sendSeconds'>;
}

/** Makes one Send API call; never rejects: an error becomes its outcome (outcomeOfError), timed in the metrics. */
export async function callSendApi(c: SendApiCaller, p: PreparedSend): Promise<SendOutcome> {
  const started = performance.now();
  try {
    // A paid Marketing Message is known by Meta's tracking id: its webhooks name it (and the mid).
    const mid = p.marketing
      ? (await c.graph.sendMarketingMessage(p.token, p.marketing.adAccountId, p.marketing.body)).trackingId
      : (await c.graph.sendMessage(p.token, p.body)).messageId;
    c.metrics.sendSeconds.observe({ outcome: 'sent' }, (performance.now() - started) / 1000);
    return { type: 'sent', mid };
  } catch (err) {
    c.metrics.sendSeconds.observe({ outcome: 'error' }, (performance.now() - started) / 1000);
    return outcomeOfError(err, p.attempt, c.clock.now(), c.retry);
  }
}
