// wrk (C, Debian's `wrk` package) as the HTTP load generator of the benchmarks: it spends far less of a small
// machine's shared cores than the servers it loads. BENCH_LOAD=autocannon makes the benchmarks use autocannon instead.
import { spawn, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

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

/**
 * Writes a wrk Lua script that POSTs these signed webhook bodies to /webhook in turn (one per line of a data file,
 * after its signature), and returns the script's path. `name` keeps several scripts of one run apart.
 */
export function webhookReplayScript(
  dir: string,
  name: string,
  bodies: Iterable<{ signature: string; raw: string }>,
): string {
  const data = join(dir, `${name}.tsv`);
  writeFileSync(data, [...bodies].map((b) => `${b.signature}\t${b.raw}`).join('\n') + '\n');
  const script = join(dir, `${name}.lua`);
  writeFileSync(
    script,
    `local reqs, i = {}, 0
function init(args)
  for line in io.lines(${JSON.stringify(data)}) do
    local tab = line:find("\\t", 1, true)
    reqs[#reqs + 1] = wrk.format("POST", "/webhook", { ["Content-Type"] = "application/json", ["X-Hub-Signature-256"] = line:sub(1, tab - 1) }, line:sub(tab + 1))
  end
end
function request()
  i = i + 1
  if i > #reqs then i = 1 end
  return reqs[i]
end
`,
  );
  return script;
}
