/** One sample of a container's resource use, with the same meaning whichever source read it. */
export interface ContainerStats {
  containerId: string;
  at: Date;
  /** As `docker stats` computes it: 0 to 100 × online CPUs; null until two readings exist. */
  cpuPercent: number | null;
  /** Usage minus inactive file cache, as `docker stats` shows it. */
  memoryUsageBytes: number;
  /** The container's limit, or the host's memory when it has none (as `docker stats`). */
  memoryLimitBytes: number;
  memoryPercent: number;
  networkRxBytes: number;
  networkTxBytes: number;
  blockReadBytes: number;
  blockWriteBytes: number;
  pids: number;
  /**
   * The cumulative counters the figures above come from, for the cAdvisor-compatible series. Only
   * on a live sample: history keeps the figures alone, so a sample read back from it has none.
   */
  counters?: ContainerCounters;
}

/** What a source read, unprocessed: cumulative since the container (re)started, per interface and device. */
export interface ContainerCounters {
  /** CPU time of all the container's processes on all CPUs, in seconds. */
  cpuUsageSeconds: number;
  /** Memory use including the page cache (cgroup `memory.current`, v1 `memory.usage_in_bytes`). */
  memoryUsageWithCacheBytes: number;
  /** One entry per interface of the container's network namespace, loopback left out as Docker does. */
  interfaces: InterfaceCounters[];
  /** One entry per block device the container read from or wrote to. */
  blockDevices: BlockDeviceCounters[];
  /**
   * The container's cgroup as cAdvisor names it (`/docker/<id>`, `/system.slice/docker-<id>.scope`);
   * null when the source cannot tell the engine's cgroup driver (the stats API does not say).
   */
  cgroupPath: string | null;
}

export interface InterfaceCounters {
  name: string;
  rxBytes: number;
  rxPackets: number;
  rxErrors: number;
  rxDropped: number;
  txBytes: number;
  txPackets: number;
  txErrors: number;
  txDropped: number;
}

export interface BlockDeviceCounters {
  /** `/dev/<name>` when the source could name the device, else its `major:minor` numbers. */
  device: string;
  readBytes: number;
  writeBytes: number;
}

/** What a source needs to know about the container it reads. */
export interface StatsTarget {
  id: string;
  /** The container's init process on the host, for its network counters; null when not running. */
  pid(): number | null;
}

/** Reads one container until closed. */
export interface StatsCollector {
  /**
   * The newest sample as of now, or null when none exists yet (first reading, container not
   * running, cgroup gone). Never throws: a failure is a null and a log line at the source.
   */
  sample(): Promise<ContainerStats | null>;
  close(): void;
}

export type StatsSourceKind = 'cgroup' | 'docker-api';

export interface StatsSource {
  readonly kind: StatsSourceKind;
  open(target: StatsTarget): StatsCollector;
}
