import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildMessage } from './message-body.ts';

test('text becomes a Send API text message of kind text', () => {
  assert.deepEqual(buildMessage({ text: 'hello' }), { message: { text: 'hello' }, kind: 'text' });
});

test('text of 1999 characters passes and 2000 is refused, as Meta refuses it', () => {
  assert.equal(buildMessage({ text: 'é'.repeat(1999) }).kind, 'text');
  assert.throws(() => buildMessage({ text: 'x'.repeat(2000) }), /shorter than 2000/);
});

test('characters are counted as code points, so emoji count once', () => {
  assert.equal(buildMessage({ text: '😀'.repeat(1999) }).kind, 'text');
});

test('audio, video, image and file attachments are media; templates are templates', () => {
  for (const type of ['audio', 'video', 'image', 'file']) {
    assert.equal(buildMessage({ attachment: { type, payload: { url: 'https://cdn.test/a' } } }).kind, 'media');
  }
  assert.equal(
    buildMessage({ attachment: { type: 'template', payload: { template_type: 'button', text: 'Pick', buttons: [] } } })
      .kind,
    'template',
  );
});

test('exactly one of text and attachment is required', () => {
  assert.throws(() => buildMessage({}), /exactly one/);
  assert.throws(
    () => buildMessage({ text: 'a', attachment: { type: 'image', payload: { url: 'https://x.test' } } }),
    /exactly one/,
  );
});

test('quick replies are kept up to 13, each text reply with a title of at most 20 characters', () => {
  const qr = (i: number) => ({ content_type: 'text', title: `Option ${i}`, payload: `P${i}` });
  assert.equal(
    (
      buildMessage({ text: 'pick', quick_replies: Array.from({ length: 13 }, (_, i) => qr(i)) }).message
        .quick_replies as unknown[]
    ).length,
    13,
  );
  assert.throws(
    () => buildMessage({ text: 'pick', quick_replies: Array.from({ length: 14 }, (_, i) => qr(i)) }),
    /at most 13/,
  );
  assert.throws(
    () =>
      buildMessage({ text: 'pick', quick_replies: [{ content_type: 'text', title: 'x'.repeat(21), payload: 'p' }] }),
    /1 to 20/,
  );
});

test('a media attachment needs an http(s) URL or an attachment id', () => {
  assert.throws(() => buildMessage({ attachment: { type: 'image', payload: {} } }), /url or payload.attachment_id/);
  assert.throws(() => buildMessage({ attachment: { type: 'image', payload: { url: 'file:///etc/passwd' } } }), /http/);
  assert.equal(buildMessage({ attachment: { type: 'image', payload: { attachment_id: '123' } } }).kind, 'media');
});
