import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError, loadConfig } from './config.ts';

describe('PAGESCOPE_LINK_IDS_FOR_PAGES', () => {
  const base = { PAGESCOPE_DATA_DIR: '/tmp/pagescope-config-test', META_APP_SECRET: 'secret' };

  it('is off by default, because ids_for_pages calls Meta and needs the business permission', () => {
    assert.equal(loadConfig(base).linkIdsForPages, false);
  });

  it('accepts true and false in any case', () => {
    assert.equal(loadConfig({ ...base, PAGESCOPE_LINK_IDS_FOR_PAGES: 'TRUE' }).linkIdsForPages, true);
    assert.equal(loadConfig({ ...base, PAGESCOPE_LINK_IDS_FOR_PAGES: 'false' }).linkIdsForPages, false);
  });

  it('stops start-up with one line naming the variable for anything else', () => {
    assert.throws(() => loadConfig({ ...base, PAGESCOPE_LINK_IDS_FOR_PAGES: 'yes please' }), (err: unknown) => {
      assert.ok(err instanceof ConfigError);
      assert.equal(err.variable, 'PAGESCOPE_LINK_IDS_FOR_PAGES');
      assert.match(err.message, /^PAGESCOPE_LINK_IDS_FOR_PAGES: must be true or false \(got "yes please"\)$/);
      return true;
    });
  });

  it('refuses to be turned on without the app secret that appsecret_proof needs', () => {
    assert.throws(() => loadConfig({ PAGESCOPE_DATA_DIR: base.PAGESCOPE_DATA_DIR, PAGESCOPE_LINK_IDS_FOR_PAGES: 'true' }), /PAGESCOPE_LINK_IDS_FOR_PAGES: needs META_APP_SECRET/);
  });
});
