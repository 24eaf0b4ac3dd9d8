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
    assert.throws(
      () => loadConfig({ ...base, PAGESCOPE_LINK_IDS_FOR_PAGES: 'yes please' }),
      (err: unknown) => {
        assert.ok(err instanceof ConfigError);
        assert.equal(err.variable, 'PAGESCOPE_LINK_IDS_FOR_PAGES');
        assert.match(err.message, /^PAGESCOPE_LINK_IDS_FOR_PAGES: must be true or false \(got "yes please"\)$/);
        return true;
      },
    );
  });

  it('refuses to be turned on without the app secret that appsecret_proof needs', () => {
    assert.throws(
      () => loadConfig({ PAGESCOPE_DATA_DIR: base.PAGESCOPE_DATA_DIR, PAGESCOPE_LINK_IDS_FOR_PAGES: 'true' }),
      /PAGESCOPE_LINK_IDS_FOR_PAGES: needs META_APP_SECRET/,
    );
  });
});

describe('PAGESCOPE_WEBHOOK_SPOOL_MB', () => {
  const base = { PAGESCOPE_DATA_DIR: '/tmp/pagescope-config-test' };

  it('is 64 MB by default, and 0 switches the spool off', () => {
    assert.equal(loadConfig(base).webhookSpoolBytes, 64 * 1024 * 1024);
    assert.equal(loadConfig({ ...base, PAGESCOPE_WEBHOOK_SPOOL_MB: '0' }).webhookSpoolBytes, 0);
  });

  it('must hold four of the largest bodies, and says how much that is', () => {
    assert.equal(loadConfig({ ...base, PAGESCOPE_WEBHOOK_SPOOL_MB: '4' }).webhookSpoolBytes, 4 * 1024 * 1024);
    assert.throws(
      () => loadConfig({ ...base, PAGESCOPE_WEBHOOK_SPOOL_MB: '3' }),
      /PAGESCOPE_WEBHOOK_SPOOL_MB: must be 0 \(off\) or at least 4 × PAGESCOPE_WEBHOOK_MAX_BYTES \(4 MB\)/,
    );
    assert.equal(
      loadConfig({ ...base, PAGESCOPE_WEBHOOK_SPOOL_MB: '1', PAGESCOPE_WEBHOOK_MAX_BYTES: '262144' }).webhookSpoolBytes,
      1024 * 1024,
    );
    assert.throws(
      () => loadConfig({ ...base, PAGESCOPE_WEBHOOK_SPOOL_MB: 'lots' }),
      /PAGESCOPE_WEBHOOK_SPOOL_MB: must be a whole number/,
    );
  });
});

describe('sign-in settings', () => {
  const base = { PAGESCOPE_DATA_DIR: '/tmp/pagescope-config-test' };

  it('default to 12 idle hours, 14 days at most, and a 15-minute lockout after 5 wrong passwords', () => {
    assert.deepEqual(loadConfig(base).signIn, {
      sessionIdleHours: 12,
      sessionMaxDays: 14,
      lockAfter: 5,
      lockMinutes: 15,
    });
  });

  it('refuse an idle time longer than the maximum age, naming the variable', () => {
    assert.throws(
      () => loadConfig({ ...base, PAGESCOPE_SESSION_IDLE_HOURS: '49', PAGESCOPE_SESSION_MAX_DAYS: '2' }),
      /^ConfigError: PAGESCOPE_SESSION_IDLE_HOURS: must not exceed/,
    );
    assert.throws(
      () => loadConfig({ ...base, PAGESCOPE_LOGIN_LOCK_AFTER: '0' }),
      /PAGESCOPE_LOGIN_LOCK_AFTER: must be a whole number from 1 to 1000/,
    );
  });
});

describe('PAGESCOPE_PROCESSING_NICE', () => {
  const base = { PAGESCOPE_DATA_DIR: '/tmp/pagescope-config-test' };

  it('is 10 by default (processing yields to acknowledgements), and 0 puts it level with them', () => {
    assert.equal(loadConfig(base).processingNice, 10);
    assert.equal(loadConfig({ ...base, PAGESCOPE_PROCESSING_NICE: '0' }).processingNice, 0);
  });

  it('refuses what is not a nice value, naming the variable', () => {
    assert.throws(
      () => loadConfig({ ...base, PAGESCOPE_PROCESSING_NICE: '-5' }),
      /PAGESCOPE_PROCESSING_NICE: must be a whole number from 0 to 19/,
    );
  });
});

describe("the assistant's language model", () => {
  const base = { PAGESCOPE_DATA_DIR: '/tmp/pagescope-config-test' };

  it('is off unless its URL is set', () => {
    assert.equal(loadConfig(base).assistantLlm, null);
  });

  it('takes the URL, the model, an optional key and a timeout (3 s by default)', () => {
    assert.deepEqual(
      loadConfig({
        ...base,
        PAGESCOPE_ASSISTANT_LLM_URL: 'http://127.0.0.1:11434/v1/',
        PAGESCOPE_ASSISTANT_LLM_MODEL: 'qwen2.5',
      }).assistantLlm,
      { url: 'http://127.0.0.1:11434/v1', model: 'qwen2.5', apiKey: null, timeoutMs: 3000 },
    );
    const withKey = loadConfig({
      ...base,
      PAGESCOPE_ASSISTANT_LLM_URL: 'https://api.example.com/v1',
      PAGESCOPE_ASSISTANT_LLM_MODEL: 'm',
      PAGESCOPE_ASSISTANT_LLM_API_KEY: 'sk-1',
      PAGESCOPE_ASSISTANT_LLM_TIMEOUT_MS: '800',
    }).assistantLlm;
    assert.deepEqual([withKey?.apiKey, withKey?.timeoutMs], ['sk-1', 800]);
  });

  it('refuses a URL without a model, and a URL that is not http(s), naming the variable', () => {
    assert.throws(
      () => loadConfig({ ...base, PAGESCOPE_ASSISTANT_LLM_URL: 'http://127.0.0.1:8000/v1' }),
      /PAGESCOPE_ASSISTANT_LLM_MODEL: must name the model/,
    );
    assert.throws(
      () => loadConfig({ ...base, PAGESCOPE_ASSISTANT_LLM_URL: 'ftp://x', PAGESCOPE_ASSISTANT_LLM_MODEL: 'm' }),
      /PAGESCOPE_ASSISTANT_LLM_URL: must start with http:\/\/ or https:\/\//,
    );
  });
});
