import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../support/cli.ts';

export const PAGE = '5500000000000005';

/** A data dir initialised by `pagescope init` with one Page registered by `pages add`, as an operator starts; removed after `fn`. */
export async function withShopDataDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'pagescope-imports-'));
  try {
    assert.equal((await runCli(['--data-dir', dir, 'init', '--json'])).code, 0);
    const add = ['pages', 'add', '--id', PAGE, '--name', 'Shop', '--token', 'EAAG-shop-token', '--no-verify'];
    assert.equal((await runCli(['--data-dir', dir, ...add])).code, 0);
    await fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
