// A keyword rule's regular expression runs on every message a Page receives, inside the processing transaction: one
// that can backtrack catastrophically would stall the processor. JavaScript's engine backtracks and has no time
// limit, so a pattern is checked before it is stored, and refused when its shape allows exponential or high-degree
// polynomial backtracking:
// - a quantified group that holds a quantifier or an alternation (`(a+)+`, `(a|a)*`, `(\w+\s?)*`): star height > 1
//   or overlapping alternatives under a repeat, the classic exponential shapes;
// - back-references and lookarounds (not needed for keywords, and able to defeat the checks above);
// - more than MAX_UNBOUNDED quantifiers in all (`\d*\d*\d*\d*` backtracks in n^4), or a bound above MAX_BOUND;
// - more than MAX_PATTERN_CHARS characters.
// What remains runs against at most 2000 characters (Meta's text limit) in polynomial time of degree ≤ 3.

export const MAX_PATTERN_CHARS = 200;
export const MAX_UNBOUNDED = 3;
export const MAX_BOUND = 100;

export type RegexVerdict = { safe: true } | { safe: false; reason: string };

const refuse = (reason: string): RegexVerdict => ({ safe: false, reason });

interface Group {
  quantified: boolean;
  alternation: boolean;
}

/** Reads a quantifier at `i`: its length, whether it repeats more than once, and whether it is unbounded. */
function quantifierAt(src: string, i: number): { length: number; repeats: boolean; unbounded: boolean; max: number } {
  const c = src[i];
  let length = 0;
  let repeats = false;
  let unbounded = false;
  let max = 1;
  if (c === '*' || c === '+') {
    length = 1;
    repeats = true;
    unbounded = true;
    max = Infinity;
  } else if (c === '?') {
    length = 1;
  } else if (c === '{') {
    const m = /^\{(\d+)(,(\d*))?\}/.exec(src.slice(i));
    if (!m) return { length: 0, repeats: false, unbounded: false, max: 0 };
    length = m[0].length;
    const lo = Number(m[1]);
    max = m[2] === undefined ? lo : m[3] === '' ? Infinity : Number(m[3]);
    unbounded = max === Infinity;
    repeats = max > 1;
    max = Math.max(max, lo);
  }
  if (length > 0 && src[i + length] === '?') length++; // lazy: the same backtracking
  return { length, repeats, unbounded, max };
}

/** Whether a pattern may be stored for a keyword rule (see above); a syntax error is refused too. */
export function checkRegex(src: string): RegexVerdict {
  if (src.length === 0) return refuse('the pattern is empty');
  if ([...src].length > MAX_PATTERN_CHARS) return refuse(`a pattern has at most ${MAX_PATTERN_CHARS} characters`);
  try {
    new RegExp(src, 'iu');
  } catch {
    return refuse('the pattern is not a valid regular expression');
  }
  // One frame per open group; the outermost is the pattern itself. A closed group passes what it held to its parent.
  const stack: Group[] = [{ quantified: false, alternation: false }];
  let unbounded = 0;
  for (let i = 0; i < src.length; i++) {
    const c = src[i]!;
    if (c === '\\') {
      const next = src[i + 1] ?? '';
      if (/[1-9]/.test(next) || next === 'k') return refuse('back-references are not allowed');
      i++;
      continue;
    }
    if (c === '[') {
      // A character class is one atom: skip to its unescaped end.
      i++;
      if (src[i] === '^') i++;
      if (src[i] === ']') i++;
      while (i < src.length && src[i] !== ']') i += src[i] === '\\' ? 2 : 1;
      continue;
    }
    if (c === '(') {
      if (src[i + 1] === '?') {
        const kind = src.slice(i + 2, i + 4);
        if (kind.startsWith('=') || kind.startsWith('!') || kind === '<=' || kind === '<!')
          return refuse('lookarounds are not allowed');
      }
      stack.push({ quantified: false, alternation: false });
      continue;
    }
    if (c === ')') {
      const closed = stack.pop()!;
      const parent = stack[stack.length - 1]!;
      const q = quantifierAt(src, i + 1);
      if (q.length > 0) {
        if (q.max > MAX_BOUND && !q.unbounded) return refuse(`a repeat count is at most ${MAX_BOUND}`);
        if (q.repeats && (closed.quantified || closed.alternation))
          return refuse('a repeated group may not hold a repeat or an alternation (it could backtrack without end)');
        if (q.unbounded) unbounded++;
        parent.quantified = parent.quantified || closed.quantified || q.length > 0;
        i += q.length;
      } else {
        parent.quantified = parent.quantified || closed.quantified;
      }
      parent.alternation = parent.alternation || closed.alternation;
      continue;
    }
    if (c === '|') {
      stack[stack.length - 1]!.alternation = true;
      continue;
    }
    const q = quantifierAt(src, i);
    if (q.length > 0 && (c === '*' || c === '+' || c === '?' || c === '{')) {
      if (q.max > MAX_BOUND && !q.unbounded) return refuse(`a repeat count is at most ${MAX_BOUND}`);
      if (q.unbounded) unbounded++;
      stack[stack.length - 1]!.quantified = true;
      i += q.length - 1;
      continue;
    }
  }
  if (unbounded > MAX_UNBOUNDED) return refuse(`a pattern holds at most ${MAX_UNBOUNDED} unbounded repeats`);
  return { safe: true };
}
