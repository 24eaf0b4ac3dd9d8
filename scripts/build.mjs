// `npm run build` (run by `npm install` and `npm ci` through `prepare`): compiles src/ to dist/ with tsc
// (tsconfig.build.json: emit only, relative `.ts` imports rewritten to `.js`; `npm run typecheck` checks types), so
// the CLI and the server start without compiling TypeScript on every call. The stamp is written last, with the time
// the build began: a build that failed, or a source changed during it, leaves dist/ marked as not current.
// Then Vite builds the web inbox (web/, React) into dist/web/, which the server answers at `/` (src/http/web-ui.ts).
import { rmSync, utimesSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { ROOT, STAMP } from '../bin/build-state.js';

const began = new Date();
rmSync(join(ROOT, 'dist'), { recursive: true, force: true });
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
const r = spawnSync(process.execPath, [tsc, '-p', join(ROOT, 'tsconfig.build.json')], { stdio: 'inherit', cwd: ROOT });
if (r.status !== 0) {
  console.error('pagescope: the build failed (see above); dist/ is not usable until `npm run build` succeeds');
  process.exit(r.status ?? 1);
}
try {
  const { build } = await import('vite');
  const react = (await import('@vitejs/plugin-react')).default;
  await build({
    root: join(ROOT, 'web'),
    base: '/',
    plugins: [react()],
    logLevel: 'warn',
    build: {
      outDir: join(ROOT, 'dist', 'web'),
      emptyOutDir: true,
      chunkSizeWarningLimit: 1024,
      minify: process.env.PAGESCOPE_WEB_MINIFY !== '0',
    },
  });
} catch (err) {
  console.error(`pagescope: the web inbox's build failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
}
writeFileSync(STAMP, `${began.toISOString()}\n`);
utimesSync(STAMP, began, began);
