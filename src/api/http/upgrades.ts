import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import type { VerifyClientCallbackAsync } from 'ws';
import type { AuthGuard } from '../../platform/auth/guard.js';
import { TokenInUrlError } from '../../shared/errors.js';
import { tokenInUrl } from './authentication.js';
import type { ClientAddressOf } from './client-address.js';
import { crossSiteRefusal, type CrossSitePolicy } from './cross-site.js';

export type UpgradeHandler = (request: IncomingMessage, socket: Duplex, head: Buffer) => void;

/**
 * One `upgrade` listener for every WebSocket path on the port (graphql-ws on `/graphql`, terminal
 * sessions on `/terminal`): each upgrade goes to its path's server, by the path alone (the query
 * is not part of it), after mountAt took BERTH_BASE_PATH off. Any other path is answered 404 and
 * the connection closed, before anything reads it.
 */
export function routeUpgrades(server: Server, routes: Readonly<Record<string, UpgradeHandler>>): void {
  server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    const path = (request.url ?? '/').split('?')[0] ?? '/';
    const handler = Object.hasOwn(routes, path) ? routes[path] : undefined;
    if (handler) {
      handler(request, socket, head);
      return;
    }
    socket.on('error', () => undefined);
    socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
  });
}

/**
 * What every WebSocket path checks before its socket opens. With authentication off, a page on
 * another site could open one (WebSockets are not bound by the same-origin policy), so the
 * cross-site rules apply as to HTTP; a token in the upgrade URL is refused (and audited), since
 * URLs end up in logs: `where` says where the client should send it instead.
 */
export function verifyUpgrade(options: {
  guard: AuthGuard;
  crossSite: CrossSitePolicy;
  clientAddress: ClientAddressOf;
  /** The audit log's action for a refusal. */
  action: string;
  where: string;
}): VerifyClientCallbackAsync {
  return (info, done) => {
    const refusal = crossSiteRefusal('GET', info.req.headers, options.crossSite, { websocket: true });
    if (refusal) done(false, refusal.httpStatus, refusal.message);
    else if (tokenInUrl(new URL(info.req.url ?? '/', 'http://berth'))) {
      options.guard.deny(
        { action: options.action, address: options.clientAddress(info.req) },
        null,
        new TokenInUrlError(),
      );
      done(false, 400, `send the token in ${options.where}, not in the URL`);
    } else done(true);
  };
}
