import type { AssistantSettingsTable, AssistantUnansweredTable, FaqEntryTable } from '../../db/tables/assistant.ts';
import { toIso } from '../../lib/time.ts';

export type PersonalAnswer = 'order_status' | 'opening_hours' | 'delivery_estimate';

/** An FAQ entry as the API shows it. */
export function presentFaqEntry(row: FaqEntryTable) {
  return {
    id: row.id,
    page_id: row.page_id,
    question: row.question,
    phrases: JSON.parse(row.phrases) as string[],
    answer: JSON.parse(row.answer) as Record<string, unknown>,
    personal: (row.personal ?? null) as PersonalAnswer | null,
    status: row.status,
    created_at: toIso(Number(row.created_at)),
    updated_at: toIso(Number(row.updated_at)),
  };
}

export type FaqEntryView = ReturnType<typeof presentFaqEntry>;

/** A Page's assistant settings as the API shows them. */
export function presentAssistantSettings(row: AssistantSettingsTable, approvedEntries: number) {
  return {
    page_id: row.page_id,
    enabled: Number(row.enabled) === 1,
    threshold: Number(row.threshold),
    margin: Number(row.margin),
    handoff_after: Number(row.handoff_after),
    opening_hours: row.opening_hours,
    delivery_days: row.delivery_days === null ? null : Number(row.delivery_days),
    approved_entries: approvedEntries,
    faq_version: Number(row.faq_version),
  };
}

export type AssistantSettingsView = ReturnType<typeof presentAssistantSettings>;

/** An unanswered question: its text (opened by the caller), how often it was asked, and when. */
export function presentUnanswered(row: AssistantUnansweredTable, text: string | null) {
  return {
    id: row.id,
    page_id: row.page_id,
    text,
    count: Number(row.count),
    status: row.status,
    faq_id: row.faq_id,
    first_asked_at: toIso(Number(row.first_asked_at)),
    last_asked_at: toIso(Number(row.last_asked_at)),
  };
}

export type UnansweredView = ReturnType<typeof presentUnanswered>;
