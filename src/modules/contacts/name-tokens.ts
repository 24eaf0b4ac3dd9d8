import type { Keyring } from '../../crypto/index.ts';

const MIN_PREFIX = 2;
const MAX_WORD = 24;

// Letters that Unicode does not decompose into a base letter and a mark.
const FOLD: Record<string, string> = { ø: 'o', æ: 'ae', œ: 'oe', ß: 'ss', ł: 'l', đ: 'd', ð: 'd', þ: 'th', ı: 'i' };

/** Lower-case, accent-folded words of a name or a query ("Chloé Müller" → ["chloe", "muller"]). */
export function nameWords(text: string): string[] {
  const folded = text
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(/[øæœßłđðþı]/g, (c) => FOLD[c] ?? c);
  return [
    ...new Set(
      folded
        .split(/[^\p{L}\p{N}]+/u)
        .filter((w) => w.length >= MIN_PREFIX)
        .map((w) => [...w].slice(0, MAX_WORD).join('')),
    ),
  ];
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
