import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exitOf } from '../support/cli.ts';
import { spawnSandbox, startSandbox } from './support.ts';

async function refused(dir: string): Promise<{ code: number | null; stderr: string }> {
  const second = spawnSandbox(dir);
  let stderr = '';
  second.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  second.stdout!.resume();
  // A second sandbox that starts instead of refusing would run until stopped.
  const timer = setTimeout(() => second.kill('SIGKILL'), 30_000);
  const code = await exitOf(second);
  clearTimeout(timer);
  return { code, stderr };
}

test(
  'a second sandbox on the same data dir is refused while the first runs, and may start once it stopped or was killed',
  { timeout: 180_000 },
  async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pagescope-sandbox-lock-'));
    const started = [];
    try {
      const first = await startSandbox(dir, ['--rate', '0']);
      started.push(first);
      const second = await refused(dir);
      assert.equal(second.code, 1, second.stderr);
      assert.match(
        second.stderr,
        new RegExp(
          `a sandbox is already running on this data dir \\(pid ${first.child.pid}\\); stop it or pass --data-dir`,
        ),
      );
      // The first one was left alone: its token still opens the API.
      assert.equal((await first.api('/api/v1/pages')).status, 200);

      // Killed with -9, it leaves its lock file behind; the next sandbox takes it over.
      first.child.kill('SIGKILL');
      await exitOf(first.child);
      const third = await startSandbox(dir, ['--rate', '0']);
      started.push(third);
      assert.equal((await third.api('/api/v1/pages')).status, 200);

      // Stopped cleanly, it lets the next one start too.
      assert.equal(await third.stop(), 0, third.stderr());
      const fourth = await startSandbox(dir, ['--rate', '0']);
      started.push(fourth);
      assert.equal(await fourth.stop(), 0, fourth.stderr());
    } finally {
      for (const s of started) if (s.child.exitCode === null && s.child.signalCode === null) s.child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
  },
);
