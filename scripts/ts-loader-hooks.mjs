// The module hook behind ts-loader.mjs. The sources import each other by their real names (`./x.ts`), so node's own
// resolution finds every file and only loading needs a hook: a .ts module is compiled by esbuild (types removed,
// nothing else changed: the sources already are ES2023 modules) and its output kept in node_modules/.cache, keyed by
// the source's content, so each file is compiled once for every process of every run that loads it unchanged.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const esbuildVersion = require('esbuild/package.json').version;
const CACHE = fileURLToPath(new URL('../node_modules/.cache/pagescope-ts/', import.meta.url));
// The same options as `tsc` reads from tsconfig.json where they change the output.
const OPTIONS = {
  format: 'esm',
  target: 'node20',
  sourcemap: 'inline',
  tsconfigRaw: { compilerOptions: { verbatimModuleSyntax: true, useDefineForClassFields: true } },
};
const VERSION = `${esbuildVersion} ${JSON.stringify(OPTIONS)}`;
let esbuild = null;
mkdirSync(CACHE, { recursive: true });

export async function load(url, context, nextLoad) {
  if (!url.startsWith('file:') || !url.endsWith('.ts')) return nextLoad(url, context);
  const path = fileURLToPath(url);
  const source = readFileSync(path);
  const key = createHash('sha256').update(VERSION).update('\0').update(path).update('\0').update(source).digest('hex');
  const cached = `${CACHE}${key}.js`;
  try {
    return { format: 'module', source: readFileSync(cached, 'utf8'), shortCircuit: true };
  } catch {
    // Not compiled yet.
  }
  esbuild ??= require('esbuild');
  const { code } = esbuild.transformSync(source.toString('utf8'), { ...OPTIONS, loader: 'ts', sourcefile: path });
  // Test files run in parallel: each writes its copy aside and renames it into place, so no reader sees half of one.
  const aside = `${cached}.${process.pid}.${Math.random().toString(36).slice(2)}`;
  writeFileSync(aside, code);
  renameSync(aside, cached);
  return { format: 'module', source: code, shortCircuit: true };
}
