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
