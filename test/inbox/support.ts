import type { ConversationListInput } from '../../src/modules/conversations/list-conversations.ts';

/** The inbox's default tab (every open conversation, newest activity first), with `over` changed. */
export const inboxTab = (over: Partial<ConversationListInput> = {}): ConversationListInput => ({
  assignee: 'all',
  status: 'open',
  q: null,
  sort: 'last_activity',
  unread: false,
  unreplied: false,
  window: null,
  cursor: null,
  limit: 50,
  ...over,
});
