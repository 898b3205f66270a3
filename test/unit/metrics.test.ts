import { setImmediate as nextTurn } from 'node:timers/promises';
import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import { describe, expect, it } from 'vitest';
import type { Container } from '../../src/domain/containers/model.js';
import { releasingOnEnd, routeClass } from '../../src/api/http/metrics.js';
import { BerthMetrics, ROUTE_CLASSES } from '../../src/api/metrics/berth-metrics.js';
import type { ContainerStats } from '../../src/domain/stats/model.js';

/** Containers as the index holds them: just data, no engine behind them. */
function container(id: string, overrides: Partial<Container> = {}): Container {
  return {
    environment: 'local',
    id,
    name: `name-${id}`,
    image: 'berth-test/busybox:latest',
    imageId: `sha256:${'b'.repeat(64)}`,
    command: ['sleep', '60'],
    status: 'RUNNING',
    exitCode: null,
    startedAt: new Date(0),
    finishedAt: null,
    oomKilled: false,
    createdAt: new Date(0),
    health: 'NONE',
    restartCount: 0,
    restartPolicy: { name: 'NO', maximumRetryCount: 0 },
    env: [],
    ports: [],
    labels: [],
    resources: { memoryBytes: 0, nanoCpus: 0 },
    lastProbe: null,
    pid: 42,
    tty: false,
    networks: [],
    mounts: [],
    ...overrides,
  };
}

function sample(containerId: string, overrides: Partial<ContainerStats> = {}): ContainerStats {
  return {
    containerId,
    at: new Date(),
    cpuPercent: 12.5,
    memoryUsageBytes: 1_048_576,
    memoryLimitBytes: 67_108_864,
    memoryPercent: 1.5625,
    networkRxBytes: 1000,
    networkTxBytes: 2000,
    blockReadBytes: 4096,
    blockWriteBytes: 8192,
    pids: 3,
    ...overrides,
  };
}

/** The container metrics of one BerthMetrics over an index and hub the test changes at will. */
function containerMetrics() {
  const index = { available: true, containers: [] as Container[], list: () => index.containers };
  const samples = new Map<string, ContainerStats>();
  const metrics = new BerthMetrics();
  metrics.watchContainers(index, { latest: (id) => samples.get(id) ?? null });
  const scrape = async () => {
    const families = parsePrometheusTextFormat(await metrics.render());
    // A scrape's snapshot lives for one turn of the event loop: the next scrape sees changes.
    await nextTurn();
    return {
      value: (name: string, labels: Record<string, string>) => {
        const found = families
          .find((f) => f.name === name)
          ?.metrics.find((m) => Object.entries(labels).every(([k, v]) => m.labels?.[k] === v));
        return found?.value === undefined ? undefined : Number(found.value);
      },
      seriesOf: (id: string) =>
        families.flatMap((f) => f.metrics.filter((m) => m.labels?.['id'] === id).map(() => f.name)),
    };
  };
  return { index, samples, scrape };
}

describe('route classes', () => {
  it('put every path in one of a few classes, never the path itself', () => {
    expect(routeClass('/graphql')).toBe('graphql');
    expect(routeClass('/containers')).toBe('rest');
    expect(routeClass(`/containers/${'f'.repeat(64)}/logs`)).toBe('rest');
    expect(routeClass('/metrics')).toBe('metrics');
    expect(routeClass('/healthz')).toBe('healthz');
    expect(routeClass('/')).toBe('dashboard');
    expect(routeClass('/assets/index-3f2a.js')).toBe('dashboard');
    for (const path of ['/graphql/x', '/containersx', '/metrics/', '/wp-admin.php', '/%2e%2e/etc/passwd']) {
      expect(routeClass(path), path).toBe('other');
    }
    for (const path of ['/a', '/containers/x', '/graphql', '/nope/1/2']) {
      expect(ROUTE_CLASSES).toContain(routeClass(path));
    }
  });

  it('keep unknown methods to one label value', async () => {
    const metrics = new BerthMetrics();
    metrics.recordRequest({ route: 'other', method: 'BREW', status: 418, seconds: 0.01 });
    metrics.recordRequest({ route: 'other', method: 'X-WHATEVER', status: 418, seconds: undefined });
    const families = parsePrometheusTextFormat(await metrics.render());
    const requests = families.find((f) => f.name === 'berth_http_requests_total')!;
    expect(requests.metrics).toEqual([
      { labels: { route: 'other', method: 'OTHER', status: '418' }, value: '2' },
    ]);
  });
});

describe('container metrics', () => {
  it('show a running container’s sample, and only the state of a stopped one', async () => {
    const { index, samples, scrape } = containerMetrics();
    index.containers = [
      container('a1', { health: 'HEALTHY', restartCount: 2 }),
      container('b2', { status: 'EXITED', exitCode: 1 }),
    ];
    samples.set('a1', sample('a1'));
    // A stopped container's last sample stays in the hub for a while: it is history, not a figure.
    samples.set('b2', sample('b2'));
    const metrics = await scrape();

    const a1 = { id: 'a1', name: 'name-a1' };
    expect(metrics.value('berth_container_cpu_percent', a1)).toBe(12.5);
    expect(metrics.value('berth_container_memory_usage_bytes', a1)).toBe(1_048_576);
    expect(metrics.value('berth_container_memory_limit_bytes', a1)).toBe(67_108_864);
    expect(metrics.value('berth_container_network_receive_bytes_total', a1)).toBe(1000);
    expect(metrics.value('berth_container_network_transmit_bytes_total', a1)).toBe(2000);
    expect(metrics.value('berth_container_block_read_bytes_total', a1)).toBe(4096);
    expect(metrics.value('berth_container_block_write_bytes_total', a1)).toBe(8192);
    expect(metrics.value('berth_container_pids', a1)).toBe(3);
    expect(metrics.value('berth_container_restarts_total', a1)).toBe(2);
    expect(metrics.value('berth_container_health_state', { ...a1, state: 'healthy' })).toBe(1);
    expect(metrics.value('berth_container_health_state', { ...a1, state: 'unhealthy' })).toBe(0);
    expect(metrics.value('berth_container_state', { ...a1, state: 'running' })).toBe(1);

    const b2 = { id: 'b2', name: 'name-b2' };
    expect(metrics.value('berth_container_state', { ...b2, state: 'exited' })).toBe(1);
    expect(metrics.value('berth_container_state', { ...b2, state: 'running' })).toBe(0);
    expect(metrics.value('berth_container_info', { ...b2, image: 'berth-test/busybox:latest' })).toBe(1);
    expect(metrics.value('berth_container_cpu_percent', b2)).toBeUndefined();
    expect(metrics.value('berth_container_network_receive_bytes_total', b2)).toBeUndefined();
  });

  it('leave CPU out until two readings exist, rather than report 0', async () => {
    const { index, samples, scrape } = containerMetrics();
    index.containers = [container('c3')];
    samples.set('c3', sample('c3', { cpuPercent: null }));
    const metrics = await scrape();
    expect(metrics.value('berth_container_cpu_percent', { id: 'c3' })).toBeUndefined();
    expect(metrics.value('berth_container_memory_usage_bytes', { id: 'c3' })).toBe(1_048_576);
  });

  it('drop a removed container’s series at the next scrape', async () => {
    const { index, samples, scrape } = containerMetrics();
    index.containers = [container('d4'), container('e5')];
    samples.set('d4', sample('d4'));
    samples.set('e5', sample('e5'));
    expect((await scrape()).seriesOf('d4').length).toBeGreaterThan(10);
    index.containers = [container('e5')];
    const after = await scrape();
    expect(after.seriesOf('d4')).toEqual([]);
    expect(after.seriesOf('e5').length).toBeGreaterThan(10);
  });

  it('show no container while the index cannot vouch for the engine, and say so', async () => {
    const { index, samples, scrape } = containerMetrics();
    index.containers = [container('f6')];
    samples.set('f6', sample('f6'));
    index.available = false;
    index.list = () => {
      throw new Error('ENGINE_UNAVAILABLE: the index must not be read while unavailable');
    };
    const metrics = await scrape();
    expect(metrics.seriesOf('f6')).toEqual([]);
    expect(metrics.value('berth_container_index_synced', {})).toBe(0);
  });
});

describe('open subscriptions', () => {
  async function gauge(metrics: BerthMetrics, transport: string) {
    const families = parsePrometheusTextFormat(await metrics.render());
    const found = families
      .find((f) => f.name === 'berth_subscriptions_active')!
      .metrics.find((m) => m.labels?.['transport'] === transport);
    return Number(found?.value);
  }

  async function* numbers(count: number, failAt?: number) {
    for (let i = 0; i < count; i += 1) {
      if (i === failAt) throw new Error('source failed');
      yield i;
    }
  }

  it('are counted until the stream completes, is returned, or fails; once each', async () => {
    const metrics = new BerthMetrics();
    expect(await gauge(metrics, 'websocket')).toBe(0);

    const completes = releasingOnEnd(numbers(2), metrics.subscriptionOpened('websocket'));
    const returned = releasingOnEnd(numbers(10), metrics.subscriptionOpened('websocket'));
    const fails = releasingOnEnd(numbers(10, 1), metrics.subscriptionOpened('http'));
    expect(await gauge(metrics, 'websocket')).toBe(2);
    expect(await gauge(metrics, 'http')).toBe(1);

    const seen: number[] = [];
    for await (const n of completes) seen.push(n);
    expect(seen).toEqual([0, 1]);
    expect(await gauge(metrics, 'websocket')).toBe(1);

    expect(await returned.next()).toEqual({ value: 0, done: false });
    await returned.return?.();
    await returned.return?.();
    expect(await gauge(metrics, 'websocket')).toBe(0);

    expect(await fails.next()).toEqual({ value: 0, done: false });
    await expect(fails.next()).rejects.toThrow('source failed');
    expect(await gauge(metrics, 'http')).toBe(0);
  });
});
