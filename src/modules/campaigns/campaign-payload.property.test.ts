import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { campaignPayload, markPayloads, messagePayloads, readCampaignPayload } from './campaign-payload.ts';

const campaignId = fc.stringMatching(/^cp_[0-9a-z]{26}$/);

test('a marked payload reads back as its campaign and the payload as written, whatever the payload holds', () => {
  fc.assert(
    fc.property(campaignId, fc.string({ maxLength: 200 }), (id, payload) => {
      assert.deepEqual(readCampaignPayload(campaignPayload(id, payload)), { campaignId: id, payload });
    }),
  );
});

test('a payload without the marker is left alone, even one that looks a little like it', () => {
  fc.assert(
    fc.property(fc.string({ maxLength: 100 }), (payload) => {
      fc.pre(!payload.startsWith('~cp:'));
      assert.equal(readCampaignPayload(payload), null);
    }),
  );
  assert.equal(readCampaignPayload('~cp:~MENU'), null);
  assert.equal(readCampaignPayload('cp_1~MENU'), null);
});

test('every postback button and text quick reply carries the campaign; nothing else changes', () => {
  const message = {
    attachment: {
      type: 'template',
      payload: {
        template_type: 'generic',
        elements: [
          {
            title: 'A',
            buttons: [
              { type: 'postback', title: 'More', payload: 'MORE' },
              { type: 'web_url', title: 'Go', url: 'https://a.example' },
            ],
          },
        ],
      },
    },
    quick_replies: [{ content_type: 'text', title: 'Yes', payload: 'YES' }, { content_type: 'user_email' }],
  };
  const marked = markPayloads(message, 'cp_1') as typeof message;
  assert.deepEqual(messagePayloads(message), ['MORE', 'YES']);
  assert.deepEqual(
    messagePayloads(marked).map((p) => readCampaignPayload(p)),
    [
      { campaignId: 'cp_1', payload: 'MORE' },
      { campaignId: 'cp_1', payload: 'YES' },
    ],
  );
  assert.deepEqual(
    marked.attachment.payload.elements[0]!.buttons[1],
    message.attachment.payload.elements[0]!.buttons[1],
  );
  assert.deepEqual(marked.quick_replies[1], { content_type: 'user_email' });
  assert.equal(marked.attachment.payload.template_type, 'generic');
});
