import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { extractEvents, parseEnvelope, type WebhookEvent } from './webhook-events.ts';
import { wellFormedEvent } from './webhook-events.arbitraries.ts';
import { envelopeOf } from './webhook-wire.fixtures.ts';

const EVENT_KEYS = [
  'message',
  'postback',
  'referral',
  'optin',
  'read',
  'delivery',
  'reaction',
  'message_edit',
  'account_linking',
  'policy_enforcement',
  'pass_thread_control',
  'request_thread_control',
  'app_roles',
  'messaging_feedback',
  'sender',
  'recipient',
  'timestamp',
  'prior_message',
];

// Envelope-shaped noise: real keys holding arbitrary JSON, so the parser's deep paths are exercised.
const noisyItem = fc.dictionary(fc.constantFrom(...EVENT_KEYS), fc.jsonValue({ maxDepth: 3 }), { maxKeys: 5 });
const noisyEnvelope = fc.record({
  object: fc.constant('page'),
  entry: fc.array(
    fc.oneof(
      fc.jsonValue({ maxDepth: 2 }),
      fc.record(
        {
          id: fc.oneof(fc.string(), fc.integer(), fc.jsonValue()),
          time: fc.oneof(fc.integer(), fc.string()),
          messaging: fc.oneof(fc.array(noisyItem), fc.jsonValue()),
          standby: fc.array(noisyItem),
          changes: fc.array(
            fc.record({ field: fc.jsonValue(), value: fc.oneof(noisyItem, fc.jsonValue()) }, { requiredKeys: [] }),
          ),
        },
        { requiredKeys: [] },
      ),
    ),
    { maxLength: 4 },
  ),
});

function parseAll(json: unknown): WebhookEvent[] {
  const envelope = parseEnvelope(json);
  return envelope.ok ? extractEvents(envelope.envelope) : [];
}

test('arbitrary JSON never makes the parser throw', () => {
  fc.assert(
    fc.property(fc.jsonValue(), (json) => Array.isArray(parseAll(json))),
    { numRuns: 500 },
  );
});

test('envelope-shaped noise never throws and every event has a key', () => {
  fc.assert(
    fc.property(noisyEnvelope, (json) =>
      parseAll(json).every((event) => typeof event.idempotencyKey === 'string' && event.idempotencyKey.length > 0),
    ),
    { numRuns: 1000 },
  );
});

test('one event is extracted per item of the generated envelope', () => {
  fc.assert(
    fc.property(noisyEnvelope, (json) => {
      const expected = json.entry.reduce<number>((n, entry) => {
        if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) return n + 1;
        const e = entry as Record<string, unknown>;
        const arrays = ['messaging', 'standby', 'changes'].filter((k) => e[k] !== undefined && e[k] !== null);
        if (arrays.length === 0) return n + 1;
        return n + arrays.reduce((m, k) => m + (Array.isArray(e[k]) ? (e[k] as unknown[]).length : 1), 0);
      }, 0);
      const events = parseAll(json);
      // A malformed entry id or time collapses the whole entry into one unknown event.
      return (
        events.length === expected || events.some((e) => e.kind === 'unknown' && /^entry\.(id|time)/.test(e.reason))
      );
    }),
    { numRuns: 500 },
  );
});

test('well-formed events survive the wire and come back identical', () => {
  fc.assert(
    fc.property(fc.array(wellFormedEvent, { minLength: 1, maxLength: 4 }), (events) => {
      const wire = JSON.parse(JSON.stringify(envelopeOf(events)));
      const parsed = parseAll(wire).map(({ idempotencyKey: _key, ...rest }) => rest);
      // The JSON copy gives generated records ordinary prototypes, as parsed events have.
      assert.deepStrictEqual(parsed, JSON.parse(JSON.stringify(events)));
    }),
    { numRuns: 500 },
  );
});

test('a redelivered body yields the same idempotency keys', () => {
  fc.assert(
    fc.property(fc.array(wellFormedEvent, { minLength: 1, maxLength: 4 }), (events) => {
      const body = JSON.stringify(envelopeOf(events));
      assert.deepStrictEqual(
        parseAll(JSON.parse(body)).map((e) => e.idempotencyKey),
        parseAll(JSON.parse(body)).map((e) => e.idempotencyKey),
      );
    }),
  );
});

test('messages with different mids never share a key', () => {
  fc.assert(
    fc.property(fc.array(wellFormedEvent, { minLength: 2, maxLength: 6 }), (events) => {
      const keyed = parseAll(envelopeOf(events)).filter((e) => e.kind === 'message' || e.kind === 'echo');
      const mids = new Set(keyed.map((e) => (e.kind === 'message' || e.kind === 'echo' ? e.mid : '')));
      return new Set(keyed.map((e) => e.idempotencyKey)).size === mids.size;
    }),
  );
});
