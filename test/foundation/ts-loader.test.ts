// The suite's TypeScript hook (scripts/ts-loader.mjs) keeps what it compiled, keyed by the source's content: a file
// changed since runs as it is now, never as it was cached.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RUN_TS } from '../support/run-ts.ts';

test('a TypeScript file runs with its types removed, and again as it is after it changed', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pagescope-ts-loader-'));
  const file = join(dir, 'say.ts');
  const run = () => spawnSync(process.execPath, [...RUN_TS, file], { encoding: 'utf8' });
  try {
    for (const word of ['first', 'second', 'first']) {
      writeFileSync(
        file,
        `interface Said { word: string }\nconst said: Said = { word: '${word}' };\nconsole.log(said.word);\n`,
      );
      const r = run();
      assert.equal(r.status, 0, r.stderr);
      assert.equal(r.stdout.trim(), word);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
