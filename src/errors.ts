/**
 * The one error type the product throws on purpose. Codes are stable snake_case strings that clients may rely on;
 * each maps to an HTTP status in exactly one place (`httpStatusOf`). Messages must never hold personal data.
 */
export const ERROR_STATUS = {
  bad_request: 400,
  validation_failed: 400,
  invalid_signed_request: 400,
  unauthenticated: 401,
  invalid_credentials: 401,
  session_expired: 401,
  forbidden: 403,
  invalid_signature: 403,
  csrf_failed: 403,
  not_found: 404,
  conflict: 409,
  already_initialised: 409,
  method_not_allowed: 405,
  request_timeout: 408,
  init_incomplete: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  outside_window: 422,
  human_agent_window_closed: 422,
  opted_out: 422,
  unreachable: 422,
  thread_owned: 422,
  erased: 422,
  page_unauthorized: 422,
  page_disabled: 422,
  no_marketing_consent: 422,
  marketing_token_stopped: 422,
  marketing_token_expired: 422,
  frequency_capped: 422,
  no_user_action: 422,
  marketing_not_enabled: 422,
  no_marketing_token: 422,
  marketing_region_restricted: 422,
  policy_refused: 422,
  rate_limited: 429,
  too_many_attempts: 429,
  internal: 500,
  storage_unavailable: 503,
  not_ready: 503,
  config_invalid: 500,
  wrong_master_key: 500,
  decryption_failed: 500,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: ErrorCode, message: string, details?: Record<string, unknown>) {
    super(message);
    this.name = 'AppError';
    this.code = code;
    this.details = details;
  }

  get status(): number {
    return ERROR_STATUS[this.code];
  }
}

export function isAppError(err: unknown): err is AppError {
  return err instanceof AppError;
}

/** Not-found for a missing object and for another Page's object alike: callers cannot tell the two apart. */
export function notFound(what: string): AppError {
  return new AppError('not_found', `${what} not found`);
}

/**
 * A short code for a caught error, fit for logs and stored failure reasons: its `code` (SQLITE_BUSY, ENOSPC, …),
 * else its class name, never its message (which may quote data).
 */
export function errorCode(err: unknown, fallback = 'error'): string {
  const code = (err as { code?: unknown } | null)?.code;
  if (code !== undefined && code !== null) return String(code);
  return (err as Error | null)?.name ?? fallback;
}
