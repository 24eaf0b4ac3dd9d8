// Keyring throughput against raw node:crypto doing the same primitive in the same run; the ratio is the overhead of
// the keyring's parsing, context encoding and base64url. Run: node --import tsx bench/crypto.bench.ts
import { createCipheriv, createDecipheriv, createHmac, createSecretKey, randomBytes } from 'node:crypto';
import { Keyring, type FieldContext } from '../src/crypto/index.ts';

const ROUNDS = 5;
const ROUND_MS = 300;
const master = randomBytes(32);
const keyring = Keyring.open(master, [Keyring.wrapNewVersion(master, 1)]);
const ctx: FieldContext = { table: 'contacts', column: 'psid', pageId: '1717527131834678', rowId: 'ct_01J9ZQ4W8K3M2N' };
const plaintext = '1256217357730577';
const ciphertext = keyring.encrypt(plaintext, ctx);

const rawKey = createSecretKey(randomBytes(32));
const rawAad = Buffer.from(`${ctx.table}/${ctx.column}/${ctx.pageId}/${ctx.rowId}`);
const rawPlain = Buffer.from(plaintext);

function rawSeal(): Buffer {
  const nonce = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', rawKey, nonce, { authTagLength: 16 });
  cipher.setAAD(rawAad);
  return Buffer.concat([nonce, cipher.update(rawPlain), cipher.final(), cipher.getAuthTag()]);
}
const rawSealed = rawSeal();

function rawOpen(): Buffer {
  const decipher = createDecipheriv('aes-256-gcm', rawKey, rawSealed.subarray(0, 12), { authTagLength: 16 });
  decipher.setAAD(rawAad);
  decipher.setAuthTag(rawSealed.subarray(rawSealed.length - 16));
  return Buffer.concat([decipher.update(rawSealed.subarray(12, -16)), decipher.final()]);
}

/** Operations per second of `fn` over one fixed wall-clock window. */
function opsPerSecond(fn: () => unknown, windowMs: number): number {
  let ops = 0;
  const start = process.hrtime.bigint();
  const end = start + BigInt(windowMs) * 1_000_000n;
  let now = start;
  while (now < end) {
    for (let i = 0; i < 200; i++) fn();
    ops += 200;
    now = process.hrtime.bigint();
  }
  return ops / (Number(now - start) / 1e9);
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/** Medians of alternating rounds, so that a burst of load elsewhere on the machine hits both sides alike. */
function compare(a: () => unknown, b: () => unknown): [number, number] {
  for (let i = 0; i < 3000; i++) {
    a();
    b();
  }
  const as: number[] = [];
  const bs: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    as.push(opsPerSecond(a, ROUND_MS));
    bs.push(opsPerSecond(b, ROUND_MS));
  }
  return [median(as), median(bs)];
}

const rows = [
  { what: 'encrypt (AES-256-GCM + AAD)', keyring: () => keyring.encrypt(plaintext, ctx), raw: rawSeal },
  { what: 'decrypt', keyring: () => keyring.decrypt(ciphertext, ctx), raw: rawOpen },
  {
    what: 'blind index (HMAC-SHA256)',
    keyring: () => keyring.blindIndex(plaintext, 'psid'),
    raw: () => createHmac('sha256', rawKey).update(rawPlain).digest(),
  },
];

const fmt = (n: number): string => Math.round(n).toLocaleString('en-US').padStart(12);
console.log(`operation                      ${'keyring/s'.padStart(12)} ${'raw/s'.padStart(12)}   keyring/raw`);
for (const row of rows) {
  const [k, r] = compare(row.keyring, row.raw);
  console.log(`${row.what.padEnd(30)} ${fmt(k)} ${fmt(r)}   ${(k / r).toFixed(2)}`);
}
console.log(
  `(${plaintext.length}-byte value; medians of ${ROUNDS} alternating ${ROUND_MS} ms rounds; node ${process.version})`,
);
