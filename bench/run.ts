// `npm run bench [-- filter]`: runs each bench/*.bench.ts in its own process, one after another, so that no
// benchmark shares a CPU with another. Every benchmark prints its figures beside a baseline from the same run.
import { readdirSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const here = dirname(fileURLToPath(import.meta.url));
const filters = process.argv.slice(2);
const files = readdirSync(here)
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)))
  .sort();

let failed = 0;
for (const file of files) {
  console.log(`\n## ${file}`);
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(here, file)], { stdio: 'inherit', env: process.env });
  if (r.status !== 0) failed++;
}
if (files.length === 0) console.log('no benchmarks match');
process.exitCode = failed ? 1 : 0;
