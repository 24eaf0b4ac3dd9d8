import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { errorCode } from './errors.ts';

describe('errorCode', () => {
  it('names a caught error by its code, else its class, and never repeats its message', () => {
    const busy = Object.assign(new Error('database is locked while writing psid 2000000000000001'), {
      code: 'SQLITE_BUSY',
    });
    assert.equal(errorCode(busy), 'SQLITE_BUSY');
    assert.equal(errorCode(new TypeError('cannot read text of message "hello"')), 'TypeError');
    assert.equal(errorCode(undefined, 'flush_failed'), 'flush_failed');
    assert.equal(errorCode(null), 'error');
  });
});
