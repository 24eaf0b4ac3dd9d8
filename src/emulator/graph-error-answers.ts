// Graph API errors exactly as Meta returns them: HTTP 400 (by default) with
// {"error":{"message","type","code","error_subcode"?,"fbtrace_id"}}; `error_subcode` is omitted when there is none.

export interface GraphErrorBody {
  error: { message: string; type: string; code: number; error_subcode?: number; fbtrace_id: string };
}

export class GraphError extends Error {
  constructor(
    readonly code: number,
    message: string,
    readonly subcode?: number,
    readonly type: string = 'OAuthException',
    readonly status: number = 400,
  ) {
    super(message);
  }

  /** The wire body, with the given trace id. */
  toBody(fbtraceId: string): GraphErrorBody {
    const error: GraphErrorBody['error'] =
      this.subcode === undefined
        ? { message: this.message, type: this.type, code: this.code, fbtrace_id: fbtraceId }
        : {
            message: this.message,
            type: this.type,
            code: this.code,
            error_subcode: this.subcode,
            fbtrace_id: fbtraceId,
          };
    return { error };
  }
}

const POLICY_URL = 'https://developers.facebook.com/docs/messenger-platform/policy-overview';

/** Factories for every error the emulator returns, messages verbatim from the reference where it gives them. */
export const errors = {
  invalidToken: () => new GraphError(190, 'Invalid OAuth access token.'),
  missingToken: () =>
    new GraphError(2500, 'An active access token must be used to query information about the current user.'),
  noMatchingUser: () => new GraphError(100, '(#100) No matching user found', 2018001),
  unavailable: () => new GraphError(551, "(#551) This person isn't available right now.", 1545041),
  outsideWindow: () =>
    new GraphError(
      10,
      `(#10) This message is sent outside of allowed window. Learn more about the new policy here: ${POLICY_URL}`,
      2018278,
    ),
  threadControlled: () =>
    new GraphError(10, '(#10) Message failed to send because another app is controlling this thread now.', 2018300),
  rateLimited: () => new GraphError(613, '(#613) Calls to this api have exceeded the rate limit.', 2534040),
  appRequestLimit: () => new GraphError(4, '(#4) Application request limit reached'),
  notificationsStopped: () =>
    new GraphError(10, '(#10) This user has currently stopped notification messages for this topic', 1893015),
  notificationFrequency: () =>
    new GraphError(
      4,
      '(#4) There has to be a minimum delay between 2 notifications for the given notification',
      2018354,
    ),
  invalidNotificationToken: () => new GraphError(100, '(#100) `notification_messages_token` is invalid'),
  messageAndAction: () => new GraphError(100, '(#100) Cannot send both message and state at the same time.', 2018014),
  emptyMessage: () => new GraphError(100, '(#100) Message cannot be empty.', 2018034),
  param: (message: string) => new GraphError(100, `(#100) ${message}`),
  unknownPath: (path: string) => new GraphError(2500, `Unknown path components: ${path}`),
  unsupported: (method: string, id: string) =>
    new GraphError(
      100,
      `Unsupported ${method.toLowerCase()} request. Object with ID '${id}' does not exist, cannot be loaded due to missing permissions, or does not support this operation. Please read the Graph API documentation at https://developers.facebook.com/docs/graph-api`,
      33,
      'GraphMethodException',
    ),
  proofRequired: () =>
    new GraphError(
      100,
      'API calls from the server require an appsecret_proof argument',
      undefined,
      'GraphMethodException',
    ),
  proofInvalid: () =>
    new GraphError(100, 'Invalid appsecret_proof provided in the API argument', undefined, 'GraphMethodException'),
  noProfile: () => new GraphError(2018218, 'No profile available for this user.'),
  nonexistingField: (field: string, node: string) =>
    new GraphError(100, `(#100) Tried accessing nonexisting field (${field}) on node type (${node})`),
  deprecatedTag: (tag: string) =>
    new GraphError(100, `(#100) The message tag ${tag} is no longer supported. Use Utility Messages instead.`),
  callbackVerification: (why: string) => new GraphError(2200, `(#2200) callback verification failed: ${why}`),
  invalidLinkingToken: () => new GraphError(10303, 'Invalid account_linking_token.'),
  // Utility templates (product-research.md §2.1). Meta's answer to a QUICK_REPLY button is "Fatal" with subcode
  // 2018416; "already exists" is the template API's 100/2388024. For an unknown or unapproved template and a wrong
  // parameter count no Messenger trace gives a subcode: these are code 100 with the wording of Meta's template API.
  templateFatal: () => new GraphError(100, 'Fatal', 2018416),
  templateExists: () => new GraphError(100, '(#100) Content in this language already exists', 2388024),
  templateMissing: () => new GraphError(100, '(#100) Template name does not exist in the translation'),
  templateNotApproved: (status: string) => new GraphError(100, `(#100) Template is not approved (status ${status})`),
  templateParams: (expected: number, given: number) =>
    new GraphError(
      100,
      `(#100) Number of parameters does not match the expected number of params (expected ${expected}, got ${given})`,
    ),
  notThreadOwner: () => new GraphError(10, '(#10) This action is only available to the thread owner.', 2018300),
  // An app that is neither the Page's primary nor a secondary receiver (not connected to the Page) [MEC 2018171].
  notReceiver: () => new GraphError(10, '(#10) Only available to Primary and Secondary Receivers.', 2018171),
};
