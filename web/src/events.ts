import { useEffect, useState } from 'react';
import { useQueryClient } from '@tanstack/react-query';

export type Health = 'connected' | 'reconnecting' | 'offline';

const TYPES = ['message.created', 'delivery.updated', 'conversation.updated', 'contact.updated'];

/**
 * Follows the server's event stream (ids only) and refetches what each event touches: the conversation lists and
 * the conversation, and the contact's timeline. `reset` (the stream cannot say what was missed) refetches all.
 * EventSource reconnects by itself and resumes after the last id it saw; when it gives up, a new one is opened.
 */
export function useLiveUpdates(): Health {
  const queryClient = useQueryClient();
  const [health, setHealth] = useState<Health>('reconnecting');
  useEffect(() => {
    let source: EventSource | null = null;
    let retry: ReturnType<typeof setTimeout> | undefined;
    let stopped = false;
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
        void queryClient.invalidateQueries({ queryKey: ['conversations'] });
        if (data.conversation_id)
          void queryClient.invalidateQueries({ queryKey: ['conversation', data.conversation_id] });
        else void queryClient.invalidateQueries({ queryKey: ['conversation'] });
        if (data.contact_id) void queryClient.invalidateQueries({ queryKey: ['messages', data.contact_id] });
        else void queryClient.invalidateQueries({ queryKey: ['messages'] });
      };
      for (const t of TYPES) source.addEventListener(t, changed);
      source.addEventListener('reset', () => void queryClient.invalidateQueries());
    };
    open();
    const offline = () => setHealth('offline');
    window.addEventListener('offline', offline);
    return () => {
      stopped = true;
      clearTimeout(retry);
      source?.close();
      window.removeEventListener('offline', offline);
    };
  }, [queryClient]);
  return health;
}
