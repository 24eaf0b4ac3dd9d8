import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { ApprovedTemplate } from '../templates/templates.ts';
import { recipientLanguages, renderUtility, templateParameters } from './utility-template.ts';

const language = fc.constantFrom('en', 'fr', 'de', 'pt', 'es');
const region = fc.constantFrom('US', 'GB', 'FR', 'BR', 'DE');

test("a recipient's languages are their locale, its language alone, then the campaign's; each once", () => {
  fc.assert(
    fc.property(language, region, fc.constantFrom('en_US', 'fr', 'pt_BR'), (l, r, campaign) => {
      const got = recipientLanguages(`${l}_${r}`, campaign);
      assert.deepEqual(got, [...new Set([`${l}_${r}`, l, campaign])]);
    }),
  );
  assert.deepEqual(recipientLanguages('fr_FR', 'en_US'), ['fr_FR', 'fr', 'en_US']);
  assert.deepEqual(recipientLanguages(null, 'en_US'), ['en_US']);
  assert.deepEqual(recipientLanguages('not a locale', 'en_US'), ['en_US']);
});

const template = (n: number): ApprovedTemplate => ({
  id: 'mt_1',
  page_id: 'p',
  name: 'order_update',
  language: 'en_US',
  components: [{ type: 'BODY', text: 'x' }],
  body_variables: n,
});

test('a utility message fills exactly the body values, each rendered for the person, or says why it cannot', () => {
  fc.assert(
    fc.property(
      fc.array(fc.constantFrom('{{contact.first_name|there}}', 'A-1', 'Hi {{x}}'), { maxLength: 4 }),
      (ps) => {
        const lookup = (path: string) => (path === 'contact.first_name' ? 'Ann' : null);
        const r = renderUtility(template(ps.length), ps, lookup);
        assert.ok(r.ok);
        if (r.ok) {
          const components = (r.message.attachment as { payload: { components: { parameters: { text: string }[] }[] } })
            .payload.components;
          const texts = components.flatMap((c) => c.parameters.map((p) => p.text));
          assert.deepEqual(texts, r.values);
          assert.ok(r.values.every((v) => !v.includes('{{')));
        }
        assert.deepEqual(renderUtility(template(ps.length + 1), ps, lookup), {
          ok: false,
          reason: 'template_parameters_mismatch',
        });
      },
    ),
  );
  assert.deepEqual(
    renderUtility(template(1), ['{{contact.first_name}}'], () => null),
    {
      ok: false,
      reason: 'empty_message',
    },
  );
});

test('template parameters are a list of texts; anything else is a 400 naming them', () => {
  assert.deepEqual(templateParameters({ name: 'a', language: 'en' }), []);
  assert.deepEqual(templateParameters({ name: 'a', language: 'en', parameters: ['x'] }), ['x']);
  for (const parameters of [['x', 1], 'x', [''], { a: 1 }])
    assert.throws(() => templateParameters({ name: 'a', language: 'en', parameters }), /template.parameters/);
});
