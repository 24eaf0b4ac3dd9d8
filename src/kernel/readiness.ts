import type { AppContext } from './context.ts';

/**
 * A readiness check: null when its part works, else a stable reason code (never personal data); or several, for a
 * check that speaks for another thread's parts (serve's processing thread).
 */
export type ReadinessCheck = () => Promise<string | string[] | null>;

const checks = new WeakMap<AppContext, Map<string, ReadinessCheck>>();

/** A check for /readyz beside the database's; the parts that start with the server register theirs. */
export function addReadinessCheck(ctx: AppContext, name: string, check: ReadinessCheck): void {
  let m = checks.get(ctx);
  if (!m) checks.set(ctx, (m = new Map()));
  m.set(name, check);
}

/** A check that takes longer than this counts as failing: a probe must answer. */
const CHECK_TIMEOUT_MS = 5000;

/** The reasons this app is not ready (empty when it is), from every registered check. */
export async function readinessProblems(ctx: AppContext): Promise<string[]> {
  const all = [...(checks.get(ctx)?.values() ?? [])];
  const results = await Promise.all(
    all.map((check) => {
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<string>((resolve) => (timer = setTimeout(resolve, CHECK_TIMEOUT_MS, 'check_timed_out')));
      return Promise.race([check().catch(() => 'check_failed'), late]).finally(() => clearTimeout(timer));
    }),
  );
  return results.flatMap((r) => (r === null ? [] : r));
}
