import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ownerAfterHandover, threadOwnerView, UNKNOWN_APP } from './thread-owner.policy.ts';

const OURS = '1517776481860111';
const OTHER = '742315098640217';
const appId = fc.stringMatching(/^[1-9]\d{5,15}$/);

test('a pass we receive makes the thread ours; a take makes the taker its owner', () => {
  assert.equal(ownerAfterHandover('pass_thread_control', OURS, OURS), null);
  assert.equal(ownerAfterHandover('pass_thread_control', OURS, null), null);
  assert.equal(ownerAfterHandover('take_thread_control', OTHER, OURS), OTHER);
  assert.equal(ownerAfterHandover('take_thread_control', OTHER, null), OTHER);
  assert.equal(ownerAfterHandover('take_thread_control', undefined, OURS), null);
});

test('our own app id is never kept as another app owning the thread', () => {
  fc.assert(
    fc.property(fc.constantFrom('pass_thread_control' as const, 'take_thread_control' as const), appId, (kind, own) => {
      assert.equal(ownerAfterHandover(kind, own, own), null);
      assert.deepEqual(threadOwnerView(ownerAfterHandover(kind, own, own), own), { app_id: own, is_pagescope: true });
    }),
  );
});

test('the view names the other app, or pagescope (with its app id when known)', () => {
  assert.deepEqual(threadOwnerView(OTHER, OURS), { app_id: OTHER, is_pagescope: false });
  assert.deepEqual(threadOwnerView(null, OURS), { app_id: OURS, is_pagescope: true });
  assert.deepEqual(threadOwnerView(null, null), { app_id: null, is_pagescope: true });
  assert.deepEqual(threadOwnerView(UNKNOWN_APP, OURS), { app_id: null, is_pagescope: false });
  fc.assert(
    fc.property(appId, appId, (owner, own) => {
      assert.equal(threadOwnerView(owner, own).is_pagescope, owner === own);
    }),
  );
});
