// Answers from the asker's own data. An order is named only when it is joined to the asking contact: a number that
// belongs to someone else gets the same answer as a number that does not exist, so the assistant cannot be used to
// learn whether an order exists (the order-status check's no-enumeration rule).
import type { Executor } from '../../db/types.ts';
import type { AssistantSettingsTable } from '../../db/tables/assistant.ts';
import type { OrderTable } from '../../db/tables/audience.ts';
import type { PersonalAnswer } from './faq.presenter.ts';
import { findContactOrder, latestContactOrders } from './assistant.repository.ts';

const DAY_MS = 24 * 60 * 60 * 1000;
/** An order number as people type them: optional letters, an optional dash, at least three digits. */
const ORDER_NUMBER = /(?:^|[^\p{L}\p{N}])([A-Za-z]{0,4}-?\d{3,20})(?![\p{L}\p{N}])/u;

export function orderNumberIn(text: string): string | null {
  const m = ORDER_NUMBER.exec(text);
  return m ? m[1]!.toUpperCase() : null;
}

const day = (ms: number) =>
  new Date(ms).toLocaleDateString('en-GB', { weekday: 'short', day: 'numeric', month: 'short', timeZone: 'UTC' });

const statusLine = (o: OrderTable) =>
  `Your order ${o.external_id} is ${o.status} (ordered ${day(Number(o.ordered_at))}).`;

/**
 * The personal reply for an entry, or null when the data to give one is missing (then the entry's own answer goes
 * out). Without a contact (the "try it" box) nothing personal is answered.
 */
export async function personalReply(
  db: Executor,
  kind: PersonalAnswer,
  p: { pageId: string; contactId: string | null; text: string; settings: AssistantSettingsTable },
): Promise<string | null> {
  if (kind === 'opening_hours')
    return p.settings.opening_hours ? `Our opening hours: ${p.settings.opening_hours}` : null;
  if (p.contactId === null) return null;
  if (kind === 'order_status') {
    const number = orderNumberIn(p.text);
    if (number !== null) {
      const order = await findContactOrder(db, p.pageId, p.contactId, number);
      return order
        ? statusLine(order)
        : `I could not find order ${number} among your orders. Please check the number, or ask for a person.`;
    }
    const [latest] = await latestContactOrders(db, p.pageId, p.contactId, 1);
    return latest ? statusLine(latest) : null;
  }
  const [latest] = await latestContactOrders(db, p.pageId, p.contactId, 1);
  if (!latest || p.settings.delivery_days === null) return null;
  const by = Number(latest.ordered_at) + Number(p.settings.delivery_days) * DAY_MS;
  return `Your order ${latest.external_id} (${latest.status}) should arrive by ${day(by)}.`;
}
