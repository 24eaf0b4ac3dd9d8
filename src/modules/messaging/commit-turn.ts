// Committing a dispatcher turn: the outcomes of the sends that finished since the last turn and the next claims, in
// one transaction. A contact's next delivery becomes claimable in the very transaction that records the previous
// one's result, and is sent only after that commit: one contact's messages stay in order.
import type { AppContext } from '../../kernel/context.ts';
import { claimSends, type ClaimedSend, type ClaimSendsOptions } from './claim-sends.ts';
import { recordOutcomes, type Attempt } from './record-outcome.ts';
import type { SendOutcome } from './send-outcome.ts';

/** A send that has its outcome, waiting for the commit that records it (its lease holds it until then). */
export interface FinishedSend {
  attempt: Attempt;
  outcome: SendOutcome;
}

export interface CommittedTurn {
  /** What the turn claimed: not to be sent before `durable` resolves. */
  claimed: ClaimedSend[];
  /** Resolves once the commit is on disk (the flush runs off the event loop); rejects if it failed. */
  durable: Promise<void>;
}

/**
 * Records `finished` (each fenced by its attempt number: an attempt whose lease was taken over changes nothing) and
 * claims per `claim` (none when null) in one transaction. Rejects, having written nothing, if the transaction fails.
 */
export async function commitTurn(
  ctx: AppContext,
  finished: readonly FinishedSend[],
  claim: Omit<ClaimSendsOptions, 'now'> | null,
): Promise<CommittedTurn> {
  const { result: claimed, durable } = await ctx.database.transactionFlushedLater(async (trx) => {
    const now = ctx.clock.now();
    await recordOutcomes(trx, ctx, finished, now);
    return claim ? claimSends(trx, ctx.database.dialect, { ...claim, now }) : [];
  });
  return { claimed, durable };
}
