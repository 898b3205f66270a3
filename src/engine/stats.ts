import type { Readable } from 'node:stream';
import { cpuPercent, memoryPercent, memoryWithoutCache } from '../domain/stats/docker-formulas.js';
import type {
  BlockDeviceCounters,
  ContainerStats,
  InterfaceCounters,
  StatsCollector,
  StatsSource,
  StatsTarget,
} from '../domain/stats/model.js';
import { NotFoundError } from '../shared/errors.js';
import type { EngineCalls } from './calls.js';

type Log = (message: string, error: unknown) => void;

const FIRST_RETRY_MS = 250;
const MAX_RETRY_MS = 5_000;
/** A stats line is a few KiB; a "line" this long means the stream is not what we think it is. */
const MAX_LINE_CHARS = 1 << 20;
/**
 * The engine sends a stats line a second. A stream that stalls (its engine frozen or overloaded)
 * stays open and sends nothing, so its last line would pass for a current figure forever: past this
 * age it is no figure at all, and whoever reads it sees the container go unsampled.
 */
const STALE_AFTER_MS = 3_000;

/**
 * Reads containers' figures from the engine's stats stream: works against any engine, local or
 * remote, but the daemon pays for every sample (see ENGINE.md, "Stats, measured here").
 */
export class DockerApiStatsSource implements StatsSource {
  readonly kind = 'docker-api';
  readonly #calls: EngineCalls;
  readonly #log: Log;
  #openStreams = 0;

  constructor(calls: EngineCalls, log: Log = (message, error) => console.warn(message, error)) {
    this.#calls = calls;
    this.#log = log;
  }

  /** Upstream stats requests held open (connected or connecting) by this source's collectors. */
  get openStreams(): number {
    return this.#openStreams;
  }

  open(target: StatsTarget): StatsCollector {
    return new ApiCollector(this.#calls, target.id, this.#log, (delta) => {
      this.#openStreams += delta;
    });
  }
}

/** One `GET /containers/{id}/stats?stream=true`, reopened until closed or the container is removed. */
class ApiCollector implements StatsCollector {
  readonly #calls: EngineCalls;
  readonly #id: string;
  readonly #log: Log;
  readonly #count: (delta: 1 | -1) => void;
  #latest: ContainerStats | null = null;
  /** When the latest line arrived (this process's clock: the engine's `read` may be skewed). */
  #receivedAt = 0;
  #closed = false;
  #retryMs = FIRST_RETRY_MS;
  #retryTimer: NodeJS.Timeout | undefined;
  /** Ends the current request, whatever stage it is at. */
  #hangUp: () => void = () => {};
  #lastFailure: string | null = null;

  constructor(calls: EngineCalls, id: string, log: Log, count: (delta: 1 | -1) => void) {
    this.#calls = calls;
    this.#id = id;
    this.#log = log;
    this.#count = count;
    this.#connect();
  }

  async sample(): Promise<ContainerStats | null> {
    if (this.#latest !== null && performance.now() - this.#receivedAt > STALE_AFTER_MS) return null;
    return this.#latest;
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#latest = null;
    clearTimeout(this.#retryTimer);
    this.#hangUp();
  }

  #connect(): void {
    const abort = new AbortController();
    let stream: Readable | null = null;
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      this.#count(-1);
    };
    this.#count(1);
    this.#hangUp = () => {
      abort.abort();
      stream?.destroy();
      release();
    };

    // docker-modem takes `abortSignal` in the options; @types/dockerode does not list it.
    const options = { stream: true as const, abortSignal: abort.signal };
    // Timed until the stream is open; a closed collector's abort is not an engine call's failure.
    const opened = this.#calls.run(
      'stats',
      this.#id,
      (docker) => docker.getContainer(this.#id).stats(options),
      {
        signal: abort.signal,
      },
    );
    opened.then(
      (response) => {
        // An IncomingMessage; typed as the older NodeJS.ReadableStream, which has no destroy().
        stream = response as Readable;
        if (this.#closed) {
          stream.destroy();
          return;
        }
        this.#consume(stream, release);
      },
      (error: unknown) => {
        release();
        this.#disconnected(error);
      },
    );
  }

  #consume(stream: Readable, release: () => void): void {
    let buffered = '';
    let failure: unknown = null;
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      buffered += chunk;
      let newline: number;
      while ((newline = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, newline);
        buffered = buffered.slice(newline + 1);
        if (line.trim() !== '') this.#accept(line);
      }
      if (buffered.length > MAX_LINE_CHARS) stream.destroy(new Error('stats line too long'));
    });
    stream.on('error', (error) => {
      failure = error;
    });
    stream.on('close', () => {
      release();
      this.#disconnected(failure);
    });
  }

  #accept(line: string): void {
    let wire: WireStats;
    try {
      wire = JSON.parse(line) as WireStats;
    } catch (error) {
      this.#report(`unreadable stats line for container ${this.#id}`, error);
      return;
    }
    this.#latest = toContainerStats(this.#id, wire);
    this.#receivedAt = performance.now();
    if (this.#latest !== null) {
      this.#retryMs = FIRST_RETRY_MS;
      this.#lastFailure = null;
    }
  }

  /** The stream ended (container removed, engine restarted) or could not open. */
  #disconnected(error: unknown): void {
    // A sample from a stream that is gone no longer says how the container is now.
    this.#latest = null;
    if (this.#closed) return;
    // Removed: nothing will ever answer for this id again. Not worth a log line.
    if (error instanceof NotFoundError) return;
    if (error !== null) this.#report(`stats stream of container ${this.#id} failed; reconnecting`, error);
    this.#retryTimer = setTimeout(() => this.#connect(), this.#retryMs);
    this.#retryMs = Math.min(this.#retryMs * 2, MAX_RETRY_MS);
  }

  /** Logs a failure once, not at every retry while it lasts. */
  #report(message: string, error: unknown): void {
    const key = `${message}: ${error instanceof Error ? error.message : String(error)}`;
    if (key === this.#lastFailure) return;
    this.#lastFailure = key;
    this.#log(message, error);
  }
}

/** The parts of one stats line read here. All optional: a stopped container's lines are nearly empty. */
interface WireStats {
  read?: string;
  cpu_stats?: WireCpuStats;
  precpu_stats?: WireCpuStats;
  memory_stats?: { usage?: number; limit?: number; stats?: Record<string, number> };
  networks?: Record<string, WireInterface>;
  blkio_stats?: {
    io_service_bytes_recursive?: { major?: number; minor?: number; op?: string; value?: number }[] | null;
  };
  pids_stats?: { current?: number };
}

interface WireInterface {
  rx_bytes?: number;
  rx_packets?: number;
  rx_errors?: number;
  rx_dropped?: number;
  tx_bytes?: number;
  tx_packets?: number;
  tx_errors?: number;
  tx_dropped?: number;
}

interface WireCpuStats {
  cpu_usage?: { total_usage?: number; percpu_usage?: number[] | null };
  system_cpu_usage?: number;
  online_cpus?: number;
}

/** One stats line as `docker stats` would show it; null for the placeholder lines of a stopped container. */
function toContainerStats(containerId: string, wire: WireStats): ContainerStats | null {
  // The daemon keeps a stopped container's stream open with lines read at 0001-01-01.
  const at = new Date(wire.read ?? '');
  const memory = wire.memory_stats;
  if (!(at.getTime() > 0) || memory?.usage === undefined) return null;

  const stats = memory.stats ?? {};
  // cgroup v1 engines report total_inactive_file, v2 engines inactive_file.
  const memoryUsageBytes = memoryWithoutCache(
    memory.usage,
    stats['total_inactive_file'] ?? stats['inactive_file'],
  );
  // The daemon already reports the host's memory for an unlimited container.
  const memoryLimitBytes = memory.limit ?? 0;

  let networkRxBytes = 0;
  let networkTxBytes = 0;
  const interfaces: InterfaceCounters[] = [];
  // Keyed by the interface's name inside the container (eth0, eth1), as cAdvisor labels them.
  for (const [name, network] of Object.entries(wire.networks ?? {})) {
    networkRxBytes += network.rx_bytes ?? 0;
    networkTxBytes += network.tx_bytes ?? 0;
    interfaces.push({
      name,
      rxBytes: network.rx_bytes ?? 0,
      rxPackets: network.rx_packets ?? 0,
      rxErrors: network.rx_errors ?? 0,
      rxDropped: network.rx_dropped ?? 0,
      txBytes: network.tx_bytes ?? 0,
      txPackets: network.tx_packets ?? 0,
      txErrors: network.tx_errors ?? 0,
      txDropped: network.tx_dropped ?? 0,
    });
  }

  let blockReadBytes = 0;
  let blockWriteBytes = 0;
  const devices = new Map<string, BlockDeviceCounters>();
  for (const entry of wire.blkio_stats?.io_service_bytes_recursive ?? []) {
    // v1 engines say Read/Write, v2 engines read/write.
    const op = entry.op?.toLowerCase();
    if (op !== 'read' && op !== 'write') continue;
    // The engine may be remote: its device numbers cannot be named from here.
    const device = `${entry.major ?? 0}:${entry.minor ?? 0}`;
    let counters = devices.get(device);
    if (!counters) {
      counters = { device, readBytes: 0, writeBytes: 0 };
      devices.set(device, counters);
    }
    if (op === 'read') {
      blockReadBytes += entry.value ?? 0;
      counters.readBytes += entry.value ?? 0;
    } else {
      blockWriteBytes += entry.value ?? 0;
      counters.writeBytes += entry.value ?? 0;
    }
  }

  return {
    containerId,
    at,
    cpuPercent: cpuPercentOf(wire.cpu_stats, wire.precpu_stats),
    memoryUsageBytes,
    memoryLimitBytes,
    memoryPercent: memoryPercent(memoryUsageBytes, memoryLimitBytes),
    networkRxBytes,
    networkTxBytes,
    blockReadBytes,
    blockWriteBytes,
    pids: wire.pids_stats?.current ?? 0,
    counters: {
      cpuUsageSeconds: (wire.cpu_stats?.cpu_usage?.total_usage ?? 0) / 1e9,
      memoryUsageWithCacheBytes: memory.usage,
      interfaces,
      blockDevices: [...devices.values()],
      // The stats API does not say which cgroup driver the engine uses.
      cgroupPath: null,
    },
  };
}

/** Null for the first line of a stream, whose `precpu_stats` are still empty. */
function cpuPercentOf(cpu: WireCpuStats | undefined, precpu: WireCpuStats | undefined): number | null {
  const previousSystem = precpu?.system_cpu_usage ?? 0;
  if (cpu === undefined || previousSystem === 0) return null;
  // Engines before API 1.27 did not report online_cpus.
  const onlineCpus = cpu.online_cpus || cpu.cpu_usage?.percpu_usage?.length || 0;
  return cpuPercent(
    (cpu.cpu_usage?.total_usage ?? 0) - (precpu?.cpu_usage?.total_usage ?? 0),
    (cpu.system_cpu_usage ?? 0) - previousSystem,
    onlineCpus,
  );
}
