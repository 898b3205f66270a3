import type { Server } from 'node:http';
import type { ExecutionArgs } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { createGraphQLError, type YogaLogger, type YogaServerInstance } from 'graphql-yoga';
import { CloseCode } from 'graphql-ws';
import { WebSocket, WebSocketServer } from 'ws';
import type { AuthGuard } from '../../platform/auth/guard.js';
import type { Principal } from '../../platform/auth/principal.js';
import { RateLimitedError, TokenInUrlError, UnauthenticatedError } from '../../shared/errors.js';
import { tokenInUrl } from './authentication.js';
import { crossSiteRefusal, type CrossSitePolicy } from './cross-site.js';

/**
 * Too many failed authentications from the address: like HTTP's 429, and final for graphql-ws's
 * client (its TooManyInitialisationRequests), which is right for credentials that keep failing.
 */
export const TOO_MANY_REQUESTS = 4429;
/**
 * A valid token past its own rate: the WebSocket standard's "Try Again Later", which graphql-ws's
 * client retries with its back-off, where 4429 would end it for good.
 */
export const TRY_AGAIN_LATER = 1013;

/**
 * graphql-ws on `/graphql`, sharing Yoga's envelope: the same schema, context, plugins and error
 * masking as HTTP, so a WebSocket client sees exactly what an HTTP client sees.
 */
export function attachGraphQLWebSocket(
  server: Server,
  yoga: YogaServerInstance<Record<string, unknown>, Record<string, unknown>>,
  options: { maxBufferedBytes: number; guard: AuthGuard; crossSite: CrossSitePolicy; log: YogaLogger },
): { close(): Promise<void>; clients(): number } {
  const { guard } = options;
  const wss = new WebSocketServer({
    server,
    path: yoga.graphqlEndpoint,
    // Frames, like HTTP bodies, are capped at 1 MiB: a bigger one closes the connection (1009).
    maxPayload: 1024 * 1024,
    // A token in the upgrade URL is refused before the socket opens.
    verifyClient: (info, done) => {
      // With authentication off, a page on another site could open one: WebSockets are not bound
      // by the same-origin policy.
      const refusal = crossSiteRefusal('GET', info.req.headers, options.crossSite, { websocket: true });
      if (refusal) done(false, refusal.httpStatus, refusal.message);
      else if (tokenInUrl(new URL(info.req.url ?? '/', 'http://berth'))) {
        guard.deny(
          { action: 'websocket', address: info.req.socket.remoteAddress ?? 'unknown' },
          null,
          new TokenInUrlError(),
        );
        done(false, 400, 'send the token in connectionParams.authorization, not in the URL');
      } else done(true);
    },
  });
  /** Who each connection authenticated as, to end them when their token is revoked. */
  const principals = new Map<WebSocket, Principal>();
  const closeWith = (socket: WebSocket, code: number, reason: string) => {
    if (socket.readyState === WebSocket.OPEN) socket.close(code, reason);
  };
  const offRevoked = guard.onRevoked((tokenId) => {
    for (const [socket, principal] of principals) {
      if (principal.tokenId === tokenId) closeWith(socket, CloseCode.Forbidden, 'token revoked');
    }
  });

  // graphql-ws waits for each message to reach the kernel before taking the next from a stream,
  // and stats streams keep only their newest sample, so a slow reader costs one message per
  // subscription. A client that reads nothing still fills that up: past the bound it is cut off,
  // so it neither holds memory nor delays anyone else.
  const watchdog = setInterval(() => {
    for (const client of wss.clients) {
      if (client.bufferedAmount <= options.maxBufferedBytes) continue;
      options.log.warn(
        `closing a WebSocket client with ${client.bufferedAmount} bytes unsent (bound ${options.maxBufferedBytes}): it is not reading`,
      );
      client.terminate();
    }
  }, 250);
  watchdog.unref();
  type EnvelopedArgs = ExecutionArgs & { rootValue: { execute: Function; subscribe: Function } };

  const disposable = useServer(
    {
      execute: (args) => (args as EnvelopedArgs).rootValue.execute(args),
      subscribe: (args) => (args as EnvelopedArgs).rootValue.subscribe(args),
      // connection_init carries the token; a bad one closes with 4403 (graphql-ws's Forbidden), too
      // many failures with 4429, a valid token past its rate with 1013. No init at all closes with
      // 4408 after 3 s.
      onConnect: async (ctx) => {
        const socket = ctx.extra.socket;
        const address = ctx.extra.request.socket.remoteAddress ?? 'unknown';
        try {
          const principal = await guard.authenticate({
            authorization: ctx.connectionParams?.['authorization'],
            address,
            action: 'websocket',
          });
          principals.set(socket, principal);
          socket.once('close', () => principals.delete(socket));
          (ctx.extra as { principal?: Principal }).principal = principal;
          return true;
        } catch (error) {
          if (error instanceof RateLimitedError) {
            closeWith(socket, error.limit === 'token' ? TRY_AGAIN_LATER : TOO_MANY_REQUESTS, error.message);
          }
          return false;
        }
      },
      onSubscribe: async (ctx, _id, params) => {
        // Checked again on every subscribe: a revoked token, or one past its rate, opens nothing.
        const principal = (ctx.extra as { principal?: Principal }).principal;
        const socket = ctx.extra.socket;
        const address = ctx.extra.request.socket.remoteAddress ?? 'unknown';
        if (!principal || !guard.isActive(principal)) {
          const error = guard.deny(
            { action: 'subscribe', address },
            principal ?? null,
            new UnauthenticatedError('token revoked'),
          );
          closeWith(socket, CloseCode.Forbidden, 'token revoked');
          return [createGraphQLError(error.message, { extensions: { code: error.code } })];
        }
        try {
          await guard.admit(principal, { action: 'subscribe', address });
        } catch (error) {
          if (!(error instanceof RateLimitedError)) throw error;
          // This operation is refused; the connection and its other subscriptions carry on.
          return [createGraphQLError(error.message, { extensions: { code: error.code } })];
        }
        const { schema, execute, subscribe, contextFactory, parse, validate } = yoga.getEnveloped({
          ...ctx,
          req: ctx.extra.request,
          socket: ctx.extra.socket,
          params,
          principal,
        });
        const args = {
          schema,
          operationName: params.operationName,
          document: parse(params.query),
          variableValues: params.variables,
          contextValue: await contextFactory(),
          rootValue: { execute, subscribe },
        };
        const errors = validate(args.schema, args.document);
        return errors.length > 0 ? errors : args;
      },
    },
    wss,
  );

  return {
    clients: () => wss.clients.size,
    async close() {
      clearInterval(watchdog);
      offRevoked();
      for (const client of wss.clients) client.terminate();
      await disposable.dispose();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}
