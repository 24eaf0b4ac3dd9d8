// Who holds a lease, in a form a later process can check: the host, the process (pid and start time) and the pid
// namespace it lives in. A process that starts takes back at once what a dead process of its own machine held,
// instead of waiting for those leases to expire; a lease of a live process, or of another machine, waits.
import { randomBytes } from 'node:crypto';
import { readFileSync, readlinkSync } from 'node:fs';
import { hostname } from 'node:os';
import { pidAlive, startTime } from './process-identity.ts';

/**
 * This kernel's boot and this process's pid namespace: pids compare only inside one namespace of one boot (two
 * containers may share a host name and both run pid 1). Null off Linux: no lease is then taken back early.
 */
function pidSpace(): string | null {
  try {
    const boot = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim().slice(0, 8);
    const ns = /\[(\d+)\]/.exec(readlinkSync('/proc/self/ns/pid'))?.[1];
    return ns ? `${boot}.${ns}` : null;
  } catch {
    return null;
  }
}

const SPACE = pidSpace();
const HOST = hostname()
  .replace(/[^A-Za-z0-9.-]/g, '-')
  .slice(0, 60);
const STARTED = startTime(process.pid) ?? '0';

/** A new lease owner name for a worker of this process: `host:pid:start:pid-space:random`. */
export function newLeaseOwner(): string {
  return `${HOST}:${process.pid}:${STARTED}:${SPACE ?? '-'}:${randomBytes(3).toString('hex')}`;
}

/**
 * Whether the process that took this lease is certainly gone: it ran in this pid namespace of this boot, and its pid
 * is free or now names a process that started at another time. Owners of another machine or form: false.
 */
export function leaseOwnerIsDead(owner: string): boolean {
  const [host, pidText, started, space] = owner.split(':');
  if (SPACE === null || host !== HOST || space !== SPACE || started === undefined) return false;
  const pid = Number(pidText);
  if (!Number.isInteger(pid) || pid <= 0) return false;
  if (pid === process.pid) return started !== STARTED;
  if (!pidAlive(pid)) return true;
  const now = startTime(pid);
  return now !== null && now !== started;
}
