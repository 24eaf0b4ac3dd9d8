import { Command } from 'commander';
import { cliActor } from '../modules/access/actor.ts';
import { mergeContacts, splitContact } from '../modules/contacts/merge-contacts.ts';
import { addContactTags, removeContactTag } from '../modules/attributes/contact-tags.ts';
import { setContactAttributesFromText } from '../modules/attributes/set-attributes.ts';
import { presentContactAttributes, presentContactTags } from '../modules/attributes/attribute.presenter.ts';
import { print } from './output.ts';
import { withApp } from './with-app.ts';

/**
 * `pagescope contacts merge|split`: the operator's reconciliation of two records of one person on one Page;
 * `tag|untag|set`: a contact's tags and attribute values, as the API and the inbox set them (audited the same way).
 */
export function contactsCommand(): Command {
  const contacts = new Command('contacts').description(
    'reconcile contacts (merge, split) and set their tags and attributes (tag, untag, set)',
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
  contacts
    .command('tag')
    .description('tag a contact (tags are lower-cased; one it carries already changes nothing)')
    .argument('<contact>', 'the contact id (ct_…)')
    .argument('<tags...>', 'one or more tags')
    .action(async (contact: string, tags: string[], _opts: unknown, cmd: Command) =>
      withApp(cmd, async (ctx) => {
        const now = await addContactTags(ctx, cliActor, contact, tags);
        print(cmd, presentContactTags(contact, now), `Tags of ${contact}: ${now.join(', ') || '(none)'}.`);
      }),
    );
  contacts
    .command('untag')
    .description('take a tag off a contact')
    .argument('<contact>', 'the contact id (ct_…)')
    .argument('<tag>', 'the tag')
    .action(async (contact: string, tag: string, _opts: unknown, cmd: Command) =>
      withApp(cmd, async (ctx) => {
        const now = await removeContactTag(ctx, cliActor, contact, tag);
        print(cmd, presentContactTags(contact, now), `Tags of ${contact}: ${now.join(', ') || '(none)'}.`);
      }),
    );
  contacts
    .command('set')
    .description(
      "set a contact's attributes: key=value, typed as the Page defines them (lists comma-separated, key= removes)",
    )
    .argument('<contact>', 'the contact id (ct_…)')
    .argument('<pairs...>', 'key=value pairs')
    .action(async (contact: string, pairs: string[], _opts: unknown, cmd: Command) =>
      withApp(cmd, async (ctx) => {
        const now = await setContactAttributesFromText(ctx, cliActor, contact, pairs);
        const shown = Object.keys(now).length;
        print(cmd, presentContactAttributes(contact, now), `${contact} holds ${shown} attribute value(s).`);
      }),
    );
  return contacts;
}
