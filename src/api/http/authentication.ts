import type { IncomingMessage } from 'node:http';
import type { Plugin } from 'graphql-yoga';
import { bearerToken, type AuthGuard } from '../../platform/auth/guard.js';
import { forbiddenFor, type Principal } from '../../platform/auth/principal.js';
import { TOKEN_PATTERN } from '../../platform/auth/tokens.js';
import { BerthError, ERROR_CODES, RateLimitedError, TokenInUrlError } from '../../shared/errors.js';
import type { ClientAddressOf } from './client-address.js';
import { isGraphiQLPage } from './graphiql.js';

const principals = new WeakMap<Request, Principal>();

/** The principal authentication attached to this request (every route but /healthz has one). */
export function principalOf(request: Request): Principal | undefined {
  return principals.get(request);
}

// Query parameters that look like credentials are refused whatever their value.
const CREDENTIAL_PARAMS = /^(access_?token|token|auth|authorization|api_?key|key|secret|bearer|password)$/i;

/** A token in the URL ends up in logs and proxies: refused, never used. */
export function tokenInUrl(url: URL): boolean {
  for (const [name, value] of url.searchParams) {
    if (CREDENTIAL_PARAMS.test(name) || value.startsWith('berth_') || TOKEN_PATTERN.test(value)) return true;
  }
  return bearerToken(decodeURIComponent(url.search)) !== null || url.username !== '' || url.password !== '';
}

/** The address a request came from: its peer's, or the one a trusted proxy forwarded for. */
function requestAddress(serverContext: unknown, clientAddress: ClientAddressOf): string {
  const req = (serverContext as { req?: IncomingMessage } | undefined)?.req;
  return req ? clientAddress(req) : 'unknown';
}

/**
 * The route a request aims at, as the audit log names it: berth's own route shapes, and one name for
 * every other path, so refusals (counted per action) stay few however a flood varies its paths.
 */
export function routeShape(pathname: string, graphqlEndpoint: string): string {
  const path = pathname.replace(/\/+$/, '') || '/';
  if (path === graphqlEndpoint || path === '/containers' || path === '/metrics') return path;
  const container = /^\/containers\/[^/]+(\/logs)?$/.exec(path);
  if (container) return `/containers/{id}${container[1] ?? ''}`;
  return '(another path)';
}

/**
 * Authentication for every HTTP route but `/healthz` (and GraphiQL's page, which carries no data):
 * GraphQL, the REST shim and log following alike. A refusal answers here, before routing, so no
 * engine call is ever made for it.
 */
export function useAuthentication(
  guard: AuthGuard,
  options: { graphqlEndpoint: string; clientAddress: ClientAddressOf; graphiql: boolean },
): Plugin {
  const { graphqlEndpoint, clientAddress } = options;
  return {
    async onRequest({ request, url, endResponse, fetchAPI, serverContext }) {
      if (url.pathname === '/healthz') return;
      const address = requestAddress(serverContext, clientAddress);
      const action = `${request.method} ${routeShape(url.pathname, graphqlEndpoint)}`;
      const graphql = url.pathname === graphqlEndpoint;
      const respond = (error: BerthError) => {
        const status = ERROR_CODES[error.code].httpStatus;
        const headers: Record<string, string> = { 'content-type': 'application/json; charset=utf-8' };
        if (status === 401) headers['www-authenticate'] = 'Bearer realm="berth"';
        if (error instanceof RateLimitedError) headers['retry-after'] = String(error.retryAfterSeconds);
        const body = graphql
          ? { errors: [{ message: error.message, extensions: { code: error.code } }] }
          : { error: { code: error.code, message: error.message } };
        endResponse(new fetchAPI.Response(JSON.stringify(body), { status, headers }));
      };

      if (tokenInUrl(url)) {
        respond(guard.deny({ action, address }, null, new TokenInUrlError()));
        return;
      }
      // GraphiQL's page, with or without the query GraphiQL keeps in its URL: its own requests
      // carry the token (set under Headers). Yoga answers it before this runs; this keeps the rule
      // in one place with it, and with GraphiQL off such a GET needs a token like any other.
      if (options.graphiql && isGraphiQLPage(request, url, graphqlEndpoint)) return;
      try {
        const principal = await guard.authenticate({
          authorization: request.headers.get('authorization'),
          address,
          action,
        });
        // A deploy token's one operation is a GraphQL mutation: the REST shim, /metrics and every
        // other route refuse it here, audited, before any of them runs.
        if (principal.scope && !graphql) {
          respond(guard.deny({ action, address }, principal, forbiddenFor(principal, 'viewer')));
          return;
        }
        principals.set(request, principal);
      } catch (error) {
        if (!(error instanceof BerthError)) throw error;
        respond(error);
      }
    },
  };
}
