import type { AppContext } from '../../kernel/context.ts';
import { findCallbackByCode, requestsOfCallback } from './privacy.repository.ts';

export interface DeletionStatus {
  state: 'received' | 'in_progress' | 'needs_review' | 'completed';
  receivedAt: number;
  completedAt: number | null;
  /** Plain-language progress for the person; no personal data, not even counts of their messages. */
  message: string;
}

const CODE = /^[A-Z0-9]{8,40}$/;

/** The progress of a data-deletion callback by its confirmation code, or null for an unknown code. */
export async function deletionStatus(ctx: AppContext, code: string): Promise<DeletionStatus | null> {
  if (!CODE.test(code)) return null;
  const cb = await findCallbackByCode(ctx.db, code);
  if (!cb || cb.kind !== 'data_deletion') return null;
  const requests = cb.status === 'in_progress' ? await requestsOfCallback(ctx.db, cb.id) : [];
  const done = requests.filter((r) => r.status === 'completed').length;
  const message = {
    received: 'We have received your request to delete your data and will start on it shortly.',
    in_progress: `We are deleting your data. ${done} of ${requests.length} steps are done.`,
    needs_review:
      'We have received your request. A member of our team is finding the data we hold about you, which may take a few days; we will then delete it.',
    completed:
      cb.contacts_found === 0
        ? 'Your request is complete. We hold no data about you.'
        : 'Your request is complete. The data we held about you has been deleted.',
  }[cb.status];
  return { state: cb.status, receivedAt: cb.received_at, completedAt: cb.completed_at, message };
}
