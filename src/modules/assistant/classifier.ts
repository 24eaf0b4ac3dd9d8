// The offline intent classifier: trained from the phrasings of a Page's approved FAQ entries, no weights shipped,
// no network. Two views of a message vote:
//
// - a nearest-phrasing classifier over TF-IDF vectors of stemmed words and of character trigrams (the trigrams
//   catch misspellings and inflections the stemmer misses); an intent scores its best phrasing's cosine;
// - a lexical index (Okapi BM25 over each intent's phrasings taken as one document), a second opinion on the ranking.
//
// Words the FAQ never uses weigh as much as its rarest word, so a message about something else ("what is the
// weather like") scores low against every intent instead of matching on its one shared word.
import { tokens, trigrams } from './text.ts';

export interface TrainingIntent {
  id: string;
  phrases: readonly string[];
}

type Vec = Map<string, number>;

interface TrainedIntent {
  id: string;
  words: Vec[];
  tris: Vec[];
  /** BM25 document: every phrasing's words. */
  doc: Map<string, number>;
  docLength: number;
}

export interface IntentModel {
  intents: TrainedIntent[];
  idfWord: Map<string, number>;
  idfTri: Map<string, number>;
  unknownWordIdf: number;
  unknownTriIdf: number;
  bm25Idf: Map<string, number>;
  avgDocLength: number;
}

export interface RankedIntent {
  id: string;
  /** 0..1: how closely the message matches the intent's closest phrasing. */
  score: number;
}

/** Weight of the word view against the trigram view, and the penalty when the lexical index ranks another first. */
const WORD_WEIGHT = 0.6;
const DISAGREEMENT_FACTOR = 0.85;
const BM25_K1 = 1.2;
const BM25_B = 0.75;

function counts(items: readonly string[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const i of items) m.set(i, (m.get(i) ?? 0) + 1);
  return m;
}

function idfOver(docs: readonly Set<string>[]): { idf: Map<string, number>; unknown: number } {
  const df = new Map<string, number>();
  for (const d of docs) for (const t of d) df.set(t, (df.get(t) ?? 0) + 1);
  const n = docs.length;
  const idf = new Map<string, number>();
  for (const [t, f] of df) idf.set(t, Math.log(1 + n / f));
  return { idf, unknown: Math.log(1 + n / 0.5) };
}

function weigh(c: Map<string, number>, idf: Map<string, number>, unknown: number): Vec {
  const v: Vec = new Map();
  let norm = 0;
  for (const [t, f] of c) {
    const w = (1 + Math.log(f)) * (idf.get(t) ?? unknown);
    v.set(t, w);
    norm += w * w;
  }
  norm = Math.sqrt(norm);
  if (norm > 0) for (const [t, w] of v) v.set(t, w / norm);
  return v;
}

function cosine(a: Vec, b: Vec): number {
  const [small, large] = a.size <= b.size ? [a, b] : [b, a];
  let dot = 0;
  for (const [t, w] of small) {
    const o = large.get(t);
    if (o !== undefined) dot += w * o;
  }
  return dot;
}

/** Trains a model from intents and their phrasings (deterministic; a few ms for dozens of intents). */
export function trainIntents(intents: readonly TrainingIntent[]): IntentModel {
  const phraseWords = intents.map((i) => i.phrases.map((p) => tokens(p)));
  // Document frequency counts intents, not phrasings: a word every phrasing of one intent uses is that intent's
  // signature, not a common word.
  const wordDocs = phraseWords.map((ps) => new Set(ps.flat()));
  const triDocs = phraseWords.map((ps) => new Set(ps.flatMap((p) => trigrams(p))));
  const w = idfOver(wordDocs);
  const t = idfOver(triDocs);
  const trained: TrainedIntent[] = intents.map((intent, i) => {
    const ps = phraseWords[i]!.filter((p) => p.length > 0);
    const all = ps.flat();
    return {
      id: intent.id,
      words: ps.map((p) => weigh(counts(p), w.idf, w.unknown)),
      tris: ps.map((p) => weigh(counts(trigrams(p)), t.idf, t.unknown)),
      doc: counts(all),
      docLength: all.length,
    };
  });
  const n = trained.length;
  const bm25Idf = new Map<string, number>();
  for (const d of wordDocs) {
    for (const term of d) bm25Idf.set(term, (bm25Idf.get(term) ?? 0) + 1);
  }
  for (const [term, df] of bm25Idf) bm25Idf.set(term, Math.log(1 + (n - df + 0.5) / (df + 0.5)));
  const avgDocLength = n === 0 ? 0 : trained.reduce((s, i) => s + i.docLength, 0) / n;
  return {
    intents: trained,
    idfWord: w.idf,
    idfTri: t.idf,
    unknownWordIdf: w.unknown,
    unknownTriIdf: t.unknown,
    bm25Idf,
    avgDocLength,
  };
}

function bm25(model: IntentModel, intent: TrainedIntent, query: readonly string[]): number {
  let s = 0;
  for (const term of new Set(query)) {
    const f = intent.doc.get(term);
    if (f === undefined) continue;
    const idf = model.bm25Idf.get(term) ?? 0;
    const norm = 1 - BM25_B + BM25_B * (intent.docLength / (model.avgDocLength || 1));
    s += (idf * (f * (BM25_K1 + 1))) / (f + BM25_K1 * norm);
  }
  return s;
}

/** Every intent ranked for a message, best first (ties by id, so the order is deterministic). */
export function rankIntents(model: IntentModel, text: string): RankedIntent[] {
  const words = tokens(text);
  if (words.length === 0 || model.intents.length === 0) return model.intents.map((i) => ({ id: i.id, score: 0 }));
  const qw = weigh(counts(words), model.idfWord, model.unknownWordIdf);
  const qt = weigh(counts(trigrams(words)), model.idfTri, model.unknownTriIdf);
  const scored = model.intents.map((intent) => {
    let best = 0;
    for (let p = 0; p < intent.words.length; p++) {
      const s = WORD_WEIGHT * cosine(qw, intent.words[p]!) + (1 - WORD_WEIGHT) * cosine(qt, intent.tris[p]!);
      if (s > best) best = s;
    }
    return { id: intent.id, score: best, lexical: bm25(model, intent, words) };
  });
  const byScore = (a: { score: number; id: string }, b: { score: number; id: string }) =>
    b.score - a.score || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
  scored.sort(byScore);
  const lexicalTop = scored.reduce((best, s) => (s.lexical > best.lexical ? s : best), scored[0]!);
  if (scored[0]!.id !== lexicalTop.id && lexicalTop.lexical > 0) scored[0]!.score *= DISAGREEMENT_FACTOR;
  scored.sort(byScore);
  return scored.map((s) => ({ id: s.id, score: Math.min(1, Math.max(0, s.score)) }));
}
