import { existsSync, readFileSync } from 'node:fs';

/** Values that must never appear in plaintext anywhere we store or log. Distinctive, so a hit is never chance. */
export function canaries(tag: string) {
  return {
    psid: `9${String(Date.now()).slice(-8)}1234567`.slice(0, 16),
    name: `Canaryname${tag}Zq`,
    text: `canary-text-${tag}-xyzzy`,
    pageToken: `EAAcanarypagetoken${tag}QQ`,
  };
}

/** Which of `values` occur in any of the files (as UTF-8 or UTF-16LE bytes); files that do not exist are skipped. */
export function findInFiles(files: string[], values: string[]): { file: string; value: string }[] {
  const hits: { file: string; value: string }[] = [];
  for (const file of files) {
    if (!existsSync(file)) continue;
    const bytes = readFileSync(file);
    for (const value of values) {
      if (bytes.includes(Buffer.from(value, 'utf8')) || bytes.includes(Buffer.from(value, 'utf16le')))
        hits.push({ file, value });
    }
  }
  return hits;
}

/** The SQLite database's files: main file, WAL and shared memory. */
export function sqliteFiles(file: string): string[] {
  return [file, `${file}-wal`, `${file}-shm`, `${file}-journal`];
}
