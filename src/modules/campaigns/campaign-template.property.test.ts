import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseTemplate, renderTemplate, templateVariables } from './campaign-template.ts';

const path = fc
  .array(fc.stringMatching(/^[a-z][a-z0-9_]{0,8}$/), { minLength: 1, maxLength: 3 })
  .map((words) => words.join('.'));
const anyText = fc.string({ maxLength: 60 });
const textWithoutBraces = anyText.filter((s) => !s.includes('{') && !s.includes('}'));
const fallback = fc.string({ maxLength: 12 }).filter((s) => !/[{}|]/.test(s) && s.trim() === s);

test('text without placeholders renders as written', () => {
  fc.assert(
    fc.property(textWithoutBraces, (t) => {
      assert.equal(
        renderTemplate(t, () => 'X'),
        t,
      );
    }),
  );
});

test('a value is inserted exactly as it is: no escaping, never read as a template again', () => {
  fc.assert(
    fc.property(textWithoutBraces, path, textWithoutBraces, anyText, (before, p, after, value) => {
      const nonEmpty = value.trim() === '' ? `${value}x` : value;
      const out = renderTemplate(`${before}{{${p}}}${after}`, (q) => (q === p ? nonEmpty : null));
      assert.equal(out, `${before}${nonEmpty}${after}`);
    }),
  );
  assert.equal(
    renderTemplate('Hi {{contact.name}}', () => 'Ana & <b>Bo</b> {{contact.name}}'),
    'Hi Ana & <b>Bo</b> {{contact.name}}',
  );
});

test('an unknown or empty variable becomes its default, or nothing', () => {
  fc.assert(
    fc.property(path, fallback, fc.constantFrom(null, undefined, '', '  '), (p, d, missing) => {
      assert.equal(
        renderTemplate(`[{{ ${p} | ${d} }}]`, () => missing),
        `[${d}]`,
      );
      assert.equal(
        renderTemplate(`[{{${p}}}]`, () => missing),
        '[]',
      );
    }),
  );
  assert.equal(
    renderTemplate('Hi {{contact.first_name|there}}!', () => null),
    'Hi there!',
  );
});

test('rendering is total: any input renders, and what is not a placeholder stays text', () => {
  fc.assert(
    fc.property(anyText, (t) => {
      const parts = parseTemplate(t);
      const rebuilt = renderTemplate(t, () => null);
      assert.equal(typeof rebuilt, 'string');
      const textOnly = parts.every((p) => 'text' in p);
      if (textOnly) assert.equal(rebuilt, t);
    }),
  );
  assert.deepEqual(templateVariables('{{ 1 }} {{a.b}} {{a.b|x}} {{ c }} {{'), ['a.b', 'c']);
});
