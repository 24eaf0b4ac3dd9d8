// Whether dist/ (the compiled CLI, made by `npm run build`, which `npm install` runs) matches src/. Shared by the
// bin, which must not run old code after src/ changed, and by the test runner, which builds when it does not.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));
/** Written by the build once dist/ is complete; its time is when the build began. */
export const STAMP = join(ROOT, 'dist', '.built');

/** The newest modification time of the sources the build compiles (tests are not compiled). */
function newestSource(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(path));
    else if (/\.(ts|tsx|html|css)$/.test(entry.name) && !entry.name.endsWith('.test.ts'))
      newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

/**
 * 'fresh', 'stale' (a source changed after the build began) or 'missing' (never built, or a build that failed), for
 * the package at `root`. With `web`, the web inbox's sources (web/) count too: the browser tests serve its build.
 */
export function buildState(root = ROOT, { web = false } = {}) {
  let built;
  try {
    built = statSync(join(root, 'dist', '.built')).mtimeMs;
  } catch {
    return 'missing';
  }
  try {
    const newest = Math.max(newestSource(join(root, 'src')), web ? newestSource(join(root, 'web')) : 0);
    return newest > built ? 'stale' : 'fresh';
  } catch {
    // No src/ beside dist/ (a package of the compiled code alone): nothing to be stale against.
    return 'fresh';
  }
}
