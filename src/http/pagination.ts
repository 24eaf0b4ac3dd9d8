import { AppError } from '../errors.ts';

export const DEFAULT_LIMIT = 50;
export const MAX_LIMIT = 200;

/** `?limit=&cursor=` as the contract says: 50 by default, larger values clamped to 200. */
export function parsePaging(query: unknown): { limit: number; cursor: string | null } {
  const q = (query ?? {}) as Record<string, unknown>;
  let limit = DEFAULT_LIMIT;
  if (q.limit !== undefined && q.limit !== '') {
    const n = Number(q.limit);
    if (!Number.isInteger(n) || n < 1) throw new AppError('validation_failed', 'limit must be a positive whole number');
    limit = Math.min(n, MAX_LIMIT);
  }
  const cursor = typeof q.cursor === 'string' && q.cursor !== '' ? q.cursor : null;
  if (cursor !== null && !/^[A-Za-z0-9_.:-]{1,200}$/.test(cursor)) throw new AppError('validation_failed', 'cursor is not one this API returned');
  return { limit, cursor };
}

export function listBody<T>(data: T[], nextCursor: string | null) {
  return { data, next_cursor: nextCursor };
}
