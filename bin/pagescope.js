#!/usr/bin/env node
// Runs the compiled CLI (dist/, built at install: `npm install` runs `npm run build`), so a call starts without
// compiling TypeScript. In a checkout whose src/ changed since the last build it never runs the old code: it runs the
// sources through tsx (resolved from this package, so any working directory will do) and says so once on stderr;
// without tsx (dev dependencies not installed) it stops and says to build. PAGESCOPE_FROM_SOURCE=1 runs the sources
// even when dist/ is current, without the notice.
import { buildState } from './build-state.js';

const state = buildState();
let main;
if (state === 'fresh' && !process.env.PAGESCOPE_FROM_SOURCE) {
  ({ main } = await import('../dist/cli/main.js'));
} else {
  let tsx;
  try {
    tsx = await import(import.meta.resolve('tsx/esm/api'));
  } catch {
    process.stderr.write(
      `pagescope: the compiled code in dist/ is ${state === 'missing' ? 'missing' : 'older than src/'}: run \`npm run build\` in ${new URL('..', import.meta.url).pathname}\n`,
    );
    process.exit(1);
  }
  if (state !== 'fresh' && !process.env.PAGESCOPE_FROM_SOURCE) {
    process.stderr.write(
      `pagescope: dist/ is ${state === 'missing' ? 'missing' : 'older than src/'}, so the sources run through tsx (slower start); \`npm run build\` compiles them\n`,
    );
  }
  tsx.register();
  ({ main } = await import('../src/cli/main.ts'));
}
process.exitCode = await main(process.argv);
