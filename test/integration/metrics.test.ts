import type Docker from 'dockerode';
import { print } from 'graphql';
import parsePrometheusTextFormat, { type ParsedFamily } from 'parse-prometheus-text-format';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { loadConfig } from '../../src/platform/config.js';
import { DockerEngine, type EngineCall } from '../../src/engine/engine.js';
import { NotFoundError } from '../../src/shared/errors.js';
import { ROUTE_CLASSES } from '../../src/api/metrics/berth-metrics.js';
import { TEST_LABEL, cleanupLabelled, testDocker } from '../harness/docker.js';
import { startBerth, uniqueName, type BerthClient, type RunningBerth } from '../support/berth.js';
import {
  ContainerEventsSubscription,
  ContainersStatsSubscription,
  ContainerFigures,
  CreateContainer,
  RemoveContainer,
} from '../support/operations/index.js';
import { subscribe } from '../support/subscriptions.js';
import { waitFor } from '../support/wait.js';

/**
 * `/metrics` against a real engine, with authentication on: what Prometheus would scrape, parsed
 * by an independent parser and compared with what the GraphQL API and the engine report.
 */

const LABEL = 'metrics';
const image = inject('testImage');
let berth: RunningBerth;
let docker: Docker;
/** Who the test acts as: an operator makes and removes containers, a viewer reads and scrapes. */
let operator: BerthClient;
let viewer: BerthClient;

async function create(input: Record<string, unknown>) {
  const { createContainer } = await operator.query(CreateContainer, {
    input: {
      name: uniqueName(LABEL),
      image,
      labels: [{ name: TEST_LABEL, value: LABEL }],
      ...input,
    } as never,
  });
  if (createContainer.__typename !== 'CreateContainerSuccess') {
    throw new Error(`create failed: ${JSON.stringify(createContainer)}`);
  }
  return createContainer.container;
}

/** One scrape, as Prometheus makes it: a GET with a bearer token. */
async function scrape(): Promise<Scrape> {
  const response = await viewer.fetch('/metrics');
  expect(response.status).toBe(200);
  return new Scrape(await response.text());
}

class Scrape {
  /** Every family with its declared type; parsing throws on a malformed line. */
  readonly families: ParsedFamily[];
  /**
   * The same samples, histograms as their plain `_bucket`, `_sum` and `_count` series: the parser
   * folds a histogram's samples into one whatever their labels (it knows unlabelled ones only).
   */
  readonly #plain: ParsedFamily[];

  constructor(text: string) {
    this.families = parsePrometheusTextFormat(text);
    this.#plain = parsePrometheusTextFormat(text.replace(/^# TYPE (\S+) histogram$/gm, '# TYPE $1 untyped'));
  }

  family(name: string): ParsedFamily {
    const found = this.families.find((f) => f.name === name);
    if (!found) throw new Error(`no metric family ${name}`);
    return found;
  }

  /** The sample of `name` (a histogram's `…_count` too) whose labels include `labels`. */
  sample(name: string, labels: Record<string, string>) {
    return this.samples(name).find((m) =>
      Object.entries(labels).every(([key, value]) => m.labels?.[key] === value),
    );
  }

  /** Every sample of `name`; a histogram's series come as one run of lines per label set. */
  samples(name: string) {
    const families = this.#plain.filter((f) => f.name === name);
    if (families.length === 0) throw new Error(`no metric ${name}`);
    return families.flatMap((f) => f.metrics);
  }

  value(name: string, labels: Record<string, string> = {}): number | undefined {
    const sample = this.sample(name, labels);
    return sample?.value === undefined ? undefined : Number(sample.value);
  }

  /** Every sample, of any family, labelled with this container id. */
  seriesOf(containerId: string) {
    return this.#plain.flatMap((f) =>
      f.metrics.filter((m) => m.labels?.['id'] === containerId).map((m) => ({ family: f.name, ...m })),
    );
  }
}

beforeAll(async () => {
  docker = testDocker(inject('dockerHost'));
  berth = await startBerth({ BERTH_AUTH: 'on', BERTH_AUTH_FAILURES_PER_MINUTE: '100000' }, { label: LABEL });
  operator = berth.asRole('operator', 'metrics-operator');
  viewer = berth.asRole('viewer', 'metrics-viewer');
});

afterAll(async () => {
  await berth?.stop();
  await cleanupLabelled(docker, `${TEST_LABEL}=${LABEL}`);
});

describe('GET /metrics is guarded like every route', () => {
  it('answers 401 without a token, 400 for a token in the URL, 200 in Prometheus’ text format for a viewer', async () => {
    const anonymous = await fetch(`${berth.url}/metrics`);
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect(await anonymous.text()).not.toContain('berth_');

    const wrong = await fetch(`${berth.url}/metrics`, {
      headers: { authorization: `Bearer berth_${'0'.repeat(12)}_${'A'.repeat(43)}` },
    });
    expect(wrong.status).toBe(401);

    const inUrl = await fetch(`${berth.url}/metrics?token=${viewer.token}`);
    expect(inUrl.status).toBe(400);

    const scraped = await viewer.fetch('/metrics');
    expect(scraped.status).toBe(200);
    expect(scraped.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
  });

  it('is open on loopback with BERTH_AUTH=off, like the rest', async () => {
    const open = await startBerth({ BERTH_AUTH: 'off' }, { label: LABEL });
    try {
      const response = await fetch(`${open.url}/metrics`);
      expect(response.status).toBe(200);
      const families = parsePrometheusTextFormat(await response.text());
      expect(families.map((f) => f.name)).toContain('berth_http_requests_total');
    } finally {
      await open.stop();
    }
  });
});

describe('the exposition', () => {
  it('parses, with berth’s own families typed as documented and Node’s process metrics beside them', async () => {
    const metrics = await scrape();
    const types = Object.fromEntries(metrics.families.map((f) => [f.name, f.type]));
    expect(types).toMatchObject({
      berth_http_requests_total: 'COUNTER',
      berth_http_request_duration_seconds: 'HISTOGRAM',
      berth_subscriptions_active: 'GAUGE',
      berth_websocket_clients: 'GAUGE',
      berth_subscription_shared_executions: 'GAUGE',
      berth_docker_call_duration_seconds: 'HISTOGRAM',
      berth_container_index_synced: 'GAUGE',
      berth_container_info: 'GAUGE',
      berth_container_state: 'GAUGE',
      berth_container_health_state: 'GAUGE',
      berth_container_restarts_total: 'COUNTER',
      berth_container_cpu_percent: 'GAUGE',
      berth_container_memory_usage_bytes: 'GAUGE',
      berth_container_memory_limit_bytes: 'GAUGE',
      berth_container_network_receive_bytes_total: 'COUNTER',
      berth_container_network_transmit_bytes_total: 'COUNTER',
      berth_container_block_read_bytes_total: 'COUNTER',
      berth_container_block_write_bytes_total: 'COUNTER',
      berth_container_pids: 'GAUGE',
      process_cpu_seconds_total: 'COUNTER',
      process_resident_memory_bytes: 'GAUGE',
      nodejs_eventloop_lag_seconds: 'GAUGE',
    });
    expect(metrics.value('berth_container_index_synced')).toBe(1);
    for (const family of metrics.families) expect(family.help, family.name).not.toBe('');
  });
});

describe('per-container series', () => {
  let busy: Awaited<ReturnType<typeof create>>;
  let hostPort: number;

  beforeAll(async () => {
    // httpd for network traffic, a file written through to disk, then a busy loop held to half a CPU.
    busy = await create({
      command: [
        'sh',
        '-c',
        'httpd -p 80 -h /www; dd if=/dev/zero of=/tmp/blob bs=4096 count=512 && sync; while :; do :; done',
      ],
      ports: [{ containerPort: 80, hostIp: '127.0.0.1' }],
      resources: { memoryBytes: 64 * 1024 * 1024, cpus: 0.5 },
      healthcheck: {
        test: ['CMD-SHELL', 'wget -q -O /dev/null http://127.0.0.1/ || exit 1'],
        intervalSeconds: 1,
      },
    });
    hostPort = busy.ports[0]!.hostPort!;
    for (let i = 0; i < 5; i += 1) await (await fetch(`http://127.0.0.1:${hostPort}/`)).text();
  });

  it('match the GraphQL stats of the same sample, and the engine’s own figures', async () => {
    // Wait for a healthy container with a CPU figure (two readings) and the traffic counted.
    await waitFor(async () => {
      const { container } = await viewer.query(ContainerFigures, { id: busy.id });
      if (container?.health !== 'HEALTHY') throw new Error(`health ${container?.health}`);
      if (container.stats?.cpuPercent == null || container.stats.networkRxBytes === 0) {
        throw new Error('no figures yet');
      }
    }, 30_000);

    // GraphQL, the scrape, GraphQL again: when both reads saw the same sample, so did the scrape.
    const { before, metrics } = await waitFor(async () => {
      const first = await viewer.query(ContainerFigures, { id: busy.id });
      const scraped = await scrape();
      const second = await viewer.query(ContainerFigures, { id: busy.id });
      if (first.container?.stats?.at !== second.container?.stats?.at) throw new Error('a tick in between');
      return { before: first.container!, metrics: scraped };
    });
    const stats = before.stats!;
    const labels = { id: busy.id, name: busy.name };
    expect(metrics.value('berth_container_cpu_percent', labels)).toBe(stats.cpuPercent);
    expect(metrics.value('berth_container_memory_usage_bytes', labels)).toBe(stats.memoryUsageBytes);
    expect(metrics.value('berth_container_memory_limit_bytes', labels)).toBe(stats.memoryLimitBytes);
    expect(metrics.value('berth_container_network_receive_bytes_total', labels)).toBe(stats.networkRxBytes);
    expect(metrics.value('berth_container_network_transmit_bytes_total', labels)).toBe(stats.networkTxBytes);
    expect(metrics.value('berth_container_block_read_bytes_total', labels)).toBe(stats.blockReadBytes);
    expect(metrics.value('berth_container_block_write_bytes_total', labels)).toBe(stats.blockWriteBytes);
    expect(metrics.value('berth_container_pids', labels)).toBe(stats.pids);
    expect(metrics.value('berth_container_restarts_total', labels)).toBe(before.restartCount);

    // Real figures, not just the same ones: the limit set at create, a busy loop, served requests.
    expect(metrics.value('berth_container_memory_limit_bytes', labels)).toBe(64 * 1024 * 1024);
    expect(metrics.value('berth_container_cpu_percent', labels)).toBeGreaterThan(5);
    const engineStats = (await docker.getContainer(busy.id).stats({ stream: false })) as unknown as {
      networks?: Record<string, { rx_bytes: number; tx_bytes: number }>;
    };
    const engineRx = Object.values(engineStats.networks ?? {}).reduce((sum, n) => sum + n.rx_bytes, 0);
    const rx = metrics.value('berth_container_network_receive_bytes_total', labels)!;
    // The engine reads a second or two later; only stray packets (ARP, IPv6) may arrive meanwhile.
    expect(Math.abs(engineRx - rx)).toBeLessThan(8 * 1024);

    // State and health: exactly one state of each is 1.
    expect(metrics.value('berth_container_state', { ...labels, state: 'running' })).toBe(1);
    expect(metrics.value('berth_container_state', { ...labels, state: 'exited' })).toBe(0);
    expect(metrics.value('berth_container_health_state', { ...labels, state: 'healthy' })).toBe(1);
    for (const state of ['none', 'starting', 'unhealthy']) {
      expect(metrics.value('berth_container_health_state', { ...labels, state })).toBe(0);
    }
    expect(metrics.sample('berth_container_info', labels)?.labels).toMatchObject({ image });
  });

  it('count the engine’s restarts as the API reports them', async () => {
    const crashing = await create({
      command: ['sh', '-c', 'sleep 0.3; exit 3'],
      restartPolicy: { name: 'ON_FAILURE', maximumRetryCount: 2 },
    });
    const labels = { id: crashing.id, name: crashing.name };
    await waitFor(async () => {
      const { container } = await viewer.query(ContainerFigures, { id: crashing.id });
      const metrics = await scrape();
      const counted = metrics.value('berth_container_restarts_total', labels);
      if (!container || container.restartCount < 1 || counted !== container.restartCount) {
        throw new Error(`API ${container?.restartCount}, metrics ${counted}`);
      }
    }, 30_000);
  });

  it('disappear when the container is removed', async () => {
    expect((await scrape()).seriesOf(busy.id).length).toBeGreaterThan(10);
    const { removeContainer } = await operator.query(RemoveContainer, { id: busy.id, force: true });
    expect(removeContainer.__typename).toBe('RemoveContainerSuccess');
    await waitFor(async () => {
      const left = (await scrape()).seriesOf(busy.id);
      if (left.length > 0) throw new Error(`still there: ${left.map((s) => s.family).join(', ')}`);
    }, 5_000);
  });
});

describe('berth’s own figures', () => {
  it('counts and times requests by route class, method and status, with no path or id in a label', async () => {
    const labels = { route: 'rest', method: 'GET', status: '200' };
    const refused = { route: 'rest', method: 'GET', status: '401' };
    const first = await scrape();
    const ok = first.value('berth_http_requests_total', labels) ?? 0;
    const denied = first.value('berth_http_requests_total', refused) ?? 0;
    const timed = first.value('berth_http_request_duration_seconds_count', labels) ?? 0;

    for (let i = 0; i < 3; i += 1) {
      const response = await viewer.fetch('/containers');
      expect(response.status).toBe(200);
      await response.arrayBuffer();
    }
    expect((await fetch(`${berth.url}/containers`)).status).toBe(401);
    const lookup = `/containers/${'a'.repeat(64)}`;
    await viewer.fetch(lookup);
    await viewer.fetch(`/no/such/${uniqueName('path')}`);

    const second = await scrape();
    expect(second.value('berth_http_requests_total', labels)).toBe(ok + 3);
    expect(second.value('berth_http_requests_total', refused)).toBe(denied + 1);
    expect(second.value('berth_http_request_duration_seconds_count', labels)).toBe(timed + 3);
    expect(second.value('berth_http_request_duration_seconds_sum', labels)).toBeGreaterThan(0);
    expect(second.value('berth_http_requests_total', { route: 'rest', status: '404' })).toBeGreaterThan(0);
    expect(second.value('berth_http_requests_total', { route: 'other' })).toBeGreaterThan(0);
    expect(second.value('berth_http_requests_total', { route: 'metrics', status: '200' })).toBeGreaterThan(0);

    for (const name of ['berth_http_requests_total', 'berth_http_request_duration_seconds_bucket']) {
      for (const sample of second.samples(name)) {
        expect(ROUTE_CLASSES).toContain(sample.labels?.['route']);
        expect(Object.values(sample.labels ?? {}).join(' ')).not.toMatch(/\/|a{64}/);
      }
    }
  });

  it('times Docker calls by operation and outcome', async () => {
    const metrics = await scrape();
    const name = 'berth_docker_call_duration_seconds';
    // Containers were created, started, inspected and removed above; the index listed at start.
    for (const operation of ['list', 'inspect', 'create', 'start', 'remove']) {
      expect(metrics.value(`${name}_count`, { operation, outcome: 'ok' }), operation).toBeGreaterThan(0);
    }
    const inspect = { operation: 'inspect', outcome: 'ok' };
    expect(metrics.value(`${name}_sum`, inspect)).toBeGreaterThan(0);
    expect(metrics.value(`${name}_bucket`, { ...inspect, le: '+Inf' })).toBe(
      metrics.value(`${name}_count`, inspect),
    );
    for (const sample of metrics.samples(`${name}_count`)) {
      expect(sample.labels?.['outcome']).toMatch(/^(ok|error|[A-Z_]+)$/);
    }
  });

  it('reports a failed engine call with the error code it became', async () => {
    const seen: EngineCall[] = [];
    const engine = new DockerEngine(loadConfig({ DOCKER_HOST: inject('dockerHost') }).engine, {
      onCall: (call) => seen.push(call),
    });
    await expect(engine.inspect(uniqueName('missing'))).rejects.toBeInstanceOf(NotFoundError);
    await engine.listAll();
    expect(seen[0]).toMatchObject({ operation: 'inspect', outcome: 'NOT_FOUND' });
    expect(seen[0]!.seconds).toBeGreaterThan(0);
    expect(seen[1]).toMatchObject({ operation: 'list', outcome: 'ok' });
  });

  it('counts WebSocket clients and subscriptions on both transports, and releases them when clients leave', async () => {
    const gauge = async (name: string, labels: Record<string, string> = {}) =>
      (await scrape()).value(name, labels);
    const settle = (name: string, labels: Record<string, string>, expected: number) =>
      waitFor(async () => {
        const value = await gauge(name, labels);
        if (value !== expected)
          throw new Error(`${name} ${JSON.stringify(labels)} is ${value}, not ${expected}`);
      }, 10_000);
    await settle('berth_subscriptions_active', { transport: 'websocket' }, 0);
    await settle('berth_websocket_clients', {}, 0);

    const client = viewer.ws();
    try {
      const events = subscribe(client, ContainerEventsSubscription);
      await settle('berth_subscriptions_active', { transport: 'websocket' }, 1);
      await settle('berth_websocket_clients', {}, 1);
      events.unsubscribe();
      await settle('berth_subscriptions_active', { transport: 'websocket' }, 0);
      // A client that goes away mid-subscription releases it too.
      subscribe(client, ContainerEventsSubscription);
      await settle('berth_subscriptions_active', { transport: 'websocket' }, 1);
    } finally {
      await client.dispose();
    }
    await settle('berth_websocket_clients', {}, 0);
    await settle('berth_subscriptions_active', { transport: 'websocket' }, 0);

    // Shared stats subscriptions: each subscriber counts, their one execution once.
    const sharing = viewer.ws();
    try {
      subscribe(sharing, ContainersStatsSubscription);
      subscribe(sharing, ContainersStatsSubscription);
      await settle('berth_subscriptions_active', { transport: 'websocket' }, 2);
      await settle('berth_subscription_shared_executions', {}, 1);
    } finally {
      await sharing.dispose();
    }
    await settle('berth_subscriptions_active', { transport: 'websocket' }, 0);
    await settle('berth_subscription_shared_executions', {}, 0);

    // Server-Sent Events: the same subscription over HTTP, then the client goes away.
    await settle('berth_subscriptions_active', { transport: 'http' }, 0);
    const leave = new AbortController();
    const body = JSON.stringify({ query: print(ContainerEventsSubscription) });
    const stream = await viewer.fetch('/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
      body,
      signal: leave.signal,
    });
    expect(stream.headers.get('content-type')).toMatch(/text\/event-stream/);
    await settle('berth_subscriptions_active', { transport: 'http' }, 1);
    leave.abort();
    await stream.body?.cancel().catch(() => undefined);
    await settle('berth_subscriptions_active', { transport: 'http' }, 0);
  });
});
