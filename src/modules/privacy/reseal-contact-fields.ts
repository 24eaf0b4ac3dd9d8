import type { AppContext } from '../../kernel/context.ts';
import { isAppError } from '../../errors.ts';
import { hasContactLayer, openContactFieldBuffer, sealContactField } from '../../crypto/contact-layer.ts';
import { ownedCiphertextBatch, personalTables, replaceOwnedCiphertext } from './personal-data.repository.ts';

export interface ResealResult {
  scanned: number;
  resealed: number;
  /** Values that could not be opened (damaged, or the contact's key already destroyed); left as they are. */
  failed: number;
}

/**
 * Moves every contact-owned value still sealed by the keyring alone (written before the per-contact layer) under
 * its contact's key, walking the registry's personal-data tables in batches. Idempotent and safe beside writers
 * (compare-and-set); once it has run, a backup taken afterwards is covered by erasure too.
 */
export async function resealContactFields(ctx: AppContext, opts: { batchSize?: number } = {}): Promise<ResealResult> {
  const batch = opts.batchSize ?? 500;
  const result: ResealResult = { scanned: 0, resealed: 0, failed: 0 };
  for (const p of personalTables()) {
    for (const [column, cls] of Object.entries(p.t.columns)) {
      if (cls !== 'encrypted') continue;
      let after: string | null = null;
      for (;;) {
        const rows = await ownedCiphertextBatch(ctx.db, p, column, after, batch);
        if (rows.length === 0) break;
        for (const row of rows) {
          result.scanned++;
          const field = { table: p.table, column, pageId: row.pageId, rowId: row.id };
          try {
            if (hasContactLayer(ctx, row.value, field)) continue;
            const sealed = sealContactField(
              ctx,
              row.contactId,
              openContactFieldBuffer(ctx, row.contactId, row.value, field),
              field,
            );
            result.resealed += await replaceOwnedCiphertext(ctx.db, p, column, row.id, row.value, sealed);
          } catch (err) {
            if (!isAppError(err)) throw err;
            result.failed++;
          }
        }
        after = rows[rows.length - 1]!.id;
      }
    }
  }
  return result;
}
