import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type Docker from 'dockerode';
import parsePrometheusTextFormat, { type ParsedFamily } from 'parse-prometheus-text-format';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { CADVISOR_FAMILIES } from '../../src/api/metrics/cadvisor.js';
import { TEST_LABEL, cleanupLabelled, testDocker } from '../harness/docker.js';
import {
  startBerth,
  uniqueName,
  type BerthClient,
  type CreatedContainer,
  type RunningBerth,
} from '../support/berth.js';
import { CreateContainer, RemoveContainer } from '../support/operations/index.js';
import { waitFor } from '../support/wait.js';
import { expressionsOf, type Dashboard } from '../unit/promql.js';

/**
 * The cAdvisor-compatible series on `/metrics` against real containers on the real engine: their
 * names, types and cAdvisor's label names, figures that agree with berth's own series of the same
 * scrape and with the engine, the whole exposition through `promtool check metrics`, and the
 * Grafana dashboard's expressions against what a real berth exports.
 */

const LABEL = 'metrics-cadvisor';
const MiB = 1024 * 1024;
const image = inject('testImage');
let berth: RunningBerth;
let viewer: BerthClient;
let docker: Docker;
let cgroupDriver: string;

/** Limited to 64 MiB and a fifth of a CPU, busy, serving HTTP, and having written 2 MiB to disk. */
let limited: CreatedContainer;
/** No memory limit; labels whose keys and values need sanitising and escaping. */
let unlimited: CreatedContainer;
let hostPort: number;

const ODD_VALUE = 'a "quoted" back\\slash';

class Scrape {
  readonly families: ParsedFamily[];

  constructor(readonly text: string) {
    this.families = parsePrometheusTextFormat(text);
  }

  family(name: string): ParsedFamily | undefined {
    return this.families.find((f) => f.name === name);
  }

  /** The samples of `name` whose labels include `labels`. */
  samples(name: string, labels: Record<string, string>) {
    return (this.family(name)?.metrics ?? []).filter((m) =>
      Object.entries(labels).every(([key, value]) => m.labels?.[key] === value),
    );
  }

  /** The one sample of `name` with these labels; fails when there is none or several. */
  value(name: string, labels: Record<string, string>): number {
    const found = this.samples(name, labels);
    if (found.length !== 1) throw new Error(`${found.length} samples of ${name} ${JSON.stringify(labels)}`);
    return Number(found[0]!.value);
  }

  sum(name: string, labels: Record<string, string>): number {
    return this.samples(name, labels).reduce((total, m) => total + Number(m.value), 0);
  }
}

async function scrape(client: BerthClient = viewer): Promise<Scrape> {
  const response = await client.fetch('/metrics');
  expect(response.status).toBe(200);
  return new Scrape(await response.text());
}

/** Runs `promtool check metrics` over `text`; a missing promtool fails the test, it is never skipped. */
function promtoolCheck(text: string): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('promtool', ['check', 'metrics'], { stdio: ['pipe', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', (error: NodeJS.ErrnoException) =>
      reject(
        error.code === 'ENOENT'
          ? new Error(
              'promtool is not installed: on Debian, apt-get install -y prometheus (it ships /usr/bin/promtool)',
            )
          : error,
      ),
    );
    child.on('close', (code) => resolve({ code, output }));
    child.stdin.end(text);
  });
}

beforeAll(async () => {
  docker = testDocker(inject('dockerHost'));
  cgroupDriver = (await docker.info()).CgroupDriver;
  berth = await startBerth({ BERTH_AUTH: 'on', BERTH_AUTH_FAILURES_PER_MINUTE: '100000' }, { label: LABEL });
  viewer = berth.asRole('viewer', 'cadvisor-viewer');
  const operator = berth.asRole('operator', 'cadvisor-operator');
  const create = (input: Record<string, unknown>) => createAs(operator, input);

  limited = await create({
    command: [
      'sh',
      '-c',
      'httpd -p 80 -h /www; dd if=/dev/zero of=/tmp/blob bs=4096 count=512 && sync; while :; do :; done',
    ],
    ports: [{ containerPort: 80, hostIp: '127.0.0.1' }],
    resources: { memoryBytes: 64 * MiB, cpus: 0.2 },
    labels: [
      { name: TEST_LABEL, value: LABEL },
      { name: 'com.example.team', value: 'web' },
    ],
  });
  hostPort = limited.ports[0]!.hostPort!;
  unlimited = await create({
    command: ['sleep', '3600'],
    labels: [
      { name: TEST_LABEL, value: LABEL },
      { name: 'com.example/odd-key', value: ODD_VALUE },
    ],
  });
  for (let i = 0; i < 5; i += 1) await (await fetch(`http://127.0.0.1:${hostPort}/`)).text();
});

afterAll(async () => {
  await berth?.stop();
  await cleanupLabelled(docker, `${TEST_LABEL}=${LABEL}`);
});

async function createAs(client: BerthClient, input: Record<string, unknown>): Promise<CreatedContainer> {
  const { createContainer } = await client.query(CreateContainer, {
    input: { name: uniqueName(LABEL), image, ...input } as never,
  });
  if (createContainer.__typename !== 'CreateContainerSuccess') {
    throw new Error(`create failed: ${JSON.stringify(createContainer)}`);
  }
  return createContainer.container;
}

/** A scrape in which both containers have their cAdvisor series, with traffic and CPU counted. */
async function settledScrape(
  client: BerthClient = viewer,
  containers: CreatedContainer[] = [limited, unlimited],
): Promise<Scrape> {
  return waitFor(async () => {
    const metrics = await scrape(client);
    for (const c of containers) {
      if (metrics.samples('container_last_seen', { name: c.name }).length !== 1) {
        throw new Error(`no cAdvisor series for ${c.name} yet`);
      }
    }
    if (metrics.sum('container_network_receive_bytes_total', { name: limited.name }) === 0) {
      throw new Error('no traffic counted yet');
    }
    return metrics;
  }, 30_000);
}

describe('cAdvisor-compatible series', () => {
  it('are exported with cAdvisor’s names and types', async () => {
    const metrics = await settledScrape();
    for (const family of CADVISOR_FAMILIES) {
      expect(metrics.family(family.name)?.type, family.name).toBe(family.kind.toUpperCase());
      expect(metrics.family(family.name)?.help, family.name).not.toBe('');
    }
  });

  it('carry cAdvisor’s labels: id the cgroup, name, image, and each container label as container_label_<key>', async () => {
    const metrics = await settledScrape();
    const [sample] = metrics.samples('container_memory_working_set_bytes', { name: limited.name });
    const cgroup =
      cgroupDriver === 'systemd' ? `/system.slice/docker-${limited.id}.scope` : `/docker/${limited.id}`;
    // The stats API source does not know the driver and says /docker/<id>, Docker's default.
    expect([cgroup, `/docker/${limited.id}`]).toContain(sample?.labels?.['id']);
    if (cgroupDriver === 'cgroupfs') expect(sample?.labels?.['id']).toBe(`/docker/${limited.id}`);
    expect(sample?.labels).toMatchObject({
      name: limited.name,
      image,
      container_label_com_example_team: 'web',
      container_label_berth_test: LABEL,
    });

    const [odd] = metrics.samples('container_memory_working_set_bytes', { name: unlimited.name });
    expect(odd?.labels?.['container_label_com_example_odd_key']).toBe(ODD_VALUE);
    expect(odd?.labels).not.toHaveProperty('container_label_com_example_team');
  });

  it('agree with berth’s own series of the same scrape and with the engine', async () => {
    const metrics = await settledScrape();
    for (const c of [limited, unlimited]) {
      const own = { id: c.id, name: c.name };
      const compat = { name: c.name };
      // The same sample behind both: the working set is berth's memory figure, as docker stats shows it.
      const workingSet = metrics.value('container_memory_working_set_bytes', compat);
      expect(workingSet).toBeGreaterThan(0);
      expect(workingSet).toBe(metrics.value('berth_container_memory_usage_bytes', own));
      expect(metrics.value('container_memory_usage_bytes', compat)).toBeGreaterThanOrEqual(workingSet);
      expect(metrics.sum('container_network_receive_bytes_total', compat)).toBe(
        metrics.value('berth_container_network_receive_bytes_total', own),
      );
      expect(metrics.sum('container_network_transmit_bytes_total', compat)).toBe(
        metrics.value('berth_container_network_transmit_bytes_total', own),
      );
      expect(metrics.sum('container_fs_reads_bytes_total', compat)).toBe(
        metrics.value('berth_container_block_read_bytes_total', own),
      );
      expect(metrics.sum('container_fs_writes_bytes_total', compat)).toBe(
        metrics.value('berth_container_block_write_bytes_total', own),
      );
      for (const sample of metrics.samples('container_fs_writes_bytes_total', compat)) {
        expect(sample.labels?.['device']).toMatch(/^(\/dev\/\S+|\d+:\d+)$/);
      }
    }

    // The limit as created, 0 for none (as cAdvisor), where berth's own series says the host's memory.
    expect(metrics.value('container_spec_memory_limit_bytes', { name: limited.name })).toBe(64 * MiB);
    expect(metrics.value('container_spec_memory_limit_bytes', { name: unlimited.name })).toBe(0);
    expect(
      metrics.value('berth_container_memory_limit_bytes', { id: unlimited.id, name: unlimited.name }),
    ).toBeGreaterThan(64 * MiB);

    // Network by interface: the container's eth0 got the requests sent to it.
    expect(
      metrics.value('container_network_receive_bytes_total', { name: limited.name, interface: 'eth0' }),
    ).toBeGreaterThan(0);
    expect(
      metrics.value('container_network_receive_packets_total', { name: limited.name, interface: 'eth0' }),
    ).toBeGreaterThan(0);
    expect(
      metrics.value('container_network_receive_errors_total', { name: limited.name, interface: 'eth0' }),
    ).toBe(0);

    // Started since the Unix epoch in seconds, as the engine says.
    const inspect = await docker.getContainer(limited.id).inspect();
    expect(metrics.value('container_start_time_seconds', { name: limited.name })).toBe(
      Math.floor(new Date(inspect.State.StartedAt).getTime() / 1000),
    );

    // CPU seconds: the engine, asked after the scrape, has counted at least as much.
    const cpu = metrics.value('container_cpu_usage_seconds_total', { name: limited.name, cpu: 'total' });
    expect(cpu).toBeGreaterThan(0);
    const engine = (await docker.getContainer(limited.id).stats({ stream: false })) as unknown as {
      cpu_stats: { cpu_usage: { total_usage: number } };
    };
    expect(engine.cpu_stats.cpu_usage.total_usage / 1e9).toBeGreaterThanOrEqual(cpu);
  });

  it('count CPU time that only grows from scrape to scrape', async () => {
    const labels = { name: limited.name, cpu: 'total' };
    const first = (await settledScrape()).value('container_cpu_usage_seconds_total', labels);
    const later = await waitFor(async () => {
      const value = (await scrape()).value('container_cpu_usage_seconds_total', labels);
      expect(value).toBeGreaterThanOrEqual(first);
      if (value === first) throw new Error('no newer sample yet');
      return value;
    }, 15_000);
    expect(later).toBeGreaterThan(first);
  });

  it('pass promtool check metrics, with every berth family beside them', async () => {
    const metrics = await settledScrape();
    expect(metrics.text).toContain('container_cpu_usage_seconds_total{');
    expect(metrics.text).toContain('berth_http_requests_total{');
    const { code, output } = await promtoolCheck(metrics.text);
    expect(output).toBe('');
    expect(code).toBe(0);
  });

  it('feed every expression of the Grafana dashboard', async () => {
    const dashboard = JSON.parse(
      readFileSync(new URL('../../docs/grafana/berth-containers.json', import.meta.url), 'utf8'),
    ) as Dashboard;
    const metrics = await settledScrape();
    // Some engines charge no block IO to containers (docker stats shows 0B / 0B, cAdvisor has no
    // device to report): berth has no device series then either, only the families' declarations.
    const blockIo =
      metrics.sum('berth_container_block_read_bytes_total', {}) +
      metrics.sum('berth_container_block_write_bytes_total', {});
    for (const { where, expr, metrics: names } of expressionsOf(dashboard)) {
      expect(names.length, `${where}: ${expr}`).toBeGreaterThan(0);
      for (const name of names) {
        const family = metrics.family(name);
        expect(family, `${where} reads ${name}`).toBeDefined();
        if (name.startsWith('container_fs_') && blockIo === 0) continue;
        expect(family!.metrics.length, `${where} reads ${name}`).toBeGreaterThan(0);
      }
    }
  });

  it('are gone once the container is removed', async () => {
    const operator = berth.asRole('operator', 'cadvisor-remover');
    const { removeContainer } = await operator.query(RemoveContainer, { id: unlimited.id, force: true });
    expect(removeContainer.__typename).toBe('RemoveContainerSuccess');
    await waitFor(async () => {
      const left = (await scrape()).families.filter((f) =>
        f.metrics.some((m) => m.labels?.['name'] === unlimited.name),
      );
      if (left.length > 0) throw new Error(`still there: ${left.map((f) => f.name).join(', ')}`);
    }, 10_000);
  });
});

describe('cAdvisor-compatible series from the engine’s stats API (BERTH_STATS_SOURCE=docker-api)', () => {
  let api: RunningBerth;

  beforeAll(async () => {
    api = await startBerth({ BERTH_STATS_SOURCE: 'docker-api' }, { label: LABEL });
  });

  afterAll(async () => {
    await api?.stop();
  });

  it('carry the same labels and agree with berth’s own series, the cgroup named as Docker’s default', async () => {
    // The unlimited container was removed above.
    const metrics = await settledScrape(api, [limited]);
    const compat = { name: limited.name };
    const own = { id: limited.id, name: limited.name };
    expect(metrics.samples('container_last_seen', compat)[0]?.labels).toMatchObject({
      id: `/docker/${limited.id}`,
      name: limited.name,
      image,
      container_label_com_example_team: 'web',
    });
    expect(metrics.value('container_memory_working_set_bytes', compat)).toBe(
      metrics.value('berth_container_memory_usage_bytes', own),
    );
    expect(metrics.value('container_memory_usage_bytes', compat)).toBeGreaterThanOrEqual(
      metrics.value('container_memory_working_set_bytes', compat),
    );
    expect(metrics.value('container_network_receive_bytes_total', { ...compat, interface: 'eth0' })).toBe(
      metrics.value('berth_container_network_receive_bytes_total', own),
    );
    expect(metrics.value('container_spec_memory_limit_bytes', compat)).toBe(64 * MiB);
    const cpu = metrics.value('container_cpu_usage_seconds_total', { ...compat, cpu: 'total' });
    expect(cpu).toBeGreaterThan(0);
    const engine = (await docker.getContainer(limited.id).stats({ stream: false })) as unknown as {
      cpu_stats: { cpu_usage: { total_usage: number } };
    };
    expect(engine.cpu_stats.cpu_usage.total_usage / 1e9).toBeGreaterThanOrEqual(cpu);

    const { code, output } = await promtoolCheck(metrics.text);
    expect(output).toBe('');
    expect(code).toBe(0);
  });
});
