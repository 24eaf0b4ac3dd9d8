import { Type } from 'typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { RouteModule } from '../app.ts';
import { errorResponses, IdParams } from '../schema-types.ts';
import {
  builtInKeywords,
  getPageKeywords,
  MAX_KEYWORD_LENGTH,
  setPageKeywords,
} from '../../modules/consent/page-keywords.ts';
import type { PageKeywords } from '../../modules/consent/keywords.ts';

const Words = (description: string) => Type.Array(Type.String(), { description });

const KeywordsSchema = Type.Object({
  opt_out: Words("the Page's own words that opt a person out, normalised (upper case, no accents)"),
  opt_in: Words("the Page's own words that opt a person in again"),
  built_in: Type.Object(
    { opt_out: Type.Array(Type.String()), opt_in: Type.Array(Type.String()) },
    {
      description:
        'the words that always work (English on every Page, the other languages for people writing in them); not editable',
    },
  ),
});

const Word = Type.String({ minLength: 1, maxLength: MAX_KEYWORD_LENGTH });

function present(own: PageKeywords) {
  const builtIn = builtInKeywords();
  return {
    opt_out: [...own.optOut],
    opt_in: [...own.optIn],
    built_in: { opt_out: builtIn.optOut, opt_in: builtIn.optIn },
  };
}

/**
 * A Page's own consent keywords: a whole message that is one of them opts the person out (or in) on that Page, as
 * STOP does everywhere. Anyone who sees the Page reads them; owners and admins (`pages:write`) replace them.
 */
export const consentKeywordRoutes: RouteModule = (server, ctx) => {
  const app = server.withTypeProvider<TypeBoxTypeProvider>();
  app.get(
    '/api/v1/pages/:pageId/consent-keywords',
    {
      config: { auth: 'token' },
      schema: {
        tags: ['consent'],
        summary: "A Page's own opt-out and opt-in keywords, and the built-in ones that always work",
        params: IdParams('pageId'),
        response: { 200: KeywordsSchema, ...errorResponses },
      },
    },
    async (req) => present(await getPageKeywords(ctx, req.actor!, req.params.pageId)),
  );

  app.put(
    '/api/v1/pages/:pageId/consent-keywords',
    {
      config: { auth: 'token' },
      schema: {
        tags: ['consent'],
        summary:
          "Replace a Page's own keywords (owner, admin). The built-in ones stay; a word cannot both opt out and in, nor mean the opposite of a built-in",
        params: IdParams('pageId'),
        body: Type.Object(
          {
            opt_out: Type.Array(Word, { maxItems: 50 }),
            opt_in: Type.Array(Word, { maxItems: 50 }),
          },
          { additionalProperties: false },
        ),
        response: { 200: KeywordsSchema, ...errorResponses },
      },
    },
    async (req) => present(await setPageKeywords(ctx, req.actor!, req.params.pageId, req.body)),
  );
};
