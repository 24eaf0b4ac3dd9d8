import { Command } from 'commander';
import { cliActor } from '../modules/access/actor.ts';
import { createToken } from '../modules/access/create-token.ts';
import { listTokens } from '../modules/access/list-tokens.ts';
import { revokeToken } from '../modules/access/revoke-token.ts';
import { parseExpiresIn } from '../modules/access/token-expiry.ts';
import { presentToken, type TokenView } from '../modules/access/token.presenter.ts';
import { toIso } from '../lib/time.ts';
import { print } from './output.ts';
import { withApp } from './with-app.ts';

function row(t: TokenView): string {
  const when = (iso: string | null) => (iso ? iso.slice(0, 16).replace('T', ' ') : '—');
  return [
    t.id,
    t.status,
    t.role,
    t.pages ? t.pages.join(',') : 'all Pages',
    `created ${when(t.created_at)}`,
    `last used ${when(t.last_used_at)}`,
    `expires ${when(t.expires_at)}`,
    t.name,
  ].join('\t');
}

export function tokensCommand(): Command {
  const tokens = new Command('tokens').description('API tokens');
  tokens
    .command('create')
    .description('create an API token; it is printed once and stored only as a keyed hash')
    .requiredOption('--name <name>', 'who or what uses it')
    .requiredOption('--role <role>', 'owner | admin | agent | marketer | analyst')
    .option(
      '--page <id>',
      'limit the token to this Page (repeatable)',
      (v: string, prev: string[]) => [...prev, v],
      [] as string[],
    )
    .option('--expires-in <duration>', 'the token stops working after this long: 90m, 12h, 30d, 2w (default: never)')
    .action(async (opts: { name: string; role: string; page: string[]; expiresIn?: string }, cmd: Command) =>
      withApp(cmd, async (ctx) => {
        const expiresAt =
          opts.expiresIn === undefined ? null : ctx.clock.now() + parseExpiresIn(opts.expiresIn, '--expires-in');
        const r = await createToken(ctx, cliActor, { name: opts.name, role: opts.role, pageIds: opts.page, expiresAt });
        const expires = toIso(r.expires_at);
        print(
          cmd,
          { id: r.id, token: r.token, role: r.role, pages: r.pages, expires_at: expires },
          `Token ${r.id} (${r.role}${r.pages ? `, Pages ${r.pages.join(', ')}` : ''}${expires ? `, expires ${expires}` : ''}) — shown once:\n${r.token}`,
        );
      }),
    );
  tokens
    .command('list')
    .description('list API tokens: id, status, role, Pages, created, last used, expiry, name (never the secret)')
    .action(async (_opts, cmd: Command) =>
      withApp(cmd, async (ctx) => {
        const all: TokenView[] = [];
        let cursor: string | null = null;
        do {
          const r = await listTokens(ctx, cliActor, cursor, 200);
          all.push(...r.rows.map((t) => presentToken(t, ctx.clock.now())));
          cursor = r.nextCursor;
        } while (cursor);
        print(
          cmd,
          { data: all },
          all.length ? all.map(row).join('\n') : 'No API tokens yet: create one with `pagescope tokens create`.',
        );
      }),
    );
  tokens
    .command('revoke')
    .description('revoke an API token: from now on it answers 401')
    .argument('<id>', 'token id (tok_…), as `tokens list` shows it')
    .action(async (id: string, _opts, cmd: Command) =>
      withApp(cmd, async (ctx) => {
        const t = presentToken(await revokeToken(ctx, cliActor, id), ctx.clock.now());
        print(cmd, t, `Revoked token ${t.id} (${t.name}).`);
      }),
    );
  return tokens;
}
