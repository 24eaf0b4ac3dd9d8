// The data dir holds personal data (the database, its WAL, the webhook spool, the contact keys, the master key):
// it is 0700 and every file in it 0600, whoever created it and with whatever umask. SQLite creates its -wal and
// -shm files with the mode of the database file, so a database file created 0600 here keeps its companions 0600.
import { chmodSync, closeSync, constants as fsc, lstatSync, mkdirSync, openSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

const DIR_MODE = 0o700;
const FILE_MODE = 0o600;

/** A path whose mode was tightened: where, and from which mode to which (for an info log line). */
export interface Tightened {
  path: string;
  from: string;
  to: string;
}

const octal = (mode: number) => (mode & 0o777).toString(8).padStart(4, '0');

/** Sets `mode` when the path's mode gives more than it; returns what changed, or null. */
function tighten(path: string, mode: number, current: number): Tightened | null {
  if ((current & 0o777 & ~mode) === 0) return null;
  chmodSync(path, mode);
  return { path, from: octal(current), to: octal(mode) };
}

/** Creates the directory (and its parents) 0700 if missing, and tightens it to 0700 if it exists. */
export function privateDir(dir: string): Tightened | null {
  mkdirSync(dir, { recursive: true, mode: DIR_MODE });
  return tighten(dir, DIR_MODE, lstatSync(dir).mode);
}

/** Creates an empty file 0600 if missing (before SQLite opens it, so it is never readable by others), else tightens it. */
export function privateFile(path: string): Tightened | null {
  try {
    closeSync(openSync(path, fsc.O_WRONLY | fsc.O_CREAT | fsc.O_EXCL, FILE_MODE));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  return tighten(path, FILE_MODE, lstatSync(path).mode);
}

/**
 * Makes the data dir private: the dir and every dir below it 0700, every file 0600 (symbolic links are not
 * followed). Returns what it had to tighten.
 */
export function privateDataDir(dir: string): Tightened[] {
  const out: Tightened[] = [];
  const top = privateDir(dir);
  if (top) out.push(top);
  const walk = (at: string) => {
    for (const entry of readdirSync(at, { withFileTypes: true })) {
      const path = join(at, entry.name);
      if (entry.isSymbolicLink()) continue;
      let changed: Tightened | null = null;
      try {
        const mode = lstatSync(path).mode;
        changed = tighten(path, entry.isDirectory() ? DIR_MODE : FILE_MODE, mode);
      } catch (err) {
        // Gone meanwhile (a lock or a temporary file removed by another process): nothing to tighten.
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      }
      if (changed) out.push(changed);
      if (entry.isDirectory()) walk(path);
    }
  };
  walk(dir);
  return out;
}

/**
 * Files this process creates from now on are private to its user (umask 077), whatever the shell's umask: a file
 * added to the data dir later (by SQLite, a lock, an export) needs no chmod of its own. Main thread only.
 */
export function privateUmask(): void {
  process.umask(process.umask() | 0o077);
}
