import { AppError } from '../../errors.ts';
import { GraphError, type GraphClient } from '../../platform/index.ts';

/**
 * Checks a Page access token with Meta (`GET /me`): it must be valid and belong to `pageId`. Throws an AppError
 * saying what to do: `page_unauthorized` when Meta rejects the token (190), `validation_failed` when it belongs
 * to another Page, `not_ready` when Meta cannot be reached. Never puts the token in a message.
 */
export async function verifyPageToken(
  graph: GraphClient,
  pageId: string,
  token: string,
): Promise<{ name: string | null }> {
  let me: { id: string; name?: string };
  try {
    me = await graph.getMe(token);
  } catch (err) {
    if (!(err instanceof GraphError)) throw err;
    const c = err.classification;
    if (c.kind === 'reauthorize') {
      throw new AppError(
        'page_unauthorized',
        `Meta rejected the Page access token (code ${String(c.code)}${c.subcode ? `/${c.subcode}` : ''}: invalid or expired); get a new one for Page ${pageId}`,
      );
    }
    throw new AppError(
      'not_ready',
      `the Page access token could not be checked with Meta (${c.stableCode}: ${c.message})`,
    );
  }
  if (String(me.id) !== pageId)
    throw new AppError(
      'validation_failed',
      `the Page access token belongs to Page ${String(me.id)}, not to Page ${pageId}`,
    );
  return { name: typeof me.name === 'string' ? me.name : null };
}
