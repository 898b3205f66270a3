// CgroupStatsSource against cgroup and procfs trees written here into a temp directory, one per
// layout Docker uses (v1/v2 × cgroupfs/systemd). The file formats are copied from real kernels;
// the real engine's files are read in test/integration/stats-sources.test.ts.

import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CgroupStatsSource, type CgroupDriver, type CgroupVersion } from '../../src/engine/cgroup.js';
import type { StatsTarget } from '../../src/domain/stats/model.js';

const ID = 'f'.repeat(64);
const PID = 4242;
const MiB = 1024 * 1024;
const HOST_MEMORY = 8 * 1024 * MiB;
const V1_UNLIMITED = '9223372036854771712';

interface Layout {
  name: string;
  version: CgroupVersion;
  driver: CgroupDriver;
  /** The container's directory for a v1 controller, or its only directory on v2. */
  dir: (controller: string) => string;
}

const LAYOUTS: Layout[] = [
  { name: 'v1 cgroupfs', version: '1', driver: 'cgroupfs', dir: (c) => `${c}/docker/${ID}` },
  { name: 'v1 systemd', version: '1', driver: 'systemd', dir: (c) => `${c}/system.slice/docker-${ID}.scope` },
  { name: 'v2 cgroupfs', version: '2', driver: 'cgroupfs', dir: () => `docker/${ID}` },
  { name: 'v2 systemd', version: '2', driver: 'systemd', dir: () => `system.slice/docker-${ID}.scope` },
];

interface Counters {
  cpuNs: number;
  usage: number;
  inactiveFile: number;
  limit: number | 'unlimited';
  pids: number;
  read: number;
  write: number;
}

const COUNTERS: Counters = {
  cpuNs: 5_000_000_000,
  usage: 100 * MiB,
  inactiveFile: 30 * MiB,
  limit: 'unlimited',
  pids: 3,
  read: 4096,
  write: 8192,
};

let tmp: string;
let cgroupRoot: string;
let procRoot: string;

beforeEach(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'berth-cgroup-'));
  cgroupRoot = join(tmp, 'cgroup');
  procRoot = join(tmp, 'proc');
  await writeProcStat({ user: 1000, system: 500, idle: 8000 });
});

afterEach(async () => {
  await rm(tmp, { recursive: true, force: true });
});

async function put(path: string, text: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, text);
}

/** The container's files as the kernel shows them under `layout`. */
async function writeCounters(layout: Layout, counters: Counters): Promise<void> {
  const at = (controller: string, file: string) => join(cgroupRoot, layout.dir(controller), file);
  if (layout.version === '1') {
    const limit = counters.limit === 'unlimited' ? V1_UNLIMITED : String(counters.limit);
    await put(at('cpuacct', 'cpuacct.usage'), `${counters.cpuNs}\n`);
    await put(at('memory', 'memory.usage_in_bytes'), `${counters.usage}\n`);
    await put(at('memory', 'memory.limit_in_bytes'), `${limit}\n`);
    // The container's own inactive_file differs from the hierarchical total: docker uses the total.
    await put(
      at('memory', 'memory.stat'),
      [
        'cache 0',
        'rss 4096',
        'inactive_file 1',
        `hierarchical_memory_limit ${limit}`,
        'total_cache 0',
        `total_inactive_file ${counters.inactiveFile}`,
        'total_active_file 0',
        '',
      ].join('\n'),
    );
    await put(at('pids', 'pids.current'), `${counters.pids}\n`);
    await put(
      at('blkio', 'blkio.throttle.io_service_bytes_recursive'),
      [
        `8:0 Read ${counters.read - 1000}`,
        `8:0 Write ${counters.write}`,
        `8:0 Sync ${counters.write}`,
        '8:0 Async 0',
        '8:0 Discard 0',
        `8:0 Total ${counters.read - 1000 + counters.write}`,
        '8:16 Read 1000',
        '8:16 Write 0',
        '8:16 Total 1000',
        `Total ${counters.read + counters.write}`,
        '',
      ].join('\n'),
    );
  } else {
    const dir = join(cgroupRoot, layout.dir(''));
    await put(join(cgroupRoot, 'cgroup.controllers'), 'cpuset cpu io memory hugetlb pids rdma misc\n');
    await put(
      join(dir, 'cpu.stat'),
      `usage_usec ${counters.cpuNs / 1000}\nuser_usec 1\nsystem_usec 2\nnr_periods 0\nnr_throttled 0\nthrottled_usec 0\n`,
    );
    await put(join(dir, 'memory.current'), `${counters.usage}\n`);
    await put(join(dir, 'memory.max'), counters.limit === 'unlimited' ? 'max\n' : `${counters.limit}\n`);
    await put(
      join(dir, 'memory.stat'),
      `anon 4096\nfile 0\nactive_anon 0\ninactive_anon 4096\nactive_file 0\ninactive_file ${counters.inactiveFile}\n`,
    );
    await put(join(dir, 'pids.current'), `${counters.pids}\n`);
    await put(
      join(dir, 'io.stat'),
      `8:0 rbytes=${counters.read - 1000} wbytes=${counters.write} rios=3 wios=2 dbytes=0 dios=0\n` +
        '8:16 rbytes=1000 wbytes=0 rios=1 wios=0 dbytes=0 dios=0\n',
    );
  }
}

/** `/proc/stat` in USER_HZ ticks; steal and guest are set to move without counting, as in Docker. */
async function writeProcStat(ticks: { user: number; system: number; idle: number; steal?: number }) {
  const steal = ticks.steal ?? 0;
  await put(
    join(procRoot, 'stat'),
    `cpu  ${ticks.user} 0 ${ticks.system} ${ticks.idle} 0 0 0 ${steal} ${steal} 0\n` +
      `cpu0 ${ticks.user} 0 ${ticks.system} ${ticks.idle} 0 0 0 0 0 0\n` +
      'intr 0\nctxt 0\nbtime 0\n',
  );
}

async function writeNetDev(pid: number, lines: string[]): Promise<void> {
  await put(
    join(procRoot, String(pid), 'net', 'dev'),
    [
      'Inter-|   Receive                                                |  Transmit',
      ' face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed',
      ...lines,
      '',
    ].join('\n'),
  );
}

function sourceFor(layout: Layout, logged: unknown[] = []): CgroupStatsSource {
  return new CgroupStatsSource({
    root: cgroupRoot,
    procRoot,
    version: layout.version,
    driver: layout.driver,
    onlineCpus: 2,
    hostMemoryBytes: HOST_MEMORY,
    log: (message, error) => logged.push([message, error]),
  });
}

function target(pid: number | null = null): StatsTarget {
  return { id: ID, pid: () => pid };
}

describe.each(LAYOUTS)('CgroupStatsSource on fixture files, $name', (layout) => {
  it('reads usage minus inactive file, host memory as the limit when unlimited, pids and block IO from its paths', async () => {
    await writeCounters(layout, COUNTERS);
    const sample = await sourceFor(layout).open(target()).sample();
    expect(sample).toMatchObject({
      containerId: ID,
      cpuPercent: null,
      memoryUsageBytes: 70 * MiB,
      memoryLimitBytes: HOST_MEMORY,
      pids: 3,
      blockReadBytes: 4096,
      blockWriteBytes: 8192,
      networkRxBytes: 0,
      networkTxBytes: 0,
    });
    expect(sample?.memoryPercent).toBeCloseTo((70 * MiB * 100) / HOST_MEMORY, 10);
    expect(sample?.at).toBeInstanceOf(Date);
  });

  it('reads a set memory limit as the limit', async () => {
    await writeCounters(layout, { ...COUNTERS, limit: 200 * MiB });
    const sample = await sourceFor(layout).open(target()).sample();
    expect(sample).toMatchObject({ memoryLimitBytes: 200 * MiB, memoryPercent: 35 });
  });

  it('gives null CPU on the first reading, then (container delta / system delta) × CPUs × 100', async () => {
    await writeCounters(layout, COUNTERS);
    const collector = sourceFor(layout).open(target());
    expect((await collector.sample())?.cpuPercent).toBeNull();

    // 0.5 s of container CPU over 2 s of host CPU time (200 ticks) on 2 CPUs: 50%.
    // Steal and guest move too, and Docker does not count them.
    await writeCounters(layout, { ...COUNTERS, cpuNs: COUNTERS.cpuNs + 500_000_000 });
    await writeProcStat({ user: 1100, system: 550, idle: 8050, steal: 77 });
    expect((await collector.sample())?.cpuPercent).toBeCloseTo(50, 10);

    // Nothing moved: 0, not null.
    expect((await collector.sample())?.cpuPercent).toBe(0);
  });

  it('returns null while the cgroup is missing and recovers when it reappears, CPU starting over', async () => {
    const logged: unknown[] = [];
    const collector = sourceFor(layout, logged).open(target());
    expect(await collector.sample()).toBeNull();

    await writeCounters(layout, COUNTERS);
    expect(await collector.sample()).toMatchObject({ cpuPercent: null, pids: 3 });
    await rm(join(cgroupRoot, layout.dir('cpuacct')), { recursive: true });
    expect(await collector.sample()).toBeNull();

    await writeCounters(layout, { ...COUNTERS, cpuNs: 1000 });
    expect(await collector.sample()).toMatchObject({ cpuPercent: null, pids: 3 });
    // A stopped container is not a failure.
    expect(logged).toEqual([]);
  });

  it('sums network counters over every interface but lo from /proc/<pid>/net/dev', async () => {
    await writeCounters(layout, COUNTERS);
    await writeNetDev(PID, [
      '    lo: 9999999     100    0    0    0     0          0         0  9999999     100    0    0    0     0       0          0',
      '  eth0:    1500      10    0    0    0     0          0         0      700       7    0    0    0     0       0          0',
      // Counters wide enough to touch the colon, as the kernel prints them.
      'eth1:123456789012   5    0    0    0     0          0         0     300       3    0    0    0     0       0          0',
    ]);
    const source = sourceFor(layout);
    expect(await source.open(target(PID)).sample()).toMatchObject({
      networkRxBytes: 1500 + 123456789012,
      networkTxBytes: 1000,
    });
    // Not running (no pid), or its process just exited: 0, not a failure.
    expect(await source.open(target(null)).sample()).toMatchObject({ networkRxBytes: 0, networkTxBytes: 0 });
    expect(await source.open(target(PID + 1)).sample()).toMatchObject({
      networkRxBytes: 0,
      networkTxBytes: 0,
    });
  });

  it('returns null and logs once when a file holds something unreadable', async () => {
    await writeCounters(layout, COUNTERS);
    const memoryUsage = layout.version === '1' ? 'memory.usage_in_bytes' : 'memory.current';
    await put(join(cgroupRoot, layout.dir('memory'), memoryUsage), 'garbage\n');
    const logged: unknown[] = [];
    const collector = sourceFor(layout, logged).open(target());
    expect(await collector.sample()).toBeNull();
    expect(await collector.sample()).toBeNull();
    expect(logged).toHaveLength(1);
    expect(String(logged[0])).toContain(ID);
  });

  it('canRead: only when the layout is there, and with a container id only when its cgroup is', async () => {
    const options = { root: cgroupRoot, procRoot, version: layout.version, driver: layout.driver };
    const before = await CgroupStatsSource.canRead(options);
    expect(before).toMatchObject({ readable: false });
    expect(before.readable === false && before.reason).toMatch(/cannot read .* \(ENOENT\)/);

    await writeCounters(layout, COUNTERS);
    expect(await CgroupStatsSource.canRead(options)).toEqual({ readable: true });
    expect(await CgroupStatsSource.canRead(options, ID)).toEqual({ readable: true });
    const other = await CgroupStatsSource.canRead(options, 'e'.repeat(64));
    expect(other.readable === false && other.reason).toContain('e'.repeat(64));
  });

  it('returns null after close', async () => {
    await writeCounters(layout, COUNTERS);
    const collector = sourceFor(layout).open(target());
    collector.close();
    expect(await collector.sample()).toBeNull();
  });
});

describe('CgroupStatsSource on fixture files, v1 block IO files', () => {
  const layout = LAYOUTS[0]!;

  it('falls back to the non-recursive throttle file, then to the CFQ ones, when the kernel lacks the others', async () => {
    await writeCounters(layout, COUNTERS);
    const dir = join(cgroupRoot, layout.dir('blkio'));
    await rm(join(dir, 'blkio.throttle.io_service_bytes_recursive'));
    await put(
      join(dir, 'blkio.throttle.io_service_bytes'),
      '8:0 Read 10\n8:0 Write 20\n8:0 Total 30\nTotal 30\n',
    );
    expect(await sourceFor(layout).open(target()).sample()).toMatchObject({
      blockReadBytes: 10,
      blockWriteBytes: 20,
    });

    await rm(join(dir, 'blkio.throttle.io_service_bytes'));
    await put(join(dir, 'blkio.io_service_bytes'), '8:0 Read 30\n8:0 Write 40\n8:0 Total 70\nTotal 70\n');
    expect(await sourceFor(layout).open(target()).sample()).toMatchObject({
      blockReadBytes: 30,
      blockWriteBytes: 40,
    });
  });

  it('reads an idle container\'s "Total 0" as zero, and no blkio controller as zero', async () => {
    await writeCounters(layout, COUNTERS);
    const dir = join(cgroupRoot, layout.dir('blkio'));
    await put(join(dir, 'blkio.throttle.io_service_bytes_recursive'), 'Total 0\n');
    expect(await sourceFor(layout).open(target()).sample()).toMatchObject({
      blockReadBytes: 0,
      blockWriteBytes: 0,
    });
    await rm(dir, { recursive: true });
    expect(await sourceFor(layout).open(target()).sample()).toMatchObject({ blockReadBytes: 0, pids: 3 });
  });

  it('reports a set v1 limit above the host memory as the host memory, as the daemon does', async () => {
    await writeCounters(layout, { ...COUNTERS, limit: HOST_MEMORY * 2 });
    expect(await sourceFor(layout).open(target()).sample()).toMatchObject({ memoryLimitBytes: HOST_MEMORY });
  });
});
