// Background re-encryption after `keys rotate`: every stored ciphertext moves to the current key version.
import type { FieldContext, Keyring } from './keyring.ts';

/** One kind of encrypted value (e.g. contacts.psid); the caller's repository implements it, so this file has no SQL. */
export interface RewrapSource {
  name: string;
  /** Rows with key > afterKey (all rows when null), in ascending key order, at most `limit`. */
  nextBatch(afterKey: string | null, limit: number): Promise<{ key: string; ciphertext: string; ctx: FieldContext }[]>;
  /** Compare-and-set: writes each row only where its stored value still equals `expected`; returns how many it wrote. */
  write(rows: { key: string; ciphertext: string; expected: string }[]): Promise<number>;
}

export interface RewrapProgress {
  source: string;
  pass: number;
  scanned: number;
  rewrapped: number;
  skipped: number;
  conflicts: number;
  failed: number;
  lastKey: string | null;
}

export interface RewrapOptions {
  batchSize?: number;
  /** Full passes allowed before giving up on a table that writers keep changing under an old version. */
  maxPasses?: number;
  onProgress?: (progress: RewrapProgress) => void;
  signal?: AbortSignal;
}

export interface RewrapResult {
  rewrapped: number;
  /** Rows seen already under the current version, summed over passes. */
  skipped: number;
  /** Rows a concurrent writer changed between our read and our write; the next pass looks at them again. */
  conflicts: number;
  /** Rows that cannot be decrypted (damaged or misplaced), by source and key; they keep their old version. */
  failed: { source: string; key: string }[];
  passes: number;
  /** True only when a full pass found nothing left to rewrap and nothing failed: old versions may then be retired. */
  completed: boolean;
  aborted: boolean;
}

interface PassTotals {
  rewrapped: number;
  skipped: number;
  conflicts: number;
}

/**
 * Rewraps every ciphertext not under the current version, source by source in key order, then repeats until a
 * pass finds nothing to do (which also catches old-version writes made meanwhile by processes not yet reloaded).
 * Safe to run alongside writers (compare-and-set) and to restart after a crash or abort: a re-walk skips rows
 * already current without decrypting them. Stops between batches when `signal` aborts.
 */
export async function rewrapAll(
  keyring: Keyring,
  sources: readonly RewrapSource[],
  options: RewrapOptions = {},
): Promise<RewrapResult> {
  const batchSize = options.batchSize ?? 500;
  const maxPasses = options.maxPasses ?? 5;
  let failed = new Map<string, { source: string; key: string }>();
  const result: RewrapResult = {
    rewrapped: 0,
    skipped: 0,
    conflicts: 0,
    failed: [],
    passes: 0,
    completed: false,
    aborted: false,
  };

  while (result.passes < maxPasses) {
    result.passes++;
    // Only the last pass's failures count: a row a writer has since repaired is no longer a failure.
    failed = new Map();
    const pass: PassTotals = { rewrapped: 0, skipped: 0, conflicts: 0 };
    for (const source of sources) {
      const done = await walkSource(keyring, source, result.passes, batchSize, pass, failed, options);
      if (!done) {
        result.aborted = true;
        break;
      }
    }
    result.rewrapped += pass.rewrapped;
    result.skipped += pass.skipped;
    result.conflicts += pass.conflicts;
    if (result.aborted) break;
    if (pass.rewrapped === 0 && pass.conflicts === 0) {
      result.completed = failed.size === 0;
      break;
    }
  }
  result.failed = [...failed.values()];
  return result;
}

async function walkSource(
  keyring: Keyring,
  source: RewrapSource,
  passNumber: number,
  batchSize: number,
  pass: PassTotals,
  failed: Map<string, { source: string; key: string }>,
  options: RewrapOptions,
): Promise<boolean> {
  const progress: RewrapProgress = {
    source: source.name,
    pass: passNumber,
    scanned: 0,
    rewrapped: 0,
    skipped: 0,
    conflicts: 0,
    failed: 0,
    lastKey: null,
  };
  for (;;) {
    if (options.signal?.aborted) return false;
    const rows = await source.nextBatch(progress.lastKey, batchSize);
    if (rows.length === 0) return true;
    const writes: { key: string; ciphertext: string; expected: string }[] = [];
    const skippedBefore = progress.skipped;
    for (const row of rows) {
      progress.scanned++;
      const rewrapped = tryRewrap(keyring, row.ciphertext, row.ctx);
      if (rewrapped === undefined) {
        progress.skipped++;
      } else if (rewrapped === null) {
        progress.failed++;
        failed.set(`${source.name}\u0000${row.key}`, { source: source.name, key: row.key });
      } else {
        writes.push({ key: row.key, ciphertext: rewrapped, expected: row.ciphertext });
      }
    }
    const written = writes.length > 0 ? await source.write(writes) : 0;
    progress.rewrapped += written;
    progress.conflicts += writes.length - written;
    pass.rewrapped += written;
    pass.conflicts += writes.length - written;
    pass.skipped += progress.skipped - skippedBefore;
    progress.lastKey = rows[rows.length - 1]!.key;
    options.onProgress?.({ ...progress });
    // Lets requests served by the same process run between batches even when the source answers synchronously.
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}

/** undefined: already current; null: cannot be decrypted; otherwise the new ciphertext. */
function tryRewrap(keyring: Keyring, ciphertext: string, ctx: FieldContext): string | null | undefined {
  try {
    if (!keyring.needsRewrap(ciphertext)) return undefined;
    return keyring.rewrap(ciphertext, ctx);
  } catch {
    return null;
  }
}
