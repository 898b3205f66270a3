/**
 * The arithmetic `docker stats` applies to raw counters (docker/cli `cli/command/container/stats_helpers.go`),
 * shared by both sources so the same container reads the same whichever source is behind it.
 */

/**
 * CPU use over an interval as a percentage of one core: 0 to 100 × `onlineCpus`. Like the CLI, a
 * counter that did not move forward (idle, or reset by a restart) reads 0, not a negative number.
 */
export function cpuPercent(cpuDeltaNs: number, systemDeltaNs: number, onlineCpus: number): number {
  if (systemDeltaNs <= 0 || cpuDeltaNs <= 0) return 0;
  return (cpuDeltaNs / systemDeltaNs) * onlineCpus * 100;
}

/**
 * Usage without the page cache the kernel can drop at once. The CLI subtracts only when the
 * inactive file figure is below usage, so a racy read never makes usage negative.
 */
export function memoryWithoutCache(usageBytes: number, inactiveFileBytes: number | undefined): number {
  return inactiveFileBytes !== undefined && inactiveFileBytes < usageBytes
    ? usageBytes - inactiveFileBytes
    : usageBytes;
}

/**
 * The daemon reports the host's memory as the limit when the cgroup's is larger (an unlimited v1
 * cgroup says 2^63 rounded down to a page; v2 says "max", passed here as null).
 */
export function effectiveMemoryLimit(cgroupLimitBytes: number | null, hostMemoryBytes: number): number {
  if (cgroupLimitBytes === null) return hostMemoryBytes;
  return hostMemoryBytes > 0 && cgroupLimitBytes > hostMemoryBytes ? hostMemoryBytes : cgroupLimitBytes;
}

export function memoryPercent(usageBytes: number, limitBytes: number): number {
  return limitBytes > 0 ? (usageBytes / limitBytes) * 100 : 0;
}
