import type { Server } from 'node:http';
import type { ExecutionArgs } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import type { YogaLogger, YogaServerInstance } from 'graphql-yoga';
import { WebSocketServer } from 'ws';

/**
 * graphql-ws on `/graphql`, sharing Yoga's envelope: the same schema, context, plugins and error
 * masking as HTTP, so a WebSocket client sees exactly what an HTTP client sees.
 */
export function attachGraphQLWebSocket(
  server: Server,
  yoga: YogaServerInstance<Record<string, unknown>, Record<string, unknown>>,
  options: { maxBufferedBytes: number; log: YogaLogger },
): { close(): Promise<void>; clients(): number } {
  const wss = new WebSocketServer({ server, path: yoga.graphqlEndpoint });

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
      onSubscribe: async (ctx, _id, params) => {
        const { schema, execute, subscribe, contextFactory, parse, validate } = yoga.getEnveloped({
          ...ctx,
          req: ctx.extra.request,
          socket: ctx.extra.socket,
          params,
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
      for (const client of wss.clients) client.terminate();
      await disposable.dispose();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}
