import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { describeFilter } from '../../web/src/filter-words.ts';

describe("a rule's conditions in words", () => {
  it('says a single condition as field, operator and value', () => {
    assert.equal(describeFilter({ field: 'tag', op: 'eq', value: 'vip' }), 'Tag is vip');
    assert.equal(
      describeFilter({ all: [{ field: 'orders.count', op: 'gte', value: 1 }] }),
      'Number of orders is at least 1',
    );
  });

  it('joins all with "and", any with "or", nests groups in parentheses and says a left-out group with "not"', () => {
    const filter = {
      all: [
        { field: 'tag', op: 'in', value: ['vip', 'gold'] },
        {
          any: [
            { field: 'locale', op: 'eq', value: 'fr_FR' },
            { field: 'last_user_action_at', op: 'within_days', value: 7 },
          ],
        },
        { not: { field: 'attribute.plan', op: 'exists', value: true } },
      ],
    };
    assert.equal(
      describeFilter(filter),
      'Tag is any of vip, gold and (Language is fr_FR or Last action within the last 7 days) and not (Attribute: plan is set)',
    );
  });

  it('says an empty "all" is everyone and an empty "any" no one', () => {
    assert.equal(describeFilter({ all: [] }), 'everyone');
    assert.equal(describeFilter({ any: [] }), 'no one');
  });
});
