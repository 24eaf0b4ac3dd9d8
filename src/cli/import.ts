import { createReadStream, statSync } from 'node:fs';
import { Command, Option } from 'commander';
import { cliActor } from '../modules/access/actor.ts';
import { importRecords, type ImportProgress, type ImportReport } from '../modules/imports/import-records.ts';
import type { AppContext } from '../kernel/context.ts';
import { contactImporter } from '../modules/imports/contact-import.ts';
import { orderImporter, productImporter } from '../modules/imports/catalogue-import.ts';
import { formatOf, readRecords, type FileRecord, type RecordFormat } from '../lib/records.ts';
import { print, progress, UsageError } from './output.ts';
import { withApp } from './with-app.ts';

type Run = (
  ctx: AppContext,
  pageId: string,
  records: AsyncIterable<FileRecord>,
  on: Parameters<typeof importRecords>[5],
) => Promise<ImportReport>;

/** Each kind with its importer (one function each, so every importer keeps its own row type). */
const IMPORTERS = {
  contacts: (ctx, pageId, records, on) => importRecords(ctx, cliActor, pageId, records, contactImporter, on),
  products: (ctx, pageId, records, on) => importRecords(ctx, cliActor, pageId, records, productImporter, on),
  orders: (ctx, pageId, records, on) => importRecords(ctx, cliActor, pageId, records, orderImporter, on),
} satisfies Record<string, Run>;
type Kind = keyof typeof IMPORTERS;

/** Rejected rows are listed on stderr up to this many; the count always covers them all. */
const LISTED = 100;

/**
 * `pagescope import contacts|products|orders FILE --page ID`: a CSV or JSON Lines file streamed into one Page. Progress on a terminal,
 * every rejected row reported by its line with the reason, nothing half-imported from a row.
 */
export function importCommand(): Command {
  const cmd = new Command('import').description('import contacts, products or orders from a CSV or JSON Lines file');
  for (const kind of Object.keys(IMPORTERS) as Kind[]) {
    cmd
      .command(kind)
      .description(`import ${kind} (CSV with a header row, or JSON Lines; "-" reads standard input)`)
      .argument('<file>', 'the file (.csv, .jsonl or .ndjson), or - for standard input')
      .requiredOption('--page <id>', 'the Page the rows belong to')
      .addOption(
        new Option('--format <format>', 'the file format, when its name does not say').choices(['csv', 'jsonl']),
      )
      .action(async (file: string, opts: { page: string; format?: RecordFormat }, sub: Command) => {
        const format = opts.format ?? formatOf(file);
        if (!format)
          throw new UsageError(`cannot tell the format of ${file}: name it .csv or .jsonl, or give --format`);
        const size = file === '-' ? null : sizeOf(file);
        const input = file === '-' ? process.stdin : createReadStream(file);
        let listed = 0;
        const started = Date.now();
        await withApp(sub, async (ctx) => {
          const report = await IMPORTERS[kind](ctx, opts.page, readRecords(input, format), {
            reject: (line, reason) => {
              if (listed++ < LISTED) process.stderr.write(`line ${line}: ${reason}\n`);
            },
            ...(process.stderr.isTTY && { progress: (p) => progress(progressLine(kind, p, input.bytesRead, size)) }),
          });
          if (process.stderr.isTTY) progress(progressLine(kind, { rows: 0, ...report }, null, null), true);
          if (listed > LISTED) process.stderr.write(`… and ${listed - LISTED} more rejected rows\n`);
          const seconds = ((Date.now() - started) / 1000).toFixed(1);
          print(
            sub,
            { kind, page_id: opts.page, ...report },
            `Imported ${report.imported.toLocaleString('en')} ${kind} into Page ${opts.page} in ${seconds} s` +
              (report.rejected ? `; ${report.rejected.toLocaleString('en')} rows rejected (listed above).` : '.'),
          );
        });
      });
  }
  return cmd;
}

function sizeOf(file: string): number {
  try {
    return statSync(file).size;
  } catch {
    throw new UsageError(`cannot read ${file}: no such file`);
  }
}

function progressLine(kind: Kind, p: ImportProgress, bytesRead: number | null, size: number | null): string {
  const share = size && bytesRead !== null ? ` · ${Math.min(100, Math.floor((bytesRead / size) * 100))}%` : '';
  const rejected = p.rejected ? ` · ${p.rejected.toLocaleString('en')} rejected` : '';
  return `${kind}: ${p.imported.toLocaleString('en')} imported${rejected}${share}`;
}
