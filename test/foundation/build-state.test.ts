// The bin runs dist/ only while it matches src/: a developer who edited a source never runs the old code.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildState } from '../../bin/build-state.js';

test('dist/ is missing until a build completes, fresh after it, and stale once a source changes', () => {
  const root = mkdtempSync(join(tmpdir(), 'pagescope-build-'));
  try {
    mkdirSync(join(root, 'src', 'cli'), { recursive: true });
    const source = join(root, 'src', 'cli', 'main.ts');
    writeFileSync(source, 'export {};\n');
    const past = new Date(Date.now() - 60_000);
    utimesSync(source, past, past);
    assert.equal(buildState(root), 'missing');
    mkdirSync(join(root, 'dist'));
    writeFileSync(join(root, 'dist', '.built'), '');
    assert.equal(buildState(root), 'fresh');
    // A test file is not compiled: editing one does not make the build stale.
    writeFileSync(join(root, 'src', 'cli', 'main.test.ts'), '');
    assert.equal(buildState(root), 'fresh');
    const future = new Date(Date.now() + 60_000);
    utimesSync(source, future, future);
    assert.equal(buildState(root), 'stale');
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('a change to the web inbox makes the build stale for the test runner, not for the bin', () => {
  const root = mkdtempSync(join(tmpdir(), 'pagescope-build-'));
  try {
    mkdirSync(join(root, 'src'), { recursive: true });
    mkdirSync(join(root, 'web', 'src'), { recursive: true });
    mkdirSync(join(root, 'dist'));
    writeFileSync(join(root, 'dist', '.built'), '');
    const screen = join(root, 'web', 'src', 'Inbox.tsx');
    writeFileSync(screen, 'export {};\n');
    const past = new Date(Date.now() - 60_000);
    utimesSync(screen, past, past);
    assert.equal(buildState(root, { web: true }), 'fresh');
    const future = new Date(Date.now() + 60_000);
    utimesSync(screen, future, future);
    assert.equal(buildState(root, { web: true }), 'stale');
    // The bin runs the server's code; the web build it serves is the test runner's concern.
    assert.equal(buildState(root), 'fresh');
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
