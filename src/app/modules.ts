import { Redis } from 'ioredis';
import type { RouteModule } from '../http/app.ts';
import { assistantRoutes } from '../http/routes/assistant.ts';
import { attributeRoutes } from '../http/routes/attributes.ts';
import { automationRoutes } from '../http/routes/automations.ts';
import { cannedResponseRoutes } from '../http/routes/canned-responses.ts';
import { contactRoutes } from '../http/routes/contacts.ts';
import { conversationRoutes } from '../http/routes/conversations.ts';
import { consentKeywordRoutes } from '../http/routes/consent-keywords.ts';
import { labelRoutes } from '../http/routes/labels.ts';
import { orderRoutes } from '../http/routes/orders.ts';
import { eventRoutes } from '../http/routes/events.ts';
import { messagingRoutes } from '../http/routes/messaging.ts';
import { metaCallbackRoutes } from '../http/routes/meta-callbacks.ts';
import { privacyRoutes } from '../http/routes/privacy.ts';
import { segmentRoutes } from '../http/routes/segments.ts';
import { messageTemplateRoutes } from '../http/routes/message-templates.ts';
import { messengerProfileRoutes } from '../http/routes/messenger-profile.ts';
import { campaignRoutes } from '../http/routes/campaigns.ts';
import { sequenceRoutes } from '../http/routes/sequences.ts';
import { ingestRoutes } from '../http/routes/webhook.ts';
import { webUiRoutes } from '../http/web-ui.ts';
import { registerConsentKeywordHook } from '../modules/consent/keyword-hook.ts';
import { registerInterestsHook, INTERESTS_HOOK_NAME } from '../modules/interests/interests.ts';
import { ASSISTANT_HOOK_NAME, registerAssistantHook } from '../modules/assistant/assistant-hook.ts';
import { LINK_REF_HOOK_NAME, registerOrderLinkRefHook } from '../modules/orders/link-order.ts';
import { startIngestWorkers } from '../modules/ingest/workers.ts';
import {
  AUTOMATIONS_HOOK_NAME,
  DEFAULT_REPLY_HOOK_NAME,
  registerAutomationsHook,
  registerDefaultReplyHook,
  startAutomationWorkers,
} from '../modules/automations/run-rules.ts';
import { startDispatcher } from '../modules/messaging/dispatcher.ts';
import { RedisRateLimiter } from '../modules/messaging/rate-limiter.redis.ts';
import { startPrivacyWorkers } from '../modules/privacy/privacy-workers.ts';
import { startInboxWorkers } from '../modules/conversations/inbox-workers.ts';
import { startLegacyAttributesWorker } from '../modules/attributes/convert-legacy-attributes.ts';
import { startTemplateSync } from '../modules/templates/template-sync.ts';
import { startProfilePush } from '../modules/messenger-profile/profile-push.ts';
import { startCampaignSender } from '../modules/campaigns/campaign-sender.ts';
import { startModelJobs } from '../modules/assistant/model-jobs.ts';
import { startSequenceSender } from '../modules/sequences/sequence-sender.ts';
import { registerSequenceReplyHook, SEQUENCE_REPLY_HOOK_NAME } from '../modules/sequences/reply-hook.ts';
import type { AppContext } from '../kernel/context.ts';
import { addReadinessCheck } from '../kernel/readiness.ts';
import type { BackgroundWorker } from '../kernel/loop.ts';

/**
 * The product's feature modules as the server composes them: their HTTP routes (web role), the hooks they hang on
 * inbound events, and their background workers (worker role). Adding a module means adding it here.
 */
export function routeModules(): RouteModule[] {
  return [
    ingestRoutes,
    contactRoutes,
    messagingRoutes,
    privacyRoutes,
    metaCallbackRoutes,
    conversationRoutes,
    eventRoutes,
    labelRoutes,
    consentKeywordRoutes,
    cannedResponseRoutes,
    orderRoutes,
    attributeRoutes,
    segmentRoutes,
    automationRoutes,
    assistantRoutes,
    messageTemplateRoutes,
    messengerProfileRoutes,
    campaignRoutes,
    sequenceRoutes,
    webUiRoutes,
  ];
}

/** Hooks that run inside the webhook processing transaction, in this order. */
export function installHooks(ctx: AppContext): void {
  if (!ctx.inboundHooks.names().includes('consent-keywords')) registerConsentKeywordHook(ctx.inboundHooks);
  if (!ctx.inboundHooks.names().includes(LINK_REF_HOOK_NAME)) registerOrderLinkRefHook(ctx.inboundHooks);
  if (!ctx.inboundHooks.names().includes(INTERESTS_HOOK_NAME)) registerInterestsHook(ctx.inboundHooks);
  // A message from a person ends the follow-up sequences that stop on reply, before any rule could start one anew.
  if (!ctx.inboundHooks.names().includes(SEQUENCE_REPLY_HOOK_NAME)) registerSequenceReplyHook(ctx.inboundHooks);
  // Then whatever answers, most specific first: the rules (after consent, order links and interests were applied:
  // a STOP is the consent module's), the assistant for what no rule took, the default reply when nothing answered.
  if (!ctx.inboundHooks.names().includes(AUTOMATIONS_HOOK_NAME)) registerAutomationsHook(ctx.inboundHooks);
  if (!ctx.inboundHooks.names().includes(ASSISTANT_HOOK_NAME)) registerAssistantHook(ctx.inboundHooks);
  if (!ctx.inboundHooks.names().includes(DEFAULT_REPLY_HOOK_NAME)) registerDefaultReplyHook(ctx.inboundHooks);
}

export interface WorkerOptions {
  workerId: string;
  /** See IngestWorkerOptions.spoolRescue (off in serve's processing thread). */
  spoolRescue?: boolean;
  /**
   * Whether the workers have their thread to themselves (serve's processing thread, the worker role): no HTTP server
   * waits on its event loop, so webhook processing claims more and commits less often. `yielding`: besides, every
   * other writer of the database is a thread of this process, counted in `ctx.database.lockWaiters` (serve's
   * processing thread on SQLite): processing takes the long turns of YIELDING_PROCESSING.
   */
  ownThread?: boolean | 'yielding';
}

/** Webhook processing on a thread of its own: 200 deliveries a claim, up to 50 ms of work per transaction. */
export const OWN_THREAD_PROCESSING = { limit: 200, turnMs: 50 };

/**
 * Webhook processing on a thread of its own whose process's writers all count themselves while they wait for SQLite's
 * lock: 1,000 deliveries a claim, up to 250 ms of work per transaction, a turn ended early whenever another writer
 * waits. A commit writes every page its turn changed, so a page that many events change (an index's last page, a
 * contact's messages, a busy word of the search index) is written once a turn: measured on a backlog of 30,000
 * messages from 256 people, 16.5 KiB written to disk an event instead of 29.9, and 5,200 events/s instead of 4,200.
 * Only a backlog fills such a turn: one message alone is committed as soon as it is applied.
 */
export const YIELDING_PROCESSING = { limit: 1000, turnMs: 250 };

/** Starts every background worker; with REDIS_URL the send rate limits are shared by all instances. */
export function startWorkers(ctx: AppContext, opts: WorkerOptions): BackgroundWorker[] {
  const workers: BackgroundWorker[] = [
    ...startIngestWorkers(ctx, {
      ...(opts.spoolRescue === false && { spoolRescue: false }),
      ...(opts.ownThread && {
        process: opts.ownThread === 'yielding' ? YIELDING_PROCESSING : OWN_THREAD_PROCESSING,
      }),
    }),
  ];
  let dispatcher: BackgroundWorker;
  if (ctx.config.redisUrl) {
    const redis = new Redis(ctx.config.redisUrl, { lazyConnect: false, maxRetriesPerRequest: 3 });
    redis.on('error', (err: Error) => ctx.logger.warn({ err: err.message }, 'redis error'));
    addReadinessCheck(ctx, 'redis', async () => (redis.status === 'ready' ? null : 'redis_unreachable'));
    const shared = startDispatcher(ctx, { workerId: opts.workerId, limiter: new RedisRateLimiter(redis) });
    dispatcher = {
      name: shared.name,
      wake: shared.wake,
      stop: async () => {
        await shared.stop();
        redis.disconnect();
      },
    };
  } else {
    dispatcher = startDispatcher(ctx, { workerId: opts.workerId });
  }
  workers.push(dispatcher);
  // Campaign sends go out as soon as they are queued, not after the dispatcher's idle pause.
  workers.push(startCampaignSender(ctx, { onQueued: () => dispatcher.wake() }));
  workers.push(startSequenceSender(ctx, { onQueued: () => dispatcher.wake() }));
  workers.push(...startPrivacyWorkers(ctx));
  workers.push(...startInboxWorkers(ctx));
  workers.push(startLegacyAttributesWorker(ctx));
  workers.push(...startAutomationWorkers(ctx));
  workers.push(startTemplateSync(ctx));
  workers.push(startProfilePush(ctx));
  workers.push(startModelJobs(ctx, { workerId: opts.workerId }));
  return workers;
}
