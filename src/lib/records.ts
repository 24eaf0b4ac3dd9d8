// Reading an import file as a stream of records, each with the line it ends on, so that a broken row is reported by
// its line number and the rest still reads. CSV (a header row names the columns) or JSON Lines (one object a line).
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';

export type RecordFormat = 'csv' | 'jsonl';

/** One row of the file: its fields, or why it could not be read. `line` is the file's line where the row ends. */
export type FileRecord =
  | { line: number; fields: Record<string, unknown>; error?: undefined }
  | { line: number; error: string; fields?: undefined };

/** The format a file name says (`.csv`, `.jsonl`/`.ndjson`), or null. */
export function formatOf(path: string): RecordFormat | null {
  if (/\.csv$/i.test(path)) return 'csv';
  if (/\.(jsonl|ndjson)$/i.test(path)) return 'jsonl';
  return null;
}

/** Rows of a CSV or JSON Lines stream, in order, with constant memory whatever the file's size. */
export async function* readRecords(input: Readable, format: RecordFormat): AsyncGenerator<FileRecord> {
  if (format === 'jsonl') yield* readJsonLines(input);
  else yield* readCsv(input);
}

/**
 * RFC 4180 CSV, read by hand so that a broken row costs only itself: after a quoted cell with text behind its closing
 * quote, reading starts again at the next line (a general-purpose parser stays inside the quote and swallows the rest
 * of the file). Lenient where no data is at risk: CRLF or LF, a quote inside an unquoted cell is a character, a BOM is
 * skipped, empty lines are skipped. A row is reported by the line it starts on; reasons never repeat its content.
 */
async function* readCsv(input: Readable): AsyncGenerator<FileRecord> {
  const parser = new CsvRows();
  let header: string[] | null = null;
  const emit = (row: RawRow): FileRecord | null => {
    if ('error' in row) return { line: row.line, error: row.error };
    if (row.cells.length === 1 && row.cells[0] === '') return null;
    if (header === null) {
      header = row.cells.map((h, i) => (i === 0 ? h.replace(/^\uFEFF/, '') : h).trim());
      return null;
    }
    if (row.cells.length !== header.length)
      return { line: row.line, error: `the row has ${row.cells.length} cells where the header names ${header.length}` };
    const fields: Record<string, unknown> = {};
    header.forEach((name, i) => (fields[name] = row.cells[i]));
    return { line: row.line, fields };
  };
  input.setEncoding('utf8');
  for await (const chunk of input as AsyncIterable<string>) {
    for (const row of parser.push(chunk)) {
      const r = emit(row);
      if (r) yield r;
    }
  }
  for (const row of parser.end()) {
    const r = emit(row);
    if (r) yield r;
  }
}

type RawRow = { line: number; cells: string[] } | { line: number; error: string };

const enum S {
  FieldStart,
  Unquoted,
  Quoted,
  QuoteInQuoted,
  ClosedCr,
  SkipToLineEnd,
}

/** The CSV state machine: characters in, rows (or a broken row's reason) out. */
class CsvRows {
  #state = S.FieldStart;
  #cell = '';
  #cells: string[] = [];
  #line = 1;
  #rowLine = 1;
  #error = '';

  *push(chunk: string): Generator<RawRow> {
    for (const ch of chunk) {
      switch (this.#state) {
        case S.FieldStart:
        case S.Unquoted:
          if (ch === '"' && this.#state === S.FieldStart) this.#state = S.Quoted;
          else if (ch === ',') this.#endCell();
          else if (ch === '\n') yield this.#endRow(true);
          else {
            this.#cell += ch;
            this.#state = S.Unquoted;
          }
          break;
        case S.Quoted:
          if (ch === '"') this.#state = S.QuoteInQuoted;
          else this.#cell += ch;
          break;
        case S.QuoteInQuoted:
          if (ch === '"') {
            this.#cell += '"';
            this.#state = S.Quoted;
          } else if (ch === ',') this.#endCell();
          else if (ch === '\n') yield this.#endRow(false);
          else if (ch === '\r') this.#state = S.ClosedCr;
          else this.#fail('a quoted cell has text after its closing quote (write a quote inside a cell as "")');
          break;
        case S.ClosedCr:
          if (ch === '\n') yield this.#endRow(false);
          else this.#fail('a quoted cell has text after its closing quote');
          break;
        case S.SkipToLineEnd:
          if (ch === '\n') yield this.#endRow(false);
          break;
      }
      if (ch === '\n') this.#line += 1;
    }
  }

  *end(): Generator<RawRow> {
    if (this.#state === S.Quoted) this.#fail('a quoted cell is never closed: the file ends inside it');
    if (this.#state === S.SkipToLineEnd || this.#cell !== '' || this.#cells.length > 0 || this.#state !== S.FieldStart)
      yield this.#endRow(true);
  }

  #endCell(): void {
    this.#cells.push(this.#cell);
    this.#cell = '';
    this.#state = S.FieldStart;
  }

  /** Ends the row at a line end (`unquoted`: its last cell may carry the CR of a CRLF). */
  #endRow(unquoted: boolean): RawRow {
    const line = this.#rowLine;
    this.#rowLine = this.#line + 1;
    if (this.#state === S.SkipToLineEnd) {
      const error = this.#error;
      this.#reset();
      return { line, error };
    }
    this.#endCell();
    const cells = this.#cells;
    if (unquoted) cells[cells.length - 1] = cells[cells.length - 1]!.replace(/\r$/, '');
    this.#reset();
    return { line, cells };
  }

  #fail(error: string): void {
    this.#error = error;
    this.#state = S.SkipToLineEnd;
  }

  #reset(): void {
    this.#cells = [];
    this.#cell = '';
    this.#error = '';
    this.#state = S.FieldStart;
  }
}

async function* readJsonLines(input: Readable): AsyncGenerator<FileRecord> {
  let line = 0;
  for await (const text of createInterface({ input, crlfDelay: Infinity })) {
    line += 1;
    const trimmed = (line === 1 ? text.replace(/^\uFEFF/, '') : text).trim();
    if (trimmed === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(trimmed);
    } catch {
      yield { line, error: 'the line is not valid JSON' };
      continue;
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value))
      yield { line, error: 'the line is not a JSON object' };
    else yield { line, fields: value as Record<string, unknown> };
  }
}
