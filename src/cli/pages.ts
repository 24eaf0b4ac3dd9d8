import { Command } from 'commander';
import { cliActor } from '../modules/access/actor.ts';
import { presentPage } from '../modules/pages/page.presenter.ts';
import { getPage, listPages } from '../modules/pages/list-pages.ts';
import { decryptPageToken, registerPage } from '../modules/pages/register-page.ts';
import { createGraphClient } from '../platform/index.ts';
import { print } from './output.ts';
import { withApp } from './with-app.ts';

export function pagesCommand(): Command {
  const pages = new Command('pages').description('register and inspect Facebook Pages');
  pages
    .command('add')
    .description('register a Page and its Page access token (stored encrypted); makes no Graph call. Adding it again replaces the token')
    .requiredOption('--id <id>', 'the numeric Facebook Page id')
    .requiredOption('--name <name>', 'a name for people to recognise it')
    .requiredOption('--token <token>', 'the Page access token')
    .action(async (opts: { id: string; name: string; token: string }, cmd: Command) =>
      withApp(cmd, async (ctx) => {
        const { page, created } = await registerPage(ctx, cliActor, { id: opts.id, name: opts.name, access_token: opts.token });
        print(cmd, { id: page.id, name: page.name, status: page.status, created }, `${created ? 'Registered' : 'Updated'} Page ${page.id} (${page.name}).`);
      }),
    );
  pages
    .command('list')
    .description('list registered Pages')
    .action(async (_opts, cmd: Command) =>
      withApp(cmd, async (ctx) => {
        const all = [];
        let cursor: string | null = null;
        do {
          const r = await listPages(ctx, cliActor, cursor, 200);
          all.push(...r.rows.map(presentPage));
          cursor = r.nextCursor;
        } while (cursor);
        print(cmd, { data: all }, all.length ? all.map((p) => `${p.id}\t${p.status}\t${p.name}`).join('\n') : 'No Pages registered yet: add one with `pagescope pages add`.');
      }),
    );
  pages
    .command('verify')
    .description('check the Page access token with Meta (GET /me)')
    .argument('<id>', 'Page id')
    .action(async (id: string, _opts, cmd: Command) =>
      withApp(cmd, async (ctx) => {
        const page = await getPage(ctx, cliActor, id);
        const graph = createGraphClient({ baseUrl: ctx.config.meta.graphUrl, version: ctx.config.meta.graphVersion, appSecret: ctx.config.meta.appSecret ?? undefined, timeoutMs: 10_000 });
        const me = await graph.getMe(decryptPageToken(ctx, page));
        const ok = String(me.id) === page.id;
        print(cmd, { id: page.id, valid: ok, graph_id: me.id, graph_name: me.name }, ok ? `The token of Page ${page.id} is valid (${String(me.name)}).` : `The token belongs to ${String(me.id)}, not to Page ${page.id}.`);
        if (!ok) process.exitCode = 1;
      }),
    );
  pages
    .command('subscribe')
    .description("subscribe the app to the Page's webhooks (POST /{page-id}/subscribed_apps)")
    .argument('<id>', 'Page id')
    .option('--fields <list>', 'comma-separated webhook fields', 'messages,messaging_postbacks,messaging_optins,messaging_referrals,message_deliveries,message_reads,message_echoes,message_reactions,messaging_handovers,standby,messaging_policy_enforcement,messaging_account_linking')
    .action(async (id: string, opts: { fields: string }, cmd: Command) =>
      withApp(cmd, async (ctx) => {
        const page = await getPage(ctx, cliActor, id);
        const graph = createGraphClient({ baseUrl: ctx.config.meta.graphUrl, version: ctx.config.meta.graphVersion, appSecret: ctx.config.meta.appSecret ?? undefined, timeoutMs: 10_000 });
        const fields = opts.fields.split(',').map((f) => f.trim()).filter(Boolean);
        await graph.subscribeApp(page.id, decryptPageToken(ctx, page), fields);
        print(cmd, { id: page.id, subscribed: true, fields }, `Subscribed the app to Page ${page.id}: ${fields.join(', ')}.`);
      }),
    );
  return pages;
}
