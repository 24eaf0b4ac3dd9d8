import { Command } from 'commander';
import { cliActor } from '../modules/access/actor.ts';
import { createUser } from '../modules/users/create-user.ts';
import { disableUser } from '../modules/users/disable-user.ts';
import { listUsers } from '../modules/users/list-users.ts';
import { createLoginLink } from '../modules/users/login-links.ts';
import { openEmail } from '../modules/users/user-email.ts';
import { presentUser, type UserView } from '../modules/users/user.presenter.ts';
import { toIso } from '../lib/time.ts';
import { print } from './output.ts';
import { withApp } from './with-app.ts';

function row(u: UserView): string {
  const when = (iso: string | null) => (iso ? iso.slice(0, 16).replace('T', ' ') : '—');
  return [
    u.id,
    u.status,
    u.role,
    u.pages ? u.pages.join(',') : 'all Pages',
    `created ${when(u.created_at)}`,
    u.email,
  ].join('\t');
}

export function usersCommand(): Command {
  const users = new Command('users').description(
    'people who sign in to pagescope (operators); API tokens are `pagescope tokens`',
  );
  users
    .command('add')
    .description(
      'create an account and print a one-time sign-in link (24 hours) through which the person sets a password',
    )
    .requiredOption('--email <email>', "the person's email address; it is how they sign in")
    .requiredOption('--role <role>', 'owner | admin | agent | marketer | analyst')
    .option(
      '--page <id>',
      'limit the account to this Page (repeatable)',
      (v: string, prev: string[]) => [...prev, v],
      [] as string[],
    )
    .action(async (opts: { email: string; role: string; page: string[] }, cmd: Command) =>
      withApp(cmd, async (ctx) => {
        const r = await createUser(ctx, cliActor, { email: opts.email, role: opts.role, pageIds: opts.page });
        const pages = r.user.pages ? (JSON.parse(r.user.pages) as string[]) : null;
        print(
          cmd,
          { id: r.user.id, email: r.email, role: r.user.role, pages, login_url: r.login_url },
          `Account ${r.user.id} (${r.email}, ${r.user.role}${pages ? `, Pages ${pages.join(', ')}` : ''}).\nOne-time sign-in link (valid 24 hours, shown once): ${r.login_url}`,
        );
      }),
    );
  users
    .command('list')
    .description('list accounts: id, status, role, Pages, created, email (never a password or its hash)')
    .action(async (_opts, cmd: Command) =>
      withApp(cmd, async (ctx) => {
        const all: UserView[] = [];
        let cursor: string | null = null;
        do {
          const r = await listUsers(ctx, cliActor, cursor, 200);
          all.push(...r.rows.map((u) => presentUser(u.row, u.email, ctx.clock.now())));
          cursor = r.nextCursor;
        } while (cursor);
        print(
          cmd,
          { data: all },
          all.length
            ? all.map(row).join('\n')
            : 'No accounts yet: add one with `pagescope users add --email … --role …`.',
        );
      }),
    );
  users
    .command('link')
    .description('print a new one-time sign-in link (24 hours) for an account: a way back in after a lost password')
    .argument('<id>', 'account id (us_…), as `users list` shows it')
    .action(async (id: string, _opts, cmd: Command) =>
      withApp(cmd, async (ctx) => {
        const l = await createLoginLink(ctx, cliActor, id);
        print(
          cmd,
          { id, login_url: l.login_url, expires_at: toIso(l.expires_at) },
          `One-time sign-in link for ${id} (valid 24 hours, shown once): ${l.login_url}`,
        );
      }),
    );
  users
    .command('disable')
    .description('disable an account: its sessions end at once, it can no longer sign in')
    .argument('<id>', 'account id (us_…), as `users list` shows it')
    .action(async (id: string, _opts, cmd: Command) =>
      withApp(cmd, async (ctx) => {
        const u = await disableUser(ctx, cliActor, id);
        const view = presentUser(u, openEmail(ctx, u), ctx.clock.now());
        print(cmd, view, `Disabled account ${view.id} (${view.email}).`);
      }),
    );
  return users;
}
