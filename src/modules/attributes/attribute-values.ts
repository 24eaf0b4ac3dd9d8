// The pure rules of tags and typed attributes: what a tag, a key and a value of each type may be, how a value is
// stored (the storage rule segments read: text and list in value_text, number, date and boolean in value_num) and
// how it reads back. Every refusal names what is wrong, never the value itself.
import type { AttributeType } from '../../db/tables/audience.ts';
import { AppError } from '../../errors.ts';

export const ATTRIBUTE_TYPES = [
  'text',
  'number',
  'date',
  'boolean',
  'list',
] as const satisfies readonly AttributeType[];
export const ATTRIBUTE_KEY = /^[a-z][a-z0-9_]{0,39}$/;
export const MAX_TEXT = 1000;
export const MAX_LIST_ITEMS = 50;
export const MAX_LIST_ITEM = 100;
export const MAX_TAG = 50;

/** A value as the API shows it: text, number, RFC 3339 date or date-time, boolean, list of strings. */
export type AttributeValue = string | number | boolean | string[];

/** What a value is stored as (one of the two columns) and its canonical string (what a personal value seals). */
export interface StoredValue {
  text: string | null;
  num: number | null;
  canonical: string;
}

// A tag: letters or digits first, then letters, digits, spaces and _ . : / - (as a label may be).
const TAG = /^[\p{L}\p{N}][\p{L}\p{N} _.:/-]*$/u;

/** "  VIP  Customer " → "vip customer"; null when what remains is not a tag (empty, too long, other characters). */
export function normaliseTag(raw: string): string | null {
  const t = raw.trim().toLowerCase().replace(/\s+/g, ' ');
  return t.length >= 1 && [...t].length <= MAX_TAG && TAG.test(t) ? t : null;
}

/** Two writers inserting the same natural key at once: the unique index refuses the second. */
export function isUniqueViolation(err: unknown): boolean {
  const e = err as { code?: string; message?: string } | null;
  return (
    e?.code === '23505' || e?.code === 'SQLITE_CONSTRAINT_UNIQUE' || /UNIQUE constraint failed/.test(e?.message ?? '')
  );
}

export function isAttributeType(value: string): value is AttributeType {
  return (ATTRIBUTE_TYPES as readonly string[]).includes(value);
}

export function validKey(key: string): string {
  if (!ATTRIBUTE_KEY.test(key))
    throw new AppError(
      'validation_failed',
      'an attribute key is 1–40 lowercase letters, digits or _, starting with a letter',
      { field: 'key' },
    );
  return key;
}

function wrongType(key: string, type: AttributeType, why: string): AppError {
  return new AppError('validation_failed', `${key}: ${why} (the attribute is of type ${type})`, { field: key });
}

const DATE_ONLY = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATE_TIME = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?([Zz]|[+-]\d{2}:\d{2})$/;

/** An RFC 3339 date (midnight UTC) or date-time with its offset, as epoch ms; null when it is neither. */
export function parseDate(raw: string): number | null {
  const d = DATE_ONLY.exec(raw);
  if (d) {
    const ms = Date.UTC(Number(d[1]), Number(d[2]) - 1, Number(d[3]));
    // Date.UTC rolls 2025-02-30 over to March: a date that does not exist is refused, not moved.
    return new Date(ms).toISOString().slice(0, 10) === raw ? ms : null;
  }
  if (!DATE_TIME.test(raw)) return null;
  const ms = Date.parse(raw);
  return Number.isFinite(ms) ? ms : null;
}

/** Epoch ms as the API shows a date: the date alone at midnight UTC, else the full UTC date-time. */
export function formatDate(ms: number): string {
  const iso = new Date(ms).toISOString();
  return iso.endsWith('T00:00:00.000Z') ? iso.slice(0, 10) : iso;
}

/**
 * Checks a value against its attribute's type and gives what is stored. Text is trimmed (1–1000 characters), a
 * list is up to 50 distinct trimmed strings of 1–100 characters, a number is finite, a date is RFC 3339.
 */
export function parseAttributeValue(key: string, type: AttributeType, value: unknown): StoredValue {
  switch (type) {
    case 'text': {
      if (typeof value !== 'string') throw wrongType(key, type, 'must be a string');
      const t = value.trim();
      if (t.length === 0 || t.length > MAX_TEXT)
        throw wrongType(key, type, `must be 1–${MAX_TEXT} characters (null removes it)`);
      return { text: t, num: null, canonical: t };
    }
    case 'number':
      if (typeof value !== 'number' || !Number.isFinite(value)) throw wrongType(key, type, 'must be a number');
      // -0 is stored (and compared) as 0.
      return { text: null, num: value + 0, canonical: String(value) };
    case 'boolean':
      if (typeof value !== 'boolean') throw wrongType(key, type, 'must be true or false');
      return { text: null, num: value ? 1 : 0, canonical: String(value) };
    case 'date': {
      const ms = typeof value === 'string' ? parseDate(value.trim()) : null;
      if (ms === null) throw wrongType(key, type, 'must be an RFC 3339 date (2025-01-31) or date-time');
      return { text: null, num: ms, canonical: formatDate(ms) };
    }
    case 'list': {
      if (!Array.isArray(value) || value.some((v) => typeof v !== 'string'))
        throw wrongType(key, type, 'must be a list of strings');
      const items = [...new Set((value as string[]).map((v) => v.trim()))];
      if (items.length > MAX_LIST_ITEMS || items.some((v) => v.length === 0 || v.length > MAX_LIST_ITEM))
        throw wrongType(key, type, `must hold at most ${MAX_LIST_ITEMS} strings of 1–${MAX_LIST_ITEM} characters`);
      const json = JSON.stringify(items);
      return { text: json, num: null, canonical: json };
    }
  }
}

/** A stored value as the API shows it (the inverse of parseAttributeValue). */
export function readStoredValue(type: AttributeType, stored: Omit<StoredValue, 'canonical'>): AttributeValue | null {
  switch (type) {
    case 'text':
      return stored.text;
    case 'list':
      return stored.text === null ? null : (JSON.parse(stored.text) as string[]);
    case 'number':
      return stored.num;
    case 'boolean':
      return stored.num === null ? null : stored.num !== 0;
    case 'date':
      return stored.num === null ? null : formatDate(stored.num);
  }
}

/** A personal value's canonical string (what is sealed) back to the API's value. */
export function readCanonical(type: AttributeType, canonical: string): AttributeValue {
  switch (type) {
    case 'text':
      return canonical;
    case 'list':
      return JSON.parse(canonical) as string[];
    case 'number':
      return Number(canonical);
    case 'boolean':
      return canonical === 'true';
    case 'date':
      return canonical;
  }
}

/**
 * A value typed at a command line (`key=value`) as the API would take it: numbers and booleans from their words, a
 * list from comma-separated items; the typed parser then decides.
 */
export function valueFromText(type: AttributeType, text: string): unknown {
  if (text === '') return null;
  if (type === 'number') return /^\s*-?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*$/.test(text) ? Number(text) : text;
  if (type === 'boolean') return text === 'true' ? true : text === 'false' ? false : text;
  if (type === 'list') return text.split(',').map((s) => s.trim());
  return text;
}
