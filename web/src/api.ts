/** The pagescope REST API as the inbox uses it: same origin, the session cookie, the CSRF token on every change. */

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** What the server said about the refusal: `field` (the member of the request it is about), `reason`… (never personal data). */
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

let csrfToken: string | null = null;
let onSessionEnded: (() => void) | null = null;

export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

/** Called when a request answers 401: the session ended (expired, signed out elsewhere, account disabled). */
export function onUnauthorized(fn: () => void): void {
  onSessionEnded = fn;
}

export async function api<T>(
  path: string,
  init: { method?: string; body?: unknown; headers?: Record<string, string> } = {},
): Promise<T> {
  const method = init.method ?? 'GET';
  const headers: Record<string, string> = { accept: 'application/json', ...init.headers };
  if (init.body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET' && csrfToken) headers['x-csrf-token'] = csrfToken;
  const res = await fetch(path, {
    method,
    headers,
    credentials: 'same-origin',
    ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
  });
  if (res.status === 204) return undefined as T;
  const json: unknown = await res.json().catch(() => null);
  if (!res.ok) {
    const error = (json as { error?: { code?: string; message?: string; details?: Record<string, unknown> } } | null)
      ?.error;
    const err = new ApiError(res.status, error?.code ?? 'error', error?.message ?? res.statusText, error?.details);
    // A refused sign-in, or the first look at who is signed in, is not a session that ended.
    if (res.status === 401 && (err.code === 'session_expired' || !['/api/v1/auth/login', '/api/v1/me'].includes(path)))
      onSessionEnded?.();
    throw err;
  }
  return json as T;
}

export interface User {
  id: string;
  email: string;
  role: string;
  pages: string[] | null;
}

export interface Me {
  user?: User;
  csrf_token?: string;
}

export interface Page {
  id: string;
  name: string;
  status: string;
}

export interface ConversationWindow {
  last_user_action_at: string | null;
  standard_ends_at: string | null;
  human_agent_ends_at: string | null;
}

export type Status = 'open' | 'pending' | 'snoozed' | 'resolved';

export interface Conversation {
  id: string;
  page_id: string;
  contact: { id: string; name: string | null; status: string };
  status: Status;
  assignee: { id: string; email: string | null } | null;
  labels: string[];
  unread_count: number;
  waiting_since: string | null;
  last_message: {
    id: string;
    direction: 'inbound' | 'outbound';
    kind: 'message' | 'postback';
    author: string;
    text: string | null;
    created_at: string | null;
    edited?: Message['edited'];
  } | null;
  window: ConversationWindow;
  handled_by: 'bot' | 'human';
  /** Messenger's handover protocol: the app that may answer the person now (null id: another app Meta did not name). */
  thread_owner: { app_id: string | null; is_pagescope: boolean };
  /** Another app asked for the thread pagescope controls, until it changes hands or an operator keeps it. */
  thread_request: { app_id: string; at: string | null } | null;
  snoozed_until: string | null;
  last_activity_at: string | null;
  version: number;
}

export interface ConversationList {
  data: Conversation[];
  counts: { mine: number; unassigned: number; all: number };
  next_cursor: string | null;
}

/** What a message (or a conversation's last one) says now: its newest edit when the person edited it. */
export const textNow = (m: { text: string | null; edited?: { text: string } }): string | null =>
  m.edited?.text ?? m.text;

export interface Message {
  id: string;
  direction: 'inbound' | 'outbound';
  author: 'contact' | 'agent' | 'automation' | 'campaign' | 'page' | 'note';
  text: string | null;
  attachments: { type: string; url?: string; title?: string; sticker_id?: string; payload?: unknown }[];
  kind: 'message' | 'postback';
  quick_reply_payload?: string;
  postback_payload?: string;
  created_at: string;
  delivery_id?: string;
  delivery?: {
    id: string;
    status: 'queued' | 'sending' | 'sent' | 'delivered' | 'read' | 'failed' | 'skipped';
    error?: { code: string; meta_code?: number; meta_subcode?: number };
  };
  quick_replies?: { content_type: string; title?: string; payload?: string }[];
  /** A person's message they edited in Messenger: its newest text (`text` stays what they first sent). */
  edited?: { text: string; at: string; count: number };
  /** The person's reaction to this message now: Messenger's emoji and its name (love, like, … or other). */
  reaction?: { emoji: string | null; reaction: string | null; at: string };
}

export interface MessagePage {
  data: Message[];
  next_cursor: string | null;
}

export interface Filters {
  assignee: 'me' | 'unassigned' | 'all';
  status: Status;
  sort: 'last_activity' | 'waiting_since';
  q: string;
  unread: boolean;
  unreplied: boolean;
  window: '' | 'closing_soon' | 'closed';
}

export function conversationsPath(pageId: string, f: Filters): string {
  const p = new URLSearchParams({ assignee: f.assignee, status: f.status, sort: f.sort, limit: '50' });
  if (f.q.trim()) p.set('q', f.q.trim());
  if (f.unread) p.set('unread', 'true');
  if (f.unreplied) p.set('unreplied', 'true');
  if (f.window) p.set('window', f.window);
  return `/api/v1/pages/${encodeURIComponent(pageId)}/conversations?${p.toString()}`;
}
