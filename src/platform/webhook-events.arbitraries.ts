/** Test support: fast-check generators of well-formed webhook events (before their idempotency key). */
import fc from 'fast-check';
import type { Attachment, Referral, UnkeyedEvent } from './webhook-event.types.ts';

type Encodable = Exclude<UnkeyedEvent, { kind: 'change' } | { kind: 'unknown' }>;

const digits = (min: number, max: number) => fc.stringMatching(new RegExp(`^[1-9][0-9]{${min - 1},${max - 1}}$`));
const safeDigits = fc.bigInt({ min: 1n, max: 2n ** 53n - 1n }).map(String);
const text = fc.string({ minLength: 1, maxLength: 40 });
const mid = fc.stringMatching(/^m_[A-Za-z0-9_-]{10,86}$/);
const ms = fc.integer({ min: 1e11, max: 4e12 });

const frame = fc.record({
  pageId: digits(10, 17),
  psid: digits(12, 17),
  timestamp: ms,
  channel: fc.constantFrom('messaging' as const, 'standby' as const),
});

const attachment: fc.Arbitrary<Attachment> = fc
  .record(
    {
      type: fc.constantFrom('image', 'video', 'audio', 'file', 'sticker', 'fallback'),
      url: fc.webUrl(),
      title: text,
      stickerId: safeDigits,
    },
    { requiredKeys: ['type'] },
  )
  .map(({ type, url, title, stickerId }) => {
    const payload = {
      ...(url !== undefined && { url }),
      ...(title !== undefined && { title }),
      ...(stickerId !== undefined && { sticker_id: Number(stickerId) }),
    };
    return {
      type,
      ...(url !== undefined && { url }),
      ...(title !== undefined && { title }),
      ...(stickerId !== undefined && { stickerId }),
      ...(Object.keys(payload).length > 0 && { payload }),
    };
  });

const referral: fc.Arbitrary<Referral> = fc.record(
  {
    ref: fc.stringMatching(/^[A-Za-z0-9_=-]{1,40}$/),
    source: fc.constantFrom('ADS', 'SHORTLINK', 'CUSTOMER_CHAT_PLUGIN'),
    type: fc.constantFrom('OPEN_THREAD', 'LEAD_COMPLETE'),
    adId: digits(6, 15),
    refererUri: fc.webUrl(),
    isGuestUser: fc.boolean(),
    productId: digits(3, 15),
    adsContext: fc.record({ ad_title: text }),
  },
  { requiredKeys: [] },
);

const kindArbitraries: fc.Arbitrary<Record<string, unknown>>[] = [
  fc.record(
    {
      kind: fc.constant('message'),
      isEcho: fc.constant(false),
      mid,
      text,
      attachments: fc.array(attachment, { maxLength: 3 }),
      quickReplyPayload: text,
      replyToMid: mid,
      stickerId: safeDigits,
      referral,
      priorMessage: fc.record({ source: fc.constant('checkbox_plugin'), identifier: text }),
    },
    { requiredKeys: ['kind', 'isEcho', 'mid', 'attachments'] },
  ),
  fc.record(
    {
      kind: fc.constant('echo'),
      isEcho: fc.constant(true),
      mid,
      appId: safeDigits,
      metadata: text,
      text,
      attachments: fc.array(attachment, { maxLength: 2 }),
      replyToMid: mid,
    },
    { requiredKeys: ['kind', 'isEcho', 'mid', 'attachments'] },
  ),
  fc.record({ kind: fc.constant('postback'), mid, title: text, payload: text, referral }, { requiredKeys: ['kind'] }),
  fc.tuple(fc.record({ kind: fc.constant('referral') }), referral).map(([k, r]) => ({ ...k, ...r })),
  fc.record(
    {
      kind: fc.constant('optin'),
      optinType: fc.constant('notification_messages'),
      token: digits(8, 19),
      notificationStatus: fc.constantFrom('STOP_NOTIFICATIONS', 'RESUME_NOTIFICATIONS'),
      topic: text,
      timezone: fc.constantFrom('UTC', 'Europe/Paris'),
      frequency: fc.constantFrom('DAILY', 'WEEKLY'),
      tokenExpiry: ms,
      userTokenStatus: fc.constantFrom('REFRESHED', 'NOT_REFRESHED'),
      title: text,
      payload: text,
    },
    { requiredKeys: ['kind', 'optinType'] },
  ),
  fc.record(
    { kind: fc.constant('optin'), optinType: fc.constant('one_time_notif'), token: text, payload: text },
    { requiredKeys: ['kind', 'optinType'] },
  ),
  fc.record(
    { kind: fc.constant('optin'), optinType: fc.constant('send_to_messenger'), ref: text },
    { requiredKeys: ['kind', 'optinType'] },
  ),
  fc.record({ kind: fc.constant('read'), watermark: ms }),
  fc.record({ kind: fc.constant('delivery'), watermark: ms, mids: fc.array(mid, { maxLength: 3 }) }),
  fc.record(
    {
      kind: fc.constant('reaction'),
      mid,
      action: fc.constantFrom('react', 'unreact'),
      reaction: fc.constantFrom('smile', 'love', 'other'),
      emoji: fc.constantFrom('❤️', '😢', '👍'),
    },
    { requiredKeys: ['kind', 'mid', 'action'] },
  ),
  fc.record(
    { kind: fc.constant('message_edit'), mid, text, numEdit: fc.integer({ min: 1, max: 5 }) },
    { requiredKeys: ['kind', 'mid'] },
  ),
  fc.record(
    { kind: fc.constant('account_linking'), status: fc.constantFrom('linked', 'unlinked'), authorizationCode: text },
    { requiredKeys: ['kind', 'status'] },
  ),
  fc.record(
    {
      kind: fc.constantFrom('pass_thread_control', 'take_thread_control'),
      previousOwnerAppId: digits(6, 15),
      newOwnerAppId: digits(6, 15),
      metadata: text,
    },
    { requiredKeys: ['kind'] },
  ),
  fc.record(
    { kind: fc.constant('request_thread_control'), requestedOwnerAppId: digits(6, 15), metadata: text },
    { requiredKeys: ['kind'] },
  ),
  fc.record({
    kind: fc.constant('feedback'),
    screens: fc.array(
      fc.record(
        {
          screenId: digits(1, 3),
          questions: fc.uniqueArray(
            fc.record(
              {
                id: fc.stringMatching(/^[a-z][a-z0-9]{3,9}$/),
                type: fc.constant('csat'),
                payload: digits(1, 1),
                followUp: fc.record({ type: fc.constant('free_form'), payload: text }),
              },
              { requiredKeys: ['id'] },
            ),
            { selector: (q) => q.id, maxLength: 2 },
          ),
        },
        { requiredKeys: ['questions'] },
      ),
      { maxLength: 2 },
    ),
  }),
];

const personEvent = fc.tuple(frame, fc.oneof(...kindArbitraries)).map(([f, fields]) => ({ ...f, ...fields }));

const checkboxOptin = fc
  .tuple(frame, fc.record({ ref: text }, { requiredKeys: [] }), text)
  .map(([{ psid: _psid, ...f }, extra, userRef]) => ({
    ...f,
    ...extra,
    kind: 'optin',
    optinType: 'checkbox',
    userRef,
  }));

const pageOnlyEvent = fc
  .tuple(
    frame,
    fc.oneof(
      fc.record(
        {
          kind: fc.constant('policy_enforcement'),
          action: fc.constantFrom('warning', 'block', 'unblock'),
          reason: text,
        },
        { requiredKeys: ['kind', 'action'] },
      ),
      fc.record({
        kind: fc.constant('app_roles'),
        roles: fc.dictionary(
          digits(6, 15),
          fc.array(fc.constantFrom('primary_receiver', 'secondary_receiver'), { maxLength: 2 }),
          { maxKeys: 3 },
        ),
      }),
    ),
  )
  .map(([{ psid: _psid, ...f }, fields]) => ({ ...f, ...fields }));

// The Marketing Message API's webhooks come as `changes` items `{field, value}`.
const marketingMessageEvent = fc
  .tuple(
    frame,
    fc.record(
      {
        status: fc.constantFrom('echo', 'delivered', 'failed'),
        trackingId: fc.uuid(),
        mid,
        messageCampaignId: digits(6, 16),
        errorMessage: text,
      },
      { requiredKeys: ['status', 'trackingId'] },
    ),
  )
  .map(([f, fields]) => ({ ...f, ...fields, channel: 'changes', kind: 'marketing_message' }));

/** Any well-formed event Meta could send on `messaging` or `standby` (or, for Marketing Messages, `changes`). */
export const wellFormedEvent = fc.oneof(
  personEvent,
  checkboxOptin,
  pageOnlyEvent,
  marketingMessageEvent,
) as fc.Arbitrary<Encodable>;
