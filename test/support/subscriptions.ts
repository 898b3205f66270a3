import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { print } from 'graphql';
import { createClient, type Client, type ClientOptions } from 'graphql-ws';
import WebSocket from 'ws';

/** One graphql-ws subscription whose messages a test takes one at a time. */
export interface Subscription<T> {
  /** The next message's data, or a rejection after `timeoutMs` / on an error message. */
  next(timeoutMs?: number): Promise<T>;
  /** Every message received so far and not yet taken. */
  readonly pending: T[];
  /** Resolves when the server completes the subscription (or rejects on an error). */
  readonly completed: Promise<void>;
  /** Errors the server sent as payloads ({ errors }), in order */
  readonly errors: { message: string; extensions?: Record<string, unknown> }[];
  unsubscribe(): void;
}

/** A graphql-ws client of the berth at `berthUrl` (ws:, or wss: for https:); `options` override. */
export function wsClient(berthUrl: string, options: Partial<ClientOptions> = {}): Client {
  return createClient({
    url: `${berthUrl.replace(/^http/, 'ws')}/graphql`,
    webSocketImpl: WebSocket,
    retryAttempts: 0,
    lazy: false,
    ...options,
  });
}

export function subscribe<TResult, TVariables>(
  client: Client,
  document: TypedDocumentNode<TResult, TVariables>,
  variables?: TVariables,
  options: {
    /**
     * A message with errors is kept in `errors` and the subscription goes on (one that says its
     * environment is down, then resumes); by default it fails the subscription.
     */
    errorsGoOn?: boolean;
  } = {},
): Subscription<TResult> {
  const pending: TResult[] = [];
  const errors: Subscription<TResult>['errors'] = [];
  const waiters: { resolve: (value: TResult) => void; reject: (error: Error) => void }[] = [];
  let failure: Error | undefined;
  let settle!: { resolve: () => void; reject: (error: Error) => void };
  const completed = new Promise<void>((resolve, reject) => (settle = { resolve, reject }));
  completed.catch(() => undefined);

  const fail = (error: Error) => {
    failure = error;
    for (const waiter of waiters.splice(0)) waiter.reject(error);
    settle.reject(error);
  };
  const unsubscribe = client.subscribe<TResult>(
    { query: print(document), variables: variables as Record<string, unknown> },
    {
      next: (message) => {
        if (message.errors?.length) {
          errors.push(...(message.errors as Subscription<TResult>['errors']));
          if (options.errorsGoOn) return;
          fail(new Error(`subscription error: ${JSON.stringify(message.errors)}`));
          return;
        }
        const data = message.data as TResult;
        const waiter = waiters.shift();
        if (waiter) waiter.resolve(data);
        else pending.push(data);
      },
      error: (error) => fail(error instanceof Error ? error : new Error(JSON.stringify(error))),
      complete: () => {
        for (const waiter of waiters.splice(0)) waiter.reject(new Error('subscription completed'));
        settle.resolve();
      },
    },
  );
  return {
    pending,
    errors,
    completed,
    unsubscribe,
    next(timeoutMs = 10_000) {
      const ready = pending.shift();
      if (ready !== undefined) return Promise.resolve(ready);
      if (failure) return Promise.reject(failure);
      return new Promise<TResult>((resolve, reject) => {
        const timer = setTimeout(() => {
          const at = waiters.findIndex((w) => w.resolve === done);
          if (at >= 0) waiters.splice(at, 1);
          reject(new Error(`no message within ${timeoutMs} ms`));
        }, timeoutMs);
        const done = (value: TResult) => {
          clearTimeout(timer);
          resolve(value);
        };
        waiters.push({
          resolve: done,
          reject: (error) => {
            clearTimeout(timer);
            reject(error);
          },
        });
      });
    },
  };
}
