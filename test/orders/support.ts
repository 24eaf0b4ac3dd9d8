import type { LightMyRequestResponse } from 'fastify';
import { bearer, createTestApp, type TestApp } from '../support/app.ts';
import type { Dialect } from '../../src/db/types.ts';
import { contactRoutes } from '../../src/http/routes/contacts.ts';
import { orderRoutes } from '../../src/http/routes/orders.ts';
import { cliActor } from '../../src/modules/access/actor.ts';
import { registerPage } from '../../src/modules/pages/register-page.ts';
import { seedContact } from '../support/seed.ts';
import { tokenFor } from '../ingest/support.ts';

export const PAGE_A = '1100000000000001';
export const PAGE_B = '2200000000000002';

export interface OrdersWorld {
  app: TestApp;
  admin: string;
  agentOfA: string;
  adminOfB: string;
  ana: string;
  bea: string;
  bob: string;
  call(token: string, method: 'GET' | 'POST', url: string, payload?: object): Promise<LightMyRequestResponse>;
}

/** Pages A and B, contacts Ana and Bea on A and Bob on B, an admin of all, an agent of A and an admin of B. */
export async function ordersWorld(dialect: Dialect): Promise<OrdersWorld> {
  const app = await createTestApp(dialect, { routes: [contactRoutes, orderRoutes] });
  await registerPage(app.ctx, cliActor, { id: PAGE_A, name: 'A', access_token: 'EAA-token-page-a' });
  await registerPage(app.ctx, cliActor, { id: PAGE_B, name: 'B', access_token: 'EAA-token-page-b' });
  const seed = async (pageId: string, psid: string, name: string) =>
    (await seedContact(app.ctx, pageId, { psid, name, text: 'hello' })).contactId;
  return {
    app,
    admin: await tokenFor(app, 'admin'),
    agentOfA: await tokenFor(app, 'agent', [PAGE_A]),
    adminOfB: await tokenFor(app, 'admin', [PAGE_B]),
    ana: await seed(PAGE_A, '1000000000000001', 'Ana Silva'),
    bea: await seed(PAGE_A, '1000000000000002', 'Bea Costa'),
    bob: await seed(PAGE_B, '2000000000000001', 'Bob Brown'),
    call: (token, method, url, payload) =>
      app.server.inject({ method, url, headers: bearer(token), ...(payload && { payload }) }),
  };
}

/** A valid order body; `over` replaces members. */
export function orderBody(externalId: string, over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    external_id: externalId,
    status: 'paid',
    currency: 'EUR',
    total: 59.9,
    items: [
      { sku: 'TEE-RED-M', quantity: 2, price: 19.95 },
      { sku: 'MUG-01', quantity: 1, price: 20 },
    ],
    created_at: '2026-11-20T10:00:00.000Z',
    ...over,
  };
}

export async function countRows(app: TestApp, table: 'orders' | 'order_items' | 'audit_events'): Promise<number> {
  const r = await app.ctx.db
    .selectFrom(table)
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(r.n);
}
