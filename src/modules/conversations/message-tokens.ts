import type { Keyring } from '../../crypto/index.ts';
import type { MessageTokenTable } from '../../db/tables/inbox.ts';
import { nameWords, queryTokens } from '../contacts/name-tokens.ts';

/** At most this many distinct words of one message are indexed (a pasted document is found by its start). */
const MAX_WORDS = 200;

/**
 * The search tokens of a message text: each distinct normalised word (lower case, accents folded, as names are)
 * under the current key version's search key, as the index holds it: once per contact and word, with the time of the
 * message (the index keeps the newest). Whole words only, not prefixes: an index of every prefix of every word would
 * be several times the history's size.
 */
export function messageTokenRows(
  keyring: Keyring,
  m: { page_id: string; contact_id: string; sent_at: number },
  text: string | null,
  version = keyring.currentVersion,
): MessageTokenTable[] {
  if (!text) return [];
  return nameWords(text)
    .slice(0, MAX_WORDS)
    .map((word) => ({
      page_id: m.page_id,
      token: keyring.searchToken(word, version),
      contact_id: m.contact_id,
      key_version: version,
      last_at: m.sent_at,
    }));
}

/**
 * What each word of a query matches: a prefix of a contact's name (the name index) or a whole word of a message,
 * under any loaded key version (while the index is being rebuilt after a rotation, both are in use).
 */
export function searchWords(keyring: Keyring, q: string): { name: string; message: string[] }[] {
  const names = queryTokens(keyring, q);
  return nameWords(q).map((word, i) => ({
    name: names[i]!,
    message: keyring.versions().map((v) => keyring.searchToken(word, v)),
  }));
}
