import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';

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
