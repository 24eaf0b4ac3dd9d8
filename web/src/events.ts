import { useEffect, useState } from 'react';
import { useQueryClient, type QueryClient, type QueryKey } from '@tanstack/react-query';

export type Health = 'connected' | 'reconnecting' | 'offline';

const TYPES = ['message.created', 'message.updated', 'delivery.updated', 'conversation.updated', 'contact.updated'];

/** The shortest time between two refetches of one query caused by events (a busy Page sends many a second). */
const MIN_GAP_MS = 150;
/** The shortest time between two refetches of the open campaigns' figures caused by their messages' events. */
const CAMPAIGN_FIGURES_GAP_MS = 2_000;

/**
 * Refetches what events touched, each query at most once a MIN_GAP_MS and never by cancelling its own refetch in
 * flight: a stream of events faster than a list loads would otherwise restart that load again and again, and the
 * list would show nothing new until the stream calmed down. What an event touched while its query was loading is
 * refetched once the load ends (that load may have been read before the change).
 */
function invalidator(queryClient: QueryClient): { touch(key: QueryKey): void; stop(): void } {
  const pending = new Map<string, QueryKey>();
  const last = new Map<string, number>();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const flush = () => {
    timer = undefined;
    const now = Date.now();
    let wait = Infinity;
    for (const [id, key] of pending) {
      const ready = (last.get(id) ?? 0) + MIN_GAP_MS;
      if (queryClient.isFetching({ queryKey: key }) > 0) wait = Math.min(wait, 30);
      else if (ready > now) wait = Math.min(wait, ready - now);
      else {
        pending.delete(id);
        last.set(id, now);
        void queryClient.invalidateQueries({ queryKey: key });
      }
    }
    // Only the recent refetches matter: a tab open all day forgets the others.
    for (const [id, at] of last) if (now - at > MIN_GAP_MS && !pending.has(id)) last.delete(id);
    if (pending.size > 0) timer = setTimeout(flush, wait);
  };
  return {
    touch(key) {
      pending.set(JSON.stringify(key), key);
      // The events that arrive together go out together.
      timer ??= setTimeout(flush, 0);
    },
    stop: () => clearTimeout(timer),
  };
}

/**
 * Follows the server's event stream (ids only) and refetches what each event touches: the conversation lists and
 * the conversation, the contact's timeline, a draft campaign's preview; a campaign and the campaigns list. `reset` (the stream cannot say what was missed) refetches all.
 * EventSource reconnects by itself and resumes after the last id it saw; when it gives up, a new one is opened.
 */
export function useLiveUpdates(): Health {
  const queryClient = useQueryClient();
  const [health, setHealth] = useState<Health>('reconnecting');
  useEffect(() => {
    let source: EventSource | null = null;
    let retry: ReturnType<typeof setTimeout> | undefined;
    let stopped = false;
    let figuresAt = 0;
    let figuresTimer: ReturnType<typeof setTimeout> | undefined;
    const refetch = invalidator(queryClient);
    const open = () => {
      source = new EventSource('/api/v1/events/stream');
      source.onopen = () => setHealth('connected');
      source.onerror = () => {
        if (!navigator.onLine) setHealth('offline');
        else setHealth('reconnecting');
        if (source?.readyState === EventSource.CLOSED && !stopped) {
          setHealth('offline');
          retry = setTimeout(open, 5_000);
        }
      };
      const changed = (e: MessageEvent<string>) => {
        let data: { conversation_id?: string; contact_id?: string } = {};
        try {
          data = JSON.parse(e.data) as typeof data;
        } catch {
          /* ids only; an unreadable one refetches the lists alone */
        }
        refetch.touch(['conversations']);
        refetch.touch(data.conversation_id ? ['conversation', data.conversation_id] : ['conversation']);
        refetch.touch(data.contact_id ? ['messages', data.contact_id] : ['messages']);
        // Who a draft campaign would reach follows people's windows, opt-outs and conversations.
        refetch.touch(['campaign-preview']);
        // A campaign's figures follow its sends' receipts, reads and replies (which say nothing of the campaign),
        // also once it completed: the open campaigns are refetched, at most once a CAMPAIGN_FIGURES_GAP_MS.
        campaignFigures();
      };
      const campaignFigures = () => {
        if (figuresTimer !== undefined) return;
        const wait = Math.max(0, figuresAt + CAMPAIGN_FIGURES_GAP_MS - Date.now());
        figuresTimer = setTimeout(() => {
          figuresTimer = undefined;
          figuresAt = Date.now();
          refetch.touch(['campaign']);
        }, wait);
      };
      for (const t of TYPES) source.addEventListener(t, changed);
      // A campaign changed (created, started, progressed…): its list and the campaign itself.
      source.addEventListener('campaign.updated', (e: MessageEvent<string>) => {
        let id: string | undefined;
        try {
          id = (JSON.parse(e.data) as { campaign_id?: string }).campaign_id;
        } catch {
          /* ids only; an unreadable one refetches every campaign */
        }
        refetch.touch(['campaigns']);
        refetch.touch(id ? ['campaign', id] : ['campaign']);
      });
      source.addEventListener('reset', () => void queryClient.invalidateQueries());
    };
    open();
    const offline = () => setHealth('offline');
    window.addEventListener('offline', offline);
    return () => {
      stopped = true;
      clearTimeout(retry);
      clearTimeout(figuresTimer);
      refetch.stop();
      source?.close();
      window.removeEventListener('offline', offline);
    };
  }, [queryClient]);
  return health;
}
