// Meta sends webhook bodies (and Graph answers) with non-ASCII escaped as \uXXXX (lowercase hex, UTF-16 units,
// so emoji become surrogate pairs) and `/` escaped as `\/`; signatures are computed over those exact bytes.

const NEEDS_ESCAPE = /[\u0080-\uffff/]/;

/** JSON text in Meta's wire style: pure ASCII, `/` as `\/`; JSON.parse gives back the same value. */
export function metaStringify(value: unknown): string {
  const json = JSON.stringify(value);
  if (json === undefined) throw new TypeError('value is not serialisable to JSON');
  if (!NEEDS_ESCAPE.test(json)) return json;
  // A single pass with slices is several times faster than a regex replace with a callback per match.
  let out = '';
  let last = 0;
  for (let i = 0; i < json.length; i++) {
    const c = json.charCodeAt(i);
    if (c === 0x2f) {
      out += `${json.slice(last, i)}\\/`;
      last = i + 1;
    } else if (c >= 0x80) {
      out += `${json.slice(last, i)}\\u${c.toString(16).padStart(4, '0')}`;
      last = i + 1;
    }
  }
  return out + json.slice(last);
}
