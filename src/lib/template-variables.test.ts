import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { renderTemplate, TEMPLATE_VARIABLES, unknownVariables } from './template-variables.ts';

const ADA = { 'contact.first_name': 'Ada', 'contact.last_name': 'Lovelace', 'contact.name': 'Ada Lovelace' };

test('fills each known variable with its value', () => {
  assert.equal(
    renderTemplate('Hi {{contact.first_name}} {{contact.last_name}}! — {{agent.email}}', {
      ...ADA,
      'agent.email': 'ana@example.com',
    }),
    'Hi Ada Lovelace! — ana@example.com',
  );
  assert.equal(renderTemplate('Dear {{ contact.name }},', ADA), 'Dear Ada Lovelace,');
});

test('a missing or blank value takes the default after the bar, else nothing', () => {
  assert.equal(renderTemplate('Hi {{contact.first_name|there}}!', {}), 'Hi there!');
  assert.equal(renderTemplate('Hi {{contact.first_name | there }}!', { 'contact.first_name': '  ' }), 'Hi there!');
  assert.equal(renderTemplate('Hi {{contact.first_name|there}}!', ADA), 'Hi Ada!');
  assert.equal(renderTemplate('Hi {{contact.first_name}}!', { 'contact.first_name': null }), 'Hi !');
});

test('an unknown variable stays as written, and is reported', () => {
  assert.equal(renderTemplate('Order {{order.id}} for {{contact.first_name}}', ADA), 'Order {{order.id}} for Ada');
  assert.deepEqual(unknownVariables('{{order.id}} {{contact.first_name}} {{order.id}} {{Contact.Email|x}}'), [
    'order.id',
    'Contact.Email',
  ]);
  assert.deepEqual(unknownVariables('Hi {{contact.first_name|there}}, {{ agent.email }}'), []);
});

test('property: a text without placeholders renders to itself', () => {
  fc.assert(
    fc.property(
      fc.string().filter((s) => !s.includes('{{')),
      fc.dictionary(fc.constantFrom(...TEMPLATE_VARIABLES), fc.string()),
      (text, values) => renderTemplate(text, values) === text,
    ),
  );
});

test('property: values are inserted literally, never expanded again, and no known placeholder remains', () => {
  const value = fc.oneof(fc.string(), fc.constantFrom('{{contact.first_name}}', '{{agent.email|x}}', '$&', '$1'));
  fc.assert(
    fc.property(
      fc.array(
        fc.oneof(
          fc.string().filter((s) => !/[{}]/.test(s)),
          fc.constantFrom(...TEMPLATE_VARIABLES),
        ),
        {
          maxLength: 8,
        },
      ),
      fc.dictionary(
        fc.constantFrom(...TEMPLATE_VARIABLES),
        value.filter((s) => s.trim() !== ''),
      ),
      (parts, values) => {
        const isVar = (p: string) => (TEMPLATE_VARIABLES as readonly string[]).includes(p);
        // Words that happen to spell a variable name are kept apart from the braces by the separator.
        const text = parts.map((p) => (isVar(p) ? `{{${p}|-}}` : p)).join('·');
        const expected = parts.map((p) => (isVar(p) ? (values[p as keyof typeof values] ?? '-') : p)).join('·');
        return renderTemplate(text, values) === expected;
      },
    ),
  );
});
