import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Command, Option } from 'commander';
import { cliActor } from '../modules/access/actor.ts';
import { createPrivacyRequest, type CreateRequestInput } from '../modules/privacy/create-request.ts';
import { getPrivacyRequest, readRequestExport } from '../modules/privacy/get-request.ts';
import { presentRequest } from '../modules/privacy/request.presenter.ts';
import { resealContactFields } from '../modules/privacy/reseal-contact-fields.ts';
import { runDueRequests } from '../modules/privacy/run-requests.ts';
import { runRetention } from '../modules/retention/retention.ts';
import { print, progress, UsageError } from './output.ts';
import { withApp } from './with-app.ts';

type Present = ReturnType<typeof presentRequest>;

function describe(r: Present): string {
  return `${r.id}: ${r.type} of ${r.contact_id ?? '(awaiting review)'} — ${r.status}, due ${r.due_at}${r.completed_at ? `, completed ${r.completed_at}` : ''}`;
}

/** `pagescope privacy …`: data subject requests and retention from the command line, audited as the CLI actor. */
export function privacyCommand(): Command {
  const privacy = new Command('privacy').description(
    'data subject requests (access, erasure, rectification) and retention',
  );

  privacy
    .command('request')
    .description('open a data subject request; with --now it runs at once instead of by the background worker')
    .addOption(
      new Option('--type <type>', 'what the person asks for')
        .choices(['access', 'erasure', 'rectification'])
        .makeOptionMandatory(),
    )
    .requiredOption('--contact <id>', 'the contact id (never the PSID)')
    .addOption(
      new Option('--regime <regime>', 'whose deadline applies (default PAGESCOPE_PRIVACY_REGIME)').choices([
        'gdpr',
        'ccpa',
      ]),
    )
    .option('--attributes <json>', 'rectification: JSON object of attribute names to new values (null removes one)')
    .option('--now', 'run due requests before returning')
    .action(
      async (
        opts: {
          type: CreateRequestInput['type'];
          contact: string;
          regime?: 'gdpr' | 'ccpa';
          attributes?: string;
          now?: boolean;
        },
        cmd: Command,
      ) =>
        withApp(cmd, async (ctx) => {
          let attributes: unknown;
          if (opts.attributes !== undefined) {
            try {
              attributes = JSON.parse(opts.attributes);
            } catch {
              throw new UsageError('--attributes must be a JSON object, e.g. \'{"tier": "gold"}\'');
            }
          }
          let r = await createPrivacyRequest(
            ctx,
            cliActor,
            {
              type: opts.type,
              contact_id: opts.contact,
              ...(opts.regime && { regime: opts.regime }),
              ...(attributes !== undefined && { attributes }),
            },
            'cli',
          );
          if (opts.now) {
            progress('running due privacy requests…');
            await runDueRequests(ctx);
            r = await getPrivacyRequest(ctx, cliActor, r.id);
          }
          const shown = presentRequest(r);
          print(cmd, shown, describe(shown));
        }),
    );

  privacy
    .command('status <id>')
    .description("a request's status, deadline and result counts")
    .action(async (id: string, _opts: unknown, cmd: Command) =>
      withApp(cmd, async (ctx) => {
        const shown = presentRequest(await getPrivacyRequest(ctx, cliActor, id));
        print(cmd, shown, `${describe(shown)}${shown.result ? `\n${JSON.stringify(shown.result)}` : ''}`);
      }),
    );

  privacy
    .command('export <id>')
    .description(
      "write a completed access request's export (every piece of personal data, decrypted) to a file; audited",
    )
    .requiredOption('--out <file>', 'where to write it (created with mode 0600; keep it safe, it is personal data)')
    .action(async (id: string, opts: { out: string }, cmd: Command) =>
      withApp(cmd, async (ctx) => {
        const doc = await readRequestExport(ctx, cliActor, id);
        const file = resolve(opts.out);
        writeFileSync(file, `${JSON.stringify(doc, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
        print(cmd, { id, file, counts: doc.counts }, `Export of ${id} written to ${file}`);
      }),
    );

  privacy
    .command('run')
    .description('run every due request now (the background worker does this too)')
    .action(async (_opts: unknown, cmd: Command) =>
      withApp(cmd, async (ctx) => {
        const n = await runDueRequests(ctx);
        print(cmd, { ran: n }, `${n} request(s) run`);
      }),
    );

  privacy
    .command('reseal')
    .description('move contact data written before per-contact keys under them, so erasure also covers older backups')
    .action(async (_opts: unknown, cmd: Command) =>
      withApp(cmd, async (ctx) => {
        progress('re-sealing contact data under per-contact keys…');
        const r = await resealContactFields(ctx);
        print(
          cmd,
          r,
          `${r.resealed} of ${r.scanned} values re-sealed${r.failed ? `, ${r.failed} could not be opened` : ''}`,
        );
      }),
    );

  privacy
    .command('rewrap-keys')
    .description(
      'after `keys rotate`: re-wrap the per-contact keys (kept outside the database) under the current key version',
    )
    .action(async (_opts: unknown, cmd: Command) =>
      withApp(cmd, async (ctx) => {
        const n = ctx.contactKeys.rewrapAll();
        print(cmd, { rewrapped: n }, `${n} contact key(s) re-wrapped`);
      }),
    );

  privacy
    .command('retention')
    .description('purge what is past its retention limit; with --dry-run, list it and change nothing')
    .option('--dry-run', 'only list what would go')
    .action(async (opts: { dryRun?: boolean }, cmd: Command) =>
      withApp(cmd, async (ctx) => {
        const reports = await runRetention(ctx, { dryRun: opts.dryRun === true });
        const lines = reports.map((r) =>
          r.cutoff === null
            ? `${r.job}: no limit set (kept forever)`
            : `${r.job}: before ${r.cutoff} — ${Object.entries(r.counts)
                .map(([k, n]) => `${n} ${k}`)
                .join(', ')}${opts.dryRun ? ' would go' : ' removed'}`,
        );
        print(cmd, { dry_run: opts.dryRun === true, jobs: reports }, lines.join('\n'));
      }),
    );

  return privacy;
}
