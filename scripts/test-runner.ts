// Drives node:test's run() so that files run concurrently; children inherit `--import tsx` from this process.
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
// Wall time per file (first test started to last test settled), so the slowest files are named at the end of a run.
const spans = new Map<string, { first: number; last: number }>();
const touch = (data: { file?: string }) => {
  if (data.file === undefined) return;
  const now = Date.now();
  const span = spans.get(data.file);
  if (span === undefined) spans.set(data.file, { first: now, last: now });
  else span.last = now;
};
for (const event of ['test:start', 'test:pass', 'test:fail'] as const) stream.on(event, touch);
stream.on('end', () => {
  process.exitCode = failed ? 1 : 0;
});
report.on('end', () => {
  const slowest = [...spans.entries()]
    .map(([file, { first, last }]) => ({ file: file.replace(`${process.cwd()}/`, ''), seconds: (last - first) / 1000 }))
    .sort((a, b) => b.seconds - a.seconds)
    .slice(0, 15);
  if (slowest.length > 1) {
    process.stdout.write('\nslowest test files (wall time, s):\n');
    for (const { file, seconds } of slowest) process.stdout.write(`  ${seconds.toFixed(1).padStart(7)}  ${file}\n`);
  }
});
