import type { ClockMode } from './clock.ts';

/** How Meta's webhook deliveries behave; every switch has a documented default. */
export interface DeliveryOptions {
  /** Entries per POST (default 1; Meta may batch several under load). */
  batchSize: number;
  /** Real milliseconds to wait for a batch to fill (default 0: send what is queued now). */
  batchWindowMs: number;
  /** Probability that a delivered POST is sent a second time, byte for byte (default 0). */
  duplicateRate: number;
  /** Probability that an entry is held back and delivered after the next one (default 0). */
  reorderRate: number;
  /** Real milliseconds an out-of-order entry waits for a successor before going alone (default 25). */
  reorderHoldMs: number;
  /** Immediate retries after a failed POST (default 2). */
  immediateRetries: number;
  /** Backoff between later retries, on the emulator's clock (last value repeats). */
  retryDelaysMs: number[];
  /** A POST slower than this counts as failed (default 5000; Meta's legacy value is 20000). */
  timeoutMs: number;
  /** POSTs in flight at once (default 4). */
  concurrency: number;
  /** "messenger": alert after 15 min, unsubscribe after 1 h. "graph": generic rule, drop after 36 h. */
  failurePolicy: 'messenger' | 'graph';
  /** Delivery-log entries kept (oldest dropped first). */
  logLimit: number;
}

export interface PolicyOptions {
  /** Refuse CONFIRMED_EVENT_UPDATE, ACCOUNT_UPDATE, POST_PURCHASE_UPDATE with code 100 from this instant. */
  deprecatedTagsCutoff: number;
  /** Minimum gap between two marketing messages on one token (default 48 h since Sep 2025). */
  marketingMinGapMs: number;
  /** Send echoes (`message_echoes`) for what the Page sends (default true). */
  echoes: boolean;
  /** Send `message_deliveries` after each Page message (default true). */
  deliveryReceipts: boolean;
  /** Answer the User Profile API (false → 100/33, as for apps without Business Asset User Profile Access). */
  profileAccess: boolean;
  /** Without profile access: error 100/33 as seen in practice (default), or `{}` as the doc says. */
  profileDenied: 'error' | 'empty';
  /** Require appsecret_proof on every call (ID matching always requires it). */
  requireAppsecretProof: boolean;
  /** `{"success":"true"}` as the doc shows for subscribed_apps (default), or a boolean. */
  subscribedAppsSuccessAsString: boolean;
  /** Treat a missing messaging_type as RESPONSE (default) or refuse it with code 100. */
  requireMessagingType: boolean;
  /** Audio/video attachment types counted against the media rate limit. */
  mediaAttachmentTypes: string[];
  /** Emulator time from a utility template's creation to its review (Meta: "within seconds"). */
  templateReviewMs: number;
}

export interface RateLimitOptions {
  enabled: boolean;
  textPerSecond: number;
  mediaPerSecond: number;
  /** Messenger Profile API calls per Page per 10 minutes. */
  profilePer10Minutes: number;
  /** Enforce "200 × engaged users" calls per 24 h per Page (off by default). */
  daily: boolean;
}

export interface EmulatorOptions {
  appId: string;
  appSecret: string;
  appName: string;
  verifyToken: string;
  webhookUrl?: string;
  /** Where signed_request callbacks go; default <webhook origin>/meta/data-deletion and /meta/deauthorize. */
  dataDeletionUrl?: string;
  deauthorizeUrl?: string;
  seed: string;
  /**
   * Varies what each run creates (message ids, traces) while `seed` keeps identities (Pages, people, PSIDs)
   * stable: a restarted sandbox finds the same people, and their new messages do not reuse old ids.
   */
  runSeed?: string;
  clockStart: number;
  clockMode: ClockMode;
  /** Subscribe every new Page to all fields (default true), as after `POST /{page}/subscribed_apps`. */
  autoSubscribe: boolean;
  /** Other apps on the Pages (handover; default: the Helpdesk Bot, EXTERNAL_APP); the Page Inbox is always present. */
  secondaryReceivers: { id: string; name: string }[];
  delivery: DeliveryOptions;
  policy: PolicyOptions;
  rateLimits: RateLimitOptions;
  /** Graph call-log entries kept. */
  callLogLimit: number;
  /** Replace the HTTP transport for webhooks (in-process use and benchmarks). */
  transport?: WebhookTransport;
}

export interface TransportRequest {
  url: string;
  method: 'GET' | 'POST';
  headers: Record<string, string>;
  body?: string;
  timeoutMs: number;
}
export interface TransportResponse {
  status: number;
  body: string;
}
export type WebhookTransport = (req: TransportRequest) => Promise<TransportResponse>;

export type EmulatorOptionsInput = Partial<Omit<EmulatorOptions, 'delivery' | 'policy' | 'rateLimits'>> & {
  delivery?: Partial<DeliveryOptions>;
  policy?: Partial<PolicyOptions>;
  rateLimits?: Partial<RateLimitOptions> | boolean;
};

export const PAGE_INBOX_APP_ID = '263902037430900';
/**
 * The second app the emulator plays on every Page unless `secondaryReceivers` says otherwise: an external helpdesk
 * bot that takes, passes and requests threads through the control API (`POST /_emulator/handover`).
 */
export const EXTERNAL_APP = Object.freeze({ id: '742315098640217', name: 'Helpdesk Bot' });
const MINUTE = 60_000;

/** Fills every option with its documented default. */
export function resolveOptions(input: EmulatorOptionsInput = {}): EmulatorOptions {
  const rl = input.rateLimits;
  const rateLimits: RateLimitOptions = {
    enabled: true,
    textPerSecond: 300,
    mediaPerSecond: 10,
    profilePer10Minutes: 10,
    daily: false,
    ...(typeof rl === 'object' ? rl : {}),
  };
  if (typeof rl === 'boolean') rateLimits.enabled = rl;
  return {
    appId: input.appId ?? '1517776481860111',
    appSecret: input.appSecret ?? 'emulator-app-secret',
    appName: input.appName ?? 'pagescope',
    verifyToken: input.verifyToken ?? 'emulator-verify-token',
    webhookUrl: input.webhookUrl,
    dataDeletionUrl: input.dataDeletionUrl,
    deauthorizeUrl: input.deauthorizeUrl,
    seed: input.seed ?? 'pagescope-emulator',
    ...(input.runSeed !== undefined ? { runSeed: input.runSeed } : {}),
    clockStart: input.clockStart ?? Date.now(),
    clockMode: input.clockMode ?? 'running',
    autoSubscribe: input.autoSubscribe ?? true,
    secondaryReceivers: input.secondaryReceivers ?? [{ ...EXTERNAL_APP }],
    callLogLimit: input.callLogLimit ?? 10_000,
    transport: input.transport,
    rateLimits,
    delivery: {
      batchSize: 1,
      batchWindowMs: 0,
      duplicateRate: 0,
      reorderRate: 0,
      reorderHoldMs: 25,
      immediateRetries: 2,
      retryDelaysMs: [MINUTE, 2 * MINUTE, 5 * MINUTE, 10 * MINUTE],
      timeoutMs: 5000,
      concurrency: 4,
      failurePolicy: 'messenger',
      logLimit: 10_000,
      ...input.delivery,
    },
    policy: {
      deprecatedTagsCutoff: Date.UTC(2026, 3, 27),
      marketingMinGapMs: 48 * 60 * MINUTE,
      echoes: true,
      deliveryReceipts: true,
      profileAccess: true,
      profileDenied: 'error',
      requireAppsecretProof: false,
      subscribedAppsSuccessAsString: true,
      requireMessagingType: false,
      mediaAttachmentTypes: ['audio', 'video'],
      templateReviewMs: 2000,
      ...input.policy,
    },
  };
}
