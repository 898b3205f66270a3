import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { print } from 'graphql';
import { createClient, type Client } from 'graphql-ws/client';
import { retryAfterMs, retryDelayMs } from './backoff.js';

/** A failure berth explained: its error code (UNAUTHENTICATED, NOT_FOUND, …), message and field. */
export class ApiError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly field?: string,
    /** The environment a partial answer left out (`containers(allEnvironments: true)`). */
    readonly environment?: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }

  override toString(): string {
    return `${this.code}: ${this.message}${this.field ? ` (${this.field})` : ''}`;
  }
}

interface GraphQLErrorShape {
  message: string;
  extensions?: { code?: string; field?: string; environment?: string };
}

function toApiError(errors: readonly GraphQLErrorShape[]): ApiError {
  const first = errors[0];
  return new ApiError(
    first?.extensions?.code ?? 'ERROR',
    first?.message ?? 'unknown error',
    first?.extensions?.field,
    first?.extensions?.environment,
  );
}

/** graphql-ws closes with these when the token is refused or revoked: ask for a token again. */
const TOKEN_REFUSED_CLOSE_CODES = new Set([4401, 4403]);

/**
 * berth's "slow down" (docs/security.md#websocket-close-codes): a rate passed, the token's own or
 * failed authentications from this address. Retried, no sooner than the reason's "retry after N s".
 */
const TRY_AGAIN_LATER = 1013;

export interface Sink<T> {
  next(data: T): void;
  error?(error: ApiError): void;
  /**
   * The environment's engine stopped answering (ENGINE_UNAVAILABLE naming it): the subscription
   * stays open and goes on once the engine is back, so this is not an `error`.
   */
  down?(error: ApiError): void;
  complete?(): void;
}

/**
 * berth as the dashboard talks to it: queries and mutations over HTTP POST /graphql with the
 * Authorization header, and every subscription over ONE graphql-ws connection (the token in
 * connectionParams). An empty token sends no credentials, for a berth with BERTH_AUTH=off.
 */
export class BerthApi {
  readonly #token: string;
  readonly #client: Client;
  readonly #onTokenRefused: (reason: string) => void;
  /** What the last 1013 asked to wait, which the next retry honours. */
  #retryAfterMs = 0;

  constructor(options: {
    token: string;
    onTokenRefused: (reason: string) => void;
    /** `waiting`: berth asked to retry later (1013), and the next try is held back. */
    onConnection: (state: 'connecting' | 'live' | 'reconnecting' | 'waiting') => void;
    /** Called after the connection came back: what was missed meanwhile must be re-read. */
    onReconnected: () => void;
  }) {
    this.#token = options.token;
    this.#onTokenRefused = options.onTokenRefused;
    this.#client = createClient({
      url: graphqlUrl('ws'),
      connectionParams: () => (this.#token ? { authorization: `Bearer ${this.#token}` } : {}),
      // Keep trying while berth restarts or asks to slow down; a refused token is final (graphql-ws
      // would retry 4403 on its own).
      retryAttempts: Number.POSITIVE_INFINITY,
      shouldRetry: (event) => !(isCloseEvent(event) && TOKEN_REFUSED_CLOSE_CODES.has(event.code)),
      // graphql-ws's own wait doubles without a cap (2^n s), which retrying forever cannot afford.
      retryWait: (retries) =>
        new Promise((resolve) => setTimeout(resolve, retryDelayMs(retries, this.#retryAfterMs))),
      on: {
        connecting: (wasRetry) => options.onConnection(wasRetry ? 'reconnecting' : 'connecting'),
        connected: (_socket, _payload, wasRetry) => {
          this.#retryAfterMs = 0;
          options.onConnection('live');
          if (wasRetry) options.onReconnected();
        },
        closed: (event) => {
          const slowDown = isCloseEvent(event) && event.code === TRY_AGAIN_LATER;
          this.#retryAfterMs = slowDown ? retryAfterMs(event.reason) : 0;
          options.onConnection(slowDown ? 'waiting' : 'reconnecting');
          if (isCloseEvent(event) && TOKEN_REFUSED_CLOSE_CODES.has(event.code)) {
            this.#onTokenRefused(event.reason || 'the token was refused');
          }
        },
      },
    });
  }

  /** Runs a query or mutation; a GraphQL error (or an HTTP refusal) is an ApiError. */
  async request<TResult, TVariables extends Variables>(
    document: TypedDocumentNode<TResult, TVariables>,
    ...variables: VariablesOf<TVariables>
  ): Promise<TResult> {
    try {
      return await postGraphQL(this.#token, document, ...variables);
    } catch (error) {
      if (error instanceof ApiError && error.code === 'UNAUTHENTICATED') this.#onTokenRefused(error.message);
      throw error;
    }
  }

  /**
   * Like request, but an answer with data and errors beside it (an environment left out of a
   * spanning list) is the data and those errors; it throws only when there is no data.
   */
  async requestPartial<TResult, TVariables extends Variables>(
    document: TypedDocumentNode<TResult, TVariables>,
    ...variables: VariablesOf<TVariables>
  ): Promise<{ data: TResult; errors: ApiError[] }> {
    try {
      return await postGraphQLPartial(this.#token, document, ...variables);
    } catch (error) {
      if (error instanceof ApiError && error.code === 'UNAUTHENTICATED') this.#onTokenRefused(error.message);
      throw error;
    }
  }

  /** Subscribes over the shared WebSocket; returns the unsubscribe function. */
  subscribe<TResult, TVariables extends Variables>(
    document: TypedDocumentNode<TResult, TVariables>,
    variables: TVariables,
    sink: Sink<TResult>,
  ): () => void {
    return this.#client.subscribe<TResult>(
      { query: textOf(document), variables },
      {
        next: (message) => {
          const errors = message.errors as GraphQLErrorShape[] | undefined;
          if (errors?.length && errors.every((error) => error.extensions?.code === 'ENGINE_UNAVAILABLE'))
            sink.down?.(toApiError(errors));
          else if (errors?.length) sink.error?.(toApiError(errors));
          else if (message.data) sink.next(message.data as TResult);
        },
        error: (error) => {
          if (Array.isArray(error)) sink.error?.(toApiError(error as GraphQLErrorShape[]));
          else if (isCloseEvent(error))
            sink.error?.(new ApiError(`CLOSED_${error.code}`, error.reason || 'connection closed'));
          else sink.error?.(new ApiError('ERROR', String(error)));
        },
        complete: () => sink.complete?.(),
      },
    );
  }

  /**
   * A terminal session's WebSocket (docs/terminal.md), next to the page like `graphql`: its first
   * message carries the token, never the URL. Output arrives as ArrayBuffers.
   */
  openTerminal(open: TerminalOpen): WebSocket {
    const url = new URL('terminal', document.baseURI);
    url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
    const socket = new WebSocket(url.href);
    socket.binaryType = 'arraybuffer';
    socket.addEventListener('open', () =>
      socket.send(
        JSON.stringify({
          type: 'open',
          ...(this.#token && { authorization: `Bearer ${this.#token}` }),
          ...open,
        }),
      ),
    );
    return socket;
  }

  dispose(): void {
    void this.#client.dispose();
  }
}

/** What a terminal session opens (docs/terminal.md): the container, where, and the terminal's size. */
export interface TerminalOpen {
  container: string;
  environment: string;
  cols: number;
  rows: number;
  shell?: string;
  user?: string;
  workingDir?: string;
}

/**
 * berth's GraphQL endpoint, next to the page: `graphql` relative to the document, so under a
 * BERTH_BASE_PATH (`/berth/`) it is `/berth/graphql` and at `/` it is `/graphql`, the page need not
 * be told the prefix. The router keeps its state in the hash, so the page's path is always the
 * dashboard's own. Over the WebSocket with the page's scheme made ws: or wss:.
 */
function graphqlUrl(scheme: 'http' | 'ws'): string {
  const url = new URL('graphql', document.baseURI);
  if (scheme === 'ws') url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  return url.href;
}

function isCloseEvent(value: unknown): value is CloseEvent {
  return typeof value === 'object' && value !== null && 'code' in value && 'reason' in value;
}

type Variables = Record<string, unknown>;

/** Variables may be left out only when the operation declares none it requires. */
type VariablesOf<TVariables extends Variables> = {} extends TVariables
  ? [variables?: TVariables]
  : [variables: TVariables];

// The generated documents are syntax trees; the wire takes text. Each is printed once.
const printed = new WeakMap<TypedDocumentNode<unknown, never>, string>();
function textOf(document: TypedDocumentNode<unknown, never>): string {
  let text = printed.get(document);
  if (text === undefined) printed.set(document, (text = print(document)));
  return text;
}

/** POST /graphql with the token (none when empty); a GraphQL error or refusal is an ApiError. */
export async function postGraphQL<TResult, TVariables extends Variables>(
  token: string,
  document: TypedDocumentNode<TResult, TVariables>,
  ...variables: VariablesOf<TVariables>
): Promise<TResult> {
  const { data, errors } = await postGraphQLPartial(token, document, ...variables);
  if (errors.length > 0) throw errors[0]!;
  return data;
}

/** POST /graphql; the data with the errors beside it, an ApiError when there is no data. */
async function postGraphQLPartial<TResult, TVariables extends Variables>(
  token: string,
  document: TypedDocumentNode<TResult, TVariables>,
  ...[variables]: VariablesOf<TVariables>
): Promise<{ data: TResult; errors: ApiError[] }> {
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    accept: 'application/graphql-response+json, application/json',
  };
  if (token) headers['authorization'] = `Bearer ${token}`;
  let response: Response;
  try {
    response = await fetch(graphqlUrl('http'), {
      method: 'POST',
      headers,
      body: JSON.stringify({ query: textOf(document), variables: variables ?? {} }),
    });
  } catch (error) {
    throw new ApiError('NETWORK', `berth cannot be reached (${String(error)})`);
  }
  let body: { data?: TResult | null; errors?: GraphQLErrorShape[] };
  try {
    body = (await response.json()) as typeof body;
  } catch {
    throw new ApiError(`HTTP_${response.status}`, `berth answered ${response.status} without a GraphQL body`);
  }
  const errors = (body.errors ?? []).map((error) => toApiError([error]));
  if (!body.data) throw errors[0] ?? new ApiError(`HTTP_${response.status}`, 'berth answered no data');
  return { data: body.data, errors };
}
