import { Command, Option } from 'commander';
import { cliActor } from '../modules/access/actor.ts';
import { defineAttribute, listAttributeDefinitions } from '../modules/attributes/attribute-definitions.ts';
import { presentDefinition } from '../modules/attributes/attribute.presenter.ts';
import { ATTRIBUTE_TYPES } from '../modules/attributes/attribute-values.ts';
import { print } from './output.ts';
import { withApp } from './with-app.ts';

/** `pagescope attributes define|list`: a Page's attribute definitions (what contacts' values must be). */
export function attributesCommand(): Command {
  const attributes = new Command('attributes').description("a Page's contact attributes: define and list them");
  attributes
    .command('define')
    .description('define an attribute, or change one no contact holds a value of (audited)')
    .requiredOption('--page <id>', 'the Page id')
    .argument('<key>', 'lowercase letters, digits and _, starting with a letter')
    .addOption(new Option('--type <type>', 'the type of its values').choices(ATTRIBUTE_TYPES).makeOptionMandatory())
    .option('--personal', 'values are personal: sealed like a name, compared for equality only', false)
    .action(async (key: string, opts: { page: string; type: string; personal: boolean }, cmd: Command) =>
      withApp(cmd, async (ctx) => {
        const { definition, created } = await defineAttribute(ctx, cliActor, opts.page, {
          key,
          type: opts.type,
          personal: opts.personal,
        });
        const d = presentDefinition(definition);
        print(cmd, d, `${created ? 'Defined' : 'Kept'} ${d.key}: ${d.type}${d.personal ? ', personal' : ''}.`);
      }),
    );
  attributes
    .command('list')
    .description("a Page's attribute definitions")
    .requiredOption('--page <id>', 'the Page id')
    .action(async (opts: { page: string }, cmd: Command) =>
      withApp(cmd, async (ctx) => {
        const data = (await listAttributeDefinitions(ctx, cliActor, opts.page)).map(presentDefinition);
        const lines = data.map((d) => `${d.key}\t${d.type}${d.personal ? '\tpersonal' : ''}`);
        print(cmd, { data }, lines.length ? lines.join('\n') : 'No attributes defined on this Page.');
      }),
    );
  return attributes;
}
