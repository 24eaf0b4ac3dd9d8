import { it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { AppError } from '../../src/errors.ts';
import { formatSegmentFilter, MAX_DEPTH, parseSegmentFilter } from '../../src/modules/segments/segment-filter.ts';
import { randomFor } from '../support/random.ts';
import { DEFS, filterArb } from './segment-arbitraries.ts';

const NOW = Date.UTC(2026, 10, 28, 12, 0, 0);

type Raw = Record<string, unknown>;

/** Every condition of a raw filter with its path, as the parser names it. */
function conditions(raw: unknown, path = 'filter'): { path: string; cond: Raw }[] {
  const r = raw as Raw;
  if (Array.isArray(r.all)) return r.all.flatMap((x, i) => conditions(x, `${path}.all[${i}]`));
  if (Array.isArray(r.any)) return r.any.flatMap((x, i) => conditions(x, `${path}.any[${i}]`));
  if ('not' in r) return conditions(r.not, `${path}.not`);
  return [{ path, cond: r }];
}

function failure(fn: () => unknown): AppError {
  try {
    fn();
  } catch (err) {
    if (err instanceof AppError) return err;
    throw err;
  }
  assert.fail('expected a validation error');
}

it('a valid filter parses, and its stored form parses to the same tree', (t) => {
  const { seed } = randomFor(t);
  fc.assert(
    fc.property(filterArb(NOW), (raw) => {
      const tree = parseSegmentFilter(raw, DEFS);
      const stored = JSON.parse(JSON.stringify(formatSegmentFilter(tree)));
      assert.deepEqual(parseSegmentFilter(stored, DEFS), tree);
    }),
    { seed, numRuns: 300 },
  );
});

it('one broken condition anywhere is a 400 naming its path and the field or op at fault', (t) => {
  const { seed } = randomFor(t);
  const breakages: [string, (c: Raw) => Raw, RegExp][] = [
    ['unknown field', (c) => ({ ...c, field: 'shoe_size' }), /unknown field "shoe_size"/],
    ['unknown op', (c) => ({ ...c, op: 'resembles' }), /unknown op "resembles"/],
    ['op that does not fit', () => ({ field: 'tag', op: 'lte', value: 3 }), /op "lte" does not fit "tag"/],
    ['wrong value', () => ({ field: 'orders.count', op: 'gt', value: 'many' }), /"orders\.count" takes a whole number/],
    ['stray member', (c) => ({ ...c, extra: 1 }), /unexpected member "extra"/],
  ];
  fc.assert(
    fc.property(
      filterArb(NOW).filter((raw) => conditions(raw).length > 0),
      fc.nat(),
      fc.constantFrom(...breakages),
      (raw, pick, [, breakIt, message]) => {
        const all = conditions(raw);
        const target = all[pick % all.length]!;
        const broken = JSON.parse(JSON.stringify(raw));
        const at = conditions(broken).find((c) => c.path === target.path)!.cond;
        const replacement = breakIt({ ...at });
        for (const k of Object.keys(at)) delete at[k];
        Object.assign(at, replacement);
        const err = failure(() => parseSegmentFilter(broken, DEFS));
        assert.equal(err.code, 'validation_failed');
        assert.match(err.message, message);
        assert.ok(String(err.details?.path).startsWith(target.path), `${String(err.details?.path)} vs ${target.path}`);
      },
    ),
    { seed, numRuns: 300 },
  );
});

it(`nesting up to ${MAX_DEPTH} levels is fine, one more is a 400`, () => {
  const leaf = { field: 'tag', op: 'exists' };
  const nest = (levels: number) => {
    let f: unknown = leaf;
    for (let i = 1; i < levels; i++) f = i % 2 ? { not: f } : { all: [f] };
    return f;
  };
  parseSegmentFilter(nest(MAX_DEPTH), DEFS);
  assert.match(failure(() => parseSegmentFilter(nest(MAX_DEPTH + 1), DEFS)).message, /nests at most 6 levels/);
});
