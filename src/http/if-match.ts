import { AppError } from '../errors.ts';

/**
 * If-Match: the version of an object the client last saw, as an ETag (`"7"`) or a bare number; absent (or `*`), the
 * change applies as is. Anything else is a 400 naming the header.
 */
export function ifMatchVersion(header: string | undefined, object: string): number | null {
  if (header === undefined || header === '*') return null;
  const m = /^(?:W\/)?"?(\d{1,12})"?$/.exec(header.trim());
  if (!m)
    throw new AppError('validation_failed', `If-Match must be the ${object}'s version, e.g. "7"`, {
      field: 'if-match',
    });
  return Number(m[1]);
}
