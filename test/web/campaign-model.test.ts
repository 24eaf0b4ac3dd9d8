import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  checkedWords,
  createBody,
  freezing,
  freezingWords,
  statusLine,
  editorDraftOf,
  fieldOfError,
  previewBlocker,
  previewBody,
  insertAt,
  progressOf,
  reasonWords,
  recipientState,
  templateSlots,
  type Campaign,
  type EditorDraft,
  type Recipient,
} from '../../web/src/campaigns/model.ts';

const stats = (over: Partial<Parameters<typeof progressOf>[0]> = {}) => ({
  recipients: 10,
  queued: 0,
  sent: 0,
  delivered: 0,
  read: 0,
  clicked: 0,
  replied: 0,
  opted_out: 0,
  failed: 0,
  skipped: {},
  ...over,
});

const draft = (over: Partial<EditorDraft> = {}): EditorDraft => ({
  name: 'Winter',
  kind: 'standard',
  audience: 'segment',
  segmentId: 'sg_1',
  filter: { all: [] },
  variants: [{ text: 'Hi {{contact.first_name|there}}', buttons: [], weight: 1 }],
  template: '',
  parameters: [],
  scheduleAt: '',
  maxPerSecond: 20,
  ...over,
});

const recipient = (over: Partial<Recipient>): Recipient => ({
  contact_id: 'ct_1',
  variant: 0,
  status: 'queued',
  reason: null,
  delivery_id: 'dl_1',
  delivery_status: 'sent',
  queued_at: null,
  sent_at: null,
  delivered_at: null,
  read_at: null,
  clicked_at: null,
  ...over,
});

describe('the campaign screens’ words and the body the editor sends', () => {
  it('counts a campaign done as sent, failed and skipped of its recipients', () => {
    assert.deepEqual(progressOf(stats({ sent: 5, failed: 1, skipped: { opted_out: 2, outside_window: 2 } })), {
      done: 10,
      total: 10,
      percent: 100,
    });
    assert.deepEqual(progressOf(stats({ sent: 3, queued: 7 })), { done: 3, total: 10, percent: 30 });
    assert.deepEqual(progressOf(stats({ recipients: 0 })), { done: 0, total: 0, percent: 0 });
  });

  it('says a campaign is still checking who it reaches while starting, or paused before it finished', () => {
    const at = '2026-12-04T05:00:00.000Z';
    assert.equal(freezing({ status: 'starting', started_at: at, audience_frozen_at: null }), true);
    assert.equal(freezing({ status: 'paused', started_at: at, audience_frozen_at: null }), true);
    assert.equal(freezing({ status: 'paused', started_at: at, audience_frozen_at: at }), false);
    assert.equal(freezing({ status: 'running', started_at: at, audience_frozen_at: at }), false);
    assert.equal(freezing({ status: 'draft', started_at: null, audience_frozen_at: null }), false);
    assert.equal(checkedWords(12_000), '12,000 people checked so far');
    assert.equal(checkedWords(1), '1 person checked so far');
  });

  it('says what a started campaign is doing, the same words in its row and on its page', () => {
    const at = '2026-12-04T05:00:00.000Z';
    const c = (over: Partial<Campaign>) =>
      ({ status: 'running', max_per_second: 20, started_at: at, audience_frozen_at: at, ...over }) as Campaign;
    assert.equal(freezingWords(c({ status: 'starting' }), 3), 'Starting — 3 people checked so far');
    assert.equal(freezingWords(c({ status: 'paused' }), 1), 'Paused while starting — 1 person checked so far');
    assert.match(
      statusLine(c({ status: 'starting', audience_frozen_at: null })),
      /^Checking who it reaches.* 20 a second/,
    );
    assert.match(statusLine(c({ status: 'paused', audience_frozen_at: null })), /still being checked/);
    assert.equal(statusLine(c({ status: 'paused' })), 'Paused: nothing more is queued until you resume.');
    assert.equal(statusLine(c({})), 'Sending at up to 20 a second; this follows live.');
    assert.equal(statusLine(c({ status: 'cancelled' })), 'Cancelled: what was not queued was never sent.');
    assert.match(statusLine(c({ status: 'completed', finished_at: at })), /^Completed Dec 4, 2026/);
  });

  it('says why a person is left out in plain words, and an unknown reason without underscores', () => {
    assert.equal(reasonWords('outside_window'), 'outside the 24-hour window');
    assert.equal(reasonWords('opted_out'), 'opted out');
    assert.equal(reasonWords('some_new_reason'), 'some new reason');
  });

  it('says what became of a recipient in a word', () => {
    assert.equal(recipientState(recipient({ status: 'pending', delivery_status: null })), 'Waiting');
    assert.equal(recipientState(recipient({ status: 'skipped', delivery_status: null })), 'Skipped');
    assert.equal(recipientState(recipient({ delivery_status: 'skipped' })), 'Skipped');
    assert.equal(recipientState(recipient({ delivery_status: 'queued' })), 'Sending');
    assert.equal(
      recipientState(recipient({ delivery_status: 'read', clicked_at: '2026-12-03T10:00:00Z' })),
      'Read, clicked',
    );
    assert.equal(recipientState(recipient({ delivery_status: 'failed' })), 'Failed');
  });

  it('inserts a variable in place of the selection and puts the caret after it', () => {
    assert.deepEqual(insertAt('Hi , welcome', 3, 3, '{{contact.name}}'), {
      text: 'Hi {{contact.name}}, welcome',
      caret: 19,
    });
    assert.deepEqual(insertAt('Hi you', 3, 6, '{{x}}'), { text: 'Hi {{x}}', caret: 8 });
  });

  it('sends one variant as message, several as weighted variants, link buttons as a button template', () => {
    assert.deepEqual(createBody(draft(), String), {
      name: 'Winter',
      kind: 'standard',
      max_per_second: 20,
      segment_id: 'sg_1',
      message: { text: 'Hi {{contact.first_name|there}}' },
    });
    const ab = createBody(
      draft({
        audience: 'filter',
        filter: { field: 'tag', op: 'eq', value: 'vip' },
        variants: [
          { text: 'A', buttons: [{ title: 'Shop', url: 'https://shop.example' }], weight: 3 },
          { text: 'B', buttons: [{ title: '', url: '' }], weight: 1 },
        ],
        scheduleAt: '2026-12-24T09:00',
      }),
      (local) => `iso(${local})`,
    );
    assert.deepEqual(ab, {
      name: 'Winter',
      kind: 'standard',
      max_per_second: 20,
      filter: { field: 'tag', op: 'eq', value: 'vip' },
      variants: [
        {
          weight: 3,
          message: {
            attachment: {
              type: 'template',
              payload: {
                template_type: 'button',
                text: 'A',
                buttons: [{ type: 'web_url', title: 'Shop', url: 'https://shop.example' }],
              },
            },
          },
        },
        { weight: 1, message: { text: 'B' } },
      ],
      schedule_at: 'iso(2026-12-24T09:00)',
    });
  });

  it('sends a utility campaign as its template with the values, never a message', () => {
    const body = createBody(draft({ kind: 'utility', template: 'order_update|en_US', parameters: ['#4471'] }), String);
    assert.deepEqual(body.template, { name: 'order_update', language: 'en_US', parameters: ['#4471'] });
    assert.equal(body.message, undefined);
    assert.equal(templateSlots({ components: [{ type: 'BODY', text: 'Order {{1}} is {{2}}' }] }), 2);
  });

  it('places a refusal next to the field it is about', () => {
    assert.equal(fieldOfError({ message: 'x', details: { reason: 'unknown_variable', field: 'message' } }), 'message');
    assert.equal(fieldOfError({ message: 'x', details: { reason: 'template_not_approved' } }), 'template');
    assert.equal(fieldOfError({ message: 'x', details: { field: 'segment_id' } }), 'audience');
    assert.equal(fieldOfError({ message: 'invalid request: body/max_per_second must be <= 240' }), 'max_per_second');
    assert.equal(
      fieldOfError({ message: 'a campaign sends no message tag', details: { reason: 'tag_not_allowed' } }),
      'form',
    );
  });
  it('opens a saved draft with the fields it was saved from, so saving it unchanged sends the same body', () => {
    const iso = (local: string) => `${local}:00.000Z`;
    const local = (at: string) => at.slice(0, 16);
    for (const d of [
      draft(),
      draft({ audience: 'filter', segmentId: '', filter: { field: 'locale', op: 'eq', value: 'fr_FR' } }),
      draft({
        variants: [
          {
            text: 'A {{contact.first_name}}',
            buttons: [{ title: 'See it', url: 'https://shop.example/a' }],
            weight: 2,
          },
          { text: 'B', buttons: [], weight: 1 },
        ],
        scheduleAt: '2026-12-24T09:00',
        maxPerSecond: 7,
      }),
      draft({ kind: 'utility', template: 'order_update|en_US', parameters: ['{{orders.last.external_id}}'] }),
    ]) {
      const body = createBody(d, iso);
      const variants = (body.variants ?? (body.message ? [{ weight: 1, message: body.message }] : [])) as {
        weight: number;
        message: Record<string, unknown>;
      }[];
      const saved = {
        id: 'cp_1',
        page_id: 'p1',
        name: body.name,
        kind: body.kind,
        segment_id: body.segment_id ?? null,
        filter: body.filter ?? null,
        message: body.message ?? null,
        template: body.template ?? null,
        status: 'draft',
        schedule_at: body.schedule_at ?? null,
        max_per_second: body.max_per_second,
        version: 1,
        variants: variants.map((v, index) => ({ index, ...v })),
      } as unknown as Campaign;
      assert.deepEqual(createBody(editorDraftOf(saved, local), iso), body);
    }
  });

  it('previews only once there is an audience and a message, and without a name', () => {
    assert.match(previewBlocker(draft({ segmentId: '' })) ?? '', /Choose who it goes to/);
    assert.match(
      previewBlocker(draft({ variants: [{ text: ' ', buttons: [], weight: 1 }] })) ?? '',
      /Write the message/,
    );
    assert.match(previewBlocker(draft({ kind: 'utility' })) ?? '', /approved template/);
    assert.equal(previewBlocker(draft()), null);
    const body = previewBody(draft({ name: '' }), (l) => l, 'ct_9');
    assert.equal('name' in body, false);
    assert.equal(body.contact_id, 'ct_9');
    assert.equal(previewBody(draft(), (l) => l, null).name, 'Winter');
  });
});
