import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Watchdog } from './watchdog.ts';

const after = <T>(ms: number, v: T) => new Promise<T>((r) => setTimeout(() => r(v), ms));

test('an answer within the timeout passes through', async () => {
  assert.equal(await new Watchdog(200).watch(after(5, 'ok')), 'ok');
});

test('an answer later than the timeout is a failure', async () => {
  await assert.rejects(new Watchdog(30).watch(after(300, 'late')), /no answer within 30 ms/);
});

test('a failing answer fails with its own error', async () => {
  await assert.rejects(new Watchdog(100).watch(Promise.reject(new Error('refused'))), /refused/);
});
