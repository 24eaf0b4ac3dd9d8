import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { AppError } from '../../errors.ts';
import { checkAmount, checkCurrency, checkItems, MAX_AMOUNT, MAX_ITEMS, normaliseProof } from './orders.policy.ts';

const refused = (f: () => unknown): boolean => {
  try {
    f();
    return false;
  } catch (err) {
    return err instanceof AppError && err.code === 'validation_failed';
  }
};

describe('order money and lines', () => {
  it('accepts exactly the finite amounts from 0 to 2^53', () => {
    fc.assert(
      fc.property(fc.double(), (v) => {
        const ok = Number.isFinite(v) && v >= 0 && v <= MAX_AMOUNT;
        assert.equal(!refused(() => checkAmount(v, 'total')), ok);
      }),
    );
    for (const v of [Number.NaN, Infinity, -Infinity, -0.01, MAX_AMOUNT * 2])
      assert.ok(refused(() => checkAmount(v, 't')));
    for (const v of [0, 0.01, MAX_AMOUNT]) assert.equal(checkAmount(v, 't'), v);
  });

  it('accepts exactly three uppercase letters as a currency', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 5 }), (s) => {
        assert.equal(!refused(() => checkCurrency(s)), /^[A-Z]{3}$/.test(s));
      }),
    );
  });

  it('accepts 1 to 500 lines of whole quantities, and names the line that is wrong', () => {
    const line = fc.record({
      sku: fc.string({ minLength: 1, maxLength: 10 }).filter((s) => s.trim() !== ''),
      quantity: fc.integer({ min: 1, max: 1000 }),
      price: fc.double({ min: 0, max: 1e6, noNaN: true }),
    });
    fc.assert(
      fc.property(fc.array(line, { minLength: 0, maxLength: MAX_ITEMS + 2 }), (items) => {
        const ok = items.length >= 1 && items.length <= MAX_ITEMS;
        assert.equal(!refused(() => checkItems(items)), ok);
      }),
      { numRuns: 50 },
    );
    try {
      checkItems([
        { sku: 'A', quantity: 1, price: 1 },
        { sku: 'B', quantity: 0, price: 1 },
      ]);
      assert.fail('a zero quantity was accepted');
    } catch (err) {
      assert.deepEqual((err as AppError).details, { field: 'items/1/quantity' });
    }
  });

  it('compares a proof trimmed and lowercased, so any spelling of one email is one index', () => {
    fc.assert(
      fc.property(
        fc.string(),
        fc.string({ maxLength: 3 }).map((s) => s.replace(/\S/g, ' ')),
        (s, pad) => {
          assert.equal(normaliseProof(pad + s.toUpperCase() + pad), normaliseProof(s.toLowerCase()));
        },
      ),
    );
  });
});
