import type { AppContext } from '../../kernel/context.ts';
import { getMeta, setMeta } from '../keys/keys.repository.ts';
import { deleteTokensOfOtherVersions, indexMessageTokens, messagesAfter } from './conversations.repository.ts';
import { openMessageField } from './message-fields.ts';
import { messageTokenRows } from './message-tokens.ts';
import { messageActivity } from './message-activity.ts';

const STATE_KEY = 'search_index';

interface WalkState {
  /** The key version the walk indexes under. */
  version: number;
  after: { createdAt: number; id: string } | null;
  done: boolean;
  /** When the walk under this version began (absent in a walk begun by an earlier release). */
  startedAt?: number;
}

/**
 * One step of the walk that (re)builds the search index: history that existed before the index (an upgrade) or was
 * indexed under an older key version (a rotation) gets its tokens under the current version. New messages are indexed
 * as they are stored, so once the walk is done it rests until the keys rotate again. Returns the messages indexed.
 */
export async function indexNextMessages(ctx: AppContext, batch = 500): Promise<number> {
  const raw = await getMeta(ctx.db, STATE_KEY);
  const version = ctx.keyring.currentVersion;
  const fresh = (): WalkState => ({ version, after: null, done: false, startedAt: ctx.clock.now() });
  let state: WalkState = raw ? (JSON.parse(raw) as WalkState) : fresh();
  if (state.version !== version) state = fresh();
  if (state.done) return 0;
  const rows = await messagesAfter(ctx.db, state.after, batch);
  // What the person changed a message to is found as the message is (recorded at the edit, indexed again here).
  const { edits } = await messageActivity(ctx, rows, { reactions: false });
  await ctx.db.transaction().execute(async (trx) => {
    for (const m of rows) {
      let text: string | null;
      try {
        text = openMessageField(ctx, m, 'text_enc');
      } catch {
        continue; // its contact was erased meanwhile: nothing left to index
      }
      await indexMessageTokens(trx, messageTokenRows(ctx.keyring, { ...m, sent_at: Number(m.sent_at) }, text, version));
      const edit = m.mid === null ? undefined : edits.get(m.mid);
      if (edit)
        await indexMessageTokens(trx, messageTokenRows(ctx.keyring, { ...m, sent_at: edit.at }, edit.text, version));
    }
    const last = rows[rows.length - 1];
    const next: WalkState = last
      ? { ...state, after: { createdAt: Number(last.created_at), id: last.id }, done: rows.length < batch }
      : { ...state, done: true };
    // Every text stored before the walk began is indexed under this version now: the words of older versions (kept
    // until here, so that the search found every message meanwhile) are dropped, and with them the words of texts
    // purged since. A word used since the walk began is kept: a process that had not loaded the new version yet may
    // have indexed a message under the old one after the walk passed it.
    if (next.done) await deleteTokensOfOtherVersions(trx, version, state.startedAt ?? 0);
    await setMeta(trx, STATE_KEY, JSON.stringify(next));
  });
  return rows.length;
}
