import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AUDIT_ACTIONS, actionName } from '../../web/src/people.ts';

const SRC = new URL('../../src/', import.meta.url).pathname;

/** Dotted names in those files that belong to the event stream, not to the audit log. */
const EVENT_TYPES = new Set(['message.created', 'conversation.updated', 'campaign.updated']);

/** The actions the server builds from a template (`campaign.${action}`, `privacy.${type}.completed`…), spelled out. */
const TEMPLATED = [
  ...['grant', 'withdraw'].map((a) => `consent.${a}`),
  ...['start', 'pause', 'resume', 'cancel'].map((a) => `campaign.${a}`),
  ...['contacts', 'products', 'orders'].map((k) => `${k}.imported`),
  ...['access', 'erasure', 'rectification'].flatMap((t) => [`privacy.${t}.completed`, `privacy.${t}.attempt_failed`]),
  ...['data_deletion', 'deauthorize'].flatMap((k) =>
    ['received', 'mapped', 'unmapped'].map((s) => `privacy.meta_${k}.${s}`),
  ),
];

/** The text of every source file that writes to the audit log. */
function auditingSources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return auditingSources(path);
    if (!e.name.endsWith('.ts') || e.name.endsWith('.test.ts')) return [];
    const text = readFileSync(path, 'utf8');
    return text.includes('appendAudit(') ? [text] : [];
  });
}

describe('the audit log screen', () => {
  it('has words, and so a place in its filter, for every action the server records', () => {
    const actions = new Set(TEMPLATED);
    for (const text of auditingSources(SRC))
      for (const m of text.matchAll(/'([a-z_]+(?:\.[a-z_]+)+)'/g)) if (!EVENT_TYPES.has(m[1]!)) actions.add(m[1]!);
    assert.ok(actions.size > 60, `found the server's actions (${actions.size})`);
    assert.deepEqual(
      [...actions].filter((a) => !(a in AUDIT_ACTIONS)).sort(),
      [],
      'actions the audit log would show as their code',
    );
  });

  it('shows an action it has no words for as its code, rather than nothing', () => {
    assert.equal(actionName('order.update'), 'Changed an order');
    assert.equal(actionName('something.new'), 'something.new');
  });
});
