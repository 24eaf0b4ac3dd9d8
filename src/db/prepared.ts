import type { CompiledQuery, Compilable, DialectAdapter } from 'kysely';
import type SqliteDatabase from 'better-sqlite3';
import type { Executor } from './types.ts';

/** The better-sqlite3 connection behind each embedded database's Kysely, by its dialect adapter (see database.ts). */
const nativeConnections = new WeakMap<DialectAdapter, SqliteDatabase.Database>();

/** Lets prepared queries inside this database's transactions run on its connection directly (SQLite only). */
export function registerNativeSqlite(db: Executor, native: SqliteDatabase.Database): void {
  nativeConnections.set(db.getExecutor().adapter, native);
}

/**
 * Whether `db` is an embedded (SQLite) database, where a statement costs no round trip: two plain statements can be
 * cheaper than one that SQLite runs as a trigger (UPDATE … RETURNING).
 */
export function isEmbedded(db: Executor): boolean {
  return nativeConnections.has(db.getExecutor().adapter);
}

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
  /** SQLite: the statement, prepared once on the database's own connection. */
  statement: SqliteDatabase.Statement | null;
  /** SQLite, a statement that returns rows: the names of its columns (it returns each row as an array of values). */
  columns: string[] | null;
}

/**
 * A row as an object from the values of a raw statement: better-sqlite3 builds each row object property by property
 * in native code, which for a wide row (a contact has 34 columns) costs more than the query; the same object built
 * here costs half as much.
 */
function rowObject(columns: string[], values: unknown[]): Record<string, unknown> {
  const row: Record<string, unknown> = {};
  for (let i = 0; i < columns.length; i++) row[columns[i]!] = values[i];
  return row;
}

/**
 * Runs a compiled query. Inside a transaction of an embedded database, the transaction holds the one connection
 * already, so the statement runs on it at once: Kysely's executor would add a mutex, four layers of promises and a
 * statement-cache lookup per query, which cost more than the point queries of a processing turn themselves. Elsewhere
 * (outside a transaction, or on PostgreSQL) the query goes through Kysely as any other.
 */
async function execute<O>(
  db: Executor,
  c: Compiled<O>,
  parameters: unknown[],
): Promise<{ rows: O[]; changed: number }> {
  if (c.statement !== null && db.isTransaction) {
    if (c.columns !== null) {
      const columns = c.columns;
      const rows = (c.statement.all(parameters) as unknown[][]).map((values) => rowObject(columns, values) as O);
      return { rows, changed: 0 };
    }
    return { rows: [], changed: c.statement.run(parameters).changes };
  }
  const r = await db.executeQuery<O>({ ...c.query, parameters });
  return { rows: r.rows, changed: Number(r.numAffectedRows ?? 0n) };
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
    const native = nativeConnections.get(adapter);
    const statement = native ? native.prepare(query.sql) : null;
    const columns = statement?.reader
      ? statement
          .raw(true)
          .columns()
          .map((col) => col.name)
      : null;
    c = { query, sources, statement, columns };
    this.#compiled.set(adapter, c);
    return c;
  }

  /** Runs the query with these values (undefined binds as NULL); all its rows and the rows it changed. */
  async run(db: Executor, values: P): Promise<{ rows: O[]; changed: number }> {
    const c = this.#compile(db);
    const v = values as Record<string, unknown>;
    return execute(
      db,
      c,
      c.sources.map((s) => ('slot' in s ? (v[s.slot] ?? null) : s.constant)),
    );
  }

  /**
   * Runs the query with parameters made by `fill` from the query's sources (computed once per dialect by `plan`):
   * for callers that fill many slots, such as a multi-row insert.
   */
  async runPlanned<X>(
    db: Executor,
    plan: (sources: Compiled<O>['sources']) => X,
    fill: (plan: X) => unknown[],
  ): Promise<{ rows: O[]; changed: number }> {
    const c = this.#compile(db);
    let planned = this.#plans.get(c) as X | undefined;
    if (planned === undefined) this.#plans.set(c, (planned = plan(c.sources)));
    return execute(db, c, fill(planned));
  }

  readonly #plans = new WeakMap<Compiled<O>, unknown>();

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
    // A value for a column the statement was not prepared with would be dropped without a word: refuse it.
    for (const row of rows)
      for (const key in row)
        if (row[key] !== undefined && !this.#columnSet.has(key))
          throw new Error(`PreparedInsert: column ${key} is not among the prepared columns`);
    const r = await q.runPlanned(db, insertPlan, (plan) =>
      plan.map((p) => (p.row < 0 ? p.constant : (rows[p.row]![p.column as keyof T] ?? null))),
    );
    return r.changed;
  }
}

/** Where each parameter of a multi-row insert comes from: a row's column (slot `<row>.<column>`) or a constant. */
function insertPlan(sources: ({ slot: string } | { constant: unknown })[]) {
  return sources.map((s) => {
    if (!('slot' in s)) return { row: -1, column: '', constant: s.constant };
    const dot = s.slot.indexOf('.');
    return { row: Number(s.slot.slice(0, dot)), column: s.slot.slice(dot + 1), constant: null };
  });
}
