import { useEffect, useState } from 'preact/hooks';

/**
 * The dashboard's pages, in the URL's fragment: berth serves the page at `/` alone (any other
 * path goes on to authentication), so `#/stacks/web` is a page of its own that a reload or a
 * link keeps, while the server sees `/` only.
 */
export type Route =
  | { page: 'containers'; environment: Scope }
  | { page: 'stacks'; stack: null }
  | { page: 'stacks'; stack: string }
  | { page: 'registries' };

/**
 * Which containers the page shows: one environment (Docker host) by name, or ALL_HOSTS. `local`,
 * berth's own engine, is the default, so `#/` means what it always did.
 */
export type Scope = string;
/** No environment is named `*` (names are lowercase letters, digits, `-` and `_`). */
export const ALL_HOSTS: Scope = '*';
export const LOCAL: Scope = 'local';

export function parseRoute(hash: string): Route {
  const parts = hash.replace(/^#\/?/, '').split('/').filter(Boolean).map(decodePart);
  if (parts[0] === 'stacks')
    return parts[1] ? { page: 'stacks', stack: parts[1] } : { page: 'stacks', stack: null };
  if (parts[0] === 'registries') return { page: 'registries' };
  if (parts[0] === 'all') return { page: 'containers', environment: ALL_HOSTS };
  if (parts[0] === 'env' && parts[1]) return { page: 'containers', environment: parts[1] };
  return { page: 'containers', environment: LOCAL };
}

function decodePart(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    return part;
  }
}

export function href(route: Route): string {
  if (route.page === 'containers') {
    if (route.environment === LOCAL) return '#/';
    return route.environment === ALL_HOSTS ? '#/all' : `#/env/${encodeURIComponent(route.environment)}`;
  }
  if (route.page === 'registries') return '#/registries';
  return route.stack === null ? '#/stacks' : `#/stacks/${encodeURIComponent(route.stack)}`;
}

export function navigate(route: Route): void {
  location.hash = href(route);
}

/** The current route, re-rendering the caller when the fragment changes. */
export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(location.hash));
  useEffect(() => {
    const changed = () => setRoute(parseRoute(location.hash));
    window.addEventListener('hashchange', changed);
    return () => window.removeEventListener('hashchange', changed);
  }, []);
  return route;
}
