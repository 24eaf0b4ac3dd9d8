import type {
  AccountLinkingEvent,
  AppRolesEvent,
  DeliveryEvent,
  FeedbackEvent,
  FeedbackQuestion,
  MessageEditEvent,
  NotificationStatus,
  OptinEvent,
  PolicyEnforcementEvent,
  ReactionEvent,
  ReadEvent,
  RequestThreadControlEvent,
  ThreadControlEvent,
} from './webhook-event.types.ts';
import {
  compact,
  isObject,
  Malformed,
  oneOf,
  reqOneOf,
  optArray,
  optId,
  optInteger,
  optObject,
  optString,
  optTime,
  reqObject,
  reqString,
  type Json,
} from './webhook-read.ts';

type Fields<E> = Omit<E, 'pageId' | 'psid' | 'timestamp' | 'channel' | 'idempotencyKey'>;

/** Parses `item.optin`: checkbox, Send to Messenger, marketing messages (with STOP/RESUME) and one-time notifications. */
export function parseOptin(item: Json): Fields<OptinEvent> {
  const optin = reqObject(item, 'optin', 'item');
  const type = optString(optin, 'type', 'optin');
  const common = {
    kind: 'optin' as const,
    ref: optString(optin, 'ref', 'optin'),
    payload: optString(optin, 'payload', 'optin'),
    userRef: optString(optin, 'user_ref', 'optin'),
    messageRequest: optString(optin, 'message_request', 'optin'),
    title: optString(optin, 'title', 'optin'),
  };
  if (type === 'notification_messages') {
    return compact({
      ...common,
      optinType: 'notification_messages' as const,
      token: optId(optin, 'notification_messages_token', 'optin'),
      notificationStatus: notificationStatus(optString(optin, 'notification_messages_status', 'optin')),
      topic: optString(optin, 'notification_messages_topic', 'optin'),
      timezone: optString(optin, 'notification_messages_timezone', 'optin'),
      frequency: optString(optin, 'notification_messages_frequency', 'optin'),
      tokenExpiry: optTime(optin, 'token_expiry_timestamp', 'optin'),
      userTokenStatus: optString(optin, 'user_token_status', 'optin'),
    });
  }
  if (type === 'one_time_notif_req') {
    return compact({
      ...common,
      optinType: 'one_time_notif' as const,
      token: optId(optin, 'one_time_notif_token', 'optin'),
    });
  }
  if (type !== undefined) throw new Malformed('optin.type: unrecognized value');
  const fromCheckbox =
    common.userRef !== undefined && optId(optObject(item, 'sender', 'item'), 'id', 'sender') === undefined;
  return compact({ ...common, optinType: fromCheckbox ? ('checkbox' as const) : ('send_to_messenger' as const) });
}

// Meta documents the values with a space; the product's vocabulary uses underscores. Both spellings are accepted.
function notificationStatus(value: string | undefined): NotificationStatus | undefined {
  if (value === undefined) return undefined;
  const normalized = value.trim().toUpperCase().replace(/\s+/g, '_');
  return oneOf(
    normalized,
    ['STOP_NOTIFICATIONS', 'RESUME_NOTIFICATIONS'] as const,
    'optin.notification_messages_status',
  );
}

export function parseRead(item: Json): Fields<ReadEvent> {
  return { kind: 'read', watermark: watermarkOf(reqObject(item, 'read', 'item'), 'read') };
}

export function parseDelivery(item: Json): Fields<DeliveryEvent> {
  const delivery = reqObject(item, 'delivery', 'item');
  const mids = (optArray(delivery, 'mids', 'delivery') ?? []).map((mid) => {
    if (typeof mid !== 'string') throw new Malformed('delivery.mids[]: expected string');
    return mid;
  });
  return { kind: 'delivery', watermark: watermarkOf(delivery, 'delivery'), mids };
}

function watermarkOf(source: Json, path: string): number {
  const watermark = optTime(source, 'watermark', path);
  if (watermark === undefined) throw new Malformed(`${path}.watermark: required`);
  return watermark;
}

export function parseReaction(item: Json): Fields<ReactionEvent> {
  const reaction = reqObject(item, 'reaction', 'item');
  const action = reqOneOf(reqString(reaction, 'action', 'reaction'), ['react', 'unreact'] as const, 'reaction.action');
  return compact({
    kind: 'reaction' as const,
    mid: reqString(reaction, 'mid', 'reaction'),
    action,
    reaction: optString(reaction, 'reaction', 'reaction'),
    emoji: optString(reaction, 'emoji', 'reaction'),
  });
}

export function parseMessageEdit(item: Json): Fields<MessageEditEvent> {
  const edit = reqObject(item, 'message_edit', 'item');
  return compact({
    kind: 'message_edit' as const,
    mid: reqString(edit, 'mid', 'message_edit'),
    text: optString(edit, 'text', 'message_edit'),
    numEdit: optInteger(edit, 'num_edit', 'message_edit'),
  });
}

export function parseAccountLinking(item: Json): Fields<AccountLinkingEvent> {
  const linking = reqObject(item, 'account_linking', 'item');
  const status = reqOneOf(
    reqString(linking, 'status', 'account_linking'),
    ['linked', 'unlinked'] as const,
    'account_linking.status',
  );
  return compact({
    kind: 'account_linking' as const,
    status,
    authorizationCode: optString(linking, 'authorization_code', 'account_linking'),
  });
}

/** Accepts both `policy_enforcement` and the older hyphenated `policy-enforcement` key. */
export function parsePolicyEnforcement(item: Json): Fields<PolicyEnforcementEvent> {
  const key = item.policy_enforcement !== undefined ? 'policy_enforcement' : 'policy-enforcement';
  const policy = reqObject(item, key, 'item');
  const action = reqOneOf(reqString(policy, 'action', key), ['warning', 'block', 'unblock'] as const, `${key}.action`);
  return compact({
    kind: 'policy_enforcement' as const,
    action,
    reason: optString(policy, 'reason', key),
  });
}

export function parseThreadControl(kind: ThreadControlEvent['kind']) {
  return (item: Json): Fields<ThreadControlEvent> => {
    const control = reqObject(item, kind, 'item');
    return compact({
      kind,
      previousOwnerAppId: optId(control, 'previous_owner_app_id', kind),
      newOwnerAppId: optId(control, 'new_owner_app_id', kind),
      metadata: optString(control, 'metadata', kind),
    });
  };
}

export function parseRequestThreadControl(item: Json): Fields<RequestThreadControlEvent> {
  const control = reqObject(item, 'request_thread_control', 'item');
  return compact({
    kind: 'request_thread_control' as const,
    requestedOwnerAppId: optId(control, 'requested_owner_app_id', 'request_thread_control'),
    metadata: optString(control, 'metadata', 'request_thread_control'),
  });
}

export function parseAppRoles(item: Json): Fields<AppRolesEvent> {
  const roles: Record<string, string[]> = {};
  for (const [appId, value] of Object.entries(reqObject(item, 'app_roles', 'item'))) {
    if (!Array.isArray(value) || !value.every((role) => typeof role === 'string')) {
      throw new Malformed('app_roles[]: expected array of strings');
    }
    roles[appId] = value;
  }
  return { kind: 'app_roles', roles };
}

/** Parses the Customer Feedback template answer; Meta keys questions by id (an object, unlike the request). */
export function parseFeedback(item: Json): Fields<FeedbackEvent> {
  const feedback = reqObject(item, 'messaging_feedback', 'item');
  const screens = (optArray(feedback, 'feedback_screens', 'messaging_feedback') ?? []).map((screen) => {
    if (!isObject(screen)) throw new Malformed('messaging_feedback.feedback_screens[]: expected object');
    const questions = Object.entries(optObject(screen, 'questions', 'feedback_screen') ?? {}).map(([id, question]) =>
      feedbackQuestion(id, question),
    );
    return compact({ screenId: optId(screen, 'screen_id', 'feedback_screen'), questions });
  });
  return { kind: 'feedback', screens };
}

function feedbackQuestion(id: string, question: unknown): FeedbackQuestion {
  if (!isObject(question)) throw new Malformed('feedback_screen.questions[]: expected object');
  const followUp = optObject(question, 'follow_up', 'question');
  return compact({
    id,
    type: optString(question, 'type', 'question'),
    payload: optId(question, 'payload', 'question'),
    followUp:
      followUp &&
      compact({ type: optString(followUp, 'type', 'follow_up'), payload: optId(followUp, 'payload', 'follow_up') }),
  });
}
