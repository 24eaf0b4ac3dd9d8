import { test } from 'node:test';
import assert from 'node:assert/strict';
import { validateMessage, validateTagging } from './send-validate.ts';

const button = (title: string) => ({ type: 'postback', title, payload: 'P' });
const template = (payload: Record<string, unknown>) => ({ attachment: { type: 'template', payload } });

test('a button template takes 1 to 3 buttons with titles of at most 20 characters and text of at most 640', () => {
  assert.doesNotThrow(() =>
    validateMessage(template({ template_type: 'button', text: 'Next?', buttons: [button('Orders')] })),
  );
  assert.throws(
    () => validateMessage(template({ template_type: 'button', text: 'Next?', buttons: [] })),
    /between 1 and 3/,
  );
  assert.throws(
    () =>
      validateMessage(
        template({ template_type: 'button', text: 'Next?', buttons: [1, 2, 3, 4].map(() => button('x')) }),
      ),
    /between 1 and 3/,
  );
  assert.throws(
    () => validateMessage(template({ template_type: 'button', text: 'Next?', buttons: [button('x'.repeat(21))] })),
    /20/,
  );
  assert.throws(
    () => validateMessage(template({ template_type: 'button', text: 'x'.repeat(641), buttons: [button('a')] })),
    /640/,
  );
});

test('media attachments need a url or an attachment id; unknown types are refused', () => {
  assert.doesNotThrow(() => validateMessage({ attachment: { type: 'image', payload: { attachment_id: '1' } } }));
  assert.throws(() => validateMessage({ attachment: { type: 'image', payload: {} } }), /url/);
  assert.throws(() => validateMessage({ attachment: { type: 'sticker', payload: { url: 'u' } } }), /one of/);
});

test('text and attachment together, metadata of 1000 characters, and a long quick-reply title are refused', () => {
  assert.throws(() => validateMessage({ text: 'a', attachment: { type: 'image', payload: { url: 'u' } } }), /Only one/);
  assert.throws(() => validateMessage({ text: 'a', metadata: 'm'.repeat(1000) }), /1000/);
  assert.doesNotThrow(() => validateMessage({ text: 'a', metadata: 'm'.repeat(999) }));
  assert.throws(
    () =>
      validateMessage({ text: 'a', quick_replies: [{ content_type: 'text', title: 't'.repeat(21), payload: 'p' }] }),
    /20/,
  );
  assert.doesNotThrow(() => validateMessage({ text: 'a', quick_replies: [{ content_type: 'user_email' }] }));
});

test('messaging_type defaults to RESPONSE unless it is required', () => {
  assert.deepEqual(validateTagging({}, 0, 1, false), { messagingType: 'RESPONSE' });
  assert.throws(() => validateTagging({}, 0, 1, true), /messaging_type is required/);
});

test('a coupon template needs a title and a code; its shop button needs a URL; it holds no field Meta does not know', () => {
  const coupon = (over: Record<string, unknown>) =>
    template({ template_type: 'coupon', title: '10% off everything', coupon_code: '10PERCENT', ...over });
  assert.doesNotThrow(() => validateMessage(coupon({})));
  assert.doesNotThrow(() =>
    validateMessage(
      coupon({
        subtitle: 'Use it at checkout',
        coupon_url: 'https://shop.example/',
        coupon_url_button_title: 'Shop now',
        coupon_pre_message: 'A thank-you for you',
        image_url: 'https://shop.example/c.png',
        payload: 'GOLD',
      }),
    ),
  );
  assert.throws(() => validateMessage(coupon({ title: undefined })), /\[title\] is required/);
  assert.throws(() => validateMessage(coupon({ coupon_code: undefined })), /\[coupon_code\] is required/);
  assert.throws(() => validateMessage(coupon({ coupon_code: 'TEN PERCENT' })), /spaces/);
  assert.throws(() => validateMessage(coupon({ title: 'x'.repeat(81) })), /80/);
  assert.throws(() => validateMessage(coupon({ coupon_url_button_title: 'Shop now' })), /needs/);
  assert.throws(() => validateMessage(coupon({ coupon_url: 'shop.example' })), /valid URL/);
  assert.throws(() => validateMessage(coupon({ buttons: [] })), /not a field/);
});
