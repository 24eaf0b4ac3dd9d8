import type { ConversationWindow } from './api.ts';
import { sendErrorInWords } from '../../src/lib/send-error-words.ts';

/** How long is left, in words an agent reads at a glance: "3 h 12 m", "5 d", "40 m". */
export function duration(ms: number): string {
  const m = Math.max(0, Math.floor(ms / 60_000));
  if (m < 60) return `${m} m`;
  const h = Math.floor(m / 60);
  if (h < 24) return `${h} h ${m % 60} m`;
  const d = Math.floor(h / 24);
  return d >= 2 ? `${d} d` : `${d} d ${h % 24} h`;
}

export type WindowState =
  | { kind: 'standard'; left: number; label: string }
  | { kind: 'human_agent'; left: number; label: string }
  | { kind: 'closed'; label: string; reason: string };

/**
 * Messenger's reply windows as they are now: 24 hours of standard replies after the person's last message, then
 * (until 7 days) replies tagged HUMAN_AGENT only, then none.
 */
export function windowState(w: ConversationWindow, now: number): WindowState {
  const std = w.standard_ends_at ? Date.parse(w.standard_ends_at) : NaN;
  const human = w.human_agent_ends_at ? Date.parse(w.human_agent_ends_at) : NaN;
  if (std > now) return { kind: 'standard', left: std - now, label: `Standard window: ${duration(std - now)} left` };
  if (human > now)
    return {
      kind: 'human_agent',
      left: human - now,
      label: `Human agent window: ${duration(human - now)} left — replies go as HUMAN_AGENT`,
    };
  return {
    kind: 'closed',
    label: 'Closed',
    reason: w.last_user_action_at
      ? 'The person last wrote more than 7 days ago: Messenger accepts no reply until they write again. Notes are still allowed.'
      : 'The person has never written to this Page: Messenger accepts no reply. Notes are still allowed.',
  };
}

/** What of a contact decides, before the window, whether a reply may go: as the send policy reads it. */
export interface Recipient {
  status: 'active' | 'unreachable' | 'erased';
  consent: { replies: string };
}

export type ReplyState = WindowState | { kind: 'refused'; label: string; reason: string };

/**
 * Whether the agent may reply now, and why not: the person's own state first, in the send policy's order (erased,
 * unreachable, opted out of replies), then the window. The composer offers notes only whenever a reply would be
 * refused, and says why before anything is typed. `recipient` is undefined until the contact has loaded.
 */
export function replyState(w: ConversationWindow, recipient: Recipient | undefined, now: number): ReplyState {
  const refused = (code: string, label: string): ReplyState => ({
    kind: 'refused',
    label,
    reason: `${sendErrorInWords({ code })} Notes are still allowed.`,
  });
  if (recipient?.status === 'erased') return refused('erased', 'Erased: no replies');
  if (recipient?.status === 'unreachable') return refused('unreachable', 'Not reachable: no replies');
  if (recipient?.consent.replies === 'withdrawn') return refused('opted_out', 'Opted out: no replies');
  return windowState(w, now);
}
