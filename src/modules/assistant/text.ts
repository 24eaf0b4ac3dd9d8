// How the assistant reads a message: case and accents folded, split into words by Unicode letter and digit classes
// (so French and Spanish words, and scripts without accents, split the same way), the commonest function words of
// English, French and Spanish dropped, and a light suffix stripping that joins a word's plural and verb forms.

/** Case, compatibility forms and accents folded; apostrophes and punctuation become spaces; spaces collapsed. */
export function normaliseText(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(/ß/g, 'ss')
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

// Function words that say nothing about what is asked. Question words (where, when, how, combien…) stay: they
// tell "when do you open" from "where are you".
const STOPWORDS = new Set(
  [
    // English
    'a an the is are am was were be been to of in on at for and or i me my we our you your it its this that these',
    'those do does did can could would will shall should please hi hello hey thanks thank there here with about so',
    'just any some have has had get want would u ur pls plz',
    // French
    'le la les l un une des du de d au aux et ou je j me m moi tu te t vous nous il elle on ce c ca cet cette est',
    'sont suis etre a ai as avez avons en dans sur pour par avec mon ma mes ton ta tes votre vos notre nos qu que qui',
    'se s y ne n pas bonjour salut merci svp stp plait peux puis peut pouvez veux voudrais',
    // Spanish
    'el los las una unos unas del al y o yo mi mis tu tus su sus usted ustedes nosotros es son estoy esta estan ser',
    'en con por para que lo se le les hola gracias favor hay he ha han puedo puede pueden quiero quisiera',
  ]
    .join(' ')
    .split(' '),
);

// Longest first; a stem keeps at least 3 letters. Joins plural, gender and common verb forms of the three
// languages ("orders" / "ordered", "livraison" / "livraisons", "envío" / "envíos", "pagar" / "pago").
const SUFFIXES = [
  'aciones',
  'ements',
  'ations',
  'amente',
  'ciones',
  'iones',
  'ement',
  'ation',
  'acion',
  'mente',
  'ings',
  'cion',
  'ion',
  'ing',
  'ies',
  'ed',
  'es',
  'er',
  'ez',
  'ar',
  'ir',
  'ly',
  's',
  'e',
  'o',
  'a',
];

/** The stem of a normalised word: a plural "s" first, then one suffix (pure; never empty). */
export function stem(word: string): string {
  if (/^\p{N}+$/u.test(word)) return word;
  if (word.length >= 5 && word.endsWith('s') && !word.endsWith('ss')) word = word.slice(0, -1);
  for (const suffix of SUFFIXES) {
    if (word.length - suffix.length >= 3 && word.endsWith(suffix)) return word.slice(0, -suffix.length);
  }
  return word;
}

/** The words of a message that carry meaning, normalised and stemmed, in order. */
export function tokens(text: string): string[] {
  const norm = normaliseText(text);
  if (norm === '') return [];
  return norm
    .split(' ')
    .filter((w) => !STOPWORDS.has(w))
    .map(stem);
}

/** Character trigrams of each word with its boundaries ("#ord", …): they match misspellings and inflections. */
export function trigrams(words: readonly string[]): string[] {
  const out: string[] = [];
  for (const w of words) {
    const padded = `#${w}#`;
    if (padded.length <= 3) {
      out.push(padded);
      continue;
    }
    for (let i = 0; i + 3 <= padded.length; i++) out.push(padded.slice(i, i + 3));
  }
  return out;
}

const LANGUAGE_MARKERS: Record<'en' | 'fr' | 'es', Set<string>> = {
  en: new Set('the is are you your my i want can to with please what where when how do does'.split(' ')),
  fr: new Set('je vous votre ma mon est les des une avec pour parler voudrais veux ou quand comment merci'.split(' ')),
  es: new Set('yo usted su mi es los las una con para hablar quiero donde cuando como gracias el'.split(' ')),
};

/** English, French or Spanish, by their commonest words in the message; null when it does not tell. */
export function guessLanguage(text: string): 'en' | 'fr' | 'es' | null {
  const words = normaliseText(text).split(' ');
  let best: 'en' | 'fr' | 'es' | null = null;
  let bestCount = 0;
  for (const lang of ['en', 'fr', 'es'] as const) {
    const n = words.filter((w) => LANGUAGE_MARKERS[lang].has(w)).length;
    if (n > bestCount) [best, bestCount] = [lang, n];
  }
  return best;
}
