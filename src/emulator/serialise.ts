// Meta sends webhook bodies (and Graph answers) with non-ASCII escaped as \uXXXX (lowercase hex, UTF-16 units,
// so emoji become surrogate pairs) and `/` escaped as `\/`; signatures are computed over those exact bytes.

const NEEDS_ESCAPE = /[\u0080-\uffff/]/g;

function escapeUnit(ch: string): string {
  if (ch === '/') return '\\/';
  return `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`;
}

/** JSON text in Meta's wire style: pure ASCII, `/` as `\/`; JSON.parse gives back the same value. */
export function metaStringify(value: unknown): string {
  const json = JSON.stringify(value);
  if (json === undefined) throw new TypeError('value is not serialisable to JSON');
  return json.replace(NEEDS_ESCAPE, escapeUnit);
}
