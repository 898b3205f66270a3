import { createHash } from 'node:crypto';
import { shouldRenderGraphiQL, type GraphiQLOptions, type Plugin } from 'graphql-yoga';

/**
 * Where the dashboard keeps its token for the tab (web/src/components/app.tsx, TOKEN_KEY): the
 * GraphiQL page, on the same origin, reads it from there.
 */
const DASHBOARD_TOKEN_KEY = 'berth.token';

/**
 * The header editor's starting content, worked out in the browser: the dashboard's session token
 * as `{"Authorization": "Bearer …"}` when the tab has one (the user signed in to the dashboard and
 * followed its GraphiQL link, which opens in the same tab), else nothing. The token is never in
 * the URL (berth refuses that: TOKEN_IN_URL) nor sent to the server to be put in the page (the page
 * is open and holds no data); sessionStorage is where the dashboard keeps it already, gone when
 * the tab closes or the user signs out, so GraphiQL needs no copy of its own. Writing it to
 * GraphiQL's own storage (`graphiql:headers`) instead would put it in localStorage, kept after the
 * tab closes, which berth never does with a token.
 */
const SESSION_HEADERS = `(function () {
  try {
    var token = sessionStorage.getItem(${JSON.stringify(DASHBOARD_TOKEN_KEY)});
    return token ? JSON.stringify({ Authorization: 'Bearer ' + token }, null, 2) : undefined;
  } catch (error) {
    return undefined;
  }
})()`;

/** Stands for SESSION_HEADERS in the options, which render-graphiql writes into the page as JSON. */
const PLACEHOLDER = '__berth_session_headers__';

/**
 * GraphiQL's options. Its own default keeps the header editor in localStorage (so a pasted token
 * would outlive the tab): off, the token typed or pre-filled lives as long as the page. The header
 * editor starts open, since every request needs the token there. `endpoint` is the path the
 * browser asks for, with BERTH_BASE_PATH's prefix: GraphiQL would otherwise post to the page's own
 * path, which holds whatever query string it was opened with.
 */
export function graphiqlOptions(endpoint: string) {
  return {
    title: 'berth GraphiQL',
    endpoint,
    shouldPersistHeaders: false,
    defaultEditorToolsVisibility: 'headers',
    // New tabs (Yoga's `headers` is GraphiQL's defaultHeaders) and the first one (GraphiQL's own
    // initialHeaders, passed through by Yoga) both start with the session's header.
    headers: PLACEHOLDER,
    initialHeaders: PLACEHOLDER,
  } satisfies GraphiQLOptions & { initialHeaders: string };
}

/**
 * Whether Yoga answers this request with GraphiQL's page: a GET that accepts HTML, at the GraphQL
 * endpoint, whatever its query string. GraphiQL writes the editor's query into the page's URL
 * (`?query=…`), so a reload carries one; Yoga still renders the page and executes nothing, and it
 * does so before any of berth's plugins run. Only with GraphiQL on: off, such a GET is GraphQL's.
 */
export function isGraphiQLPage(request: Request, url: URL, graphqlEndpoint: string): boolean {
  const path = url.pathname.replace(/\/$/, '');
  return path === graphqlEndpoint && shouldRenderGraphiQL(request);
}

/**
 * GraphiQL's page as @graphql-yoga/render-graphiql makes it: every asset (script, styles, the
 * editor's workers, the icon) is inlined, so nothing is fetched from a CDN and it works on a host
 * without internet. The options' placeholder becomes SESSION_HEADERS. Made once: the page is 9 MB
 * and the same for every request. The module is imported when the page is first asked for, not at
 * start: parsing its 9 MB took about a second of start-up on a busy 2-core machine and stayed in
 * memory (tens of MiB) on servers where nobody opens GraphiQL (B10 measures both).
 */
export function graphiqlRenderer(): {
  render: (options: GraphiQLOptions) => Promise<string>;
  csp: () => string;
} {
  let page: Promise<{ html: string; csp: string }> | undefined;
  let made: { html: string; csp: string } | undefined;
  const make = async (options: GraphiQLOptions) => {
    const { renderGraphiQL } = await import('@graphql-yoga/render-graphiql');
    const rendered = renderGraphiQL(options);
    const quoted = JSON.stringify(PLACEHOLDER);
    const count = rendered.split(quoted).length - 1;
    if (count !== 2) throw new Error(`GraphiQL's page holds the session placeholder ${count} times, not 2`);
    const html = rendered.replaceAll(quoted, SESSION_HEADERS);
    made = { html, csp: contentSecurityPolicy(html) };
    return made;
  };
  return {
    async render(options) {
      // One import and one rendering, however many requests arrive while the first is made; a
      // failure is not kept, so the next request tries again.
      page ??= make(options).catch((error: unknown) => {
        page = undefined;
        throw error;
      });
      return (await page).html;
    },
    // Read when the page's response goes out, so after `render` made it.
    csp: () => made?.csp ?? contentSecurityPolicy(''),
  };
}

/**
 * The page's inline scripts by their hashes, so no other script runs; the editor's workers start
 * from blob: URLs the page makes; Monaco styles its elements inline and its icon font is a data:
 * URL; requests go to berth alone (GraphQL over POST, subscriptions over SSE).
 */
function contentSecurityPolicy(html: string): string {
  const hashes = [...html.matchAll(/<script>([\s\S]*?)<\/script>/g)].map(
    ([, script]) =>
      `'sha256-${createHash('sha256')
        .update(script ?? '', 'utf8')
        .digest('base64')}'`,
  );
  return [
    "default-src 'self'",
    `script-src 'self' ${hashes.join(' ')}`.trim(),
    "worker-src 'self' blob:",
    "connect-src 'self'",
    "img-src 'self' data:",
    "font-src 'self' data:",
    "style-src 'self' 'unsafe-inline'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/**
 * The headers the dashboard's page gets, on GraphiQL's: its policy, not framed, not sniffed, no
 * referrer, and revalidated (the page changes with berth's version).
 */
export function useGraphiQLHeaders(graphqlEndpoint: string, csp: () => string): Plugin {
  return {
    onResponse({ request, response }) {
      const url = new URL(request.url);
      if (url.pathname !== graphqlEndpoint || request.method !== 'GET') return;
      if (!(response.headers.get('content-type') ?? '').startsWith('text/html')) return;
      response.headers.set('content-security-policy', csp());
      response.headers.set('x-frame-options', 'DENY');
      response.headers.set('x-content-type-options', 'nosniff');
      response.headers.set('referrer-policy', 'no-referrer');
      response.headers.set('cache-control', 'no-cache');
    },
  };
}
