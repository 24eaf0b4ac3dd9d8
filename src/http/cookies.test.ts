import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseCookies, sessionCookie } from './cookies.ts';

test('cookies are read by name, the first of a repeated name winning, malformed pairs skipped', () => {
  const c = parseCookies('a=1; pagescope_session=pss_abc; junk; =x; pagescope_session=other; q="quoted"; bad=%E0%A4%A');
  assert.equal(c.get('pagescope_session'), 'pss_abc');
  assert.equal(c.get('a'), '1');
  assert.equal(c.get('q'), 'quoted');
  assert.equal(c.has('bad'), false);
  assert.equal(parseCookies(undefined).size, 0);
});

test('the session cookie is HttpOnly, SameSite=Lax and Path=/, Secure only over https, and clears with Max-Age=0', () => {
  assert.equal(
    sessionCookie('pss_x', { secure: false, maxAgeSeconds: 60 }),
    'pagescope_session=pss_x; Path=/; HttpOnly; SameSite=Lax; Max-Age=60',
  );
  assert.match(sessionCookie('pss_x', { secure: true, maxAgeSeconds: 60 }), /; Secure$/);
  assert.equal(sessionCookie(null, { secure: false }), 'pagescope_session=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0');
});
