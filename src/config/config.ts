import { resolve } from 'node:path';

/** Validated settings. Every field is final once loaded; nothing else reads process.env. */
export interface Config {
  dataDir: string;
  databaseUrl: string | null;
  redisUrl: string | null;
  host: string;
  port: number;
  masterKey: string | null;
  publicUrl: string;
  meta: {
    appId: string | null;
    appSecret: string | null;
    verifyToken: string | null;
    graphUrl: string;
    graphVersion: string;
  };
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** `json` lines, `pretty` lines for people, or `auto`: pretty on a terminal, JSON otherwise (LOG_FORMAT). */
  logFormat?: 'auto' | 'json' | 'pretty';
  /** /metrics: a bearer token it requires, and its own listen address (then the main server does not serve it). */
  metrics?: { token: string | null; listen: { host: string; port: number } | null };
  webhookMaxBytes: number;
  /** Webhook bodies being received at once (more are answered 429), and the time to receive one (then 408). */
  webhookMaxBodies: number;
  webhookBodyTimeoutMs: number;
  /** Limits of the HTTP server for every route. */
  http: { requestTimeoutMs: number; headersTimeoutMs: number; maxConnections: number };
  /** SQLite: the webhook spool's ring file, in bytes; 0 stores each POST straight into the database instead. */
  webhookSpoolBytes: number;
  /**
   * `serve` with all roles: the processing thread's nice value (Linux), default 10, below the server thread's so
   * acknowledgements come first; on a host shared with other busy processes a lower one keeps processing (and so
   * live updates) from being starved by them.
   */
  processingNice?: number;
  rawRetentionDays: number;
  /** Failed authentications one source may make per minute before it is answered 429; 0: no limit. */
  authFailureLimit: number;
  /** Days the per-minute counts of failed authentications are kept; 0 keeps them. */
  authFailureRetentionDays: number;
  profileRefreshHours: number;
  /** Whether new contacts are matched to the same person's contacts on the business's other Pages (`ids_for_pages`). */
  linkIdsForPages: boolean;
  /** People who sign in: session lifetimes and the per-account lockout after wrong passwords. */
  signIn?: { sessionIdleHours: number; sessionMaxDays: number; lockAfter: number; lockMinutes: number };
  /** Data subject requests and retention; 0 days means "keep". */
  privacy?: {
    regime: 'gdpr' | 'ccpa';
    /** Separate store of per-contact keys; null → `contact-keys.db` in the data dir. */
    contactKeysFile: string | null;
    /** Whether Meta's callbacks may map an app-scoped id to PSIDs through `ids_for_pages`. */
    idMatching: boolean;
    messageTextDays: number;
    inactiveContactDays: number;
  };
  /**
   * The assistant's optional language model (an OpenAI-compatible chat-completions endpoint): null unless
   * PAGESCOPE_ASSISTANT_LLM_URL is set; any failure falls back to the offline assistant.
   */
  assistantLlm?: { url: string; model: string; apiKey: string | null; timeoutMs: number } | null;
}

/** A setting that stops start-up: its message names the variable and how to fix it, on one line. */
export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(`${variable}: ${message}`);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;
export type ConfigOverrides = Partial<Pick<Config, 'dataDir' | 'host' | 'port' | 'databaseUrl'>>;

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

function str(env: Env, name: string): string | null {
  const v = env[name];
  return v === undefined || v.trim() === '' ? null : v.trim();
}

function int(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = str(env, name);
  if (raw === null) return fallback;
  if (!/^\d+$/.test(raw) || Number(raw) < min || Number(raw) > max) {
    throw new ConfigError(name, `must be a whole number from ${min} to ${max} (got "${raw}")`);
  }
  return Number(raw);
}

const TRUE = ['true', 'on', '1'];
const FALSE = ['false', 'off', '0'];

/** A switch: true/on/1 or false/off/0 in any case; `words` names the pair the documentation uses. */
function bool(env: Env, name: string, fallback: boolean, words: string): boolean {
  const raw = str(env, name)?.toLowerCase();
  if (raw === undefined) return fallback;
  if (!TRUE.includes(raw) && !FALSE.includes(raw)) throw new ConfigError(name, `must be ${words} (got "${raw}")`);
  return TRUE.includes(raw);
}

function url(env: Env, name: string, fallback: string | null, protocols: string[], hint: string): string | null {
  const raw = str(env, name) ?? fallback;
  if (raw === null) return null;
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    throw new ConfigError(name, `is not a URL; ${hint}`);
  }
  if (!protocols.includes(parsed.protocol)) {
    throw new ConfigError(name, `must start with ${protocols.map((p) => `${p}//`).join(' or ')}; ${hint}`);
  }
  return raw.replace(/\/+$/, '');
}

/** Reads and validates the configuration; throws ConfigError naming the first bad variable. */
export function loadConfig(env: Env = process.env, overrides: ConfigOverrides = {}): Config {
  const host = overrides.host ?? str(env, 'HOST') ?? '127.0.0.1';
  const port = overrides.port ?? int(env, 'PORT', 8080, 0, 65535);
  const masterKey = str(env, 'PAGESCOPE_MASTER_KEY');
  if (masterKey !== null && Buffer.from(masterKey, 'base64').length !== 32) {
    throw new ConfigError(
      'PAGESCOPE_MASTER_KEY',
      'must be base64 of exactly 32 random bytes; generate one with `openssl rand -base64 32`, or unset it to use the key file',
    );
  }
  const level = (str(env, 'LOG_LEVEL') ?? 'info').toLowerCase();
  if (!(LOG_LEVELS as readonly string[]).includes(level)) {
    throw new ConfigError('LOG_LEVEL', `must be one of ${LOG_LEVELS.join(', ')} (got "${level}")`);
  }
  const graphVersion = str(env, 'META_GRAPH_VERSION') ?? 'v25.0';
  if (!/^v\d+\.\d+$/.test(graphVersion)) {
    throw new ConfigError('META_GRAPH_VERSION', `must look like v25.0 (got "${graphVersion}")`);
  }
  const databaseUrl =
    overrides.databaseUrl !== undefined
      ? overrides.databaseUrl
      : url(
          env,
          'DATABASE_URL',
          null,
          ['postgres:', 'postgresql:'],
          'use postgres://user@host:5432/db, or unset it for the embedded SQLite',
        );
  const webhookMaxBytes = int(env, 'PAGESCOPE_WEBHOOK_MAX_BYTES', 1024 * 1024, 1024, 64 * 1024 * 1024);
  return {
    dataDir: resolve(overrides.dataDir ?? str(env, 'PAGESCOPE_DATA_DIR') ?? './.pagescope'),
    databaseUrl,
    redisUrl: url(env, 'REDIS_URL', null, ['redis:', 'rediss:'], 'use redis://host:6379, or unset it'),
    host,
    port,
    masterKey,
    publicUrl:
      url(
        env,
        'PAGESCOPE_PUBLIC_URL',
        `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
        ['http:', 'https:'],
        'use the https:// address Meta can reach',
      ) ?? '',
    meta: {
      appId: str(env, 'META_APP_ID'),
      appSecret: str(env, 'META_APP_SECRET'),
      verifyToken: str(env, 'META_VERIFY_TOKEN'),
      graphUrl:
        url(
          env,
          'META_GRAPH_URL',
          'https://graph.facebook.com',
          ['http:', 'https:'],
          'use https://graph.facebook.com or the emulator URL',
        ) ?? '',
      graphVersion,
    },
    logLevel: level as Config['logLevel'],
    logFormat: logFormat(env),
    metrics: metricsConfig(env),
    webhookMaxBytes,
    webhookMaxBodies: int(env, 'PAGESCOPE_WEBHOOK_MAX_BODIES', 64, 1, 100_000),
    webhookBodyTimeoutMs: int(env, 'PAGESCOPE_WEBHOOK_BODY_TIMEOUT_S', 10, 1, 3600) * 1000,
    http: {
      requestTimeoutMs: int(env, 'PAGESCOPE_HTTP_REQUEST_TIMEOUT_S', 30, 1, 3600) * 1000,
      headersTimeoutMs: 10_000,
      maxConnections: int(env, 'PAGESCOPE_HTTP_MAX_CONNECTIONS', 1024, 0, 1_000_000),
    },
    webhookSpoolBytes: webhookSpoolBytes(env, webhookMaxBytes),
    processingNice: int(env, 'PAGESCOPE_PROCESSING_NICE', 10, 0, 19),
    rawRetentionDays: int(env, 'PAGESCOPE_RAW_RETENTION_DAYS', 30, 0, 3650),
    authFailureLimit: int(env, 'PAGESCOPE_AUTH_FAILURE_LIMIT', 20, 0, 1_000_000),
    authFailureRetentionDays: int(env, 'PAGESCOPE_AUTH_FAILURE_RETENTION_DAYS', 30, 0, 3650),
    profileRefreshHours: int(env, 'PAGESCOPE_PROFILE_REFRESH_HOURS', 24, 1, 24 * 365),
    linkIdsForPages: linkIdsForPages(env),
    signIn: signInConfig(env),
    privacy: privacyConfig(env),
    assistantLlm: assistantLlmConfig(env),
  };
}

function assistantLlmConfig(env: Env): Config['assistantLlm'] {
  const url_ = url(
    env,
    'PAGESCOPE_ASSISTANT_LLM_URL',
    null,
    ['http:', 'https:'],
    'use the base URL of an OpenAI-compatible API (e.g. http://127.0.0.1:11434/v1), or unset it',
  );
  if (url_ === null) return null;
  const model = str(env, 'PAGESCOPE_ASSISTANT_LLM_MODEL');
  if (model === null)
    throw new ConfigError(
      'PAGESCOPE_ASSISTANT_LLM_MODEL',
      'must name the model when PAGESCOPE_ASSISTANT_LLM_URL is set',
    );
  return {
    url: url_,
    model,
    apiKey: str(env, 'PAGESCOPE_ASSISTANT_LLM_API_KEY'),
    timeoutMs: int(env, 'PAGESCOPE_ASSISTANT_LLM_TIMEOUT_MS', 3000, 100, 60_000),
  };
}

/** An idle session ends before an absolute one can: the idle time must be shorter than the maximum age. */
function signInConfig(env: Env): NonNullable<Config['signIn']> {
  const sessionIdleHours = int(env, 'PAGESCOPE_SESSION_IDLE_HOURS', 12, 1, 24 * 365);
  const sessionMaxDays = int(env, 'PAGESCOPE_SESSION_MAX_DAYS', 14, 1, 365);
  if (sessionIdleHours > sessionMaxDays * 24) {
    throw new ConfigError(
      'PAGESCOPE_SESSION_IDLE_HOURS',
      `must not exceed PAGESCOPE_SESSION_MAX_DAYS × 24 (${sessionMaxDays * 24})`,
    );
  }
  return {
    sessionIdleHours,
    sessionMaxDays,
    lockAfter: int(env, 'PAGESCOPE_LOGIN_LOCK_AFTER', 5, 1, 1000),
    lockMinutes: int(env, 'PAGESCOPE_LOGIN_LOCK_MINUTES', 15, 1, 24 * 60),
  };
}

function logFormat(env: Env): NonNullable<Config['logFormat']> {
  const v = (str(env, 'LOG_FORMAT') ?? 'auto').toLowerCase();
  if (v !== 'auto' && v !== 'json' && v !== 'pretty')
    throw new ConfigError('LOG_FORMAT', `must be auto, json or pretty (got "${v}")`);
  return v;
}

/** PAGESCOPE_METRICS_TOKEN (at least 16 characters) and PAGESCOPE_METRICS_LISTEN (`host:port`, `[v6]:port` or `port`). */
function metricsConfig(env: Env): NonNullable<Config['metrics']> {
  const token = str(env, 'PAGESCOPE_METRICS_TOKEN');
  if (token !== null && token.length < 16)
    throw new ConfigError(
      'PAGESCOPE_METRICS_TOKEN',
      'must be at least 16 characters; generate one with `openssl rand -hex 24`',
    );
  const raw = str(env, 'PAGESCOPE_METRICS_LISTEN');
  if (raw === null) return { token, listen: null };
  const m = /^(?:(\[[0-9a-f:.]+\]|[^:\s]+):)?(\d{1,5})$/i.exec(raw);
  if (!m || Number(m[2]) > 65535)
    throw new ConfigError(
      'PAGESCOPE_METRICS_LISTEN',
      `must be host:port or a port, e.g. 127.0.0.1:9464 (got "${raw}")`,
    );
  return { token, listen: { host: (m[1] ?? '127.0.0.1').replace(/^\[|\]$/g, ''), port: Number(m[2]) } };
}

/** The spool must hold several of the largest bodies, so that one never waits for a whole ring to be moved. */
function webhookSpoolBytes(env: Env, maxBody: number): number {
  const name = 'PAGESCOPE_WEBHOOK_SPOOL_MB';
  const mb = int(env, name, 64, 0, 65_536);
  if (mb > 0 && mb * 1024 * 1024 < 4 * maxBody) {
    throw new ConfigError(
      name,
      `must be 0 (off) or at least 4 × PAGESCOPE_WEBHOOK_MAX_BYTES (${Math.ceil((4 * maxBody) / 1024 / 1024)} MB)`,
    );
  }
  return mb * 1024 * 1024;
}

/** ids_for_pages calls Meta with `appsecret_proof` and needs the business's permission, so it is off unless asked for. */
function linkIdsForPages(env: Env): boolean {
  const name = 'PAGESCOPE_LINK_IDS_FOR_PAGES';
  const on = bool(env, name, false, 'true or false');
  if (on && str(env, 'META_APP_SECRET') === null) {
    throw new ConfigError(
      name,
      'needs META_APP_SECRET (ids_for_pages requires appsecret_proof); set the secret or set this to false',
    );
  }
  return on;
}

function privacyConfig(env: Env): NonNullable<Config['privacy']> {
  const regime = (str(env, 'PAGESCOPE_PRIVACY_REGIME') ?? 'gdpr').toLowerCase();
  if (regime !== 'gdpr' && regime !== 'ccpa')
    throw new ConfigError('PAGESCOPE_PRIVACY_REGIME', `must be gdpr or ccpa (got "${regime}")`);
  const keysFile = str(env, 'PAGESCOPE_CONTACT_KEYS_FILE');
  return {
    regime,
    contactKeysFile: keysFile === null ? null : resolve(keysFile),
    idMatching: bool(env, 'PAGESCOPE_PRIVACY_ID_MATCHING', false, 'on or off'),
    messageTextDays: int(env, 'PAGESCOPE_RETENTION_MESSAGE_TEXT_DAYS', 0, 0, 36500),
    inactiveContactDays: int(env, 'PAGESCOPE_RETENTION_INACTIVE_CONTACT_DAYS', 0, 0, 36500),
  };
}

/** The serving roles need the Meta app secret: without it webhook signatures cannot be checked. */
export function requireWebhookSecret(config: Config): string {
  if (!config.meta.appSecret) {
    throw new ConfigError(
      'META_APP_SECRET',
      'is required to receive webhooks; set it to your Meta app secret (App Dashboard → Settings → Basic)',
    );
  }
  return config.meta.appSecret;
}
