// What several benchmarks share: a percentile of timings, whether the PostgreSQL server answers, and what a process
// wrote toward the disk.
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import pg from 'pg';

/** The p-th percentile of xs (nearest rank); NaN for no samples. */
export function percentile(xs: readonly number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
}

/** Whether a PostgreSQL server answers at this URL within 2 s (a benchmark skips PostgreSQL otherwise). */
export async function pgReachable(url: string): Promise<boolean> {
  const c = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  try {
    await c.connect();
    await c.end();
    return true;
  } catch {
    return false;
  }
}

/** Bytes a process has sent toward storage so far, its threads' together (Linux: write_bytes of /proc/PID/io). */
export function bytesWritten(pid: number | 'self' = 'self'): number {
  return Number(/^write_bytes: (\d+)$/m.exec(readFileSync(`/proc/${pid}/io`, 'utf8'))?.[1] ?? 0);
}

/** The PSID of the person who sends the k-th message of `signedMessage`. */
export const benchPsid = (k: number, people: number): string => String(4_100_000_000_000_000 + (k % people));

/**
 * The k-th message of the processing and serve benchmarks: one webhook delivery of one text message from one of
 * `people` people (k modulo people), at its own millisecond, with a mid no other k shares; signed with `secret`.
 */
export function signedMessage(
  page: string,
  secret: string,
  k: number,
  people: number,
  mid: string,
): { raw: string; signature: string } {
  const ts = 1_764_331_200_000 + k;
  const raw = JSON.stringify({
    object: 'page',
    entry: [
      {
        id: page,
        time: ts,
        messaging: [
          {
            sender: { id: benchPsid(k, people) },
            recipient: { id: page },
            timestamp: ts,
            message: { mid, text: `order question number ${k}, is it shipped yet?` },
          },
        ],
      },
    ],
  });
  return { raw, signature: `sha256=${createHmac('sha256', secret).update(raw).digest('hex')}` };
}

/**
 * What the benchmarks give the real `pagescope` command: the data dir, the app secret, warnings only as JSON lines, and
 * a Graph URL where nothing answers (no benchmark reaches Meta).
 */
export function benchServeEnv(dataDir: string, secret: string): Record<string, string> {
  return {
    PAGESCOPE_DATA_DIR: dataDir,
    META_APP_SECRET: secret,
    META_VERIFY_TOKEN: 'v',
    LOG_LEVEL: 'warn',
    LOG_FORMAT: 'json',
    META_GRAPH_URL: 'http://127.0.0.1:9',
  };
}
