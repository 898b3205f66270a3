import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { registerCadvisorMetrics } from './cadvisor.js';
import {
  registerContainerMetrics,
  scrapeSnapshot,
  type ContainerSource,
  type SampleSource,
} from './containers.js';

/**
 * Where a request went, as a label: a handful of classes, never a raw path, so a client walking
 * through ids or made-up URLs cannot grow the number of series.
 */
export const ROUTE_CLASSES = ['graphql', 'rest', 'metrics', 'healthz', 'dashboard', 'other'] as const;
export type RouteClass = (typeof ROUTE_CLASSES)[number];

const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

/** graphql-ws, or HTTP (Server-Sent Events, or multipart as Yoga also serves them). */
export type SubscriptionTransport = 'websocket' | 'http';

/** One HTTP exchange, as the request-metrics plugin saw it. */
export interface AnsweredRequest {
  route: RouteClass;
  method: string;
  status: number;
  /** Until the response started (a stream's head, not its end); undefined when not timed. */
  seconds: number | undefined;
}

const REDUNDANT_DEFAULT_METRICS = [
  'nodejs_active_handles_total',
  'nodejs_active_requests_total',
  'nodejs_active_resources_total',
];

// Most answers take milliseconds; creates (which may pull) and stops (a grace period) take seconds.
const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/**
 * berth's metrics on a private registry (not prom-client's global one, so two apps in one process,
 * as the tests run them, never mix their figures): its own requests, subscriptions, WebSocket
 * clients and engine calls, Node's process metrics, and per-container figures read at scrape time.
 */
export class BerthMetrics {
  readonly registry = new Registry();
  readonly #requests: Counter<'route' | 'method' | 'status'>;
  readonly #requestSeconds: Histogram<'route' | 'method' | 'status'>;
  readonly #subscriptions: Gauge<'transport'>;
  readonly #engineCalls: Histogram<'operation' | 'outcome'>;
  #websocketClients: () => number = () => 0;
  #sharedExecutions: () => number = () => 0;

  constructor() {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry });
    // prom-client names these three gauges `…_total`, which Prometheus keeps for counters (promtool
    // check metrics refuses them). Each is the sum of the by-type gauge beside it
    // (`sum(nodejs_active_handles)`), so nothing is lost.
    for (const name of REDUNDANT_DEFAULT_METRICS) this.registry.removeSingleMetric(name);
    this.#requests = new Counter({
      name: 'berth_http_requests_total',
      help: 'HTTP requests answered, by route class, method and status.',
      labelNames: ['route', 'method', 'status'],
      registers,
    });
    this.#requestSeconds = new Histogram({
      name: 'berth_http_request_duration_seconds',
      help: 'Time from a request’s arrival until its response starts, by route class, method and status.',
      labelNames: ['route', 'method', 'status'],
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.#subscriptions = new Gauge({
      name: 'berth_subscriptions_active',
      help: 'GraphQL subscriptions open now, by transport (websocket, or http for Server-Sent Events).',
      labelNames: ['transport'],
      registers,
    });
    // Both transports show from the first scrape, as 0, rather than appearing with their first use.
    for (const transport of ['websocket', 'http'] satisfies SubscriptionTransport[]) {
      this.#subscriptions.set({ transport }, 0);
    }
    const websocketClients = () => this.#websocketClients();
    new Gauge({
      name: 'berth_websocket_clients',
      help: 'WebSocket clients connected now.',
      registers,
      collect() {
        this.set(websocketClients());
      },
    });
    const sharedExecutions = () => this.#sharedExecutions();
    new Gauge({
      name: 'berth_subscription_shared_executions',
      help: 'Shared subscription executions running now: one per distinct stats subscription, however many subscribe to it.',
      registers,
      collect() {
        this.set(sharedExecutions());
      },
    });
    this.#engineCalls = new Histogram({
      name: 'berth_docker_call_duration_seconds',
      help: 'Docker Engine calls, by operation and outcome (ok, or the error code it became).',
      labelNames: ['operation', 'outcome'],
      buckets: LATENCY_BUCKETS,
      registers,
    });
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  /** The registry in Prometheus' text format. */
  render(): Promise<string> {
    return this.registry.metrics();
  }

  recordRequest(request: AnsweredRequest): void {
    const method = METHODS.has(request.method) ? request.method : 'OTHER';
    const labels = { route: request.route, method, status: String(request.status) };
    this.#requests.inc(labels);
    if (request.seconds !== undefined) this.#requestSeconds.observe(labels, request.seconds);
  }

  /** Counts one open subscription; the returned function (idempotent) counts it closed. */
  subscriptionOpened(transport: SubscriptionTransport): () => void {
    this.#subscriptions.inc({ transport });
    let open = true;
    return () => {
      if (!open) return;
      open = false;
      this.#subscriptions.dec({ transport });
    };
  }

  /** Where the WebSocket client count comes from (the server is attached after the registry exists). */
  countWebSocketClients(count: () => number): void {
    this.#websocketClients = count;
  }

  /** Where the shared executions' count comes from (shared-executions.ts, attached with the server). */
  countSharedExecutions(count: () => number): void {
    this.#sharedExecutions = count;
  }

  /** One finished engine call, as the engine gateway reports it (its onCall hook, wired in app.ts). */
  recordEngineCall(call: { operation: string; outcome: string; seconds: number }): void {
    this.#engineCalls.observe({ operation: call.operation, outcome: call.outcome }, call.seconds);
  }

  /**
   * Per-container figures, read from the index and the stats hub at each scrape: berth's own
   * series and the cAdvisor-compatible ones, from one snapshot.
   */
  watchContainers(index: ContainerSource, stats: SampleSource): void {
    const rows = scrapeSnapshot(index, stats);
    registerContainerMetrics(this.registry, index, rows);
    registerCadvisorMetrics(this.registry, rows);
  }
}
