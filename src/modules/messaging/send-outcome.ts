// What a Send API answer means for the delivery, the contact and the Page (CONTRACT.md "Sending policy"; reference
// §4). Pure: the dispatcher applies the outcome in one transaction with the fenced result write.
import { backoffDelay, GraphError, type BackoffOptions, type GraphErrorClass } from '../../platform/index.ts';

export type SendOutcome =
  | { type: 'sent'; mid: string }
  | { type: 'retry'; at: number; error: GraphErrorClass }
  | { type: 'failed'; error: GraphErrorClass; contactEffect?: 'unreachable' | 'psid_invalid' }
  | { type: 'reauthorize'; error: GraphErrorClass }
  | { type: 'skipped'; reason: string }
  | { type: 'requeue'; at: number };

export interface RetryPolicy {
  backoff: BackoffOptions;
  /** Claims of one delivery after which a retryable failure becomes final. */
  maxAttempts: number;
}

export const DEFAULT_RETRY: RetryPolicy = { backoff: { baseMs: 1000, maxMs: 5 * 60_000 }, maxAttempts: 20 };

// A retry sooner than this would only meet the same rate limit or outage again.
const MIN_RETRY_MS = 250;

/** The outcome of a failed send: retried with backoff and jitter, final, or a Page-wide pause; total. */
export function outcomeOfError(
  err: unknown,
  attempt: number,
  now: number,
  policy: RetryPolicy = DEFAULT_RETRY,
  random: () => number = Math.random,
): SendOutcome {
  const error: GraphErrorClass =
    err instanceof GraphError
      ? err.classification
      : {
          kind: 'transient',
          retry: true,
          httpStatus: 0,
          stableCode: 'internal',
          message: 'The send failed inside pagescope; it will be retried.',
        };
  switch (error.kind) {
    case 'reauthorize':
      return { type: 'reauthorize', error };
    case 'unreachable':
      return { type: 'failed', error, contactEffect: 'unreachable' };
    case 'invalid_recipient':
      return { type: 'failed', error, contactEffect: 'psid_invalid' };
    default:
      if (!error.retry || attempt >= policy.maxAttempts) return { type: 'failed', error };
      return { type: 'retry', at: now + Math.max(MIN_RETRY_MS, backoffDelay(attempt, policy.backoff, random)), error };
  }
}
