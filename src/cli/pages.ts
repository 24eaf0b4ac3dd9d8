import { Command } from 'commander';
import type { AppContext } from '../kernel/context.ts';
import { AppError } from '../errors.ts';
import { cliActor } from '../modules/access/actor.ts';
import { markPageTokenInvalid, type TokenCheckSource } from '../modules/pages/mark-token-invalid.ts';
import { presentPage } from '../modules/pages/page.presenter.ts';
import { getPage, listPages } from '../modules/pages/list-pages.ts';
import { decryptPageToken, registerPage, validatePageInput } from '../modules/pages/register-page.ts';
import { verifyPageToken } from '../modules/pages/verify-page-token.ts';
import { createGraphClient, DEFAULT_WEBHOOK_FIELDS, GraphError, type GraphClient } from '../platform/index.ts';
import { print } from './output.ts';
import { PAGE_TOKEN_ENV, readPageToken } from './page-token-input.ts';
import { withApp } from './with-app.ts';

function graphOf(ctx: AppContext): GraphClient {
  return createGraphClient({
    baseUrl: ctx.config.meta.graphUrl,
    version: ctx.config.meta.graphVersion,
    appSecret: ctx.config.meta.appSecret ?? undefined,
    timeoutMs: 10_000,
  });
}

/** Runs a Graph call with a registered Page's token; a 190 marks the Page token_invalid before the error is shown. */
async function withStoredToken<T>(
  ctx: AppContext,
  pageId: string,
  source: TokenCheckSource,
  call: (token: string) => Promise<T>,
): Promise<T> {
  const page = await getPage(ctx, cliActor, pageId);
  try {
    return await call(decryptPageToken(ctx, page));
  } catch (err) {
    const rejected =
      (err instanceof AppError && err.code === 'page_unauthorized') ||
      (err instanceof GraphError && err.classification.kind === 'reauthorize');
    if (!rejected) throw err;
    const e = err instanceof GraphError ? err.classification : {};
    await markPageTokenInvalid(ctx.db, ctx, page.id, source, e);
    throw new AppError(
      'page_unauthorized',
      `Meta rejected the access token of Page ${page.id} (invalid or expired): the Page is now token_invalid and its sends wait. Add a new token with \`pagescope pages add --id ${page.id} …\``,
    );
  }
}

export function pagesCommand(): Command {
  const pages = new Command('pages').description('register and inspect Facebook Pages');
  pages
    .command('add')
    .description(
      `register a Page and its Page access token (stored encrypted), checked with Meta first (GET /me). The token is read from standard input (recommended: \`pagescope pages add --id ID --name NAME --token - < token.txt\`), else from ${PAGE_TOKEN_ENV}; --token TOKEN also works but shows in \`ps\` and shell history. Adding it again replaces the token`,
    )
    .requiredOption('--id <id>', 'the numeric Facebook Page id')
    .requiredOption('--name <name>', 'a name for people to recognise it')
    .option(
      '--token <token>',
      `the Page access token; \`-\` (or no --token and no ${PAGE_TOKEN_ENV}) reads it from standard input`,
    )
    .option('--no-verify', 'register without checking the token with Meta')
    .action(async (opts: { id: string; name: string; token?: string; verify: boolean }, cmd: Command) => {
      const token = await readPageToken(opts.token);
      await withApp(cmd, async (ctx) => {
        const input = validatePageInput({ id: opts.id, name: opts.name, access_token: token });
        // Checked before anything is stored: a wrong or rejected token leaves the Page as it was.
        if (opts.verify) await verifyPageToken(graphOf(ctx), input.id, input.access_token);
        const { page, created } = await registerPage(ctx, cliActor, input);
        print(
          cmd,
          { id: page.id, name: page.name, status: page.status, created, verified: opts.verify },
          `${created ? 'Registered' : 'Updated'} Page ${page.id} (${page.name})${opts.verify ? ', token checked with Meta' : ', token not checked (--no-verify)'}.`,
        );
      });
    });
  pages
    .command('list')
    .description('list registered Pages with their status (token_invalid: Meta rejected the token; add a new one)')
    .action(async (_opts, cmd: Command) =>
      withApp(cmd, async (ctx) => {
        const all = [];
        let cursor: string | null = null;
        do {
          const r = await listPages(ctx, cliActor, cursor, 200);
          all.push(...r.rows.map(presentPage));
          cursor = r.nextCursor;
        } while (cursor);
        print(
          cmd,
          { data: all },
          all.length
            ? all.map((p) => `${p.id}\t${p.status}\t${p.name}`).join('\n')
            : 'No Pages registered yet: add one with `pagescope pages add`.',
        );
      }),
    );
  pages
    .command('verify')
    .description(
      'check the stored Page access token with Meta (GET /me); a rejected token marks the Page token_invalid',
    )
    .argument('<id>', 'Page id')
    .action(async (id: string, _opts, cmd: Command) =>
      withApp(cmd, async (ctx) => {
        const me = await withStoredToken(ctx, id, 'verify', (token) => verifyPageToken(graphOf(ctx), id, token));
        print(
          cmd,
          { id, valid: true, graph_name: me.name },
          `The token of Page ${id} is valid${me.name ? ` (${me.name})` : ''}.`,
        );
      }),
    );
  pages
    .command('subscribe')
    .description("subscribe the app to the Page's webhooks (POST /{page-id}/subscribed_apps)")
    .argument('<id>', 'Page id')
    .option('--fields <list>', 'comma-separated webhook fields', DEFAULT_WEBHOOK_FIELDS.join(','))
    .action(async (id: string, opts: { fields: string }, cmd: Command) =>
      withApp(cmd, async (ctx) => {
        const fields = opts.fields
          .split(',')
          .map((f) => f.trim())
          .filter(Boolean);
        await withStoredToken(ctx, id, 'subscribe', (token) => graphOf(ctx).subscribeApp(id, token, fields));
        print(cmd, { id, subscribed: true, fields }, `Subscribed the app to Page ${id}: ${fields.join(', ')}.`);
      }),
    );
  return pages;
}
