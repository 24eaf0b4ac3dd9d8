import { test } from 'node:test';
import assert from 'node:assert/strict';
import { envelopeTime, extractEvents, parseEnvelope, type WebhookEvent } from './webhook-events.ts';

const PAGE = '134968929707951';
const PSID = '7689966077685933';

function eventsOf(body: string): WebhookEvent[] {
  const parsed = parseEnvelope(JSON.parse(body));
  assert.ok(parsed.ok);
  return extractEvents(parsed.envelope);
}

function only(body: string): WebhookEvent {
  const events = eventsOf(body);
  assert.equal(events.length, 1);
  return events[0] as WebhookEvent;
}

function item(fields: string, channel = 'messaging'): string {
  return `{"object":"page","entry":[{"id":"${PAGE}","time":1698637601363,"${channel}":[{${fields}}]}]}`;
}

const INBOUND = `"sender":{"id":"${PSID}"},"recipient":{"id":"${PAGE}"},"timestamp":1698637600838`;

test('a real text message becomes a message event keyed by its mid', () => {
  const body = `{"object":"page","entry":[{"id":"${PAGE}","time":1698637601363,"messaging":[{"sender":{"id":"${PSID}"},"recipient":{"id":"${PAGE}"},"timestamp":1698637600838,"message":{"mid":"m_G7806MxRRtEYRbaFW9DwQhGzibAfjF_0k8aXBtCrvhCCBUkL2hQxQYVrwMAV-oVdDMDMUsN7b8NAhW6kufP2Mw","text":"yes"}}]}]}`;
  assert.deepEqual(only(body), {
    kind: 'message',
    isEcho: false,
    pageId: PAGE,
    psid: PSID,
    timestamp: 1698637600838,
    channel: 'messaging',
    mid: 'm_G7806MxRRtEYRbaFW9DwQhGzibAfjF_0k8aXBtCrvhCCBUkL2hQxQYVrwMAV-oVdDMDMUsN7b8NAhW6kufP2Mw',
    text: 'yes',
    attachments: [],
    idempotencyKey: 'm_G7806MxRRtEYRbaFW9DwQhGzibAfjF_0k8aXBtCrvhCCBUkL2hQxQYVrwMAV-oVdDMDMUsN7b8NAhW6kufP2Mw',
  });
});

test('a message keeps its quick reply payload, reply_to mid, attachments and ad referral', () => {
  const event = only(
    item(
      `${INBOUND},"message":{"mid":"m_1","text":"hi","quick_reply":{"payload":"RED"},"reply_to":{"mid":"m_0","is_self_reply":false},"attachments":[{"type":"image","payload":{"url":"https://x/1.jpg","sticker_id":369239263222822}},{"type":"fallback","payload":null,"title":"T","URL":"https://legacy"}],"referral":{"ref":"r1","ad_id":"6045","source":"ADS","type":"OPEN_THREAD","ads_context_data":{"ad_title":"A"}}}`,
    ),
  );
  assert.equal(event.kind, 'message');
  if (event.kind !== 'message') return;
  assert.equal(event.quickReplyPayload, 'RED');
  assert.equal(event.replyToMid, 'm_0');
  assert.deepEqual(event.attachments, [
    {
      type: 'image',
      url: 'https://x/1.jpg',
      stickerId: '369239263222822',
      payload: { url: 'https://x/1.jpg', sticker_id: 369239263222822 },
    },
    { type: 'fallback', url: 'https://legacy', title: 'T' },
  ]);
  assert.deepEqual(event.referral, {
    ref: 'r1',
    adId: '6045',
    source: 'ADS',
    type: 'OPEN_THREAD',
    adsContext: { ad_title: 'A' },
  });
});

test('a first message after a checkbox opt-in carries the prior_message link', () => {
  const event = only(
    item(
      `${INBOUND},"message":{"mid":"m_2","text":"hello"},"prior_message":{"source":"checkbox_plugin","identifier":"ref-123"}`,
    ),
  );
  assert.equal(event.kind === 'message' && event.priorMessage?.identifier, 'ref-123');
});

test('a real echo is keyed on the person in recipient and keeps a numeric app_id as a string', () => {
  const body = `{"object":"page","entry":[{"id":"101457812431751","time":1702033749238,"messaging":[{"sender":{"id":"101457812431751"},"recipient":{"id":"24959525500305070"},"message":{"attachments":[{"payload":{"url":"https://video.xx.fbcdn.net/v.mp4"},"type":"video"}],"mid":"m_lpIS","app_id":1929931607227568,"is_echo":true,"metadata":"delivery:dl_1"},"timestamp":1702033748942}]}]}`;
  const event = only(body);
  assert.equal(event.kind, 'echo');
  if (event.kind !== 'echo') return;
  assert.deepEqual(
    [event.pageId, event.psid, event.appId, event.metadata, event.mid, event.idempotencyKey],
    ['101457812431751', '24959525500305070', '1929931607227568', 'delivery:dl_1', 'm_lpIS', 'm_lpIS'],
  );
});

test('every entry and every item is extracted, standby items marked as such', () => {
  const body = `{"object":"page","entry":[
    {"id":"${PAGE}","time":1,"messaging":[{${INBOUND},"message":{"mid":"m_a","text":"a"}},{${INBOUND},"message":{"mid":"m_b","text":"b"}}]},
    {"id":"${PAGE}","time":2,"standby":[{${INBOUND},"postback":{"title":"Go"}}],"messaging":[{${INBOUND},"read":{"watermark":1698636960806}}]},
    {"id":"${PAGE}","time":1698637601363,"changes":[{"field":"inbox_labels","value":{"user":{"id":"${PSID}"},"action":"add"}}]}]}`;
  const events = eventsOf(body);
  assert.deepEqual(
    events.map((e) => [e.kind, e.channel]),
    [
      ['message', 'messaging'],
      ['message', 'messaging'],
      ['read', 'messaging'],
      ['postback', 'standby'],
      ['change', 'changes'],
    ],
  );
});

test('a postback with a mid is keyed by it; one without gets a key stable across redeliveries', () => {
  const withMid = only(item(`${INBOUND},"postback":{"mid":"m_p","title":"Start","payload":"GET_STARTED"}`));
  assert.equal(withMid.idempotencyKey, 'postback:m_p');
  const body = item(
    `${INBOUND},"postback":{"title":"Start","payload":"GET_STARTED","referral":{"ref":"spring","source":"SHORTLINK","type":"OPEN_THREAD"}}`,
  );
  const first = only(body);
  assert.equal(first.idempotencyKey, only(body).idempotencyKey);
  assert.match(first.idempotencyKey, /^postback:[A-Za-z0-9_-]{22}$/);
  assert.ok(!first.idempotencyKey.includes(PSID));
  const otherPayload = only(body.replace('GET_STARTED', 'OTHER'));
  assert.notEqual(otherPayload.idempotencyKey, first.idempotencyKey);
  assert.equal(first.kind === 'postback' && first.referral?.ref, 'spring');
});

test('reads and deliveries are keyed by their watermark', () => {
  const read = only(item(`${INBOUND},"read":{"watermark":1698636960806}`));
  const delivery = only(
    item(
      `"sender":{"id":"${PSID}"},"recipient":{"id":"${PAGE}"},"delivery":{"mids":["m_JOIf"],"watermark":1698636946713}`,
    ),
  );
  assert.deepEqual([read.kind, read.kind === 'read' && read.watermark], ['read', 1698636960806]);
  assert.match(read.idempotencyKey, /^read:.+:1698636960806$/);
  assert.deepEqual(delivery.kind === 'delivery' && [delivery.mids, delivery.timestamp], [['m_JOIf'], 1698637601363]);
  assert.match(delivery.idempotencyKey, /^delivery:.+:1698636946713$/);
});

test('a reaction keeps mid, action, reaction and emoji', () => {
  const event = only(
    item(`${INBOUND},"reaction":{"mid":"m_Q","action":"react","emoji":"\\ud83d\\ude22","reaction":"sad"}`),
  );
  assert.deepEqual(event.kind === 'reaction' && [event.mid, event.action, event.reaction, event.emoji], [
    'm_Q',
    'react',
    'sad',
    '😢',
  ]);
  const unreact = only(item(`${INBOUND},"reaction":{"mid":"m_Q","action":"unreact","reaction":"sad"}`));
  assert.notEqual(unreact.idempotencyKey, event.idempotencyKey);
});

test('a checkbox opt-in has no psid but a user_ref', () => {
  const event = only(
    item(
      `"recipient":{"id":"${PAGE}"},"timestamp":1234567890123,"optin":{"ref":"PASS","user_ref":"REF_FROM_CHECKBOX"}`,
    ),
  );
  assert.equal(event.kind, 'optin');
  if (event.kind !== 'optin') return;
  assert.deepEqual(
    [event.optinType, event.psid, event.userRef, event.ref],
    ['checkbox', undefined, 'REF_FROM_CHECKBOX', 'PASS'],
  );
  assert.ok(!('psid' in event));
});

test('a marketing-messages stop is read with either spelling of its status', () => {
  for (const status of ['STOP NOTIFICATIONS', 'STOP_NOTIFICATIONS']) {
    const event = only(
      item(
        `${INBOUND},"optin":{"type":"notification_messages","payload":"deals","notification_messages_token":"8183222379117308817","notification_messages_timezone":"Europe/Paris","token_expiry_timestamp":1735000000000,"user_token_status":"NOT_REFRESHED","notification_messages_status":"${status}","notification_messages_topic":"offers","title":"Deals"}`,
      ),
    );
    assert.equal(event.kind, 'optin');
    if (event.kind !== 'optin') return;
    assert.deepEqual(
      [event.optinType, event.token, event.notificationStatus, event.topic, event.timezone, event.tokenExpiry],
      ['notification_messages', '8183222379117308817', 'STOP_NOTIFICATIONS', 'offers', 'Europe/Paris', 1735000000000],
    );
    assert.ok(!event.idempotencyKey.includes('8183222379117308817'));
  }
});

test('an unrecognised marketing status is not silently dropped', () => {
  const event = only(
    item(`${INBOUND},"optin":{"type":"notification_messages","notification_messages_status":"PAUSE"}`),
  );
  assert.equal(event.kind, 'unknown');
});

test('a one-time notification opt-in keeps its token', () => {
  const event = only(
    item(`${INBOUND},"optin":{"type":"one_time_notif_req","payload":"p","one_time_notif_token":"tok"}`),
  );
  assert.deepEqual(event.kind === 'optin' && [event.optinType, event.token], ['one_time_notif', 'tok']);
});

test('a lead-ads referral with a seconds timestamp is normalised to milliseconds', () => {
  const event = only(
    item(
      `"sender":{"id":"${PSID}"},"recipient":{"id":"${PAGE}"},"timestamp":1665424533,"referral":{"source":"ADS","type":"LEAD_COMPLETE","ad_id":"6302572858686"}`,
    ),
  );
  assert.deepEqual(event.kind === 'referral' && [event.timestamp, event.adId, event.type], [
    1665424533000,
    '6302572858686',
    'LEAD_COMPLETE',
  ]);
});

test('handover, app roles and policy events parse, with either policy key spelling', () => {
  const pass = only(
    item(
      `${INBOUND},"pass_thread_control":{"previous_owner_app_id":null,"new_owner_app_id":"123456789","metadata":"m"}`,
    ),
  );
  assert.deepEqual(
    pass.kind === 'pass_thread_control' && [pass.newOwnerAppId, pass.previousOwnerAppId, pass.metadata],
    ['123456789', undefined, 'm'],
  );
  const request = only(item(`${INBOUND},"request_thread_control":{"requested_owner_app_id":123456789}`));
  assert.equal(request.kind === 'request_thread_control' && request.requestedOwnerAppId, '123456789');
  const roles = only(
    item(`"recipient":{"id":"${PAGE}"},"timestamp":1458692752478,"app_roles":{"123456789":["primary_receiver"]}`),
  );
  assert.deepEqual(roles.kind === 'app_roles' && [roles.roles, roles.psid], [
    { '123456789': ['primary_receiver'] },
    undefined,
  ]);
  for (const key of ['policy_enforcement', 'policy-enforcement']) {
    const policy = only(
      item(`"recipient":{"id":"${PAGE}"},"timestamp":1458692752478,"${key}":{"action":"block","reason":"spam"}`),
    );
    assert.deepEqual(policy.kind === 'policy_enforcement' && [policy.action, policy.reason], ['block', 'spam']);
  }
});

test('account linking, edits and feedback parse', () => {
  const linked = only(item(`${INBOUND},"account_linking":{"status":"linked","authorization_code":"CODE"}`));
  assert.deepEqual(linked.kind === 'account_linking' && [linked.status, linked.authorizationCode], ['linked', 'CODE']);
  const edit = only(item(`${INBOUND},"message_edit":{"mid":"m_e","text":"fixed","num_edit":"2"}`));
  assert.deepEqual(edit.kind === 'message_edit' && [edit.mid, edit.text, edit.numEdit], ['m_e', 'fixed', 2]);
  const feedback = only(
    item(
      `${INBOUND},"messaging_feedback":{"feedback_screens":[{"screen_id":0,"questions":{"hauydmns8":{"type":"csat","payload":"5","follow_up":{"type":"free_form","payload":"great"}}}}]}`,
    ),
  );
  assert.deepEqual(feedback.kind === 'feedback' && feedback.screens, [
    {
      screenId: '0',
      questions: [{ id: 'hauydmns8', type: 'csat', payload: '5', followUp: { type: 'free_form', payload: 'great' } }],
    },
  ]);
});

test('a change-style postback is unwrapped into a postback event', () => {
  const event = only(
    `{"object":"page","entry":[{"id":"${PAGE}","time":1527459824000,"changes":[{"field":"messaging_postbacks","value":{"sender":{"user_ref":"USER-REF"},"recipient":{"id":"${PAGE}"},"timestamp":"1527459824","postback":{"mid":"m_X","title":"T","payload":"P"}}}]}]}`,
  );
  assert.deepEqual(event.kind === 'postback' && [event.userRef, event.psid, event.timestamp, event.channel], [
    'USER-REF',
    undefined,
    1527459824000,
    'changes',
  ]);
});

test("the dashboard's test event is a change, tolerating id 0 and seconds", () => {
  const event = only(
    `{"entry":[{"changes":[{"field":"messages","value":{"page_id":"1"}}],"id":"0","time":1514862760}],"object":"page"}`,
  );
  assert.deepEqual([event.kind, event.pageId, event.timestamp], ['change', '0', 1514862760000]);
});

test('unknown kinds are kept raw with the key that named them', () => {
  const event = only(item(`${INBOUND},"game_play":{"game_id":"1"}`));
  assert.deepEqual(event.kind === 'unknown' && [event.reason, event.key, event.pageId], [
    'unrecognized_event',
    'game_play',
    PAGE,
  ]);
});

test('values of unexpected types become unknown events with a reason', () => {
  const cases: [string, string][] = [
    [`${INBOUND},"message":{"mid":42,"text":"x"}`, 'message.mid: expected string'],
    [`${INBOUND},"message":{"mid":"m","text":{"a":1}}`, 'message.text: expected string'],
    [`${INBOUND},"message":{"mid":"m","attachments":"nope"}`, 'message.attachments: expected array'],
    [`${INBOUND},"read":{"watermark":"soon"}`, 'read.watermark: expected integer'],
    [`${INBOUND},"reaction":{"mid":"m","action":"smash"}`, 'reaction.action: unrecognized value'],
    [
      `"sender":{"id":"${PSID}"},"recipient":{"id":"${PAGE}"},"timestamp":-5,"read":{"watermark":1}`,
      'item.timestamp: negative time',
    ],
    [
      `"sender":{"id":99999999999999999999},"recipient":{"id":"${PAGE}"},"timestamp":1,"read":{"watermark":1}`,
      'sender.id: expected id',
    ],
  ];
  for (const [fields, reason] of cases) {
    const event = only(item(fields));
    assert.deepEqual([event.kind, event.kind === 'unknown' && event.reason], ['unknown', reason], fields);
  }
});

test('malformed entries become unknown events instead of disappearing', () => {
  const events = eventsOf(
    `{"object":"page","entry":[42,{"id":"${PAGE}","messaging":{"x":1}},{"id":"${PAGE}","time":1},{"id":{"x":1},"messaging":[]}]}`,
  );
  assert.deepEqual(
    events.map((e) => e.kind === 'unknown' && e.reason),
    ['entry_not_object', 'entry.messaging: expected array', 'entry_without_events', 'entry.id: expected id'],
  );
});

test('only a Meta envelope is accepted', () => {
  assert.deepEqual(parseEnvelope([]), { ok: false, reason: 'not_an_object' });
  assert.deepEqual(parseEnvelope(null), { ok: false, reason: 'not_an_object' });
  assert.deepEqual(parseEnvelope({ entry: [] }), { ok: false, reason: 'object_not_string' });
  assert.deepEqual(parseEnvelope({ object: 'page', entry: {} }), { ok: false, reason: 'entry_not_array' });
  assert.deepEqual(parseEnvelope({ object: 'instagram', entry: [] }), {
    ok: true,
    envelope: { object: 'instagram', entry: [] },
  });
});

test('the same body always yields the same keys, and different events different keys', () => {
  const body = `{"object":"page","entry":[{"id":"${PAGE}","time":1,"messaging":[
    {${INBOUND},"read":{"watermark":5}},{${INBOUND},"read":{"watermark":6}},
    {${INBOUND},"pass_thread_control":{"new_owner_app_id":"1"}},{${INBOUND},"game_play":{}},{${INBOUND},"game_play":{"x":1}}]}]}`;
  const keys = eventsOf(body).map((e) => e.idempotencyKey);
  assert.deepEqual(
    keys,
    eventsOf(body).map((e) => e.idempotencyKey),
  );
  assert.equal(new Set(keys).size, keys.length);
});

test("a body's own time is its first entry's, in milliseconds; a body without one has none", () => {
  const body = (entry: unknown[]) => ({ object: 'page', entry });
  assert.equal(
    envelopeTime(
      body([
        { id: '1', time: 1_764_400_000_999 },
        { id: '1', time: 5 },
      ]),
    ),
    1_764_400_000_999,
  );
  assert.equal(envelopeTime(body([{ id: '1', time: 1_764_400_000 }])), 1_764_400_000_000, 'seconds read as a time');
  for (const entry of [[], [{ id: '1' }], [{ time: 'soon' }], [{ time: -3 }], ['not an entry']])
    assert.equal(envelopeTime(body(entry)), null, JSON.stringify(entry));
});
