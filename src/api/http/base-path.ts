import type { IncomingMessage, RequestListener, Server, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { HTTP_ERROR_CODES } from '../../shared/errors.js';

/*
 * Everything under BERTH_BASE_PATH (`/berth`), for a reverse proxy that passes its own prefix on:
 * berth is mounted there, as Express mounts an app. A request's path loses the prefix at the door,
 * before Yoga or graphql-ws see it, so every route inside stays written once (`/graphql`,
 * `/containers/{id}`, `/healthz`) and means the same with a prefix or without. Only what the
 * browser is told to ask for carries the prefix: GraphiQL's endpoint, and the dashboard, whose
 * URLs are relative to its page.
 */

/** Outside the prefix: the catalog's ROUTE_NOT_FOUND, as the REST shim answers a path it lacks. */
function notFound(response: ServerResponse, basePath: string): void {
  const code = 'ROUTE_NOT_FOUND';
  const body = JSON.stringify({ error: { code, message: `berth is served under ${basePath}/` } });
  response.writeHead(HTTP_ERROR_CODES[code].httpStatus, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(body),
  });
  response.end(body);
}

/**
 * The part of `url` (a request target, path and query) inside the prefix, starting with `/`; null
 * outside it. `/berth` alone is inside, as `` (the caller redirects it to `/berth/`, where the
 * dashboard's relative URLs resolve under the prefix).
 */
export function insidePrefix(url: string, basePath: string): string | null {
  if (basePath === '') return url;
  if (!url.startsWith(basePath)) return null;
  const rest = url.slice(basePath.length);
  if (rest === '' || rest.startsWith('?')) return rest;
  return rest.startsWith('/') ? rest : null;
}

/**
 * Mounts `handler` (Yoga) at `basePath` on `server`: requests inside the prefix reach it without
 * the prefix, `/berth` is redirected to `/berth/`, anything else is 404. WebSocket upgrades lose
 * the prefix the same way, before graphql-ws (attached after this) looks at the path; one outside
 * it keeps a path graphql-ws serves nothing at, so it is refused there as any other path is.
 */
export function mountAt(server: Server, basePath: string, handler: RequestListener): void {
  server.on('request', (request: IncomingMessage, response: ServerResponse) => {
    const inside = insidePrefix(request.url ?? '/', basePath);
    if (inside === null) return notFound(response, basePath);
    if (inside === '' || inside.startsWith('?')) {
      response.writeHead(308, { location: `${basePath}/${inside}`, 'content-length': 0 });
      response.end();
      return;
    }
    request.url = inside;
    handler(request, response);
  });
  if (basePath !== '') {
    server.prependListener('upgrade', (request: IncomingMessage, _socket: Duplex) => {
      const inside = insidePrefix(request.url ?? '/', basePath);
      // `//…` is no path graphql-ws (or anything) is attached at.
      request.url = inside === null || inside === '' || inside.startsWith('?') ? `//${request.url}` : inside;
    });
  }
}
