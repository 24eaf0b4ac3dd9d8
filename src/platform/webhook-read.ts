/** Defensive readers for untrusted webhook JSON: absent or null → undefined, a wrong type → `Malformed`. */
export class Malformed extends Error {
  override name = 'Malformed';
}

export type Json = Record<string, unknown>;

export function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function optObject(parent: Json | undefined, key: string, path: string): Json | undefined {
  const value = parent?.[key];
  if (value === undefined || value === null) return undefined;
  if (!isObject(value)) throw new Malformed(`${path}.${key}: expected object`);
  return value;
}

export function reqObject(parent: Json, key: string, path: string): Json {
  const value = optObject(parent, key, path);
  if (!value) throw new Malformed(`${path}.${key}: required`);
  return value;
}

export function optString(parent: Json | undefined, key: string, path: string): string | undefined {
  const value = parent?.[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw new Malformed(`${path}.${key}: expected string`);
  return value;
}

export function reqString(parent: Json, key: string, path: string): string {
  const value = optString(parent, key, path);
  if (value === undefined || value === '') throw new Malformed(`${path}.${key}: required`);
  return value;
}

/** Ids and payloads Meta sometimes sends as JSON numbers (echo `app_id`, sticker ids): kept as strings. */
export function optId(parent: Json | undefined, key: string, path: string): string | undefined {
  const value = parent?.[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return value;
  // A number past 2^53 has already lost digits in JSON.parse; accepting it would store a wrong id.
  if (typeof value === 'number' && Number.isSafeInteger(value)) return String(value);
  throw new Malformed(`${path}.${key}: expected id`);
}

export function optBoolean(parent: Json | undefined, key: string, path: string): boolean | undefined {
  const value = parent?.[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'boolean') return value;
  if (value === 'true' || value === 'false') return value === 'true';
  throw new Malformed(`${path}.${key}: expected boolean`);
}

export function optInteger(parent: Json | undefined, key: string, path: string): number | undefined {
  const value = parent?.[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'number' && Number.isSafeInteger(value)) return value;
  if (typeof value === 'string' && /^-?\d{1,15}$/.test(value)) return Number(value);
  throw new Malformed(`${path}.${key}: expected integer`);
}

// Below 1e11 a value can only be seconds (1e11 ms is 1973); lead-ads and change-style payloads use seconds.
const SECONDS_BELOW = 1e11;

/** A time in ms; seconds and numeric strings are normalised, negatives refused. */
export function optTime(parent: Json | undefined, key: string, path: string): number | undefined {
  const value = optInteger(parent, key, path);
  if (value === undefined) return undefined;
  if (value < 0) throw new Malformed(`${path}.${key}: negative time`);
  return value < SECONDS_BELOW ? value * 1000 : value;
}

export function optArray(parent: Json | undefined, key: string, path: string): unknown[] | undefined {
  const value = parent?.[key];
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value)) throw new Malformed(`${path}.${key}: expected array`);
  return value;
}

export function oneOf<T extends string>(value: string | undefined, allowed: readonly T[], path: string): T | undefined {
  if (value === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(value)) throw new Malformed(`${path}: unrecognized value`);
  return value as T;
}

export function reqOneOf<T extends string>(value: string, allowed: readonly T[], path: string): T {
  const result = oneOf(value, allowed, path);
  if (result === undefined) throw new Malformed(`${path}: required`);
  return result;
}

/**
 * Drops undefined properties so parsed events compare and serialise cleanly. A copy without them, not `delete`: an
 * object that lost a property is kept by V8 as a dictionary, slower at every later read of the event.
 */
export function compact<T extends object>(value: T): T {
  const out: Partial<T> = {};
  for (const key of Object.keys(value) as (keyof T)[]) {
    if (value[key] !== undefined) out[key] = value[key];
  }
  return out as T;
}
