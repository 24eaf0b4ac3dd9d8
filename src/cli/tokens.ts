import { Command } from 'commander';
import { cliActor } from '../modules/access/actor.ts';
import { createToken } from '../modules/access/create-token.ts';
import { print } from './output.ts';
import { withApp } from './with-app.ts';

export function tokensCommand(): Command {
  const tokens = new Command('tokens').description('API tokens');
  tokens
    .command('create')
    .description('create an API token; it is printed once and stored only as a keyed hash')
    .requiredOption('--name <name>', 'who or what uses it')
    .requiredOption('--role <role>', 'owner | admin | agent | marketer | analyst')
    .option('--page <id>', 'limit the token to this Page (repeatable)', (v: string, prev: string[]) => [...prev, v], [] as string[])
    .action(async (opts: { name: string; role: string; page: string[] }, cmd: Command) =>
      withApp(cmd, async (ctx) => {
        const r = await createToken(ctx, cliActor, { name: opts.name, role: opts.role, pageIds: opts.page });
        print(cmd, { id: r.id, token: r.token, role: r.role, pages: r.pages }, `Token ${r.id} (${r.role}${r.pages ? `, Pages ${r.pages.join(', ')}` : ''}) — shown once:\n${r.token}`);
      }),
    );
  return tokens;
}
