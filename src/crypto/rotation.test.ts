import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Keyring, type FieldContext } from './keyring.ts';
import { rewrapAll, type RewrapProgress, type RewrapSource } from './rotation.ts';

type Row = { key: string; ciphertext: string; expected: string };

/** A table in memory with compare-and-set writes; hooks let a test act as another writer at chosen moments. */
class MemorySource implements RewrapSource {
  readonly rows = new Map<string, string>();
  readonly truth = new Map<string, string>();
  beforeWrite: ((rows: Row[]) => void) | undefined;

  constructor(readonly name: string) {}

  ctx(key: string): FieldContext {
    return { table: this.name, column: 'value', pageId: 'page_1', rowId: key };
  }

  put(keyring: Keyring, key: string, plaintext: string): void {
    this.rows.set(key, keyring.encrypt(plaintext, this.ctx(key)));
    this.truth.set(key, plaintext);
  }

  async nextBatch(afterKey: string | null, limit: number) {
    return [...this.rows.keys()]
      .sort()
      .filter((key) => afterKey === null || key > afterKey)
      .slice(0, limit)
      .map((key) => ({ key, ciphertext: this.rows.get(key)!, ctx: this.ctx(key) }));
  }

  async write(rows: Row[]): Promise<number> {
    this.beforeWrite?.(rows);
    let written = 0;
    for (const row of rows) {
      if (this.rows.get(row.key) !== row.expected) continue;
      this.rows.set(row.key, row.ciphertext);
      written++;
    }
    return written;
  }
}

const master = randomBytes(32);
const v1 = Keyring.wrapNewVersion(master, 1);
const v2 = Keyring.wrapNewVersion(master, 2);

function keyOf(i: number): string {
  return `row_${String(i).padStart(5, '0')}`;
}

function filled(name: string, keyring: Keyring, count: number): MemorySource {
  const source = new MemorySource(name);
  for (let i = 0; i < count; i++) source.put(keyring, keyOf(i), `value ${i} of ${name}`);
  return source;
}

function assertAllCurrentAndIntact(keyring: Keyring, source: MemorySource): void {
  for (const [key, ciphertext] of source.rows) {
    assert.equal(
      keyring.versionOf(ciphertext),
      keyring.currentVersion,
      `${source.name}/${key} is on the current version`,
    );
    assert.equal(
      keyring.decrypt(ciphertext, source.ctx(key)),
      source.truth.get(key),
      `${source.name}/${key} holds its last value`,
    );
  }
}

test('every row of every source moves to the current version and still decrypts to its value', async () => {
  const old = Keyring.open(master, [v1]);
  const sources = [filled('contacts', old, 250), filled('messages', old, 70)];
  const keyring = Keyring.open(master, [v1, v2]);
  const progress: RewrapProgress[] = [];
  const result = await rewrapAll(keyring, sources, { batchSize: 32, onProgress: (p) => progress.push(p) });
  assert.equal(result.rewrapped, 320);
  assert.equal(result.completed, true);
  assert.deepEqual(result.failed, []);
  for (const source of sources) assertAllCurrentAndIntact(keyring, source);
  const firstPass = progress.filter((p) => p.pass === 1);
  assert.deepEqual(
    firstPass.filter((p) => p.source === 'contacts').map((p) => p.scanned),
    [32, 64, 96, 128, 160, 192, 224, 250],
  );
  assert.equal(firstPass.at(-1)?.source, 'messages');
  assert.equal(firstPass.at(-1)?.rewrapped, 70);
});

test('concurrent writers, up to date or stale, lose nothing and leave no row on the old version', async () => {
  const stale = Keyring.open(master, [v1]);
  const source = filled('contacts', stale, 300);
  const keyring = Keyring.open(master, [v1, v2]);
  let staleWrites = 0;
  source.beforeWrite = (batch) => {
    // An up-to-date writer changes every fifth row between our read and our write: compare-and-set must let it win.
    batch.filter((_, i) => i % 5 === 0).forEach((row) => source.put(keyring, row.key, `edited ${row.key}`));
    // For a while, a process that has not loaded version 2 yet rewrites a row already walked and inserts one,
    // both under version 1.
    if (staleWrites < 8) {
      staleWrites++;
      source.put(stale, keyOf(staleWrites * 3), `stale edit ${staleWrites}`);
      source.put(stale, `row_new_${staleWrites}`, `inserted ${staleWrites}`);
    }
  };
  let writerDone = false;
  const ticking = (async () => {
    // And a third writer really runs alongside, between the rotation's batches, until rotation finishes.
    for (let i = 0; !writerDone; i++) {
      source.put(keyring, keyOf((i * 7) % 300), `concurrent ${i}`);
      await new Promise((resolve) => setImmediate(resolve));
    }
  })();
  const result = await rewrapAll(keyring, [source], { batchSize: 25 });
  writerDone = true;
  await ticking;
  source.beforeWrite = undefined;
  assert.equal(result.completed, true);
  assert.ok(result.conflicts > 0, 'the up-to-date writer did collide with the rotation');
  assert.ok(result.passes >= 2, 'stale writes behind the walk were caught by a later pass');
  assert.equal(source.rows.size, 308);
  assertAllCurrentAndIntact(keyring, source);
});

test('an aborted rotation stops between batches and a restart finishes the job, skipping rows already done', async () => {
  const old = Keyring.open(master, [v1]);
  const source = filled('contacts', old, 200);
  const keyring = Keyring.open(master, [v1, v2]);
  const controller = new AbortController();
  const first = await rewrapAll(keyring, [source], {
    batchSize: 20,
    signal: controller.signal,
    onProgress: (p) => p.scanned >= 60 && controller.abort(),
  });
  assert.equal(first.aborted, true);
  assert.equal(first.completed, false);
  assert.equal(first.rewrapped, 60);
  assert.equal([...source.rows.values()].filter((c) => keyring.needsRewrap(c)).length, 140);

  const second = await rewrapAll(keyring, [source], { batchSize: 20 });
  assert.equal(second.completed, true);
  assert.equal(second.rewrapped, 140);
  assert.equal(second.skipped, 60 + 200, 'the 60 already done in pass 1, then all 200 in the confirming pass');
  assertAllCurrentAndIntact(keyring, source);
});

test('a row that cannot be decrypted is reported by key, keeps its value, and does not stop the others', async () => {
  const old = Keyring.open(master, [v1]);
  const source = filled('contacts', old, 50);
  // A ciphertext copied from another row: it must not decrypt here, so it must not be rewrapped either.
  source.rows.set(keyOf(7), source.rows.get(keyOf(8))!);
  const misplaced = source.rows.get(keyOf(7));
  const keyring = Keyring.open(master, [v1, v2]);
  const result = await rewrapAll(keyring, [source], { batchSize: 16 });
  assert.equal(result.completed, false);
  assert.deepEqual(result.failed, [{ source: 'contacts', key: keyOf(7) }]);
  assert.equal(result.rewrapped, 49);
  assert.equal(source.rows.get(keyOf(7)), misplaced);
});

test('a rotation with nothing to do completes in one pass without writing', async () => {
  const keyring = Keyring.open(master, [v1, v2]);
  const source = filled('contacts', keyring, 40);
  source.beforeWrite = () => assert.fail('nothing should be written');
  const result = await rewrapAll(keyring, [source], { batchSize: 16 });
  assert.deepEqual(
    { ...result, failed: result.failed.length },
    {
      rewrapped: 0,
      skipped: 40,
      conflicts: 0,
      failed: 0,
      passes: 1,
      completed: true,
      aborted: false,
    },
  );
});

test('a writer that keeps writing the old version makes rotation give up after maxPasses, not claim completion', async () => {
  const stale = Keyring.open(master, [v1]);
  const source = filled('contacts', stale, 30);
  const keyring = Keyring.open(master, [v1, v2]);
  let n = 0;
  source.beforeWrite = () => source.put(stale, keyOf(n++ % 30), 'stale again');
  const result = await rewrapAll(keyring, [source], { batchSize: 10, maxPasses: 3 });
  assert.equal(result.passes, 3);
  assert.equal(result.completed, false);
  assert.equal(result.aborted, false);
});
