import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import type Docker from 'dockerode';
import { testDocker } from '../../test/harness/docker.js';
import {
  ensureTestImage,
  haltEngine,
  pingEngine,
  restartEngine,
  startEngine,
  stopEngine,
  type StartedEngine,
} from '../../test/harness/engine.js';
import { onCleanUp } from './cleanup.js';
import { HttpClient } from './http.js';
import { engineProcesses } from './proc.js';

/** Every container the benchmark makes carries this label, with the benchmark's name as value. */
export const BENCH_LABEL = 'berth.bench';

/**
 * The benchmark's own dockerd: a bridge of its own and no iptables, so it runs beside any other
 * engine on the machine, and a short shutdown timeout, since `sleep` ignores SIGTERM. Stopped (and its
 * directory removed) at clean-up, whatever happened.
 */
export class BenchEngine {
  #started: StartedEngine;
  #docker: Docker;
  #raw: HttpClient;
  image = '';
  #unregister: () => void = () => undefined;

  private constructor(started: StartedEngine) {
    this.#started = started;
    this.#docker = testDocker(started.dockerHost);
    this.#raw = new HttpClient({ socketPath: this.socketPath });
  }

  static async start(): Promise<BenchEngine> {
    // Not --bridge=none: dockerd would delete docker0 from under another engine (the harness refuses it).
    const started = await startEngine({ isolatedBridge: true, extraArgs: ['--shutdown-timeout=2'] });
    const engine = new BenchEngine(started);
    engine.#unregister = onCleanUp('the private engine', () => engine.#stop());
    engine.image = await ensureTestImage(started.dockerHost);
    return engine;
  }

  get dockerHost(): string {
    return this.#started.dockerHost;
  }

  get socketPath(): string {
    return this.#started.dockerHost.slice('unix://'.length);
  }

  /** The engine's directory: its socket, data and exec roots, and so every process it owns, live below it. */
  get dir(): string {
    return this.#started.dir;
  }

  get pid(): number {
    return this.#started.pid;
  }

  get docker(): Docker {
    return this.#docker;
  }

  /** A plain HTTP client on the engine's socket, for timing Docker's own API. */
  get raw(): HttpClient {
    return this.#raw;
  }

  /** Creates and starts `count` containers running `sleep 3600`, `parallel` at a time; returns their ids. */
  async startSleepers(count: number, label: string, parallel = 10): Promise<string[]> {
    const ids: string[] = [];
    for (let first = 0; first < count; first += parallel) {
      const batch = Array.from({ length: Math.min(parallel, count - first) }, async () => {
        const container = await this.#docker.createContainer({
          Image: this.image,
          Cmd: ['sleep', '3600'],
          Labels: { [BENCH_LABEL]: label },
        });
        await container.start();
        return container.id;
      });
      ids.push(...(await Promise.all(batch)));
    }
    return ids;
  }

  /** Force-removes every container with the benchmark's label (`label` narrows it to one benchmark). */
  async removeLabelled(label?: string, parallel = 10): Promise<number> {
    const filter = label === undefined ? BENCH_LABEL : `${BENCH_LABEL}=${label}`;
    const containers = await this.#docker.listContainers({ all: true, filters: { label: [filter] } });
    for (let first = 0; first < containers.length; first += parallel) {
      await Promise.all(
        containers.slice(first, first + parallel).map((info) =>
          this.#docker
            .getContainer(info.Id)
            .remove({ force: true })
            .catch(() => undefined),
        ),
      );
    }
    return containers.length;
  }

  /** Stops dockerd as a crash or an upgrade would, keeping its data, then starts it again on the same socket. */
  async restart(): Promise<{ haltMs: number; startMs: number }> {
    const halting = Date.now();
    await haltEngine(this.#started);
    const starting = Date.now();
    this.#started = await restartEngine(this.#started);
    return { haltMs: starting - halting, startMs: Date.now() - starting };
  }

  /** Stops it now, for a benchmark's engines of its own (the runner's engine stops at clean-up). */
  async stop(): Promise<void> {
    this.#unregister();
    await this.#stop();
  }

  async #stop(): Promise<void> {
    this.#raw.close();
    // The containers go first, while the engine answers: a dockerd stopped with a few hundred
    // running takes longer than the harness waits before SIGKILL, and then their shims and
    // processes outlive it (seen here with 200).
    if (await pingEngine(this.dockerHost)) {
      await Promise.race([this.removeLabelled().catch(() => 0), sleep(90_000)]);
    }
    await stopEngine(this.#started);
    const reaped = reapOrphans(this.#started.dir);
    if (reaped > 0)
      console.error(`bench: killed ${reaped} leftover shims of the stopped engine, with their containers`);
  }
}

/**
 * Shims of a stopped engine that are still running, found by its directory in their command line
 * (`-address <dir>/exec/containerd/containerd.sock`): kills each container's processes (listed
 * in its cgroup) and then the shim. Returns how many shims there were.
 */
function reapOrphans(engineDir: string): number {
  const shims = engineProcesses(engineDir).filter((info) => info.comm.startsWith('containerd-shim'));
  for (const shim of shims) {
    const id = / -id ([0-9a-f]{64})/.exec(shim.cmdline)?.[1];
    if (id !== undefined) {
      for (const procs of [
        `/sys/fs/cgroup/pids/docker/${id}/cgroup.procs`, // v1, cgroupfs
        `/sys/fs/cgroup/docker/${id}/cgroup.procs`, // v2, cgroupfs
        `/sys/fs/cgroup/system.slice/docker-${id}.scope/cgroup.procs`, // v2, systemd
      ]) {
        let pids: string[] = [];
        try {
          pids = readFileSync(procs, 'utf8')
            .split('\n')
            .filter((line) => line !== '');
        } catch {
          continue;
        }
        for (const pid of pids) signal(Number(pid));
      }
    }
    signal(shim.pid);
  }
  return shims.length;
}

function signal(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // already gone
  }
}
