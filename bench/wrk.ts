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
  /** Arrivals per second to pace the requests at (none: as fast as the connections go). */
  rate?: number,
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
${rate ? pacing(rate) : ''}`,
  );
  return script;
}

/**
 * wrk has no rate limit of its own; its `delay()` hook holds a connection's next request. The script draws one stream
 * of arrival times at `rate` (exponential gaps: close to a Poisson stream) and hands each connection that is ready
 * the next arrival, holding it until then (LuaJIT's ffi reads the monotonic clock). So the rate holds while answers
 * are slow, as long as some connection is free; wrk's latencies leave the pauses out.
 */
function pacing(rate: number): string {
  return `local ffi = require("ffi")
ffi.cdef[[ typedef struct { long tv_sec; long tv_nsec; } pace_ts; int clock_gettime(int, pace_ts *); ]]
local ts = ffi.new("pace_ts")
local function now_ms()
  ffi.C.clock_gettime(1, ts)
  return tonumber(ts.tv_sec) * 1000 + tonumber(ts.tv_nsec) / 1e6
end
math.randomseed(os.time())
local gap_ms, due = ${(1000 / rate).toFixed(6)}, nil
function delay()
  local t = now_ms()
  if due == nil or due < t - 1000 then due = t end
  due = due - math.log(1 - math.random()) * gap_ms
  return math.max(0, math.floor(due - t))
end
`;
}
