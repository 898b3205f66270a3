import type { IncomingHttpHeaders } from 'node:http';
import type { CORSOptions, Plugin } from 'graphql-yoga';
import { HTTP_ERROR_CODES, type HttpErrorCode } from '../../shared/errors.js';
import { isGraphiQLPage } from './graphiql.js';

/**
 * What keeps a web page on another site from driving berth through a visitor's browser. With
 * authentication on, that page lacks the token, which browsers never add on their own. With it off,
 * berth listens on loopback only, and a page can still reach that through the browser: by a form or
 * a GET (no preflight), a WebSocket (not covered by the same-origin policy), or a name of its own
 * rebound to 127.0.0.1 (DNS rebinding). Those are what is refused here.
 */
export interface CrossSitePolicy {
  authEnabled: boolean;
  /** The address berth listens on (HOST). */
  listenHost: string;
  /** Origins whose pages may call berth (BERTH_CORS_ORIGINS). */
  corsOrigins: readonly string[];
  /** More Host names to answer with authentication off (BERTH_ALLOWED_HOSTS), lowercase. */
  allowedHosts: readonly string[];
}

/** Headers Yoga's CSRF prevention takes as proof of a preflight (Apollo's name too). */
export const CSRF_HEADERS = ['x-graphql-yoga-csrf', 'apollo-require-preflight'] as const;

/** Bodies a browser sends cross-site without asking first (the CORS "simple" content types). */
const SIMPLE_CONTENT_TYPES = ['application/x-www-form-urlencoded', 'multipart/form-data', 'text/plain'];

export class CrossSiteRefusal extends Error {
  constructor(
    readonly code: Extract<HttpErrorCode, 'HOST_NOT_ALLOWED' | 'CROSS_SITE_REQUEST'>,
    message: string,
  ) {
    super(message);
  }

  get httpStatus(): number {
    return HTTP_ERROR_CODES[this.code].httpStatus;
  }
}

const LOOPBACK_NAMES = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * Only the name counts, not the port: rebinding changes the name a page uses (its own), while the
 * port is whatever berth listens on behind a proxy or a forwarded port.
 */
function hostAllowed(host: string | undefined, policy: CrossSitePolicy): boolean {
  if (host === undefined) return true; // HTTP/1.0 without Host: no browser sends that.
  const name = /^(\[[0-9a-f:.]+\]|[a-z0-9.-]+)(:\d{1,5})?$/i.exec(host)?.[1]?.toLowerCase();
  if (name === undefined) return false;
  const listen = policy.listenHost.includes(':') ? `[${policy.listenHost}]` : policy.listenHost;
  return LOOPBACK_NAMES.has(name) || name === listen.toLowerCase() || policy.allowedHosts.includes(name);
}

/** An Origin of berth's own pages (the same host as asked for) or one BERTH_CORS_ORIGINS lists. */
function originAllowed(origin: string, host: string | undefined, policy: CrossSitePolicy): boolean {
  if (policy.corsOrigins.includes(origin)) return true;
  try {
    return host !== undefined && new URL(origin).host === host.toLowerCase();
  } catch {
    return false; // `null` (a sandboxed frame, a file) among them
  }
}

/**
 * Why a request (or a WebSocket upgrade) with these headers is refused, or null. Only with
 * authentication off: the Host name must be berth's, and a change or a WebSocket that a browser
 * sends on behalf of a page must come from berth's own pages or a listed origin. Clients that are
 * not browsers send no Origin (curl, the graphql-ws client in Node) and are not affected.
 */
export function crossSiteRefusal(
  method: string,
  headers: Pick<IncomingHttpHeaders, 'host' | 'origin'>,
  policy: CrossSitePolicy,
  options: { websocket?: boolean } = {},
): CrossSiteRefusal | null {
  if (policy.authEnabled) return null;
  if (!hostAllowed(headers.host, policy)) {
    return new CrossSiteRefusal(
      'HOST_NOT_ALLOWED',
      `berth does not answer to the name "${headers.host}" with authentication off; add it to BERTH_ALLOWED_HOSTS`,
    );
  }
  const changes = options.websocket || !['GET', 'HEAD', 'OPTIONS'].includes(method);
  if (changes && headers.origin !== undefined && !originAllowed(headers.origin, headers.host, policy)) {
    return new CrossSiteRefusal(
      'CROSS_SITE_REQUEST',
      `a page from ${headers.origin} may not ${options.websocket ? 'open a WebSocket to' : 'change anything on'} berth; list the origin in BERTH_CORS_ORIGINS`,
    );
  }
  return null;
}

/** The refusal as the route answers errors: GraphQL's `errors`, or the REST shim's `error`. */
function refusalResponse(
  fetchAPI: { Response: typeof Response },
  refusal: CrossSiteRefusal,
  graphql: boolean,
): Response {
  const body = graphql
    ? { errors: [{ message: refusal.message, extensions: { code: refusal.code } }] }
    : { error: { code: refusal.code, message: refusal.message } };
  return fetchAPI.Response.json(body, { status: refusal.httpStatus });
}

/** Host and Origin checks (authentication off) for every HTTP route, before authentication. */
export function useCrossSiteChecks(policy: CrossSitePolicy, graphqlEndpoint: string): Plugin {
  return {
    onRequest({ request, url, endResponse, fetchAPI }) {
      const origin = request.headers.get('origin');
      const host = request.headers.get('host');
      const refusal = crossSiteRefusal(
        request.method,
        { ...(host !== null && { host }), ...(origin !== null && { origin }) },
        policy,
      );
      if (refusal) endResponse(refusalResponse(fetchAPI, refusal, url.pathname === graphqlEndpoint));
    },
  };
}

/**
 * GraphQL only as `application/json` POSTs, which a page on another site cannot send without a
 * preflight that berth's CORS answers refuse; and GET, which Yoga limits to queries, only with a
 * header such a page cannot set without one either (Yoga's CSRF prevention, `x-graphql-yoga-csrf`).
 * Forms (urlencoded, multipart) and `application/graphql` bodies are refused with 415.
 */
export function useGraphQLCsrfPrevention(graphqlEndpoint: string, options: { graphiql: boolean }): Plugin {
  return {
    onRequest({ request, url, endResponse, fetchAPI }) {
      if (url.pathname !== graphqlEndpoint) return;
      // GraphiQL's page holds no data; its own requests are JSON POSTs.
      if (options.graphiql && isGraphiQLPage(request, url, graphqlEndpoint)) return;
      const type = mediaType(request.headers.get('content-type'));
      const fail = (code: HttpErrorCode, message: string) =>
        endResponse(
          fetchAPI.Response.json(
            { errors: [{ message, extensions: { code } }] },
            { status: HTTP_ERROR_CODES[code].httpStatus },
          ),
        );
      if (request.method === 'POST' && type !== 'application/json') {
        fail('UNSUPPORTED_MEDIA_TYPE', 'send GraphQL as application/json');
      } else if (
        request.method === 'GET' &&
        (type === null || SIMPLE_CONTENT_TYPES.includes(type)) &&
        !CSRF_HEADERS.some((header) => request.headers.has(header))
      ) {
        fail(
          'CROSS_SITE_REQUEST',
          `GraphQL over GET needs the ${CSRF_HEADERS[0]} header (any value), which no page on another site can send; or POST application/json`,
        );
      }
    },
  };
}

function mediaType(contentType: string | null): string | null {
  return contentType === null ? null : (contentType.split(';')[0] ?? '').trim().toLowerCase();
}

/**
 * CORS answers for Yoga: credentialed ones to the origins BERTH_CORS_ORIGINS lists, none to any
 * other (Yoga's default reflects every origin, with credentials).
 */
export function corsFor(policy: Pick<CrossSitePolicy, 'corsOrigins'>): (request: Request) => CORSOptions {
  return (request) => {
    const origin = request.headers.get('origin');
    return origin !== null && policy.corsOrigins.includes(origin)
      ? { origin: [origin], credentials: true }
      : false;
  };
}
