// A lock file naming the process that holds it: its pid and, on Linux, its start time. A holder that died (even by
// `kill -9`) leaves the file behind; the next process sees that the pid is gone, or now belongs to a process started
// at another time (a pid reused after a crash), and takes the lock over.
import { readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { pidAlive, startTime } from './process-identity.ts';

/** The pid of the live process (other than this one) that wrote the lock file's content, or null. */
function liveHolder(content: string): number | null {
  const [pidText, started] = content.trim().split(' ');
  const pid = Number(pidText);
  if (!Number.isInteger(pid) || pid <= 0 || pid === process.pid) return null;
  if (!pidAlive(pid)) return null;
  const now = started ? startTime(pid) : null;
  return now === null || now === started ? pid : null;
}

function readOrEmpty(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return '';
    throw err;
  }
}

export type PidLock = { ok: true; release(): void } | { ok: false; holderPid: number };

/**
 * Takes the lock file at `path` (mode 0600) for this process, taking it over from a holder that is no longer alive.
 * `{ok: false, holderPid}` when a live process holds it. `release()` removes the file if it is still ours.
 */
export function takePidLock(path: string): PidLock {
  const mine = `${process.pid} ${startTime(process.pid) ?? ''}`.trim();
  const release = () => {
    try {
      if (readOrEmpty(path).trim() === mine) unlinkSync(path);
    } catch {
      // Already gone: nothing to release.
    }
  };
  try {
    writeFileSync(path, mine, { flag: 'wx', mode: 0o600 });
    return { ok: true, release };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  const holder = liveHolder(readOrEmpty(path));
  if (holder !== null) return { ok: false, holderPid: holder };
  writeFileSync(path, mine, { mode: 0o600 });
  // Two processes taking over a dead holder's file at once: the last write wins, and the other one sees it here.
  const now = readOrEmpty(path).trim();
  if (now !== mine) return { ok: false, holderPid: Number(now.split(' ')[0]) };
  return { ok: true, release };
}
