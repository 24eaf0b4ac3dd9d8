import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { AttributeType } from '../../db/tables/audience.ts';
import { isAppError } from '../../errors.ts';
import {
  ATTRIBUTE_TYPES,
  formatDate,
  normaliseTag,
  parseAttributeValue,
  parseDate,
  readCanonical,
  readStoredValue,
  validKey,
  valueFromText,
} from './attribute-values.ts';

const refusal = (key: string) => (err: unknown) =>
  isAppError(err) && err.code === 'validation_failed' && err.message.startsWith(`${key}:`);

// A value the API accepts for each type.
const valid: Record<AttributeType, fc.Arbitrary<unknown>> = {
  text: fc.string({ minLength: 1, maxLength: 200 }).filter((s) => s.trim().length > 0),
  number: fc.double({ noNaN: true, noDefaultInfinity: true }),
  boolean: fc.boolean(),
  date: fc.integer({ min: Date.UTC(1900, 0, 1), max: Date.UTC(2200, 0, 1) }).map((ms) => new Date(ms).toISOString()),
  list: fc.array(
    fc.string({ minLength: 1, maxLength: 30 }).filter((s) => s.trim().length > 0),
    { maxLength: 10 },
  ),
};

describe('attribute values', () => {
  it('a valid value reads back the same from its columns and from its canonical string', () => {
    for (const type of ATTRIBUTE_TYPES) {
      fc.assert(
        fc.property(valid[type], (value) => {
          const stored = parseAttributeValue('k', type, value);
          const back = readStoredValue(type, stored);
          assert.deepEqual(back, readCanonical(type, stored.canonical));
          // Parsing what was read gives the same storage again: normalising is idempotent.
          assert.deepEqual(parseAttributeValue('k', type, back), stored);
        }),
      );
    }
  });

  it('text and lists go to value_text, numbers, dates and booleans to value_num', () => {
    for (const type of ATTRIBUTE_TYPES) {
      fc.assert(
        fc.property(valid[type], (value) => {
          const s = parseAttributeValue('k', type, value);
          const inText = type === 'text' || type === 'list';
          assert.equal(s.text !== null, inText);
          assert.equal(s.num !== null, !inText);
        }),
      );
    }
    assert.equal(parseAttributeValue('k', 'boolean', true).num, 1);
    assert.equal(parseAttributeValue('k', 'date', '2025-01-31').num, Date.UTC(2025, 0, 31));
    assert.equal(parseAttributeValue('k', 'date', '2025-01-31T10:00:00+02:00').num, Date.UTC(2025, 0, 31, 8));
    assert.equal(parseAttributeValue('k', 'list', [' a ', 'b', 'a']).text, '["a","b"]');
  });

  it('a value of another type is refused, naming the key', () => {
    const samples: unknown[] = ['x', 1, true, ['a'], { a: 1 }, null, '2025-13-01'];
    for (const type of ATTRIBUTE_TYPES)
      for (const value of samples) {
        let ok = true;
        try {
          parseAttributeValue('tier', type, value);
        } catch (err) {
          ok = false;
          assert.ok(refusal('tier')(err), `${type} ${JSON.stringify(value)}`);
        }
        const fits =
          (type === 'text' && typeof value === 'string') ||
          (type === 'number' && value === 1) ||
          (type === 'boolean' && value === true) ||
          (type === 'list' && Array.isArray(value));
        assert.equal(ok, fits, `${type} ${JSON.stringify(value)}`);
      }
  });

  it('dates that do not exist are refused rather than rolled over', () => {
    assert.equal(parseDate('2025-02-30'), null);
    assert.equal(parseDate('2025-02-28'), Date.UTC(2025, 1, 28));
    assert.equal(parseDate('31/01/2025'), null);
    assert.equal(formatDate(Date.UTC(2025, 0, 31)), '2025-01-31');
    assert.equal(formatDate(Date.UTC(2025, 0, 31, 8)), '2025-01-31T08:00:00.000Z');
  });

  it('a tag is trimmed, lower-cased and its spaces collapsed; normalising twice changes nothing', () => {
    assert.equal(normaliseTag('  VIP   Customer '), 'vip customer');
    assert.equal(normaliseTag(''), null);
    assert.equal(normaliseTag('<script>'), null);
    assert.equal(normaliseTag('x'.repeat(51)), null);
    fc.assert(
      fc.property(fc.string({ maxLength: 60 }), (raw) => {
        const t = normaliseTag(raw);
        if (t === null) return;
        assert.equal(normaliseTag(t), t);
        assert.ok([...t].length <= 50 && t === t.trim() && !/\s{2}/.test(t));
      }),
    );
  });

  it('keys are lowercase words of at most 40 characters starting with a letter', () => {
    assert.equal(validKey('lifetime_value2'), 'lifetime_value2');
    for (const bad of ['Tier', '2nd', '_x', 'a-b', 'a'.repeat(41), ''])
      assert.throws(
        () => validKey(bad),
        (e) => isAppError(e) && e.code === 'validation_failed',
      );
  });

  it('a command-line value becomes the typed value the API would take', () => {
    assert.equal(valueFromText('number', '12.5'), 12.5);
    assert.equal(valueFromText('number', 'twelve'), 'twelve');
    assert.equal(valueFromText('boolean', 'true'), true);
    assert.deepEqual(valueFromText('list', 'a, b'), ['a', 'b']);
    assert.equal(valueFromText('text', ''), null);
  });
});
