// What identifies a running process beyond its pid: whether it is alive, and when it started (a pid may be reused
// after a crash; the start time tells the new process from the old one).
import { readFileSync } from 'node:fs';

/** Whether a process with this pid exists (one of another user's counts: the kernel answers EPERM). */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** When a process started, in clock ticks since boot (Linux's /proc); null where that cannot be read. */
export function startTime(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? null;
  } catch {
    return null;
  }
}
