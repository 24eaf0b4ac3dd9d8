import { useSyncExternalStore } from 'react';

/** Where the app is: `#/<section>[/<id>]`, e.g. `#/inbox/9f2c…` (a conversation). Links and the back button work. */
export interface Route {
  section: string;
  id: string | null;
}

export function parseRoute(hash: string): Route {
  const [section, id] = hash.replace(/^#\/?/, '').split('/');
  return { section: section || 'inbox', id: id ? decodeURIComponent(id) : null };
}

export function routeHash(r: Route): string {
  return `#/${r.section}${r.id ? `/${encodeURIComponent(r.id)}` : ''}`;
}

function subscribe(fn: () => void): () => void {
  window.addEventListener('hashchange', fn);
  return () => window.removeEventListener('hashchange', fn);
}

export function useRoute(): Route {
  const hash = useSyncExternalStore(subscribe, () => location.hash);
  return parseRoute(hash);
}

/** Goes to a route; `replace` keeps the browser history as it is (a selection that needs no back step). */
export function navigate(r: Route, opts: { replace?: boolean } = {}): void {
  const hash = routeHash(r);
  if (location.hash === hash) return;
  if (opts.replace) {
    history.replaceState(null, '', hash);
    window.dispatchEvent(new HashChangeEvent('hashchange'));
  } else location.hash = hash;
}
