// Unauthenticated senders that open webhook POSTs and never finish their bodies: what the server buffers for them is
// bounded (bodies received at once, time to receive one), excess ones are refused at once, stalled ones are closed,
// and Meta's own POSTs are acknowledged again once they are gone.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { loadConfig } from '../../src/config/config.ts';
import { startPagescope, type RunningServer } from '../../src/app/server.ts';
import { createLogger } from '../../src/lib/logger.ts';
import { initialiseKeys } from '../../src/modules/keys/keyring-store.ts';
import { signWebhookBody } from '../../src/platform/index.ts';
import { openTestDatabase, type TestDatabase } from '../support/db.ts';

const SECRET = 'slow-bodies-secret';
const MAX_BODIES = 8;
const STALLED = 120;
const PARTIAL = Buffer.alloc(900 * 1024, 0x20);

interface Stalled {
  socket: Socket;
  /** The status line's code once an answer came, and whether the server closed the connection. */
  status: number | null;
  reply: () => string;
  closed: Promise<void>;
  answered: Promise<number>;
}

function stall(port: number): Stalled {
  const socket = connect(port, '127.0.0.1');
  const s: Partial<Stalled> = { socket, status: null };
  let reply = '';
  s.answered = new Promise((resolve) =>
    socket.on('data', (d: Buffer) => {
      reply += d.toString('latin1');
      const m = /^HTTP\/1\.1 (\d{3})/.exec(reply);
      if (m && s.status === null) resolve((s.status = Number(m[1])));
    }),
  );
  s.reply = () => reply;
  s.closed = new Promise((resolve) => socket.on('close', () => resolve()));
  socket.on('error', () => {});
  // The headers announce 1 MiB, most of it is sent, and the rest never comes.
  socket.write(
    `POST /webhook HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\nx-hub-signature-256: sha256=${'0'.repeat(64)}\r\ncontent-length: ${1024 * 1024}\r\n\r\n`,
  );
  socket.write(PARTIAL);
  return s as Stalled;
}

describe('slow webhook bodies [sqlite]', () => {
  let database: TestDatabase;
  let running: RunningServer;

  before(async () => {
    database = await openTestDatabase('sqlite');
    const master = randomBytes(32);
    await initialiseKeys(database.db, master, Date.now());
    await database.close();
    running = await startPagescope(
      loadConfig({
        PAGESCOPE_DATA_DIR: database.dataDir,
        PAGESCOPE_MASTER_KEY: master.toString('base64'),
        META_APP_SECRET: SECRET,
        HOST: '127.0.0.1',
        PORT: '0',
        PAGESCOPE_WEBHOOK_MAX_BODIES: String(MAX_BODIES),
        PAGESCOPE_WEBHOOK_BODY_TIMEOUT_S: '2',
        PAGESCOPE_WEBHOOK_SPOOL_MB: '8',
        LOG_LEVEL: 'silent',
      }),
      { role: 'web', logger: createLogger('silent') },
    );
  });

  after(async () => {
    await running?.close();
    await database?.destroy();
  });

  it(
    'refuses bodies past the limit at once, closes stalled ones after the body timeout, keeps memory bounded, and acknowledges Meta afterwards',
    { timeout: 60_000 },
    async () => {
      const port = Number(new URL(running.url!).port);
      const before = process.memoryUsage().arrayBuffers;
      const stalled = Array.from({ length: STALLED }, () => stall(port));

      // Everyone past the limit is answered at once, without their body being read: 429 with Retry-After.
      while (stalled.filter((s) => s.status === 429).length < STALLED - MAX_BODIES) {
        await Promise.race(stalled.filter((s) => s.status === null).map((s) => s.answered));
      }
      assert.ok(
        stalled.filter((s) => s.status === 429).every((s) => /\r\nretry-after: 1\r\n/i.test(s.reply())),
        'each refusal says when to retry',
      );
      // Server and client share this process: what is held beyond the start is the bodies the server still reads, plus
      // the first chunk node reads with the headers of each refused one (dropped with its connection), and garbage.
      const held = process.memoryUsage().arrayBuffers - before;
      assert.ok(
        held < MAX_BODIES * PARTIAL.length + 16 * 1024 * 1024,
        `at most ${MAX_BODIES} partial bodies are held, not ${STALLED}: ${Math.round(held / 1024 / 1024)} MiB`,
      );

      // The stalled ones still in receipt are answered 408 and closed once the body timeout passes.
      const statuses = await Promise.all(stalled.map((s) => s.answered));
      await Promise.all(stalled.map((s) => s.closed));
      assert.equal(statuses.filter((s) => s === 429).length, STALLED - MAX_BODIES);
      assert.equal(statuses.filter((s) => s === 408).length, MAX_BODIES);

      const raw = JSON.stringify({ object: 'page', entry: [] });
      const res = await fetch(`${running.url}/webhook`, {
        method: 'POST',
        body: raw,
        headers: { 'content-type': 'application/json', 'x-hub-signature-256': signWebhookBody(raw, SECRET) },
      });
      assert.equal(res.status, 200, 'a signed POST is acknowledged once the stalled ones are gone');
    },
  );
});
