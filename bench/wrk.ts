// wrk (C, Debian's `wrk` package) as the HTTP load generator of the benchmarks: it spends far less of a small
// machine's shared cores than the servers it loads. BENCH_LOAD=autocannon makes the benchmarks use autocannon instead.
import { spawn, spawnSync } from 'node:child_process';

export interface WrkRun {
  rps: number;
  total: number;
  non2xx: number;
  errors: number;
  p99: number;
}

/** Whether wrk is installed and not switched off. */
export const wrkAvailable =
  process.env.BENCH_LOAD !== 'autocannon' && spawnSync('wrk', ['--version']).error === undefined;

const UNIT_MS = { us: 0.001, ms: 1, s: 1000 } as const;

/** Runs wrk with one thread (one core for the server, one for the load) and a Lua script; parses its report. */
export function runWrk(opts: { url: string; script: string; connections: number; seconds: number }): Promise<WrkRun> {
  const args = ['-t1', `-c${opts.connections}`, `-d${opts.seconds}s`, '--latency', '-s', opts.script, opts.url];
  return new Promise((resolve, reject) => {
    const child = spawn('wrk', args, { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.on('error', reject);
    child.on('exit', () => {
      const rps = /Requests\/sec:\s+([\d.]+)/.exec(out);
      const total = /(\d+) requests in/.exec(out);
      if (!rps || !total) return reject(new Error(`wrk printed no rate: ${out.slice(0, 300)}`));
      const p99 = /99%\s+([\d.]+)(us|ms|s)/.exec(out);
      const errs = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
      resolve({
        rps: Number(rps[1]),
        total: Number(total[1]),
        non2xx: Number(/Non-2xx or 3xx responses: (\d+)/.exec(out)?.[1] ?? 0),
        errors: errs ? errs.slice(1).reduce((a, n) => a + Number(n), 0) : 0,
        p99: p99 ? Number((Number(p99[1]) * UNIT_MS[p99[2] as keyof typeof UNIT_MS]).toFixed(2)) : NaN,
      });
    });
  });
}
