import { Command } from 'commander';
import { cliActor } from '../modules/access/actor.ts';
import { mergeContacts, splitContact } from '../modules/contacts/merge-contacts.ts';
import { print } from './output.ts';
import { withApp } from './with-app.ts';

/** `pagescope contacts merge|split`: the operator's reconciliation of two records of one person on one Page. */
export function contactsCommand(): Command {
  const contacts = new Command('contacts').description(
    'reconcile contacts: merge two records of one person on a Page, or undo it',
  );
  contacts
    .command('merge')
    .description('merge a contact into another of the same Page (history kept, link recorded, audited)')
    .argument('<contact>', 'the contact id to merge (ct_…)')
    .requiredOption('--into <id>', 'the contact id that remains')
    .action(async (contact: string, opts: { into: string }, cmd: Command) =>
      withApp(cmd, async (ctx) => {
        const merged = await mergeContacts(ctx, cliActor, contact, opts.into);
        print(cmd, merged, `Merged ${contact} into ${merged.id}.`);
      }),
    );
  contacts
    .command('split')
    .description('undo a merge: the contact stands on its own again (audited)')
    .argument('<contact>', 'the merged contact id (ct_…)')
    .action(async (contact: string, _opts: unknown, cmd: Command) =>
      withApp(cmd, async (ctx) => {
        const split = await splitContact(ctx, cliActor, contact);
        print(cmd, split, `Split ${split.id} off again.`);
      }),
    );
  return contacts;
}
