// One Graph client per app for the Page-settings calls (templates, Messenger profile): its keep-alive connections are
// reused across calls and loops instead of a new agent per call.
import type { AppContext } from '../../kernel/context.ts';
import { createGraphClient, type GraphClient } from '../../platform/index.ts';

const clients = new WeakMap<AppContext['config'], GraphClient>();

/** The Graph client for this app's configuration (Graph URL, version, app secret). */
export function pageGraphOf(ctx: AppContext): GraphClient {
  let client = clients.get(ctx.config);
  if (!client) {
    client = createGraphClient({
      baseUrl: ctx.config.meta.graphUrl,
      version: ctx.config.meta.graphVersion,
      ...(ctx.config.meta.appSecret && { appSecret: ctx.config.meta.appSecret }),
      timeoutMs: 10_000,
    });
    clients.set(ctx.config, client);
  }
  return client;
}
