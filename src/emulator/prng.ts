// Seeded randomness: every id, token, mid and traffic choice flows from one seed so a run can be replayed.
import { createHash } from 'node:crypto';

/** A mulberry32 generator: the same seed always yields the same sequence of floats in [0, 1). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Turns any string seed into a 32-bit integer seed, stably. */
export function seedToInt(seed: string | number): number {
  if (typeof seed === 'number') return seed >>> 0;
  return createHash('sha256').update(seed).digest().readUInt32BE(0);
}

const B64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const B64URL_CODES = Array.from(B64URL, (c) => c.charCodeAt(0));
const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** A random source with the helpers the emulator needs; deterministic for a given seed. */
export class Random {
  private readonly next: () => number;
  constructor(seed: string | number) {
    this.next = mulberry32(seedToInt(seed));
  }
  float(): number {
    return this.next();
  }
  int(maxExclusive: number): number {
    return Math.floor(this.next() * maxExclusive);
  }
  pick<T>(items: readonly T[]): T {
    const item = items[this.int(items.length)];
    if (item === undefined) throw new Error('pick from an empty list');
    return item;
  }
  chance(p: number): boolean {
    return p > 0 && this.next() < p;
  }
  // Strings are built from char codes in one go: appending char by char leaves long-lived rope strings that
  // cost memory and GC time when ids are kept (thread history, logs).
  chars(alphabet: string, n: number): string {
    const codes = new Array<number>(n);
    for (let i = 0; i < n; i++) codes[i] = alphabet.charCodeAt(this.int(alphabet.length));
    return String.fromCharCode(...codes);
  }
  base64url(n: number): string {
    const codes = new Array<number>(n);
    for (let i = 0; i < n;) {
      let bits = (this.next() * 4294967296) >>> 0;
      for (let k = 0; k < 5 && i < n; k++, bits >>>= 6) codes[i++] = B64URL_CODES[bits & 63]!;
    }
    return String.fromCharCode(...codes);
  }
  alnum(n: number): string {
    return this.chars(ALNUM, n);
  }
  /** Poisson-distributed count (Knuth for small means, normal approximation above 30). */
  poisson(mean: number): number {
    if (mean <= 0) return 0;
    if (mean > 30) return Math.max(0, Math.round(mean + Math.sqrt(mean) * this.gaussian()));
    const limit = Math.exp(-mean);
    let k = 0;
    let p = this.next();
    while (p > limit) {
      k++;
      p *= this.next();
    }
    return k;
  }
  private gaussian(): number {
    const u = Math.max(this.next(), 1e-12);
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * this.next());
  }
}

/** A numeric id of `length` digits derived from the seed and labels: stable, order-independent, no leading zero. */
export function deriveDigits(seed: string, length: number, ...labels: string[]): string {
  let out = '';
  let round = 0;
  while (out.length < length) {
    const h = createHash('sha256')
      .update(`${seed}\u0000${labels.join('\u0000')}\u0000${round++}`)
      .digest('hex');
    out += BigInt(`0x${h}`).toString(10);
  }
  const digits = out.slice(0, length);
  return digits[0] === '0' ? `1${digits.slice(1)}` : digits;
}

/** A token-like string derived from the seed and labels (Page tokens look like Meta's `EAA…`). */
export function deriveToken(seed: string, ...labels: string[]): string {
  const h = createHash('sha256')
    .update(`${seed}\u0000token\u0000${labels.join('\u0000')}`)
    .digest('base64url');
  return `EAA${h.replace(/[-_]/g, 'Z')}`;
}
