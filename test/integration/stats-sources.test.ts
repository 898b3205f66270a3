// Both stats sources on the same real containers of the harness engine: the cgroup files read
// straight from this host, and Docker's stats stream. The cgroup source must work here (the
// harness engine is local); when it cannot, every test fails with the reason instead of skipping.

import { finished } from 'node:stream/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import type Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { EngineInfo } from '../../src/domain/system/ports.js';
import { EngineCalls } from '../../src/engine/calls.js';
import { readEngineInfo } from '../../src/engine/info.js';
import { DockerApiStatsSource } from '../../src/engine/stats.js';
import { CgroupStatsSource, isCgroupDriver } from '../../src/engine/cgroup.js';
import { heldKernelFiles } from '../../src/engine/cgroup-file.js';
import type { ContainerStats, StatsCollector, StatsTarget } from '../../src/domain/stats/model.js';
import { TEST_LABEL, cleanupLabelled, statusCodeOf, testDocker } from '../harness/docker.js';
import { waitFor } from '../support/wait.js';

// The file's name plus this run's pid: two runs sharing the engine must not remove each other's.
const FILE = `stats-sources-${process.pid}`;
const MiB = 1024 * 1024;
const dockerHost = inject('dockerHost');
const image = inject('testImage');

let docker: Docker;
let info: EngineInfo;
let cgroup: CgroupStatsSource;
let api: DockerApiStatsSource;
let busy: TestContainer;
let idle: TestContainer;

interface TestContainer {
  id: string;
  container: Docker.Container;
  target: StatsTarget;
  /** Re-reads the init pid after a restart, for the network counters. */
  refreshPid(): Promise<void>;
}

async function run(options: Partial<Docker.ContainerCreateOptions> = {}): Promise<TestContainer> {
  const container = await docker.createContainer({
    Image: image,
    Labels: { [TEST_LABEL]: FILE },
    // busybox sleep as PID 1 ignores SIGTERM: do not wait out the default 10 s on a stop.
    StopTimeout: 1,
    ...options,
  });
  await container.start();
  let pid: number | null = null;
  const refreshPid = async () => {
    const state = (await container.inspect()).State;
    pid = state.Running ? state.Pid : null;
  };
  await refreshPid();
  return { id: container.id, container, target: { id: container.id, pid: () => pid }, refreshPid };
}

/** Runs `cmd` inside the container to its end and returns its exit code. */
async function exec(container: Docker.Container, cmd: string[]): Promise<number | null> {
  const process = await container.exec({ Cmd: cmd, AttachStdout: true, AttachStderr: true });
  const output = await process.start({});
  output.resume();
  await finished(output);
  return (await process.inspect()).ExitCode;
}

async function present(collector: StatsCollector, what: string): Promise<ContainerStats> {
  return waitFor(async () => {
    const sample = await collector.sample();
    if (sample === null) throw new Error(`no sample yet from ${what}`);
    return sample;
  }, 15_000);
}

const mean = (values: number[]) => values.reduce((sum, value) => sum + value, 0) / values.length;

beforeAll(async () => {
  docker = testDocker(dockerHost);
  info = await readEngineInfo(new EngineCalls(docker));
  [busy, idle] = await Promise.all([
    run({ Cmd: ['sh', '-c', 'while :; do :; done'] }),
    run({ Cmd: ['sleep', '300'] }),
  ]);

  const driver = info.cgroupDriver;
  if (!isCgroupDriver(driver)) {
    throw new Error(
      `the cgroup source must be usable here, but engine ${dockerHost} uses cgroup driver "${driver}"`,
    );
  }
  // Probing with a running container's id tells the engine's own cgroups from any others here.
  const access = await CgroupStatsSource.canRead({ version: info.cgroupVersion, driver }, idle.id);
  if (!access.readable) {
    throw new Error(
      `the cgroup source must be usable against the harness engine ${dockerHost} ` +
        `(it must run on this host, cgroups mounted at /sys/fs/cgroup): ${access.reason}`,
    );
  }
  cgroup = new CgroupStatsSource({
    version: info.cgroupVersion,
    driver,
    onlineCpus: info.ncpu,
    hostMemoryBytes: info.memTotalBytes,
  });
  api = new DockerApiStatsSource(new EngineCalls(docker));
});

afterAll(async () => {
  await cleanupLabelled(docker, `${TEST_LABEL}=${FILE}`);
});

describe('readEngineInfo', () => {
  it("reads the engine's cgroup layout, CPUs and memory as `docker info` shows them", async () => {
    const raw = (await docker.info()) as {
      ID: string;
      CgroupVersion: string;
      NCPU: number;
      MemTotal: number;
    };
    expect(info).toMatchObject({
      id: raw.ID,
      cgroupVersion: raw.CgroupVersion,
      ncpu: raw.NCPU,
      memTotalBytes: raw.MemTotal,
    });
    expect(info.serverVersion).toMatch(/^\d+\.\d+/);
    expect(['cgroupfs', 'systemd']).toContain(info.cgroupDriver);
  });
});

describe('cgroup and Docker API stats sources on the same containers', () => {
  it('read a busy container above 50% CPU and an idle one below 5%, agreeing within 15 points; pids ≥ 1', async () => {
    const collectors = [
      cgroup.open(busy.target),
      api.open(busy.target),
      cgroup.open(idle.target),
      api.open(idle.target),
    ];
    try {
      // A first reading, which has no CPU figure yet from either source.
      await Promise.all(collectors.map((collector, i) => present(collector, `collector ${i}`)));
      await waitFor(async () => {
        const samples = await Promise.all(collectors.map((collector) => collector.sample()));
        if (samples.some((sample) => sample?.cpuPercent === null)) throw new Error('no CPU figure yet');
      }, 15_000);

      const rounds: ContainerStats[][] = [];
      for (let round = 0; round < 5; round += 1) {
        await sleep(1_000);
        const samples = await Promise.all(collectors.map((collector) => collector.sample()));
        rounds.push(samples.map((sample) => sample ?? expect.fail('a running container read null')));
      }
      const cpu = (column: number) => mean(rounds.map((samples) => samples[column]?.cpuPercent ?? NaN));
      const [busyCgroup, busyApi, idleCgroup, idleApi] = [cpu(0), cpu(1), cpu(2), cpu(3)];
      console.info(
        `[stats-sources] CPU % over 5 s: busy cgroup ${busyCgroup.toFixed(1)} api ${busyApi.toFixed(1)}; ` +
          `idle cgroup ${idleCgroup.toFixed(2)} api ${idleApi.toFixed(2)}`,
      );

      expect(busyCgroup).toBeGreaterThan(50);
      expect(busyApi).toBeGreaterThan(50);
      expect(idleCgroup).toBeLessThan(5);
      expect(idleApi).toBeLessThan(5);
      expect(Math.abs(busyCgroup - busyApi)).toBeLessThanOrEqual(15);
      for (const sample of rounds.flat()) {
        expect(sample.pids).toBeGreaterThanOrEqual(1);
        expect(sample.memoryLimitBytes).toBe(info.memTotalBytes);
      }
    } finally {
      for (const collector of collectors) collector.close();
    }
  });

  it('read memory rising in a container that fills /dev/shm, agreeing within 10% or 2 MiB', async () => {
    const worker = await run();
    const fromCgroup = cgroup.open(worker.target);
    const fromApi = api.open(worker.target);
    try {
      const before = [
        (await present(fromCgroup, 'cgroup')).memoryUsageBytes,
        (await present(fromApi, 'api')).memoryUsageBytes,
      ];
      // tmpfs pages are shared memory: counted as cache but never inactive_file, so they stay in the figure.
      expect(
        await exec(worker.container, ['dd', 'if=/dev/zero', 'of=/dev/shm/fill', 'bs=1M', 'count=48']),
      ).toBe(0);

      const grown = async (collector: StatsCollector, baseline: number) =>
        waitFor(async () => {
          const sample = await collector.sample();
          if (sample === null || sample.memoryUsageBytes < baseline + 40 * MiB) {
            throw new Error(`memory ${String(sample?.memoryUsageBytes)} has not grown from ${baseline}`);
          }
          return sample.memoryUsageBytes;
        }, 10_000);
      const after = [await grown(fromCgroup, before[0]!), await grown(fromApi, before[1]!)];
      // Read both again: the cgroup now, then the first of the API's once-a-second samples taken
      // after that, so that neither trails the other.
      const fromCgroupNow = (await fromCgroup.sample())!;
      const fromApiNow = await waitFor(async () => {
        const sample = await fromApi.sample();
        if (sample === null || sample.at <= fromCgroupNow.at) throw new Error('no API sample since');
        return sample;
      }, 10_000);
      const [cgroupNow, apiNow] = [fromCgroupNow.memoryUsageBytes, fromApiNow.memoryUsageBytes];
      console.info(
        `[stats-sources] memory MiB before cgroup ${mib(before[0]!)} api ${mib(before[1]!)}; ` +
          `after cgroup ${mib(after[0]!)} api ${mib(after[1]!)}; settled cgroup ${mib(cgroupNow)} api ${mib(apiNow)}`,
      );
      expect(Math.abs(cgroupNow - apiNow)).toBeLessThanOrEqual(Math.max(0.1 * apiNow, 2 * MiB));
    } finally {
      fromCgroup.close();
      fromApi.close();
    }
  });

  it('read the same network counters, from /proc/<pid>/net/dev and from the engine', async () => {
    const worker = await run({
      ExposedPorts: { '80/tcp': {} },
      HostConfig: { PortBindings: { '80/tcp': [{ HostIp: '127.0.0.1', HostPort: '' }] } },
    });
    const fromCgroup = cgroup.open(worker.target);
    const fromApi = api.open(worker.target);
    try {
      expect(await exec(worker.container, ['dd', 'if=/dev/zero', 'of=/www/big', 'bs=1k', 'count=256'])).toBe(
        0,
      );
      const port = (await worker.container.inspect()).NetworkSettings.Ports['80/tcp']?.[0]?.HostPort;
      const body = await waitFor(async () =>
        (await fetch(`http://127.0.0.1:${String(port)}/big`)).arrayBuffer(),
      );
      expect(body.byteLength).toBe(256 * 1024);

      const sent = async (collector: StatsCollector) =>
        waitFor(async () => {
          const sample = await collector.sample();
          if (sample === null || sample.networkTxBytes < 256 * 1024)
            throw new Error('transfer not counted yet');
          return sample;
        });
      const [viaCgroup, viaApi] = [await sent(fromCgroup), await sent(fromApi)];
      expect(Math.abs(viaCgroup.networkTxBytes - viaApi.networkTxBytes)).toBeLessThanOrEqual(4096);
      expect(Math.abs(viaCgroup.networkRxBytes - viaApi.networkRxBytes)).toBeLessThanOrEqual(4096);
    } finally {
      fromCgroup.close();
      fromApi.close();
    }
  });

  it('read null while a container is stopped and recover when it starts again', async () => {
    const sleeper = await run({ Cmd: ['sleep', '300'] });
    const fromCgroup = cgroup.open(sleeper.target);
    const fromApi = api.open(sleeper.target);
    try {
      await present(fromCgroup, 'cgroup');
      await present(fromApi, 'api');

      await sleeper.container.stop({ t: 0 });
      await sleeper.refreshPid();
      expect(await fromCgroup.sample()).toBeNull();
      // The engine keeps the stream open with empty lines while the container is down.
      await waitFor(async () => expect(await fromApi.sample()).toBeNull());

      await sleeper.container.start();
      await sleeper.refreshPid();
      expect((await present(fromCgroup, 'cgroup')).cpuPercent).toBeNull();
      await present(fromApi, 'api');
    } finally {
      fromCgroup.close();
      fromApi.close();
    }
  });
});

describe('CgroupStatsSource held files', () => {
  it('holds its cgroup files open between samples, reads the new cgroup after a restart, and lets go on close', async () => {
    const sleeper = await run({ Cmd: ['sleep', '300'] });
    // /proc/stat is the source's, held from its first sample on: take it out of the count.
    const warm = cgroup.open(idle.target);
    await present(warm, 'cgroup');
    warm.close();
    const before = heldKernelFiles();
    const collector = cgroup.open(sleeper.target);
    try {
      expect((await present(collector, 'cgroup')).pids).toBe(1);
      // CPU, memory usage, memory.stat, the limit, pids, block IO and the network namespace.
      expect(heldKernelFiles() - before).toBe(7);

      // The old cgroup goes and a new one is made at the same path: its descriptors answer
      // ENODEV, and the files are opened again at once.
      await sleeper.container.restart({ t: 0 });
      await sleeper.refreshPid();
      const exec = await sleeper.container.exec({ Cmd: ['sleep', '60'] });
      await exec.start({ Detach: true });
      await waitFor(async () => expect((await collector.sample())?.pids).toBe(2), 15_000);
      expect(heldKernelFiles() - before).toBe(7);
    } finally {
      collector.close();
    }
    expect(heldKernelFiles()).toBe(before);
  });
});

describe('DockerApiStatsSource upstream streams', () => {
  it('holds one stream per open collector and none after close', async () => {
    const source = new DockerApiStatsSource(new EngineCalls(docker));
    expect(source.openStreams).toBe(0);
    const first = source.open(idle.target);
    expect(source.openStreams).toBe(1);
    await present(first, 'api');
    const second = source.open(busy.target);
    expect(source.openStreams).toBe(2);

    first.close();
    expect(source.openStreams).toBe(1);
    expect(await first.sample()).toBeNull();
    second.close();
    expect(source.openStreams).toBe(0);
    // Nothing reconnects behind a closed collector.
    await sleep(600);
    expect(source.openStreams).toBe(0);
  });

  it('lets go of a removed container by itself, quietly, and keeps reading null', async () => {
    const logged: unknown[] = [];
    const source = new DockerApiStatsSource(new EngineCalls(docker), (message, error) =>
      logged.push([message, error]),
    );
    const doomed = await run({ Cmd: ['sleep', '300'] });
    // How the engine answered each stats request for this container: 'open', or a refusal's status.
    const answers: string[] = [];
    const getContainer = docker.getContainer.bind(docker);
    docker.getContainer = (id: string) => {
      const container = getContainer(id);
      if (id !== doomed.id) return container;
      const stats = container.stats.bind(container) as (options: object) => Promise<unknown>;
      return Object.assign(container, {
        stats: (options: object) =>
          stats(options).then(
            (response) => (answers.push('open'), response),
            (error: unknown) => {
              answers.push(String(statusCodeOf(error)));
              throw error;
            },
          ),
      });
    };
    const collector = source.open(doomed.target);
    try {
      await present(collector, 'api');
      await doomed.container.remove({ force: true });
      // Its stream ends; it asks once more, and the engine's 404 is where it lets go.
      await waitFor(async () => {
        expect(answers.at(-1)).toBe('404');
        expect(source.openStreams).toBe(0);
      });
      expect(await collector.sample()).toBeNull();
      expect(logged).toEqual([]);
    } finally {
      collector.close();
      docker.getContainer = getContainer;
    }
  });
});

function mib(bytes: number): string {
  return (bytes / MiB).toFixed(1);
}

describe('choosing the source', () => {
  it('picks the cgroup files on a local engine even when the container it probes with is gone', async () => {
    const { loadConfig } = await import('../../src/platform/config.js');
    const { DockerEngine } = await import('../../src/engine/engine.js');
    const { chooseStatsSource } = await import('../../src/engine/stats-source.js');
    const config = loadConfig({ DOCKER_HOST: dockerHost, BERTH_AUTH: 'off' });
    const engine = new DockerEngine(config.engine);
    const quiet = { debug() {}, info() {}, warn() {}, error() {} };
    const gone = await run({ Cmd: ['true'] });
    await gone.container.remove({ force: true });
    const source = await chooseStatsSource(config, engine, quiet, gone.id);
    expect(source.kind).toBe('cgroup');
    const probed = await chooseStatsSource(config, engine, quiet, idle.id);
    expect(probed.kind).toBe('cgroup');
  });
});
