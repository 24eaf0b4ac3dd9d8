// User Profile API (`GET /{psid}?fields=…`) and `GET /me` for a Page token (reference §5.1).
import type { Core } from '../core.ts';
import { errors } from '../graph-error-answers.ts';
import type { Page, Thread } from '../world.ts';
import { str, type Params } from './request.ts';

const PROFILE_FIELDS = ['id', 'name', 'first_name', 'last_name', 'profile_pic', 'locale', 'timezone', 'gender'];
const DEFAULT_FIELDS = 'first_name,last_name,profile_pic,id';

/** The person's profile as that Page sees it; 100/33 without profile access, 2018218 for phone-number accounts. */
export function userProfile(core: Core, page: Page, thread: Thread, params: Params): Record<string, unknown> {
  if (!core.opts.policy.profileAccess) {
    if (core.opts.policy.profileDenied === 'empty') return {};
    throw errors.unsupported('GET', thread.psid);
  }
  const { person } = thread;
  if (person.noProfile) throw errors.noProfile();
  const fields = (str(params.fields) ?? DEFAULT_FIELDS)
    .split(',')
    .map((f) => f.trim())
    .filter(Boolean);
  const values: Record<string, unknown> = {
    id: thread.psid,
    name: `${person.firstName} ${person.lastName}`,
    first_name: person.firstName,
    last_name: person.lastName,
    profile_pic: `https://platform-lookaside.fbsbx.com/platform/profilepic/?eai=${page.id.slice(-6)}${thread.psid.slice(-6)}&height=200&width=200&ext=${Math.floor(core.clock.now() / 1000) + 30 * 86400}`,
    locale: person.locale,
    timezone: person.timezone,
    gender: person.gender,
  };
  const out: Record<string, unknown> = {};
  for (const f of fields) {
    if (!PROFILE_FIELDS.includes(f)) throw errors.nonexistingField(f, 'User');
    out[f] = values[f];
  }
  if (!('id' in out)) out.id = thread.psid;
  return out;
}

/** `GET /me` (or `/{page-id}`) with a Page token. */
export function pageNode(
  page: Page,
  params: Params,
  linkingLookup: (token: string) => string | undefined,
): Record<string, unknown> {
  const fields = (str(params.fields) ?? 'name,id').split(',').map((f) => f.trim());
  const out: Record<string, unknown> = {};
  for (const f of fields) {
    if (f === 'name') out.name = page.name;
    else if (f === 'id') continue;
    else if (f === 'recipient') {
      const token = str(params.account_linking_token);
      const psid = token ? linkingLookup(token) : undefined;
      if (!psid) throw errors.invalidLinkingToken();
      out.recipient = psid;
    } else throw errors.nonexistingField(f, 'Page');
  }
  out.id = page.id;
  return out;
}
