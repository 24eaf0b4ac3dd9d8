import { AppError } from '../../errors.ts';

const UNIT_MS = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 7 * 86_400_000 } as const;
const MAX_MS = 10 * 366 * UNIT_MS.d;

/** `30d`, `12h`, `90m`, `2w` → milliseconds; anything else is a validation error naming the accepted forms. */
export function parseExpiresIn(text: string, field = 'expires_in'): number {
  const m = /^\s*(\d{1,6})\s*([mhdw])\s*$/.exec(text);
  const ms = m ? Number(m[1]) * UNIT_MS[m[2] as keyof typeof UNIT_MS] : NaN;
  if (!(ms > 0) || ms > MAX_MS)
    throw new AppError(
      'validation_failed',
      `${field} must be a duration such as 90m, 12h, 30d or 2w (at most 10 years)`,
    );
  return ms;
}

/**
 * When a token asked for over the API stops working: `expires_in` (a duration from now) or `expires_at` (a time),
 * not both; neither: never (null).
 */
export function expiryOf(
  now: number,
  asked: { expires_in?: string | undefined; expires_at?: string | undefined },
): number | null {
  if (asked.expires_in !== undefined && asked.expires_at !== undefined)
    throw new AppError('validation_failed', 'give expires_in or expires_at, not both');
  if (asked.expires_in !== undefined) return now + parseExpiresIn(asked.expires_in);
  return asked.expires_at !== undefined ? Date.parse(asked.expires_at) : null;
}
