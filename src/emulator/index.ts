// The Messenger Platform emulator's public API. It imports nothing from the rest of src/.
export { createEmulator, Emulator, type PageView, type UserView } from './emulator.ts';
export { startEmulatorServer, emulatorHandler, type EmulatorServer, type ServerOptions } from './http-server.ts';
export { createTraffic, Traffic, type TrafficOptions, type TrafficKind, type TrafficStats } from './traffic.ts';
export {
  resolveOptions,
  PAGE_INBOX_APP_ID,
  EXTERNAL_APP,
  type EmulatorOptions,
  type EmulatorOptionsInput,
  type WebhookTransport,
  type TransportRequest,
  type TransportResponse,
} from './options.ts';
export { ActionError, type Action, type ActionResult } from './people.ts';
export { metaStringify } from './serialise.ts';
export { signBody, verifySignature256, appsecretProof } from './meta-signatures.ts';
export { createSignedRequest, parseSignedRequest, type SignedRequestPayload } from './meta-signed-request.ts';
export { GraphError, type GraphErrorBody } from './graph-error-answers.ts';
export type { GraphRequest, GraphResponse } from './graph/request.ts';
export type { DeliveryRecord, DeliveryAlert } from './webhook-delivery.ts';
export type { CallLogEntry } from './graph/router.ts';
export type { HandshakeResult } from './handshake.ts';
export type { WorldSnapshot } from './world.ts';
