// Drives node:test's run() so that files run concurrently; children inherit the TypeScript hook's `--import` from
// this process.
import { run } from 'node:test';
import { spec } from 'node:test/reporters';

const [concurrency, ...files] = process.argv.slice(2);
let failed = false;
const stream = run({ files, concurrency: Number(concurrency), timeout: 4 * 60_000 });
// A test marked todo names a known gap: it is reported (as node:test does) but does not fail the run.
stream.on('test:fail', (data: { todo?: string | boolean }) => {
  if (data.todo === undefined || data.todo === false) failed = true;
});
// The type declarations lag the runtime, which accepts a reporter class here.
const report = (stream as unknown as { compose(r: unknown): NodeJS.ReadableStream }).compose(spec);
report.pipe(process.stdout, { end: false });
// The slowest top-level tests (a file's describe, or a test declared through a shared helper), named at the end of a
// run so that the suite's time is easy to keep within its budget.
const durations: { name: string; file: string; seconds: number }[] = [];
const record = (data: { name: string; nesting: number; file?: string; details: { duration_ms: number } }) => {
  if (data.nesting !== 0) return;
  const file = (data.file ?? '').replace(`${process.cwd()}/`, '');
  durations.push({ name: data.name, file, seconds: data.details.duration_ms / 1000 });
};
stream.on('test:pass', record);
stream.on('test:fail', record);
stream.on('end', () => {
  process.exitCode = failed ? 1 : 0;
});
report.on('end', () => {
  const slowest = durations.sort((x, y) => y.seconds - x.seconds).slice(0, 15);
  if (slowest.length > 1) {
    process.stdout.write('\nslowest tests (s):\n');
    for (const { name, file, seconds } of slowest) {
      process.stdout.write(`  ${seconds.toFixed(1).padStart(7)}  ${name}  (${file})\n`);
    }
  }
});
