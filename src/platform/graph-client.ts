import { createGraphTransport, GraphError, type GraphTransportOptions } from './graph-transport.ts';

export type GraphClientOptions = GraphTransportOptions;

export type SendRecipient =
  | { id: string }
  | { user_ref: string }
  | { notification_messages_token: string }
  | { one_time_notif_token: string }
  | { comment_id: string }
  | { post_id: string };

/** The Send API body in Meta's wire format (snake_case), passed through unchanged. */
export type SendMessageBody = {
  recipient: SendRecipient;
  messaging_type?: 'RESPONSE' | 'UPDATE' | 'MESSAGE_TAG' | 'UTILITY';
  tag?: string;
  message: Record<string, unknown>;
  notification_type?: 'REGULAR' | 'SILENT_PUSH' | 'NO_PUSH';
  reply_to?: { mid: string };
  persona_id?: string;
};

/** `recipientId` is absent for user_ref and token recipients, exactly as Meta omits it. */
export type SendResult = { messageId: string; recipientId?: string; attachmentId?: string };
export type SenderAction = 'typing_on' | 'typing_off' | 'mark_seen';
export type UserProfile = Record<string, unknown> & {
  id?: string;
  first_name?: string;
  last_name?: string;
  name?: string;
  profile_pic?: string;
  locale?: string;
  timezone?: number;
  gender?: string;
};
/** A Page-owned utility template as `/{page}/message_templates` lists it. */
export type MessageTemplateInfo = {
  id: string;
  name: string;
  language: string;
  status: string;
  category?: string;
  rejectedReason?: string;
};
/** The create body in Meta's wire format: `{name, language, category: "UTILITY", components}`. */
export type MessageTemplateBody = {
  name: string;
  language: string;
  category: 'UTILITY';
  components: Record<string, unknown>[];
};
/** Messenger Profile properties in Meta's wire format (`get_started`, `greeting`, `ice_breakers`, `persistent_menu`). */
export type MessengerProfileBody = Record<string, unknown>;
export type IdMatch = { id: string; scope?: { id: string; name?: string } };
export type PageIdentity = { id: string; name?: string };
/** What `GET /debug_token` says of a token: valid or not, whose, and the permissions (scopes) it carries. */
export type TokenDebug = { isValid: boolean; type?: string; profileId?: string; scopes: string[] };
/** The paid Marketing Message API's send (`POST act_<id>/messages`), in Meta's wire format. */
export type MarketingMessageBody = {
  message_id: string;
  messenger_delivery_data: { subscription_token: string };
  message: Record<string, unknown>;
};

export interface GraphClient {
  sendMessage(pageToken: string, body: SendMessageBody): Promise<SendResult>;
  sendSenderAction(pageToken: string, psid: string, action: SenderAction): Promise<void>;
  getUserProfile(pageToken: string, psid: string, fields: readonly string[]): Promise<UserProfile>;
  idsForPages(pageToken: string, psid: string): Promise<IdMatch[]>;
  idsForApps(pageToken: string, psid: string): Promise<IdMatch[]>;
  getMe(pageToken: string): Promise<PageIdentity>;
  subscribeApp(pageId: string, pageToken: string, fields: readonly string[]): Promise<void>;
  passThreadControl(pageToken: string, psid: string, targetAppId: string, metadata?: string): Promise<void>;
  takeThreadControl(pageToken: string, psid: string, metadata?: string): Promise<void>;
  releaseThreadControl(pageToken: string, psid: string): Promise<void>;
  /** Asks the app that owns the thread to pass it (the owner receives a `request_thread_control` webhook). */
  requestThreadControl(pageToken: string, psid: string, metadata?: string): Promise<void>;
  /** The other apps connected to the Page that a thread can be passed to (`GET /me/secondary_receivers`). */
  secondaryReceivers(pageToken: string): Promise<{ id: string; name: string }[]>;
  createMessageTemplate(
    pageId: string,
    pageToken: string,
    body: MessageTemplateBody,
  ): Promise<{ id: string; status: string }>;
  /** The Page's templates named `name` (every language). */
  listMessageTemplates(pageId: string, pageToken: string, name: string): Promise<MessageTemplateInfo[]>;
  /** Deletes one language by Meta's id (`hsm_id`), or every language of `name`. */
  deleteMessageTemplate(pageId: string, pageToken: string, by: { hsmId: string } | { name: string }): Promise<void>;
  setMessengerProfile(pageToken: string, body: MessengerProfileBody): Promise<void>;
  deleteMessengerProfile(pageToken: string, fields: readonly string[]): Promise<void>;
  /** Inspects `inputToken` with `accessToken` (the app's token, or the same token). */
  debugToken(inputToken: string, accessToken: string): Promise<TokenDebug>;
  /** Creates a Marketing Message campaign in the ad account (`POST act_<id>/message_campaign`): its id. */
  createMessageCampaign(
    pageToken: string,
    adAccountId: string,
    body: { name: string; page_id: string; daily_budget: number },
  ): Promise<{ id: string }>;
  /** Sends one paid Marketing Message (`POST act_<id>/messages`): Meta's tracking id of it. */
  sendMarketingMessage(
    pageToken: string,
    adAccountId: string,
    body: MarketingMessageBody,
  ): Promise<{ trackingId: string }>;
}

// ids_for_* answers are paginated; a person rarely has more than a handful, so a few pages is plenty.
const MAX_ID_PAGES = 10;

/** A Graph API client for Page-token calls: every failure rejects with a classified `GraphError`, never a token. */
export function createGraphClient(options: GraphClientOptions): GraphClient {
  const call = createGraphTransport(options);
  const enc = encodeURIComponent;

  async function success(operation: string, path: string, token: string, body: unknown): Promise<void> {
    const answer = await call({ operation, method: 'POST', path, token, body });
    if (!isRecord(answer) || (answer.success !== true && answer.success !== 'true')) throw unexpected(operation);
  }

  async function idMatches(operation: string, edge: string, scopeKey: 'page' | 'app', token: string, psid: string) {
    const matches: IdMatch[] = [];
    let after: string | undefined;
    for (let page = 0; page < MAX_ID_PAGES; page++) {
      const answer = await call({
        operation,
        method: 'GET',
        path: `${enc(psid)}/${edge}`,
        token,
        query: after ? { after } : {},
      });
      if (!isRecord(answer) || !Array.isArray(answer.data)) throw unexpected(operation);
      for (const row of answer.data) matches.push(idMatch(row, scopeKey, operation));
      const paging = isRecord(answer.paging) ? answer.paging : undefined;
      const cursors = isRecord(paging?.cursors) ? paging.cursors : undefined;
      after = typeof paging?.next === 'string' && typeof cursors?.after === 'string' ? cursors.after : undefined;
      if (!after) break;
    }
    return matches;
  }

  return {
    async sendMessage(pageToken, body) {
      const answer = await call({
        operation: 'send_message',
        method: 'POST',
        path: 'me/messages',
        token: pageToken,
        body,
      });
      if (!isRecord(answer) || typeof answer.message_id !== 'string') throw unexpected('send_message');
      return {
        messageId: answer.message_id,
        ...(typeof answer.recipient_id === 'string' && { recipientId: answer.recipient_id }),
        ...(typeof answer.attachment_id === 'string' && { attachmentId: answer.attachment_id }),
      };
    },
    async sendSenderAction(pageToken, psid, action) {
      const body = { recipient: { id: psid }, sender_action: action };
      const answer = await call({
        operation: 'sender_action',
        method: 'POST',
        path: 'me/messages',
        token: pageToken,
        body,
      });
      if (!isRecord(answer)) throw unexpected('sender_action');
    },
    async getUserProfile(pageToken, psid, fields) {
      const query = { fields: fields.join(',') };
      const answer = await call({ operation: 'user_profile', method: 'GET', path: enc(psid), token: pageToken, query });
      if (!isRecord(answer)) throw unexpected('user_profile');
      return answer as UserProfile;
    },
    idsForPages: (pageToken, psid) => idMatches('ids_for_pages', 'ids_for_pages', 'page', pageToken, psid),
    idsForApps: (pageToken, psid) => idMatches('ids_for_apps', 'ids_for_apps', 'app', pageToken, psid),
    async getMe(pageToken) {
      const answer = await call({
        operation: 'get_me',
        method: 'GET',
        path: 'me',
        token: pageToken,
        query: { fields: 'id,name' },
      });
      if (!isRecord(answer) || typeof answer.id !== 'string') throw unexpected('get_me');
      return { id: answer.id, ...(typeof answer.name === 'string' && { name: answer.name }) };
    },
    async subscribeApp(pageId, pageToken, fields) {
      const answer = await call({
        operation: 'subscribe_app',
        method: 'POST',
        path: `${enc(pageId)}/subscribed_apps`,
        token: pageToken,
        query: { subscribed_fields: fields.join(',') },
      });
      if (!isRecord(answer) || (answer.success !== true && answer.success !== 'true'))
        throw unexpected('subscribe_app');
    },
    passThreadControl: (pageToken, psid, targetAppId, metadata) =>
      success('pass_thread_control', 'me/pass_thread_control', pageToken, {
        recipient: { id: psid },
        target_app_id: targetAppId,
        ...(metadata !== undefined && { metadata }),
      }),
    takeThreadControl: (pageToken, psid, metadata) =>
      success('take_thread_control', 'me/take_thread_control', pageToken, {
        recipient: { id: psid },
        ...(metadata !== undefined && { metadata }),
      }),
    releaseThreadControl: (pageToken, psid) =>
      success('release_thread_control', 'me/release_thread_control', pageToken, { recipient: { id: psid } }),
    requestThreadControl: (pageToken, psid, metadata) =>
      success('request_thread_control', 'me/request_thread_control', pageToken, {
        recipient: { id: psid },
        ...(metadata !== undefined && { metadata }),
      }),
    async secondaryReceivers(pageToken) {
      const operation = 'secondary_receivers';
      const query = { fields: 'id,name' };
      const answer = await call({ operation, method: 'GET', path: 'me/secondary_receivers', token: pageToken, query });
      if (!isRecord(answer) || !Array.isArray(answer.data)) throw unexpected(operation);
      return answer.data.map((row) => {
        if (!isRecord(row) || typeof row.id !== 'string') throw unexpected(operation);
        return { id: row.id, name: typeof row.name === 'string' ? row.name : row.id };
      });
    },
    async createMessageTemplate(pageId, pageToken, body) {
      const operation = 'create_message_template';
      const answer = await call({
        operation,
        method: 'POST',
        path: `${enc(pageId)}/message_templates`,
        token: pageToken,
        body,
      });
      if (!isRecord(answer) || typeof answer.id !== 'string') throw unexpected(operation);
      return { id: answer.id, status: typeof answer.status === 'string' ? answer.status : 'PENDING' };
    },
    async listMessageTemplates(pageId, pageToken, name) {
      const operation = 'list_message_templates';
      const answer = await call({
        operation,
        method: 'GET',
        path: `${enc(pageId)}/message_templates`,
        token: pageToken,
        query: { name },
      });
      if (!isRecord(answer) || !Array.isArray(answer.data)) throw unexpected(operation);
      return answer.data.map((row) => templateInfo(row, operation));
    },
    async deleteMessageTemplate(pageId, pageToken, by) {
      const operation = 'delete_message_template';
      const query: Record<string, string> = 'hsmId' in by ? { hsm_id: by.hsmId } : { name: by.name };
      const path = `${enc(pageId)}/message_templates`;
      const answer = await call({ operation, method: 'DELETE', path, token: pageToken, query });
      if (!isRecord(answer) || (answer.success !== true && answer.success !== 'true')) throw unexpected(operation);
    },
    async setMessengerProfile(pageToken, body) {
      const operation = 'set_messenger_profile';
      const answer = await call({ operation, method: 'POST', path: 'me/messenger_profile', token: pageToken, body });
      if (!isRecord(answer) || answer.result !== 'success') throw unexpected(operation);
    },
    async deleteMessengerProfile(pageToken, fields) {
      const operation = 'delete_messenger_profile';
      const body = { fields };
      const answer = await call({ operation, method: 'DELETE', path: 'me/messenger_profile', token: pageToken, body });
      if (!isRecord(answer) || answer.result !== 'success') throw unexpected(operation);
    },
    async debugToken(inputToken, accessToken) {
      const operation = 'debug_token';
      const query = { input_token: inputToken };
      const answer = await call({ operation, method: 'GET', path: 'debug_token', token: accessToken, query });
      const data = isRecord(answer) && isRecord(answer.data) ? answer.data : undefined;
      if (!data) throw unexpected(operation);
      return {
        isValid: data.is_valid === true,
        ...(typeof data.type === 'string' && { type: data.type }),
        ...(typeof data.profile_id === 'string' && { profileId: data.profile_id }),
        scopes: Array.isArray(data.scopes) ? data.scopes.filter((x): x is string => typeof x === 'string') : [],
      };
    },
    async createMessageCampaign(pageToken, adAccountId, body) {
      const operation = 'create_message_campaign';
      const path = `act_${enc(adAccountId)}/message_campaign`;
      const answer = await call({ operation, method: 'POST', path, token: pageToken, body });
      if (!isRecord(answer) || typeof answer.id !== 'string') throw unexpected(operation);
      return { id: answer.id };
    },
    async sendMarketingMessage(pageToken, adAccountId, body) {
      const operation = 'send_marketing_message';
      const path = `act_${enc(adAccountId)}/messages`;
      const answer = await call({ operation, method: 'POST', path, token: pageToken, body });
      if (!isRecord(answer) || typeof answer.marketing_message_tracking_id !== 'string') throw unexpected(operation);
      return { trackingId: answer.marketing_message_tracking_id };
    },
  };
}

function idMatch(row: unknown, scopeKey: 'page' | 'app', operation: string): IdMatch {
  if (!isRecord(row) || typeof row.id !== 'string') throw unexpected(operation);
  const scope = isRecord(row[scopeKey]) ? (row[scopeKey] as Record<string, unknown>) : undefined;
  if (!scope || typeof scope.id !== 'string') return { id: row.id };
  return { id: row.id, scope: { id: scope.id, ...(typeof scope.name === 'string' && { name: scope.name }) } };
}

function templateInfo(row: unknown, operation: string): MessageTemplateInfo {
  if (!isRecord(row) || typeof row.id !== 'string' || typeof row.name !== 'string') throw unexpected(operation);
  return {
    id: row.id,
    name: row.name,
    language: typeof row.language === 'string' ? row.language : '',
    status: typeof row.status === 'string' ? row.status : 'PENDING',
    ...(typeof row.category === 'string' && { category: row.category }),
    ...(typeof row.rejected_reason === 'string' && { rejectedReason: row.rejected_reason }),
  };
}

function unexpected(operation: string): GraphError {
  return new GraphError(operation, {
    kind: 'permanent',
    retry: false,
    httpStatus: 200,
    stableCode: 'meta_invalid_response',
    message: 'The Graph API answered with an unexpected shape.',
  });
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
