import type { CompiledQuery, Compilable, DialectAdapter } from 'kysely';
import type { Executor } from './types.ts';

/** Where a value goes in a prepared query: a named slot, filled at each run. */
class Slot {
  constructor(readonly name: string) {}
}

/** Names the values of a prepared query while it is built: `slot('id')` stands for the run's `values.id`. */
export type SlotOf<P> = <K extends keyof P & string>(name: K) => P[K];

interface Compiled<O> {
  query: CompiledQuery<O>;
  /** For each parameter of the compiled query: the slot it is filled from, or the constant the builder put there. */
  sources: ({ slot: string } | { constant: unknown })[];
}

/**
 * A hot query built with Kysely and compiled ONCE per dialect, then run with new values: the query builder and
 * compiler cost more than a point query on SQLite, and the processor runs a dozen such statements per event. Each
 * value the query takes is a named slot; `build` must give the same SQL whatever the values (no optional clauses, no
 * `in` lists), which the slots make sure of, since they are compiled before any value is known.
 */
export class PreparedQuery<P extends object, O> {
  readonly #build: (db: Executor, slot: SlotOf<P>) => Compilable<O>;
  // Keyed by the dialect's adapter: a database and its transactions share one (weakly: tests open many databases).
  readonly #compiled = new WeakMap<DialectAdapter, Compiled<O>>();

  constructor(build: (db: Executor, slot: SlotOf<P>) => Compilable<O>) {
    this.#build = build;
  }

  #compile(db: Executor): Compiled<O> {
    const adapter = db.getExecutor().adapter;
    let c = this.#compiled.get(adapter);
    if (c) return c;
    const names = new Set<string>();
    const slot = ((name: string) => (names.add(name), new Slot(name))) as SlotOf<P>;
    const query = this.#build(db, slot).compile();
    const sources = query.parameters.map((v) => (v instanceof Slot ? { slot: v.name } : { constant: v }));
    for (const name of names)
      if (!sources.some((s) => 'slot' in s && s.slot === name))
        throw new Error(`prepared query: slot ${name} is not a parameter of ${query.sql}`);
    c = { query, sources };
    this.#compiled.set(adapter, c);
    return c;
  }

  /** Runs the query with these values (undefined binds as NULL); all its rows and the rows it changed. */
  async run(db: Executor, values: P): Promise<{ rows: O[]; changed: number }> {
    const { query, sources } = this.#compile(db);
    const v = values as Record<string, unknown>;
    const parameters = sources.map((s) => ('slot' in s ? (v[s.slot] ?? null) : s.constant));
    const r = await db.executeQuery<O>({ ...query, parameters });
    return { rows: r.rows, changed: Number(r.numAffectedRows ?? 0n) };
  }

  async first(db: Executor, values: P): Promise<O | undefined> {
    return (await this.run(db, values)).rows[0];
  }
}

/** A slot for each of these columns, as a row for `insertInto(…).values(…)`. */
export function slotRow<T extends object>(slot: SlotOf<T>, columns: readonly (keyof T & string)[]): T {
  return Object.fromEntries(columns.map((c) => [c, slot(c)])) as T;
}

/** Inserts of up to this many rows are one statement of exactly that many. */
const SINGLE_MAX = 32;
/** The largest statement of an insert of more rows (a power of two). */
const CHUNK_MAX = 256;

/**
 * A multi-row insert prepared once per row count (and dialect): one statement for a message's search tokens or a
 * turn's events, which on PostgreSQL is one round trip instead of one per row.
 */
export class PreparedInsert<T extends object> {
  readonly #byCount = new Map<number, PreparedQuery<Record<string, unknown>, never>>();
  readonly #columns: readonly (keyof T & string)[];
  readonly #columnSet: ReadonlySet<string>;
  readonly #build: (db: Executor, rows: T[]) => Compilable<never>;

  /** `build` makes the insert of the given rows (their values are slots); `columns` are the row's columns. */
  constructor(columns: readonly (keyof T & string)[], build: (db: Executor, rows: T[]) => Compilable<never>) {
    this.#columns = columns;
    this.#columnSet = new Set(columns);
    this.#build = build;
  }

  /**
   * Inserts the rows; returns how many it inserted. Up to SINGLE_MAX rows are one statement; more (a processing
   * turn's gathered rows) go in statements of 256 rows and then of powers of two, so that a few shapes serve every
   * count and none passes the databases' limits on parameters.
   */
  async run(db: Executor, rows: readonly T[]): Promise<number> {
    if (rows.length <= SINGLE_MAX) return this.#runOne(db, rows);
    let n = 0;
    for (let at = 0, size = CHUNK_MAX; at < rows.length;) {
      while (size > rows.length - at) size /= 2;
      n += await this.#runOne(db, rows.slice(at, at + size));
      at += size;
    }
    return n;
  }

  async #runOne(db: Executor, rows: readonly T[]): Promise<number> {
    if (rows.length === 0) return 0;
    let q = this.#byCount.get(rows.length);
    if (!q) {
      q = new PreparedQuery<Record<string, unknown>, never>((d, slot) =>
        this.#build(
          d,
          rows.map((_, i) => Object.fromEntries(this.#columns.map((c) => [c, slot(`${i}.${c}`)])) as T),
        ),
      );
      this.#byCount.set(rows.length, q);
    }
    const values: Record<string, unknown> = {};
    rows.forEach((row, i) => {
      // A value for a column the statement was not prepared with would be dropped without a word: refuse it.
      for (const key in row)
        if (row[key] !== undefined && !this.#columnSet.has(key))
          throw new Error(`PreparedInsert: column ${key} is not among the prepared columns`);
      for (const c of this.#columns) values[`${i}.${c}`] = row[c] ?? null;
    });
    return (await q.run(db, values)).changed;
  }
}
