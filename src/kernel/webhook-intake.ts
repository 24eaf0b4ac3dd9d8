// How webhook POSTs become durable: one interface, one implementation per storage path, chosen once when the app
// opens (see openWebhookIntake in src/intake/index.ts). The route only calls accept() and answers; what stores, on
// which thread, and what must be closed at the end is the intake's own business. The interface lives in the kernel
// because the context carries it; the implementations live in src/intake.
import type { ErrorCode } from '../errors.ts';
import type { SignatureHeaders } from '../platform/index.ts';

/** Why a POST was not taken (nothing was stored for it): the answer's code and message, and a word for the metric. */
export interface Refusal {
  outcome: string;
  code: ErrorCode;
  message: string;
}

/** A POST taken and durable: in the spool, or committed as a row of webhook_posts. */
export type Accepted = { readonly outcome: 'stored' };
export const ACCEPTED: Accepted = Object.freeze({ outcome: 'stored' });

/** Whether an intake's answer is a refusal (nothing was stored for it). */
export const refused = (r: Accepted | Refusal): r is Refusal => 'code' in r;

export interface WebhookIntake {
  /** Which storage path this is (logs, tests): the spool, the SQLite intake thread, PostgreSQL's group commit, or none. */
  readonly kind: 'spool' | 'sqlite-thread' | 'postgres-group-commit' | 'none';
  /**
   * Checks the POST (signature over the exact bytes, a Meta envelope) and stores it sealed under the current intake
   * key; resolves once it is durable, or with why it was refused or could not be stored (then nothing is stored).
   */
  accept(raw: Buffer, headers: SignatureHeaders): Promise<Accepted | Refusal>;
  /** Resolves once every POST accepted so far is a row of webhook_posts (the spool moves them after the ack). */
  settled(): Promise<void>;
  /** Why POSTs could not be stored now (a stable reason for /readyz), or null when they can. Answers at once. */
  problem(): string | null;
  /** Stops taking POSTs and lets go of what the intake holds (threads, the spool's ring and lock). */
  close(): Promise<void>;
}

/** An intake's answer as the one a caller waits on: null once stored, as the storage threads answer. */
export const asAnswer = (refusal: Refusal | null): Accepted | Refusal => refusal ?? ACCEPTED;

/**
 * The intake of a context that takes no webhooks (a CLI command, a context being built): it refuses every POST as
 * not ready and holds nothing. openApp replaces it with the intake of the storage path once the context exists.
 */
export const NO_INTAKE: WebhookIntake = Object.freeze({
  kind: 'none' as const,
  accept: async (): Promise<Refusal> => ({
    outcome: 'not_configured',
    code: 'not_ready',
    message: 'this process does not take webhooks',
  }),
  settled: async () => {},
  problem: () => 'webhook_storage_starting',
  close: async () => {},
});
