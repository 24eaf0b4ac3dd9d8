// Consent keywords: the whole message must be the keyword, so "please stop the music" never opts anyone out.
// Words are stored normalised (upper case, no accents); English applies on every Page, as carriers and Meta
// reviewers expect STOP to work everywhere. Each locale's words are the ones its SMS and messaging services use.

export type ConsentKeyword = 'opt_out' | 'opt_in';

/** Names the keyword lists and confirmation texts below; recorded with each consent change they caused. */
export const KEYWORDS_WORDING_VERSION = '2026-11-28';

interface LocaleWords {
  optOut: readonly string[];
  optIn: readonly string[];
  /** The one message sent after a keyword; `{keyword}` is the word that undoes it. */
  confirmation: Record<ConsentKeyword, string>;
}

const WORDS: Record<string, LocaleWords> = {
  en: {
    optOut: ['STOP', 'STOP ALL', 'UNSUBSCRIBE', 'CANCEL', 'END', 'QUIT'],
    optIn: ['START', 'UNSTOP', 'SUBSCRIBE'],
    confirmation: {
      opt_out:
        'You have been unsubscribed and will receive no more messages from us. Reply {keyword} to subscribe again.',
      opt_in: 'You are subscribed again and will receive our messages. Reply {keyword} to unsubscribe.',
    },
  },
  fr: {
    optOut: ['ARRET', 'ARRETER', 'DESABONNER', 'DESINSCRIRE', 'DESINSCRIPTION'],
    optIn: ['ABONNER', 'REABONNER', 'INSCRIRE'],
    confirmation: {
      opt_out:
        'Vous êtes désabonné(e) et ne recevrez plus de messages de notre part. Répondez {keyword} pour vous réabonner.',
      opt_in: 'Vous êtes de nouveau abonné(e) à nos messages. Répondez {keyword} pour vous désabonner.',
    },
  },
  de: {
    optOut: ['STOPP', 'ENDE', 'ABMELDEN', 'ABBESTELLEN', 'BEENDEN'],
    optIn: ['ANMELDEN', 'ABONNIEREN'],
    confirmation: {
      opt_out:
        'Sie wurden abgemeldet und erhalten keine Nachrichten mehr von uns. Antworten Sie {keyword}, um sich wieder anzumelden.',
      opt_in:
        'Sie sind wieder angemeldet und erhalten unsere Nachrichten. Antworten Sie {keyword}, um sich abzumelden.',
    },
  },
  es: {
    optOut: ['BAJA', 'PARAR', 'CANCELAR', 'DETENER', 'DARSE DE BAJA'],
    optIn: ['ALTA', 'SUSCRIBIR', 'SUSCRIBIRSE'],
    confirmation: {
      opt_out: 'Se ha dado de baja y ya no recibirá mensajes nuestros. Responda {keyword} para volver a suscribirse.',
      opt_in: 'Se ha vuelto a suscribir y recibirá nuestros mensajes. Responda {keyword} para darse de baja.',
    },
  },
  it: {
    optOut: ['DISISCRIVI', 'DISISCRIVIMI', 'CANCELLAMI', 'ANNULLA', 'FERMA'],
    optIn: ['ISCRIVI', 'ISCRIVIMI', 'RIATTIVA'],
    confirmation: {
      opt_out:
        'La tua iscrizione è stata annullata e non riceverai più nostri messaggi. Rispondi {keyword} per iscriverti di nuovo.',
      opt_in: 'Sei di nuovo iscritto/a e riceverai i nostri messaggi. Rispondi {keyword} per annullare l’iscrizione.',
    },
  },
  pt: {
    optOut: ['SAIR', 'PARAR', 'CANCELAR', 'DESCADASTRAR', 'DESINSCREVER'],
    optIn: ['INSCREVER', 'ASSINAR'],
    confirmation: {
      opt_out:
        'Sua inscrição foi cancelada e você não receberá mais mensagens nossas. Responda {keyword} para se inscrever novamente.',
      opt_in:
        'Você está inscrito(a) novamente e receberá nossas mensagens. Responda {keyword} para cancelar a inscrição.',
    },
  },
  nl: {
    optOut: ['AFMELDEN', 'UITSCHRIJVEN', 'OPZEGGEN', 'STOPPEN'],
    optIn: ['AANMELDEN', 'INSCHRIJVEN'],
    confirmation: {
      opt_out: 'U bent afgemeld en ontvangt geen berichten meer van ons. Antwoord {keyword} om u weer aan te melden.',
      opt_in: 'U bent weer aangemeld en ontvangt onze berichten. Antwoord {keyword} om u af te melden.',
    },
  },
};

/** The language codes that have their own keywords (English always applies besides them). */
export const KEYWORD_LANGUAGES: readonly string[] = Object.keys(WORDS);

// Messenger locales look like fr_FR; browsers say fr-CA. Only the language decides the words.
function language(locale: string): string {
  return locale.trim().toLowerCase().split(/[-_]/)[0] ?? '';
}

/** Every keyword that works on a Page with these locales (English included), normalised, for help texts and UIs. */
export function keywordsFor(locales: readonly string[]): { optOut: string[]; optIn: string[] } {
  const langs = [...new Set(['en', ...locales.map(language)])].filter((lang) => lang in WORDS);
  return {
    optOut: [...new Set(langs.flatMap((lang) => WORDS[lang]!.optOut))],
    optIn: [...new Set(langs.flatMap((lang) => WORDS[lang]!.optIn))],
  };
}

/** Upper case, accents and ß folded, inner spaces collapsed, leading ¡¿ and trailing punctuation dropped. */
export function normalizeKeywordText(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toUpperCase()
    .replace(/\s+/gu, ' ')
    .trim()
    .replace(/^[¡¿]+/u, '')
    .replace(/[\p{P}\s]+$/u, '');
}

/** A Page's own keywords, normalised, which work on that Page beside the built-in ones. */
export interface PageKeywords {
  optOut: readonly string[];
  optIn: readonly string[];
}

/**
 * The consent meaning of a message that is exactly a keyword of English, of one of `locales`, or of the Page's own
 * (`page`); null otherwise. Opting out wins: a word that is an opt-out anywhere opts out.
 */
export function detectConsentKeyword(
  text: string,
  locales: readonly string[],
  page: PageKeywords = { optOut: [], optIn: [] },
): ConsentKeyword | null {
  return detectNormalizedKeyword(normalizeKeywordText(text), locales, page);
}

/** As detectConsentKeyword, for a text the caller normalised already (with normalizeKeywordText). */
export function detectNormalizedKeyword(
  normalized: string,
  locales: readonly string[],
  page: PageKeywords = { optOut: [], optIn: [] },
): ConsentKeyword | null {
  if (normalized === '') return null;
  const languages = new Set(['en', ...locales.map(language)]);
  for (const lang of languages) {
    const words = WORDS[lang];
    if (!words) continue;
    if (words.optOut.includes(normalized)) return 'opt_out';
  }
  if (page.optOut.includes(normalized)) return 'opt_out';
  for (const lang of languages) {
    if (WORDS[lang]?.optIn.includes(normalized)) return 'opt_in';
  }
  if (page.optIn.includes(normalized)) return 'opt_in';
  return null;
}

/** The single confirmation for an opt-out or opt-in, in the locale's language, else English; names the undo word. */
export function confirmationText(kind: ConsentKeyword, locale: string): string {
  const words = WORDS[language(locale)] ?? WORDS.en!;
  const undo = kind === 'opt_out' ? words.optIn[0]! : words.optOut[0]!;
  return words.confirmation[kind].replace('{keyword}', undo);
}
