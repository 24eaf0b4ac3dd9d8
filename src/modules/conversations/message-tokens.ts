import type { Keyring } from '../../crypto/index.ts';
import type { MessageTokenTable } from '../../db/tables/inbox.ts';
import type { Executor } from '../../db/types.ts';
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
  trx?: Executor,
): MessageTokenTable[] {
  if (!text) return [];
  // Only in a transaction: the database object itself lives as long as the process.
  const memo = trx?.isTransaction ? memoOf(trx, version) : undefined;
  return nameWords(text)
    .slice(0, MAX_WORDS)
    .map((word) => {
      let token = memo?.get(word);
      if (token === undefined) {
        token = keyring.searchToken(word, version);
        memo?.set(word, token);
      }
      return { page_id: m.page_id, token, contact_id: m.contact_id, key_version: version, last_at: m.sent_at };
    });
}

/**
 * The tokens already computed in a transaction, by key version and word: the messages of a processing turn share most
 * of their words, and an HMAC costs more than the rest of a word's indexing. Held as long as the transaction object
 * (in memory, as the turn's texts are), never longer.
 */
const memos = new WeakMap<Executor, Map<number, Map<string, string>>>();

function memoOf(trx: Executor, version: number): Map<string, string> {
  let byVersion = memos.get(trx);
  if (!byVersion) memos.set(trx, (byVersion = new Map()));
  let memo = byVersion.get(version);
  if (!memo) byVersion.set(version, (memo = new Map()));
  return memo;
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
