import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import {
  getOperationAST,
  getVariableValues,
  type DocumentNode,
  type ExecutionArgs,
  type ExecutionResult,
  type GraphQLError,
} from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { createGraphQLError, type YogaLogger, type YogaServerInstance } from 'graphql-yoga';
import { CloseCode, type SubscribePayload } from 'graphql-ws';
import { WebSocket, WebSocketServer } from 'ws';
import type { AuthGuard } from '../../platform/auth/guard.js';
import type { Principal } from '../../platform/auth/principal.js';
import { RateLimitedError, UnauthenticatedError } from '../../shared/errors.js';
import type { ClientAddressOf } from './client-address.js';
import type { CrossSitePolicy } from './cross-site.js';
import { sharedField, sharingKey } from '../graphql/shared-subscriptions.js';
import { SharedExecutions } from './shared-executions.js';
import { verifyUpgrade } from './upgrades.js';

/**
 * "Slow down", for either limit: too many failed authentications from the address, or a valid
 * token past its own rate. The WebSocket standard's "Try Again Later", which graphql-ws's client
 * (and any client that reads RFC 6455's table) retries with its back-off; the reason says which
 * limit and after how many seconds. Not graphql-ws's 4429 (TooManyInitialisationRequests): its
 * client treats that as fatal and would give up for good, where berth means "not now". A bad
 * token is told apart by 4403 (Forbidden), which is final: retrying cannot make the token good.
 * The address limit is reached only with a bad token, but the client may have a new one by its
 * next try (the dashboard reads it afresh), and past the window it learns the verdict, 4403.
 */
export const TRY_AGAIN_LATER = 1013;

/**
 * graphql-ws on `/graphql`, sharing Yoga's envelope: the same schema, context, plugins and error
 * masking as HTTP, so a WebSocket client sees exactly what an HTTP client sees. The server's
 * upgrades reach it through `handleUpgrade` (see upgrades.ts): one port serves several WebSocket
 * paths, and a ws server attached to the HTTP server itself would refuse every path but its own.
 */
export function attachGraphQLWebSocket(
  yoga: YogaServerInstance<Record<string, unknown>, Record<string, unknown>>,
  options: {
    maxBufferedBytes: number;
    guard: AuthGuard;
    crossSite: CrossSitePolicy;
    clientAddress: ClientAddressOf;
    log: YogaLogger;
    /** Counts a subscriber of a shared execution open; what it returns counts it closed. */
    subscriberOpened?: () => () => void;
  },
): {
  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void;
  close(): Promise<void>;
  clients(): number;
  sharedExecutions(): number;
} {
  const { guard } = options;
  const shared = new SharedExecutions(options.subscriberOpened);
  const wss = new WebSocketServer({
    noServer: true,
    path: yoga.graphqlEndpoint,
    // Frames, like HTTP bodies, are capped at 1 MiB: a bigger one closes the connection (1009).
    maxPayload: 1024 * 1024,
    // Cross-site and token-in-URL refusals, before the socket opens.
    verifyClient: verifyUpgrade({ ...options, action: 'websocket', where: 'connectionParams.authorization' }),
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
  type EnvelopedArgs = ExecutionArgs & {
    rootValue: { execute: Function; subscribe: Function; share?: Share };
  };

  const disposable = useServer(
    {
      execute: (args) => (args as EnvelopedArgs).rootValue.execute(args),
      subscribe: (args) => {
        const { subscribe, share } = (args as EnvelopedArgs).rootValue;
        if (!share) return subscribe(args);
        // graphql-ws keeps the arguments while the operation lasts; what only starting it needed
        // (the envelope, the document's context) need not stay with every subscriber.
        (args as { rootValue: unknown }).rootValue = undefined;
        return shared.join(share.key, share.start, share.socket, share.id);
      },
      // connection_init carries the token; a bad one closes with 4403 (graphql-ws's Forbidden), too
      // many failures from the address or a valid token past its rate with 1013. No init at all
      // closes with 4408 after 3 s. docs/security.md has every close code in one table.
      onConnect: async (ctx) => {
        const socket = ctx.extra.socket;
        const address = options.clientAddress(ctx.extra.request);
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
            closeWith(socket, TRY_AGAIN_LATER, error.message);
          }
          return false;
        }
      },
      onSubscribe: async (ctx, id, params) => {
        // Checked again on every subscribe: a revoked token, or one past its rate, opens nothing.
        const principal = (ctx.extra as { principal?: Principal }).principal;
        const socket = ctx.extra.socket;
        const address = options.clientAddress(ctx.extra.request);
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
        try {
          const enveloped = yoga.getEnveloped({
            ...ctx,
            req: ctx.extra.request,
            socket: ctx.extra.socket,
            params,
            principal,
          });
          const prepared = prepareOperation(enveloped, params);
          if (Array.isArray(prepared)) return prepared.map(withoutHttpExtension);
          const key =
            sharedField(prepared.schema, prepared.document, prepared.operationName) &&
            sharingKey(params.query, params.operationName, params.variables, principal);
          if (key) {
            // Authorized like any other (above, and by the schema when the execution starts, for
            // this scope); its context is made only if it is the one that starts the execution.
            const share: Share = {
              key,
              socket,
              id,
              start: async () =>
                enveloped.subscribe({
                  ...prepared,
                  rootValue: undefined,
                  contextValue: { ...(await enveloped.contextFactory()), sharedExecution: true },
                }),
            };
            return {
              ...prepared,
              rootValue: { execute: enveloped.execute, subscribe: enveloped.subscribe, share },
            };
          }
          return {
            ...prepared,
            contextValue: await enveloped.contextFactory(),
            rootValue: { execute: enveloped.execute, subscribe: enveloped.subscribe },
          };
        } catch (error) {
          // A fault of berth's, not the client's: logged whole, and only this operation ends.
          options.log.error('preparing a WebSocket operation failed', error);
          return [createGraphQLError('Unexpected error.', { extensions: { code: 'INTERNAL_SERVER_ERROR' } })];
        }
      },
    },
    wss,
  );

  return {
    handleUpgrade: (request, socket, head) =>
      wss.handleUpgrade(request, socket, head, (client) => wss.emit('connection', client, request)),
    clients: () => wss.clients.size,
    sharedExecutions: () => shared.size,
    async close() {
      clearInterval(watchdog);
      offRevoked();
      for (const client of wss.clients) client.terminate();
      await disposable.dispose();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}

/** A shared subscription: what identifies its execution, and how to start it if none runs. */
interface Share {
  key: string;
  socket: WebSocket;
  id: string;
  start: () => Promise<AsyncIterable<ExecutionResult> | ExecutionResult>;
}

/**
 * The document parsed, validated, its operation found and its variables checked, as Yoga does for
 * HTTP; or the client's mistakes as coded errors, which graphql-ws sends as an `error` message for
 * that operation alone. Thrown out of onSubscribe, any of them would close the whole connection
 * (4500) and end the client's other subscriptions.
 */
function prepareOperation(
  enveloped: Pick<
    ReturnType<YogaServerInstance<object, object>['getEnveloped']>,
    'parse' | 'validate' | 'schema'
  >,
  params: SubscribePayload,
): GraphQLError[] | Pick<ExecutionArgs, 'schema' | 'document' | 'operationName' | 'variableValues'> {
  let document: DocumentNode;
  try {
    document = enveloped.parse(params.query);
  } catch (error) {
    if (!isGraphQLErrorLike(error)) throw error;
    // The token limit's refusal comes typed; a syntax error as Yoga codes it over HTTP.
    return [coded(error, (error.extensions['code'] as string | undefined) ?? 'GRAPHQL_PARSE_FAILED')];
  }
  const invalid = enveloped.validate(enveloped.schema, document);
  if (invalid.length > 0) return [...invalid];
  const operation = getOperationAST(document, params.operationName ?? undefined);
  if (!operation) {
    return [
      createGraphQLError(
        params.operationName
          ? `the document has no operation named "${params.operationName}"`
          : 'the document holds several operations: name one in operationName',
        { extensions: { code: 'OPERATION_RESOLUTION_FAILURE' } },
      ),
    ];
  }
  const variables = getVariableValues(
    enveloped.schema,
    operation.variableDefinitions ?? [],
    params.variables ?? {},
    { maxErrors: 20 },
  );
  if (variables.errors) return variables.errors.map((error) => coded(error, 'INVALID_VARIABLES'));
  return {
    schema: enveloped.schema,
    document,
    operationName: params.operationName ?? null,
    variableValues: params.variables ?? null,
  };
}

function coded(error: GraphQLError, code: string): GraphQLError {
  return createGraphQLError(error.message, {
    nodes: error.nodes ?? null,
    source: error.source ?? null,
    positions: error.positions ?? null,
    extensions: { ...error.extensions, code },
  });
}

/** Yoga's HTTP status hint (`extensions.http`) means nothing on a WebSocket; graphql-ws would send it. */
function withoutHttpExtension(error: GraphQLError): GraphQLError {
  if (!('http' in error.extensions)) return error;
  const { http: _http, ...extensions } = error.extensions;
  return createGraphQLError(error.message, {
    nodes: error.nodes ?? null,
    source: error.source ?? null,
    positions: error.positions ?? null,
    path: error.path ?? null,
    extensions,
  });
}

/** By shape: graphql ships CommonJS and ESM builds, and armor may load the other one. */
function isGraphQLErrorLike(error: unknown): error is GraphQLError {
  return error instanceof Error && error.name === 'GraphQLError';
}
