import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { join } from 'node:path';
import { initialiseKeys, openKeyring } from '../../src/modules/keys/keyring-store.ts';
import { ContactKeyStore } from '../../src/crypto/contact-key-store.ts';
import { openIntakeLayer } from '../../src/modules/privacy/intake-body.ts';
import { signWebhookBody } from '../../src/platform/index.ts';
import { openTestDatabase } from '../support/db.ts';
import { randomFor } from '../support/random.ts';
import { RUN_TS } from '../support/run-ts.ts';

const SERVER = fileURLToPath(new URL('./spool-crash-server.ts', import.meta.url));
const SECRET = 'spool-crash-secret';
const PAGE = '100000000000001';
const ROUNDS = 12;
const POSTERS = 16;

function start(cfg: object): { child: ChildProcess; port: Promise<number>; line: (text: string) => Promise<void> } {
  const child = spawn(process.execPath, [...RUN_TS, SERVER, JSON.stringify(cfg)], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  let out = '';
  const waiters: { text: string; resolve: () => void }[] = [];
  child.stdout!.on('data', (d: Buffer) => {
    out += d.toString();
    for (const w of waiters.filter((w) => out.includes(w.text))) w.resolve();
  });
  const line = (text: string) =>
    new Promise<void>((resolve) => (out.includes(text) ? resolve() : waiters.push({ text, resolve })));
  return { child, port: line('port ').then(() => Number(/port (\d+)/.exec(out)![1])), line };
}

const body = (mid: string) =>
  JSON.stringify({
    object: 'page',
    entry: [
      {
        id: PAGE,
        time: 1,
        messaging: [
          {
            sender: { id: '2000000000000001' },
            recipient: { id: PAGE },
            timestamp: 1,
            message: { mid, text: 'spooled' },
          },
        ],
      },
    ],
  });

describe('webhook spool under kill -9 [sqlite]', () => {
  it(
    `keeps every POST it answered 200, exactly once, across ${ROUNDS} kills at random moments under load`,
    { timeout: 240_000 },
    async (t) => {
      const { random } = randomFor(t);
      // The test keeps its own connection open beside the servers' (SQLite in WAL mode), and reads the result through it.
      const database = await openTestDatabase('sqlite');
      const master = randomBytes(32);
      try {
        await initialiseKeys(database.db, master, Date.now());
        const cfg = { dataDir: database.dataDir, masterKey: master.toString('base64'), secret: SECRET };
        const answered = new Set<string>();
        let sent = 0;
        let inFlightAtKills = 0;
        for (let round = 0; round < ROUNDS; round++) {
          const server = start(cfg);
          const url = `http://127.0.0.1:${await server.port}/webhook`;
          let stop = false;
          let inFlight = 0;
          const posters = Array.from({ length: POSTERS }, async (_, p) => {
            for (let k = 0; !stop; k++) {
              const mid = `m_${round}_${p}_${k}`;
              const raw = body(mid);
              sent++;
              inFlight++;
              try {
                const res = await fetch(url, {
                  method: 'POST',
                  body: raw,
                  headers: { 'content-type': 'application/json', 'x-hub-signature-256': signWebhookBody(raw, SECRET) },
                });
                if (res.status === 200) answered.add(mid);
                await res.arrayBuffer();
              } catch {
                return;
              } finally {
                inFlight--;
              }
            }
          });
          await new Promise((r) => setTimeout(r, 100 + random() * 400));
          inFlightAtKills += inFlight;
          server.child.kill('SIGKILL');
          stop = true;
          await Promise.all(posters);
        }
        // A last start moves what the killed ones answered and did not move.
        const last = start(cfg);
        await last.port;
        last.child.stdin!.write('settle\n');
        await last.line('settled');
        last.child.kill('SIGKILL');

        const keyring = await openKeyring(database, master);
        const rows = await database.db.selectFrom('webhook_posts').select(['id', 'body_enc']).execute();
        const keys = ContactKeyStore.open(join(database.dataDir, 'contact-keys.db'), keyring);
        const plainOf = (r: { id: string; body_enc: string | null }) => {
          const field = { table: 'webhook_deliveries', column: 'body_enc', pageId: null, rowId: r.id };
          const outer = keyring.decryptBuffer(r.body_enc!, field);
          return openIntakeLayer(outer, (id) => keys.intakeKey(id), field).toString('utf8');
        };
        type Body = { entry: { messaging: { message: { mid: string } }[] }[] };
        const mids = rows.map((r) => (JSON.parse(plainOf(r)) as Body).entry[0]!.messaging[0]!.message.mid);
        keys.close();
        const stored = new Set(mids);
        const lost = [...answered].filter((m) => !stored.has(m));
        console.log(
          `spool crash: ${ROUNDS} kills, ${sent} POSTs sent, ${answered.size} answered 200, ${inFlightAtKills} in flight at kills, ${rows.length} stored, ${lost.length} lost`,
        );
        assert.ok(answered.size > ROUNDS * POSTERS, 'the server answered POSTs between kills');
        assert.deepEqual(lost, [], 'every POST answered 200 is stored');
        assert.equal(stored.size, mids.length, 'no POST is stored twice');
        assert.ok(rows.length <= answered.size + inFlightAtKills, 'nothing is stored that was not sent');
      } finally {
        await database.destroy();
      }
    },
  );
});
