// Meta's wire contract: webhook signatures and events, signed requests, Graph API client and error classes.
export { signWebhookBody, verifyWebhookSignature } from './signature.ts';
export type { SignatureHeaders, SignatureRefusal, SignatureVerdict } from './signature.ts';
export { envelopeTime, extractEvents, parseEnvelope } from './webhook-events.ts';
export type * from './webhook-events.ts';
export { idempotencyKeyOf } from './idempotency-keys.ts';
export { DEFAULT_WEBHOOK_FIELDS } from './webhook-fields.ts';
export { backoffDelay, classifyGraphError, classifyNetworkFailure } from './graph-errors.ts';
export type { BackoffOptions, GraphErrorClass, GraphErrorKind } from './graph-errors.ts';
export { appSecretProof, GraphError } from './graph-transport.ts';
export { createGraphClient } from './graph-client.ts';
export type * from './graph-client.ts';
export { createSignedRequest, parseSignedRequest } from './signed-request.ts';
export type * from './signed-request.ts';
