import type { Keyring } from '../../crypto/index.ts';

const MIN_PREFIX = 2;
const MAX_WORD = 24;

// Letters that Unicode does not decompose into a base letter and a mark.
const FOLD: Record<string, string> = { ø: 'o', æ: 'ae', œ: 'oe', ß: 'ss', ł: 'l', đ: 'd', ð: 'd', þ: 'th', ı: 'i' };

/** Anything but printable ASCII, tab and line breaks: text without it takes the shortcut. */
const NON_ASCII = /[^\x20-\x7e\t\n\r]/;

/** Lower-case, accent-folded words of a name or a query ("Chloé Müller" → ["chloe", "muller"]). */
export function nameWords(text: string): string[] {
  // ASCII text has nothing to decompose or fold, and its letters and digits are [a-z0-9] once lower-cased: the same
  // words, without the Unicode passes (this runs on every message the processor stores).
  const words = !NON_ASCII.test(text)
    ? text.toLowerCase().split(/[^a-z0-9]+/)
    : text
        .normalize('NFKD')
        .replace(/\p{M}+/gu, '')
        .toLowerCase()
        .replace(/[øæœßłđðþı]/g, (c) => FOLD[c] ?? c)
        .split(/[^\p{L}\p{N}]+/u);
  const out = new Set<string>();
  for (const w of words)
    if (w.length >= MIN_PREFIX) out.add(w.length > MAX_WORD ? [...w].slice(0, MAX_WORD).join('') : w);
  return [...out];
}

/** Every prefix of at least two characters of every word, blind-indexed: what `?q=` can match, stored without the name. */
export function nameTokens(keyring: Keyring, names: (string | null | undefined)[]): string[] {
  const prefixes = new Set<string>();
  for (const name of names) {
    if (!name) continue;
    for (const word of nameWords(name)) {
      const chars = [...word];
      for (let n = MIN_PREFIX; n <= chars.length; n++) prefixes.add(chars.slice(0, n).join(''));
    }
  }
  return [...prefixes].map((p) => keyring.blindIndex(p, 'name-token'));
}

/** The tokens a search must all match: each query word is looked up as a prefix. */
export function queryTokens(keyring: Keyring, q: string): string[] {
  return nameWords(q).map((w) => keyring.blindIndex(w, 'name-token'));
}
