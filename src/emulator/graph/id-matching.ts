// ID matching (reference §5.2): ids_for_pages and ids_for_apps, always with appsecret_proof.
import type { Core } from '../core.ts';
import { errors } from '../graph-error-answers.ts';
import type { Person } from '../world.ts';
import { str, type Caller, type Params } from './request.ts';

function paging(core: Core): { cursors: { before: string; after: string } } {
  return { cursors: { before: core.random.base64url(24), after: core.random.base64url(24) } };
}

function personFor(core: Core, caller: Caller, id: string): Person {
  if (caller.kind === 'app') {
    const person = core.world.people.get(id);
    if (!person) throw errors.unsupported('GET', id);
    return person;
  }
  const thread = core.world.threadByPsid(caller.page.id, id);
  if (!thread) throw errors.unsupported('GET', id);
  return thread.person;
}

/** The person's PSIDs on the business's other Pages; `?page=` narrows to one Page. */
export function idsForPages(core: Core, caller: Caller, id: string, params: Params): Record<string, unknown> {
  const person = personFor(core, caller, id);
  const only = str(params.page);
  const data = core.world
    .threadsOf(person)
    .filter((t) => only === undefined || t.page.id === only)
    .map((t) => ({
      id: t.psid,
      page: { category: 'Business', link: `https://www.facebook.com/${t.page.id}/`, name: t.page.name, id: t.page.id },
    }));
  return { data, paging: paging(core) };
}

/** The person's app-scoped id for this app (the only app in the emulated business). */
export function idsForApps(core: Core, caller: Caller, id: string, params: Params): Record<string, unknown> {
  const person = personFor(core, caller, id);
  const only = str(params.app);
  const { appId, appName } = core.opts;
  const data =
    only === undefined || only === appId
      ? [
          {
            id: person.id,
            app: {
              category: 'Business',
              link: `https://www.facebook.com/games/?app_id=${appId}`,
              name: appName,
              id: appId,
            },
          },
        ]
      : [];
  return { data, paging: paging(core) };
}
