import { AppError } from '../errors.ts';

export const DEFAULT_LIMIT = 50;
export const MAX_LIMIT = 200;

/**
 * `?limit=&cursor=` as the contract says: 50 by default, larger values clamped to 200. The route's schema
 * (`pagingProperties`) already holds limit to a whole number from 1; a cursor is opaque to the schema, so whether it is
 * one this API could have returned is decided here.
 */
export function parsePaging(query: { limit?: number; cursor?: string }): { limit: number; cursor: string | null } {
  const limit = Math.min(query.limit ?? DEFAULT_LIMIT, MAX_LIMIT);
  const cursor = query.cursor !== undefined && query.cursor !== '' ? query.cursor : null;
  if (cursor !== null && !/^[A-Za-z0-9_.:-]{1,200}$/.test(cursor))
    throw new AppError('validation_failed', 'cursor is not one this API returned');
  return { limit, cursor };
}

export function listBody<T>(data: T[], nextCursor: string | null) {
  return { data, next_cursor: nextCursor };
}
