import { test } from 'node:test';
import assert from 'node:assert/strict';
import { deriveDigits, deriveToken, Random } from './prng.ts';

test('the same seed gives the same sequence; another seed another', () => {
  const a = new Random('x');
  const b = new Random('x');
  const c = new Random('y');
  const draw = (r: Random) => [r.float(), r.int(100), r.base64url(20), r.alnum(5)];
  assert.deepEqual(draw(a), draw(b));
  assert.notDeepEqual(draw(new Random('x')), draw(c));
});

test('base64url and chars use only their alphabets and give the asked length', () => {
  const r = new Random(7);
  assert.match(r.base64url(86), /^[A-Za-z0-9_-]{86}$/);
  assert.match(r.chars('01', 40), /^[01]{40}$/);
});

test('derived digits have the asked length, no leading zero, and depend on every label', () => {
  for (let i = 0; i < 200; i++) assert.match(deriveDigits('s', 16, 'psid', String(i)), /^[1-9]\d{15}$/);
  assert.equal(deriveDigits('s', 16, 'a', 'b'), deriveDigits('s', 16, 'a', 'b'));
  assert.notEqual(deriveDigits('s', 16, 'a', 'b'), deriveDigits('s', 16, 'a', 'c'));
  assert.notEqual(deriveDigits('s', 16, 'ab'), deriveDigits('s', 16, 'a', 'b'));
  assert.match(deriveToken('s', 'page', '1'), /^EAA[A-Za-z0-9]+$/);
});

test('poisson counts average their mean, small and large', () => {
  const r = new Random(1);
  for (const mean of [0.5, 4, 80]) {
    let sum = 0;
    for (let i = 0; i < 4000; i++) sum += r.poisson(mean);
    assert.ok(Math.abs(sum / 4000 - mean) < mean * 0.1 + 0.05, `mean ${mean}: ${sum / 4000}`);
  }
  assert.equal(r.poisson(0), 0);
});
