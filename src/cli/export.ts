import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { Command, Option } from 'commander';
import { cliActor } from '../modules/access/actor.ts';
import { exportColumns, exportContacts, exportValues } from '../modules/contacts/export-contacts.ts';
import { csvLine } from '../lib/csv.ts';
import { progress } from './output.ts';
import { withApp } from './with-app.ts';

/**
 * `pagescope export contacts --page ID`: every contact of a Page as CSV or JSON Lines, on stdout or into --out, a
 * page of contacts at a time (flat memory), waiting for the output to drain.
 */
export function exportCommand(): Command {
  const cmd = new Command('export').description("export a Page's contacts as CSV or JSON Lines");
  cmd
    .command('contacts')
    .description('every contact of one Page (identifiers included: the CLI acts as the owner); audited')
    .requiredOption('--page <id>', 'the Page')
    .addOption(new Option('--format <format>', 'csv or jsonl').choices(['csv', 'jsonl']).default('csv'))
    .option('--segment <id>', 'only the contacts of this saved segment of the Page (its id, sg_…)')
    .option('--out <file>', 'write to this file (created with mode 0600) instead of standard output')
    .action(async (opts: { page: string; format: 'csv' | 'jsonl'; out?: string; segment?: string }, sub: Command) =>
      withApp(sub, async (ctx) => {
        const out: Writable = opts.out ? createWriteStream(opts.out, { mode: 0o600 }) : process.stdout;
        const write = async (text: string) => {
          if (!out.write(text)) await once(out, 'drain');
        };
        const exp = await exportContacts(ctx, cliActor, opts.page, { segmentId: opts.segment });
        const columns = exportColumns(exp.withIdentifiers, exp.attributeKeys);
        if (opts.format === 'csv') await write(csvLine(columns));
        let n = 0;
        for await (const c of exp.rows) {
          await write(opts.format === 'csv' ? csvLine(exportValues(c, columns)) : `${JSON.stringify(c)}\n`);
          if (++n % 10_000 === 0 && process.stderr.isTTY) progress(`contacts: ${n.toLocaleString('en')} exported`);
        }
        if (opts.out) {
          out.end();
          await once(out, 'finish');
        }
        if (process.stderr.isTTY || opts.out) progress(`Exported ${n.toLocaleString('en')} contacts.`, true);
      }),
    );
  return cmd;
}
