import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { setImmediate as nextTurn } from 'node:timers/promises';
import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BerthMetrics } from '../../src/api/metrics/berth-metrics.js';
import { cadvisorLabels, sanitizeLabelName } from '../../src/api/metrics/cadvisor.js';
import type { Container } from '../../src/domain/containers/model.js';
import type { ContainerCounters, ContainerStats } from '../../src/domain/stats/model.js';
import { CgroupStatsSource } from '../../src/engine/cgroup.js';
import { sysfsOf } from '../../src/engine/stats-source.js';

/**
 * The counters behind the cAdvisor-compatible series, read by the cgroup source from fixture files
 * (v1 cgroupfs and v2 systemd), and the series berth renders from them: cAdvisor's label rules,
 * the spec limit, which containers have them, and an exposition promtool accepts.
 */

const ID = 'e'.repeat(64);
const PID = 777;
const MiB = 1024 * 1024;

describe('the cgroup source’s raw counters', () => {
  let tmp: string;
  const put = async (path: string, text: string) => {
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, text);
  };

  beforeEach(async () => {
    tmp = await mkdtemp(join(tmpdir(), 'berth-cadvisor-'));
    await put(join(tmp, 'proc', 'stat'), 'cpu  1000 0 500 8000 0 0 0 0 0 0\n');
    await put(
      join(tmp, 'proc', String(PID), 'net', 'dev'),
      [
        'Inter-|   Receive                                                |  Transmit',
        ' face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed',
        '    lo: 9999     100    0    0    0     0          0         0  9999     100    0    0    0     0       0          0',
        '  eth0:  1500      10    1    2    0     0          0         0   700       7    3    4    0     0       0          0',
        '  eth1:   300       3    0    0    0     0          0         0   100       1    0    0    0     0       0          0',
        '',
      ].join('\n'),
    );
    // 8:0 has a name in sysfs, 8:16 has none (a device sysfs does not show here).
    await put(
      join(tmp, 'sys', 'dev', 'block', '8:0', 'uevent'),
      'MAJOR=8\nMINOR=0\nDEVNAME=sda\nDEVTYPE=disk\n',
    );
  });

  afterEach(async () => {
    await rm(tmp, { recursive: true, force: true });
  });

  const source = (version: '1' | '2', driver: 'cgroupfs' | 'systemd') =>
    new CgroupStatsSource({
      root: join(tmp, 'cgroup'),
      procRoot: join(tmp, 'proc'),
      sysRoot: join(tmp, 'sys'),
      version,
      driver,
      onlineCpus: 2,
      hostMemoryBytes: 8192 * MiB,
      log: () => undefined,
    });

  const expected = (cgroupPath: string): ContainerCounters => ({
    cpuUsageSeconds: 5,
    memoryUsageWithCacheBytes: 100 * MiB,
    interfaces: [
      {
        name: 'eth0',
        rxBytes: 1500,
        rxPackets: 10,
        rxErrors: 1,
        rxDropped: 2,
        txBytes: 700,
        txPackets: 7,
        txErrors: 3,
        txDropped: 4,
      },
      {
        name: 'eth1',
        rxBytes: 300,
        rxPackets: 3,
        rxErrors: 0,
        rxDropped: 0,
        txBytes: 100,
        txPackets: 1,
        txErrors: 0,
        txDropped: 0,
      },
    ],
    blockDevices: [
      { device: '/dev/sda', readBytes: 3000, writeBytes: 8192 },
      { device: '8:16', readBytes: 1000, writeBytes: 0 },
    ],
    cgroupPath,
  });

  it('v1 cgroupfs: CPU seconds, memory with cache, each interface but lo, each device named through sysfs', async () => {
    const at = (controller: string, file: string) => join(tmp, 'cgroup', controller, 'docker', ID, file);
    await put(at('cpuacct', 'cpuacct.usage'), '5000000000\n');
    await put(at('memory', 'memory.usage_in_bytes'), `${100 * MiB}\n`);
    await put(at('memory', 'memory.limit_in_bytes'), '9223372036854771712\n');
    await put(at('memory', 'memory.stat'), `total_inactive_file ${30 * MiB}\n`);
    await put(
      at('blkio', 'blkio.throttle.io_service_bytes_recursive'),
      '8:0 Read 3000\n8:0 Write 8192\n8:0 Sync 8192\n8:0 Total 11192\n8:16 Read 1000\n8:16 Write 0\n8:16 Total 1000\nTotal 12192\n',
    );
    const sample = await source('1', 'cgroupfs')
      .open({ id: ID, pid: () => PID })
      .sample();
    expect(sample?.counters).toEqual(expected(`/docker/${ID}`));
    // berth's own figures are the sums of the same counters.
    expect(sample).toMatchObject({
      memoryUsageBytes: 70 * MiB,
      networkRxBytes: 1800,
      networkTxBytes: 800,
      blockReadBytes: 4000,
      blockWriteBytes: 8192,
    });
  });

  it('v2 systemd: the same from cpu.stat, memory.current and io.stat, the cgroup named as cAdvisor names it', async () => {
    const dir = join(tmp, 'cgroup', 'system.slice', `docker-${ID}.scope`);
    await put(join(tmp, 'cgroup', 'cgroup.controllers'), 'cpu io memory pids\n');
    await put(join(dir, 'cpu.stat'), 'usage_usec 5000000\nuser_usec 1\nsystem_usec 2\n');
    await put(join(dir, 'memory.current'), `${100 * MiB}\n`);
    await put(join(dir, 'memory.max'), 'max\n');
    await put(join(dir, 'memory.stat'), `inactive_file ${30 * MiB}\n`);
    await put(
      join(dir, 'io.stat'),
      '8:0 rbytes=3000 wbytes=8192 rios=3 wios=2 dbytes=0 dios=0\n8:16 rbytes=1000 wbytes=0 rios=1 wios=0 dbytes=0 dios=0\n',
    );
    const sample = await source('2', 'systemd')
      .open({ id: ID, pid: () => PID })
      .sample();
    expect(sample?.counters).toEqual(expected(`/system.slice/docker-${ID}.scope`));
  });

  it('finds sysfs beside the cgroup mount', () => {
    expect(sysfsOf('/sys/fs/cgroup')).toBe('/sys');
    expect(sysfsOf('/host/sys/fs/cgroup/')).toBe('/host/sys');
    expect(sysfsOf('/somewhere/else')).toBe('/sys');
  });
});

function container(overrides: Partial<Container> = {}): Container {
  return {
    environment: 'local',
    id: ID,
    name: 'web',
    image: 'nginx:1.27',
    imageId: `sha256:${'b'.repeat(64)}`,
    command: [],
    status: 'RUNNING',
    exitCode: null,
    startedAt: new Date('2026-12-01T10:00:00.900Z'),
    finishedAt: null,
    oomKilled: false,
    createdAt: new Date('2026-12-01T09:59:00Z'),
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

function sample(containerId: string, counters: Partial<ContainerCounters> | null = {}): ContainerStats {
  return {
    containerId,
    at: new Date('2026-12-01T10:05:00.500Z'),
    cpuPercent: 12.5,
    memoryUsageBytes: 6 * MiB,
    memoryLimitBytes: 64 * MiB,
    memoryPercent: 9.375,
    networkRxBytes: 1000,
    networkTxBytes: 2000,
    blockReadBytes: 4096,
    blockWriteBytes: 8192,
    pids: 3,
    ...(counters && {
      counters: {
        cpuUsageSeconds: 12.25,
        memoryUsageWithCacheBytes: 10 * MiB,
        interfaces: [
          {
            name: 'eth0',
            rxBytes: 1000,
            rxPackets: 10,
            rxErrors: 0,
            rxDropped: 0,
            txBytes: 2000,
            txPackets: 20,
            txErrors: 0,
            txDropped: 0,
          },
        ],
        blockDevices: [{ device: '/dev/sda', readBytes: 4096, writeBytes: 8192 }],
        cgroupPath: `/docker/${containerId}`,
        ...counters,
      },
    }),
  };
}

async function render(containers: Container[], samples: Map<string, ContainerStats>): Promise<string> {
  const metrics = new BerthMetrics();
  metrics.watchContainers(
    { available: true, list: () => containers },
    { latest: (id) => samples.get(id) ?? null },
  );
  const text = await metrics.render();
  await nextTurn();
  return text;
}

describe('cAdvisor-compatible series', () => {
  it('sanitise label keys as cAdvisor does, the first in sorted order winning a clash', () => {
    expect(sanitizeLabelName('container_label_com.docker.compose.project')).toBe(
      'container_label_com_docker_compose_project',
    );
    const labels = cadvisorLabels(
      container({
        labels: [
          { name: 'team.name', value: 'dots' },
          { name: 'team-name', value: 'dashes' },
          { name: 'é', value: 'accent' },
        ],
      }),
      null,
    );
    expect(labels).toEqual({
      id: `/docker/${ID}`,
      name: 'web',
      image: 'nginx:1.27',
      container_label_team_name: 'dashes',
      container_label__: 'accent',
    });
  });

  it('have the figures of the sample, the spec limit 0 when unlimited, and cpu="total"', async () => {
    const limited = container({
      id: 'a'.repeat(64),
      name: 'limited',
      resources: { memoryBytes: 64 * MiB, nanoCpus: 0 },
    });
    const unlimited = container({ id: 'b'.repeat(64), name: 'unlimited' });
    const text = await render(
      [limited, unlimited],
      new Map([
        [limited.id, sample(limited.id)],
        [unlimited.id, sample(unlimited.id)],
      ]),
    );
    const families = parsePrometheusTextFormat(text);
    const value = (name: string, labels: Record<string, string>) => {
      const found = families
        .find((f) => f.name === name)
        ?.metrics.filter((m) => Object.entries(labels).every(([k, v]) => m.labels?.[k] === v));
      expect(found, `${name} ${JSON.stringify(labels)}`).toHaveLength(1);
      return Number(found![0]!.value);
    };
    expect(value('container_cpu_usage_seconds_total', { name: 'limited', cpu: 'total' })).toBe(12.25);
    expect(value('container_memory_usage_bytes', { name: 'limited' })).toBe(10 * MiB);
    expect(value('container_memory_working_set_bytes', { name: 'limited' })).toBe(6 * MiB);
    expect(value('container_spec_memory_limit_bytes', { name: 'limited' })).toBe(64 * MiB);
    expect(value('container_spec_memory_limit_bytes', { name: 'unlimited' })).toBe(0);
    expect(value('container_start_time_seconds', { name: 'limited' })).toBe(
      Date.parse('2026-12-01T10:00:00Z') / 1000,
    );
    expect(value('container_last_seen', { name: 'limited' })).toBe(Date.parse('2026-12-01T10:05:00Z') / 1000);
    expect(value('container_network_transmit_packets_total', { name: 'limited', interface: 'eth0' })).toBe(
      20,
    );
    expect(value('container_fs_writes_bytes_total', { name: 'limited', device: '/dev/sda' })).toBe(8192);
  });

  it('only for a running container with a live sample: none before its first, none from history, none stopped', async () => {
    const running = container({ id: 'a'.repeat(64), name: 'running' });
    const fresh = container({ id: 'b'.repeat(64), name: 'fresh' });
    const fromHistory = container({ id: 'c'.repeat(64), name: 'history' });
    const stopped = container({ id: 'd'.repeat(64), name: 'stopped', status: 'EXITED' });
    const text = await render(
      [running, fresh, fromHistory, stopped],
      new Map([
        [running.id, sample(running.id)],
        [fromHistory.id, sample(fromHistory.id, null)],
        [stopped.id, sample(stopped.id)],
      ]),
    );
    const names = new Set(
      parsePrometheusTextFormat(text)
        .filter((f) => f.name.startsWith('container_'))
        .flatMap((f) => f.metrics.map((m) => m.labels?.['name'])),
    );
    expect([...names]).toEqual(['running']);
  });

  it('make an exposition promtool accepts, whatever the container labels hold', async () => {
    const odd = container({
      labels: [
        { name: 'com.example/quote"key', value: 'say "hi"\\ then\nnewline' },
        { name: '9starts.with.digit', value: '' },
        { name: 'unicode.ключ', value: 'значение ✓' },
      ],
    });
    const text = await render([odd], new Map([[odd.id, sample(odd.id)]]));
    expect(text).toContain('container_label_com_example_quote_key="say \\"hi\\"\\\\ then\\nnewline"');
    const promtool = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
    // Missing promtool fails here rather than skipping: on Debian, apt-get install -y prometheus.
    expect(promtool.error, 'promtool must be installed (Debian: the prometheus package)').toBeUndefined();
    expect(promtool.stdout + promtool.stderr).toBe('');
    expect(promtool.status).toBe(0);
  });
});
