import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import fc from 'fast-check';
import { formatOf, readRecords, type FileRecord } from './records.ts';
import { csvCell, csvLine } from './csv.ts';

async function all(text: string, format: 'csv' | 'jsonl'): Promise<FileRecord[]> {
  const out: FileRecord[] = [];
  for await (const r of readRecords(Readable.from([text]), format)) out.push(r);
  return out;
}

test('a CSV file reads as rows named by its header, each with the line it ends on', async () => {
  const rows = await all('\uFEFFpsid, name\r\n1,Ann\r\n2,"Bo, the ""second"""\r\n\r\n3,"two\nlines"\r\n', 'csv');
  assert.deepEqual(rows, [
    { line: 2, fields: { psid: '1', name: 'Ann' } },
    { line: 3, fields: { psid: '2', name: 'Bo, the "second"' } },
    { line: 5, fields: { psid: '3', name: 'two\nlines' } },
  ]);
});

test('a broken CSV row is reported by its line, in plain words that do not repeat it, and the rest still reads', async () => {
  const rows = await all('psid,name\n1,Ann\n2,"Bo"secret\n3,Cy,extra\n4,Di\n', 'csv');
  assert.deepEqual(
    rows.map((r) => [r.line, r.error ?? r.fields]),
    [
      [2, { psid: '1', name: 'Ann' }],
      [3, 'a quoted cell has text after its closing quote (write a quote inside a cell as "")'],
      [4, 'the row has 3 cells where the header names 2'],
      [5, { psid: '4', name: 'Di' }],
    ],
  );
  assert.ok(rows.every((r) => !r.error?.includes('secret')));
});

test('a quote never closed is reported at the row it opens in', async () => {
  const rows = await all('psid,name\n1,Ann\n2,"open\n3,Cy\n', 'csv');
  assert.deepEqual(
    rows.map((r) => [r.line, r.error ?? r.fields]),
    [
      [2, { psid: '1', name: 'Ann' }],
      [3, 'a quoted cell is never closed: the file ends inside it'],
    ],
  );
});

test('JSON Lines: one object a line; a line that is not an object is reported by its number', async () => {
  const rows = await all('{"psid":"1"}\n\nnot json\n[1]\n{"psid":"2","tags":["a"]}\n', 'jsonl');
  assert.deepEqual(
    rows.map((r) => [r.line, r.error ?? r.fields]),
    [
      [1, { psid: '1' }],
      [3, 'the line is not valid JSON'],
      [4, 'the line is not a JSON object'],
      [5, { psid: '2', tags: ['a'] }],
    ],
  );
});

test('the format follows the file name', () => {
  assert.equal(formatOf('people.CSV'), 'csv');
  assert.equal(formatOf('orders.jsonl'), 'jsonl');
  assert.equal(formatOf('orders.ndjson'), 'jsonl');
  assert.equal(formatOf('orders.xlsx'), null);
});

test('a cell a spreadsheet would run as a formula is written as text', () => {
  for (const danger of ['=HYPERLINK("http://x")', '+1', '-2+3', '@SUM(A1)', '\tx'])
    assert.ok(csvCell(danger).replace(/^"/, '').startsWith("'"), danger);
  assert.equal(csvCell(-5), '-5');
  assert.equal(csvCell('plain'), 'plain');
  assert.equal(csvCell(null), '');
  assert.equal(csvCell(['a', 'b']), '"[""a"",""b""]"');
});

test('whatever the cells hold, a written CSV line reads back as the same cells (formula cells with their quote)', async () => {
  const cell = fc.string({ unit: 'grapheme', maxLength: 12 });
  await fc.assert(
    fc.asyncProperty(fc.array(fc.tuple(cell, cell), { minLength: 1, maxLength: 8 }), async (rows) => {
      const text = csvLine(['a', 'b']) + rows.map((r) => csvLine(r)).join('');
      const read = await all(text, 'csv');
      const shown = (x: string) => (/^[=+\-@\t\r]/.test(x) ? `'${x}` : x);
      const expected = rows.map(([a, b]) => ({ a: shown(a), b: shown(b) }));
      assert.deepEqual(
        read.map((r) => r.fields),
        expected,
      );
    }),
    { numRuns: 200 },
  );
});
