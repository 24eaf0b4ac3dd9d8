import { it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { Keyring } from '../../src/crypto/keyring.ts';
import { attributeBlindIndex } from '../../src/modules/attributes/attribute-index.ts';
import { parseSegmentFilter } from '../../src/modules/segments/segment-filter.ts';
import { countSegment, segmentContactIds } from '../../src/modules/segments/segments.repository.ts';
import { forEachDialect } from '../support/db.ts';
import { randomFor } from '../support/random.ts';
import { insertAudience, insertUnlinkedOrder, worldContact } from '../support/audience.ts';
import { referenceSegment } from '../support/segment-reference.ts';
import { contactsArb, DEFS, filterArb } from './segment-arbitraries.ts';

const NOW = Date.UTC(2026, 10, 28, 12, 0, 0);
const master = randomBytes(32);
const keyring = Keyring.open(master, [Keyring.wrapNewVersion(master, 1)]);

forEachDialect('a segment in SQL', (database, dialect) => {
  it('holds exactly the contacts the reference evaluator picks, for random filters over random audiences', async (t) => {
    const { seed } = randomFor(t);
    let run = 0;
    await fc.assert(
      fc.asyncProperty(
        contactsArb(NOW),
        fc.array(filterArb(NOW), { minLength: 1, maxLength: 6 }),
        async (sketches, filters) => {
          const contacts = sketches.map((s) => worldContact(NOW, s));
          // A Page per run: the runs before it are other Pages' contacts, which no segment of this one may hold.
          const pageId = `9${String(++run).padStart(15, '0')}`;
          const { db } = database();
          await insertAudience(db, keyring, pageId, DEFS, contacts, NOW);
          await insertUnlinkedOrder(db, pageId, NOW);
          const c = {
            pageId,
            now: NOW,
            dialect,
            attributeIndex: (k: string, v: string) => attributeBlindIndex(keyring, k, v),
          };
          for (const raw of filters) {
            const node = parseSegmentFilter(raw, DEFS);
            const expected = referenceSegment(contacts, node, DEFS, NOW);
            const ids: string[] = [];
            for await (const batch of segmentContactIds(db, node, c, 4)) ids.push(...batch);
            assert.deepEqual([...ids].sort(), expected, JSON.stringify(raw));
            assert.equal(await countSegment(db, node, c), expected.length, JSON.stringify(raw));
          }
        },
      ),
      { seed, numRuns: 100 },
    );
  });
});
