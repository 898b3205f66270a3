import type { IncomingMessage, Server } from 'node:http';
import type { Plugin } from 'graphql-yoga';
import { hasRole } from '../../platform/auth/principal.js';
import { ForbiddenError } from '../../shared/errors.js';
import type { BerthMetrics, RouteClass, SubscriptionTransport } from '../metrics/berth-metrics.js';
import { principalOf } from './authentication.js';

/** The class of a path, for the requests' `route` label: bounded whatever the path holds. */
export function routeClass(pathname: string): RouteClass {
  if (pathname === '/graphql') return 'graphql';
  if (pathname === '/containers' || pathname.startsWith('/containers/')) return 'rest';
  if (pathname === '/metrics') return 'metrics';
  if (pathname === '/healthz') return 'healthz';
  if (pathname === '/' || pathname === '/index.html' || pathname.startsWith('/assets/')) return 'dashboard';
  return 'other';
}

/**
 * `GET /metrics`: the registry in Prometheus' text format. Authentication has already run
 * (useAuthentication, before this plugin): every role may read it, as it may read the stats.
 */
export function useMetricsEndpoint(metrics: BerthMetrics): Plugin {
  return {
    async onRequest({ url, request, endResponse, fetchAPI }) {
      if (url.pathname !== '/metrics' || request.method !== 'GET') return;
      if (!hasRole(principalOf(request), 'viewer')) {
        const error = new ForbiddenError('viewer');
        endResponse(
          fetchAPI.Response.json({ error: { code: error.code, message: error.message } }, { status: 403 }),
        );
        return;
      }
      endResponse(
        new fetchAPI.Response(await metrics.render(), { headers: { 'content-type': metrics.contentType } }),
      );
    },
  };
}

const arrivals = new WeakMap<IncomingMessage, number>();

/**
 * Notes when each request reaches the server. Yoga runs its own routes (GraphiQL's page, CORS
 * preflights) before any of berth's plugins, so a plugin's onRequest would miss their start.
 */
export function timeRequests(server: Server): void {
  server.prependListener('request', (request: IncomingMessage) => arrivals.set(request, performance.now()));
}

/** Counts and times every HTTP answer, whichever plugin gave it (a 401 from authentication too). */
export function useRequestMetrics(metrics: BerthMetrics): Plugin {
  return {
    onResponse({ request, response, serverContext }) {
      const incoming = (serverContext as { req?: IncomingMessage } | undefined)?.req;
      const arrived = incoming && arrivals.get(incoming);
      metrics.recordRequest({
        route: routeClass(new URL(request.url).pathname),
        method: request.method,
        status: response.status,
        // Requests that did not come through the server (Yoga's in-process fetch) are counted only.
        seconds: arrived === undefined ? undefined : (performance.now() - arrived) / 1000,
      });
    },
  };
}

/**
 * Counts open subscriptions over both transports. Both run through Yoga's envelope, so one hook
 * sees them; graphql-ws puts its connection's `extra` in the context, HTTP (SSE or multipart) does not.
 */
export function useSubscriptionMetrics(metrics: BerthMetrics): Plugin {
  return {
    onSubscribe({ context }) {
      // A shared execution serves many subscribers, each counted as it joins (shared-executions.ts).
      if ((context as { sharedExecution?: boolean }).sharedExecution) return;
      const transport: SubscriptionTransport = 'extra' in (context as object) ? 'websocket' : 'http';
      return {
        onSubscribeResult({ result, setResult }) {
          if (!isAsyncIterable(result)) return; // refused: errors, not a stream
          setResult(releasingOnEnd(result, metrics.subscriptionOpened(transport)));
        },
      };
    },
  };
}

function isAsyncIterable(value: unknown): value is AsyncIterable<unknown> {
  return typeof value === 'object' && value !== null && Symbol.asyncIterator in value;
}

/**
 * The same stream, calling `release` once it ends however it ends: completed by the server,
 * returned by a client that left, or failed. A failing `next()` counts too: a consumer's
 * `for await` does not call `return()` after a rejection.
 */
export function releasingOnEnd<T>(source: AsyncIterable<T>, release: () => void): AsyncIterableIterator<T> {
  const iterator = source[Symbol.asyncIterator]();
  return {
    [Symbol.asyncIterator]() {
      return this;
    },
    async next() {
      try {
        const result = await iterator.next();
        if (result.done) release();
        return result;
      } catch (error) {
        release();
        throw error;
      }
    },
    async return(value?: unknown) {
      release();
      return (await iterator.return?.(value)) ?? { done: true, value };
    },
    async throw(error?: unknown) {
      release();
      if (iterator.throw) return iterator.throw(error);
      throw error;
    },
  };
}
