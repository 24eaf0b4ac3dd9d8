import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { draftOf, personalise, placeOf, requestOf, wordsOf } from '../../web/src/settings/profile-form.ts';

const SAVED = {
  get_started: { payload: 'GET_STARTED' },
  greeting: [
    { locale: 'default', text: 'Hi {{user_first_name}}' },
    { locale: 'fr_FR', text: 'Salut {{user_first_name}}' },
  ],
  ice_breakers: [{ locale: 'fr_FR', call_to_actions: [{ question: 'Où est ma commande ?', payload: 'ORDER' }] }],
  persistent_menu: [
    {
      locale: 'default',
      composer_input_disabled: true,
      call_to_actions: [
        { type: 'postback', title: 'Orders', payload: 'ORDERS' },
        { type: 'web_url', title: 'Shop', url: 'https://shop.example' },
      ],
    },
  ],
};

describe('the Messenger profile as the editor holds it', () => {
  it('reads a saved profile per language and writes back the very same request', () => {
    const draft = draftOf(SAVED);
    assert.deepEqual(
      draft.locales.map((l) => l.locale),
      ['default', 'fr_FR'],
    );
    assert.deepEqual(requestOf(draft).body, SAVED);
  });

  it('leaves out a property no language sets, and says null for no Get Started button', () => {
    const body = requestOf({ getStarted: '', locales: draftOf(SAVED).locales.map((l) => ({ ...l, menu: [] })) }).body;
    assert.equal(body.get_started, null);
    assert.equal(body.persistent_menu, null);
  });

  it("places a refusal in the language and item it is about, in words without the request's paths", () => {
    const { origin } = requestOf(draftOf(SAVED));
    const whole = placeOf('ice_breakers[0].call_to_actions', origin);
    assert.deepEqual(whole, { locale: 'fr_FR', section: 'ice_breakers', item: null, part: null });
    assert.equal(
      wordsOf('ice_breakers[0].call_to_actions must hold 1 to 4 items', 'ice_breakers[0].call_to_actions', whole),
      'The ice breakers must hold 1 to 4 items',
    );
    const title = placeOf('persistent_menu[0].call_to_actions[1].title', origin);
    assert.deepEqual(title, { locale: 'default', section: 'persistent_menu', item: 1, part: 'title' });
    assert.equal(
      wordsOf(
        'persistent_menu[0].call_to_actions[1].title must be 1 to 30 characters',
        'persistent_menu[0].call_to_actions[1].title',
        title,
      ),
      'Menu item 2: its title must be 1 to 30 characters',
    );
    const menu = placeOf('persistent_menu', origin);
    assert.equal(
      wordsOf('a persistent menu needs a Get Started button (set get_started too)', 'persistent_menu', menu),
      'a persistent menu needs a Get Started button (set get_started too)',
    );
  });

  it("fills Messenger's personalisation with a sample person", () => {
    assert.equal(personalise('Hi {{user_first_name}} ({{user_full_name}})'), 'Hi Ana (Ana Silva)');
  });
});
