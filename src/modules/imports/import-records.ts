import type { Transaction } from 'kysely';
import type { AppContext } from '../../kernel/context.ts';
import type { DB } from '../../db/types.ts';
import type { FileRecord } from '../../lib/records.ts';
import { AppError, notFound } from '../../errors.ts';
import { appendAudit } from '../audit/audit.repository.ts';
import { assertCan, assertPage, type Actor } from '../access/actor.ts';
import type { Permission } from '../access/roles.ts';
import { findPage } from '../pages/pages.repository.ts';

/** What one kind of import knows: how to read a row (throwing a `validation_failed` AppError) and how to store it. */
export interface RowImporter<T> {
  kind: 'contacts' | 'products' | 'orders';
  permission: Permission;
  parse(fields: Record<string, unknown>): T;
  /**
   * How a row is stored: `batch` inside the batch's transaction (audited once per batch), or `command`, a command
   * that opens its own transaction and writes its own audit row (what the API calls for the same thing).
   */
  store:
    | {
        batch: (ctx: AppContext, trx: Transaction<DB>, actor: Actor, pageId: string, row: T) => Promise<void>;
        /** Stores a whole batch at once (fewer statements); a batch it fails is stored again row by row by `batch`. */
        many?: (ctx: AppContext, trx: Transaction<DB>, actor: Actor, pageId: string, rows: T[]) => Promise<void>;
      }
    | { command: (ctx: AppContext, actor: Actor, pageId: string, row: T) => Promise<unknown> };
}

export interface ImportReport {
  imported: number;
  rejected: number;
}

export interface ImportProgress {
  /** Rows read so far (imported or rejected). */
  rows: number;
  imported: number;
  rejected: number;
}

const BATCH = 500;

/**
 * Imports a stream of rows into one Page, with constant memory: rows are read, checked and stored a batch at a time,
 * each batch in one transaction with its audit row. A row that cannot be read or stored is reported by its line
 * (`onReject`) and changes nothing: when a batch fails, its rows are stored again one by one, so a row is either
 * wholly imported or not at all, and the others still go in.
 */
export async function importRecords<T>(
  ctx: AppContext,
  actor: Actor,
  pageId: string,
  records: AsyncIterable<FileRecord>,
  importer: RowImporter<T>,
  on: { reject?: (line: number, reason: string) => void; progress?: (p: ImportProgress) => void } = {},
): Promise<ImportReport> {
  assertCan(actor, importer.permission);
  assertPage(actor, pageId);
  if (!(await findPage(ctx.db, pageId))) throw notFound('page');
  const report: ImportReport = { imported: 0, rejected: 0 };
  let rows = 0;
  const reject = (line: number, reason: string) => {
    report.rejected += 1;
    on.reject?.(line, reason);
  };
  let batch: { line: number; row: T }[] = [];
  const flush = async () => {
    if (batch.length === 0) return;
    const rowsOfBatch = batch;
    batch = [];
    if ('batch' in importer.store) {
      try {
        await storeBatch(ctx, actor, pageId, importer, rowsOfBatch);
        report.imported += rowsOfBatch.length;
        on.progress?.({ rows, ...report });
        return;
      } catch {
        // One row broke the batch (a person erased, a value refused): each row again, alone.
      }
    }
    // Rows stored by a command (its own transaction and audit row) always go one by one.
    for (const r of rowsOfBatch) {
      try {
        await storeBatch(ctx, actor, pageId, importer, [r]);
        report.imported += 1;
      } catch (err) {
        // Only a refusal of the row itself rejects it; anything else (the database went away) stops the import,
        // which can be run again: every row already stored is found again, not duplicated.
        if (!(err instanceof AppError)) throw err;
        reject(r.line, err.message);
      }
    }
    on.progress?.({ rows, ...report });
  };
  for await (const record of records) {
    rows += 1;
    if (record.error !== undefined) {
      reject(record.line, record.error);
      continue;
    }
    try {
      batch.push({ line: record.line, row: importer.parse(record.fields) });
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      reject(record.line, err.message);
      continue;
    }
    if (batch.length >= BATCH) await flush();
  }
  await flush();
  on.progress?.({ rows, ...report });
  return report;
}

async function storeBatch<T>(
  ctx: AppContext,
  actor: Actor,
  pageId: string,
  importer: RowImporter<T>,
  rows: { line: number; row: T }[],
): Promise<void> {
  const store = importer.store;
  if ('command' in store) {
    for (const r of rows) await store.command(ctx, actor, pageId, r.row);
    return;
  }
  // New contacts' keys are stored together, durable before the batch commits: one flush for the batch, not one each.
  await ctx.db.transaction().execute((trx) =>
    ctx.contactKeys.batchingKeys(async () => {
      if (store.many && rows.length > 1)
        await store.many(
          ctx,
          trx,
          actor,
          pageId,
          rows.map((r) => r.row),
        );
      else for (const r of rows) await store.batch(ctx, trx, actor, pageId, r.row);
      await appendAudit(
        trx,
        actor,
        {
          action: `${importer.kind}.imported`,
          pageId,
          subjectType: 'page',
          subjectId: pageId,
          details: { rows: rows.length, first_line: rows[0]!.line, last_line: rows[rows.length - 1]!.line },
        },
        ctx.clock.now(),
      );
    }),
  );
}
