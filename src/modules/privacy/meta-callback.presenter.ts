import type { AppContext } from '../../kernel/context.ts';
import type { PrivacyCallbackTable } from '../../db/tables/privacy.ts';
import type { DeletionStatus } from './deletion-status.ts';
import { statusUrl } from './receive-meta-callback.ts';

// What Meta and the person see of a data-deletion or deauthorize callback: the answers Meta's documentation asks
// for, and the status page the person reaches from Facebook.

/** Meta's expected answer to a data-deletion callback: where the person can follow it, and the code they quote. */
export function presentDeletionCallback(ctx: AppContext, cb: PrivacyCallbackTable) {
  return { url: statusUrl(ctx, cb.confirmation_code), confirmation_code: cb.confirmation_code };
}

/** The answer to a deauthorize callback: Meta needs only a 200. */
export function presentDeauthorized() {
  return { success: true as const };
}

const TITLES: Record<DeletionStatus['state'], string> = {
  received: 'Request received',
  in_progress: 'Deletion in progress',
  needs_review: 'Being reviewed',
  completed: 'Deletion complete',
};

function day(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** The status page as HTML. Our own sentences and dates only: nothing here comes from the request or the person. */
export function renderDeletionStatus(s: DeletionStatus | null): string {
  const title = s ? TITLES[s.state] : 'Request not found';
  const body = s
    ? `<p>${s.message}</p><p>Received on ${day(s.receivedAt)}${s.completedAt ? `; completed on ${day(s.completedAt)}` : ''}.</p>`
    : '<p>We could not find a deletion request with this confirmation code. Check the link Facebook gave you.</p>';
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title><style>body{font-family:system-ui,sans-serif;max-width:36rem;margin:3rem auto;padding:0 1rem;line-height:1.5}</style></head>
<body><h1>${title}</h1>${body}</body></html>`;
}
