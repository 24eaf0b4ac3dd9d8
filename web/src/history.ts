import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { useQuery } from '@tanstack/react-query';
import { api, type Message, type MessagePage } from './api.ts';

export const HISTORY_PAGE = 50;

const pagePath = (contactId: string, cursor: string | null) =>
  `/api/v1/contacts/${encodeURIComponent(contactId)}/messages?order=desc&limit=${HISTORY_PAGE}` +
  (cursor ? `&cursor=${encodeURIComponent(cursor)}` : '');

const byTime = (a: Message, b: Message) =>
  a.created_at < b.created_at ? -1 : a.created_at > b.created_at ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0;

interface Older {
  contactId: string;
  /** Every message seen that is not on the newest page any more, oldest first. */
  messages: Message[];
  /** Where the next older page starts; null when the beginning is loaded. */
  cursor: string | null;
}

/**
 * A contact's history, oldest first: the newest page is a query the event stream refetches (`['messages', id]`);
 * older pages are fetched on demand by cursor and kept while the conversation is open, so a live update costs one
 * page, never the whole history. A receipt is a watermark: a send that is read or delivered marks the earlier ones
 * so too, even on pages loaded before the receipt came.
 */
export function useHistory(contactId: string | undefined) {
  const latest = useQuery({
    queryKey: ['messages', contactId],
    queryFn: () => api<MessagePage>(pagePath(contactId!, null)),
    enabled: contactId !== undefined,
  });
  const [older, setOlder] = useState<Older | null>(null);
  const [loading, setLoading] = useState(false);
  const [failed, setFailed] = useState(false);
  const own = older && older.contactId === contactId ? older : null;
  const page = latest.data;

  // Messages that leave the newest page as new ones arrive stay in the older store; if more than a page arrived at
  // once (a gap the newest page does not reach across), the older pages are dropped and load again on scrolling.
  const previous = useRef<MessagePage | undefined>(undefined);
  useEffect(() => {
    const before = previous.current;
    previous.current = page;
    if (!page || !before || !contactId) return;
    setOlder((current) => {
      const o = current && current.contactId === contactId ? current : null;
      const reaches = page.next_cursor === null || page.data.some((m) => before.data.some((b) => b.id === m.id));
      if (!reaches) return null;
      const known = new Set(o?.messages.map((m) => m.id));
      const kept = before.data.filter((m) => !known.has(m.id) && !page.data.some((n) => n.id === m.id));
      if (kept.length === 0) return current;
      if (!o) return { contactId, messages: [...kept].sort(byTime), cursor: before.next_cursor };
      return { ...o, messages: [...o.messages, ...kept].sort(byTime) };
    });
  }, [page, contactId]);

  const messages = useMemo(() => {
    const byId = new Map<string, Message>();
    for (const m of own?.messages ?? []) byId.set(m.id, m);
    for (const m of page?.data ?? []) byId.set(m.id, m);
    return withWatermarks([...byId.values()].sort(byTime));
  }, [own, page]);

  const cursor = own ? own.cursor : (page?.next_cursor ?? null);
  const loadOlder = useCallback(async () => {
    if (!contactId || cursor === null || loading) return;
    setLoading(true);
    setFailed(false);
    try {
      const next = await api<MessagePage>(pagePath(contactId, cursor));
      setOlder((o) => {
        const base = o && o.contactId === contactId ? o.messages : [];
        return { contactId, messages: [...next.data].reverse().concat(base), cursor: next.next_cursor };
      });
    } catch {
      setFailed(true);
    } finally {
      setLoading(false);
    }
  }, [contactId, cursor, loading]);

  return {
    messages,
    ready: page !== undefined,
    error: latest.isError,
    hasOlder: page !== undefined && cursor !== null,
    loadingOlder: loading,
    olderFailed: failed,
    loadOlder,
  };
}

const RANK: Partial<Record<NonNullable<Message['delivery']>['status'], number>> = { sent: 1, delivered: 2, read: 3 };

/** Read and delivered receipts are watermarks: every earlier sent message is at least as far along. */
function withWatermarks(list: Message[]): Message[] {
  let best: 'delivered' | 'read' | null = null;
  const out = new Array<Message>(list.length);
  for (let i = list.length - 1; i >= 0; i--) {
    const m = list[i]!;
    const status = m.delivery?.status;
    if (status === 'read' || (status === 'delivered' && best === null)) best = status;
    const rank = status ? RANK[status] : undefined;
    out[i] =
      m.delivery && rank !== undefined && best !== null && RANK[best]! > rank
        ? { ...m, delivery: { ...m.delivery, status: best } }
        : m;
  }
  return out;
}
