// Runs every *.test.ts under src/ and test/ with node's test runner, two files at a time.
// Node 20's `--test` neither expands globs nor takes --test-concurrency, so the list and the concurrency are set here.
// Usage: npm test [-- path-filter ...]   e.g. `npm test -- crypto` runs the files whose path contains "crypto".
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import { availableParallelism } from 'node:os';
import { buildState } from '../bin/build-state.js';

const root = new URL('..', import.meta.url).pathname;
const filters = process.argv.slice(2);

function walk(dir, out) {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name.startsWith('.')) continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) walk(path, out);
    else if (name.endsWith('.test.ts')) out.push(path);
  }
  return out;
}

const files = ['src', 'test']
  .flatMap((d) => walk(join(root, d), []))
  .map((f) => relative(root, f))
  .filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)))
  .sort();

if (files.length === 0) {
  console.error(`no test files match ${filters.join(' ')}`);
  process.exit(1);
}

// The tests that start the bin run what users run, the compiled dist/, and the browser tests the built web inbox:
// build both first when src/ or web/ changed since.
const state = buildState(undefined, { web: true });
if (state !== 'fresh') {
  console.error(`dist/ is ${state}: building it first (npm run build)`);
  const built = spawnSync(process.execPath, [join(root, 'scripts/build.mjs')], { stdio: 'inherit', cwd: root });
  if (built.status !== 0) process.exit(1);
}

// The runner script itself runs under plain node; each test file runs in its own child, which inherits the module
// hook that compiles TypeScript (scripts/ts-loader.mjs) from the runner's arguments.
const loader = pathToFileURL(join(root, 'scripts/ts-loader.mjs')).href;
const child = spawn(
  process.execPath,
  ['--import', loader, join(root, 'scripts/test-runner.ts'), String(Math.max(2, availableParallelism())), ...files],
  { stdio: 'inherit', cwd: root },
);
child.on('exit', (code, signal) => process.exit(signal ? 1 : (code ?? 1)));
