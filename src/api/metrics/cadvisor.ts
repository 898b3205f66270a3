import { Counter, Gauge, type Registry } from 'prom-client';
import type { Container } from '../../domain/containers/model.js';
import type {
  BlockDeviceCounters,
  ContainerCounters,
  ContainerStats,
  InterfaceCounters,
} from '../../domain/stats/model.js';
import type { Row } from './containers.js';

/**
 * The series cAdvisor exports for a Docker container, under its names and label names, so that
 * dashboards and alert rules written for cAdvisor work on berth's `/metrics` unchanged. The names,
 * units, types and labels follow google/cadvisor `metrics/prometheus.go` (its default metric set
 * and `DefaultContainerLabels`); they are computed from the same index and samples as berth's own.
 */

/** One series of a family: its full label set and value. */
interface Series {
  labels: Record<string, string>;
  value: number;
}

/** A container with a live sample: what every cAdvisor family reads. */
interface Sampled {
  container: Container;
  sample: ContainerStats;
  counters: ContainerCounters;
  labels: Record<string, string>;
}

type Kind = 'gauge' | 'counter';

interface Family {
  name: string;
  kind: Kind;
  help: string;
  series: (row: Sampled) => Series[];
}

/** cAdvisor's `sanitizeLabelName`: anything outside `[a-zA-Z0-9_]` becomes `_`. */
export function sanitizeLabelName(name: string): string {
  return name.replace(/[^a-zA-Z0-9_]/g, '_');
}

/**
 * cAdvisor's base labels for a Docker container: `id` its cgroup, `name` the container's name,
 * `image` the image it was created from, and each container label as `container_label_<key>`.
 * Two keys that sanitise to the same name keep the first in sorted order (cAdvisor keeps whichever
 * its map yields first, which varies; a scrape that varies would break `rate()`).
 */
export function cadvisorLabels(container: Container, cgroupPath: string | null): Record<string, string> {
  const labels: Record<string, string> = {
    // The stats API does not say the cgroup driver; cgroupfs, Docker's default, names it so.
    id: cgroupPath ?? `/docker/${container.id}`,
    name: container.name,
    image: container.image,
  };
  const keys = container.labels.map((l) => l.name).sort();
  const values = new Map(container.labels.map((l) => [l.name, l.value]));
  for (const key of keys) {
    const name = sanitizeLabelName(`container_label_${key}`);
    if (!(name in labels)) labels[name] = values.get(key) ?? '';
  }
  return labels;
}

const one = (row: Sampled, value: number, extra: Record<string, string> = {}): Series[] => [
  { labels: { ...row.labels, ...extra }, value },
];

const perInterface =
  (value: (i: InterfaceCounters) => number) =>
  (row: Sampled): Series[] =>
    row.counters.interfaces.map((i) => ({ labels: { ...row.labels, interface: i.name }, value: value(i) }));

const perDevice =
  (value: (d: BlockDeviceCounters) => number) =>
  (row: Sampled): Series[] =>
    row.counters.blockDevices.map((d) => ({ labels: { ...row.labels, device: d.device }, value: value(d) }));

/** Above this a limit means "unlimited" (an unlimited v1 cgroup says 2^63 rounded to a page), as cAdvisor reads it. */
const UNLIMITED_MEMORY = 2 ** 62;

export const CADVISOR_FAMILIES: readonly Family[] = [
  {
    name: 'container_cpu_usage_seconds_total',
    kind: 'counter',
    help: 'Cumulative CPU time consumed by the container on all CPUs, in seconds (cpu="total", as cAdvisor without per-CPU figures).',
    // cAdvisor reports cpu="total" whenever it has no per-CPU figures (its default, and always on cgroup v2).
    series: (row) => one(row, row.counters.cpuUsageSeconds, { cpu: 'total' }),
  },
  {
    name: 'container_memory_usage_bytes',
    kind: 'gauge',
    help: 'Current memory usage in bytes, including the page cache.',
    series: (row) => one(row, row.counters.memoryUsageWithCacheBytes),
  },
  {
    name: 'container_memory_working_set_bytes',
    kind: 'gauge',
    help: 'Current working set in bytes: usage less inactive file cache, the figure docker stats shows.',
    series: (row) => one(row, row.sample.memoryUsageBytes),
  },
  {
    name: 'container_spec_memory_limit_bytes',
    kind: 'gauge',
    help: 'Memory limit of the container in bytes; 0 when it has none.',
    series: (row) => {
      const limit = row.container.resources.memoryBytes;
      return one(row, limit > 0 && limit < UNLIMITED_MEMORY ? limit : 0);
    },
  },
  {
    name: 'container_start_time_seconds',
    kind: 'gauge',
    help: 'Start time of the container since the Unix epoch, in seconds.',
    series: (row) => {
      const started = row.container.startedAt ?? row.container.createdAt;
      return one(row, Math.floor(started.getTime() / 1000));
    },
  },
  {
    name: 'container_last_seen',
    kind: 'gauge',
    help: 'When berth last read the container’s figures, in seconds since the Unix epoch.',
    series: (row) => one(row, Math.floor(row.sample.at.getTime() / 1000)),
  },
  {
    name: 'container_network_receive_bytes_total',
    kind: 'counter',
    help: 'Cumulative count of bytes received, by interface.',
    series: perInterface((i) => i.rxBytes),
  },
  {
    name: 'container_network_receive_packets_total',
    kind: 'counter',
    help: 'Cumulative count of packets received, by interface.',
    series: perInterface((i) => i.rxPackets),
  },
  {
    name: 'container_network_receive_errors_total',
    kind: 'counter',
    help: 'Cumulative count of errors encountered while receiving, by interface.',
    series: perInterface((i) => i.rxErrors),
  },
  {
    name: 'container_network_receive_packets_dropped_total',
    kind: 'counter',
    help: 'Cumulative count of packets dropped while receiving, by interface.',
    series: perInterface((i) => i.rxDropped),
  },
  {
    name: 'container_network_transmit_bytes_total',
    kind: 'counter',
    help: 'Cumulative count of bytes transmitted, by interface.',
    series: perInterface((i) => i.txBytes),
  },
  {
    name: 'container_network_transmit_packets_total',
    kind: 'counter',
    help: 'Cumulative count of packets transmitted, by interface.',
    series: perInterface((i) => i.txPackets),
  },
  {
    name: 'container_network_transmit_errors_total',
    kind: 'counter',
    help: 'Cumulative count of errors encountered while transmitting, by interface.',
    series: perInterface((i) => i.txErrors),
  },
  {
    name: 'container_network_transmit_packets_dropped_total',
    kind: 'counter',
    help: 'Cumulative count of packets dropped while transmitting, by interface.',
    series: perInterface((i) => i.txDropped),
  },
  {
    name: 'container_fs_reads_bytes_total',
    kind: 'counter',
    help: 'Cumulative count of bytes read from block devices, by device.',
    series: perDevice((d) => d.readBytes),
  },
  {
    name: 'container_fs_writes_bytes_total',
    kind: 'counter',
    help: 'Cumulative count of bytes written to block devices, by device.',
    series: perDevice((d) => d.writeBytes),
  },
];

/**
 * Registers every cAdvisor family on `registry`, read from the scrape's rows. Only a running
 * container with a live sample has them (cAdvisor knows only containers whose cgroup exists), so
 * all of one container's series appear together and carry the same labels.
 */
export function registerCadvisorMetrics(registry: Registry, rows: () => Row[]): void {
  let cache: { rows: Row[]; sampled: Sampled[] } | undefined;
  const sampled = (): Sampled[] => {
    const current = rows();
    // Every family of one scrape reads the same snapshot: work its labels out once.
    if (cache?.rows !== current) {
      const list: Sampled[] = [];
      for (const { container, sample } of current) {
        const counters = sample?.counters;
        if (!sample || !counters) continue;
        list.push({ container, sample, counters, labels: cadvisorLabels(container, counters.cgroupPath) });
      }
      cache = { rows: current, sampled: list };
    }
    return cache.sampled;
  };
  for (const family of CADVISOR_FAMILIES) {
    const series = () => sampled().flatMap(family.series);
    if (family.kind === 'gauge') new ComputedGauge(registry, family, series);
    else new ComputedCounter(registry, family, series);
  }
}

/**
 * prom-client fixes a metric's label names when it is made, but cAdvisor's label set depends on
 * the containers' own labels. These families hand the registry their series as computed at each
 * scrape; prom-client still writes them (and escapes their values).
 */
class ComputedGauge extends Gauge<string> {
  readonly #series: () => Series[];

  constructor(registry: Registry, family: Family, series: () => Series[]) {
    super({ name: family.name, help: family.help, registers: [registry] });
    this.#series = series;
  }

  override async get() {
    return { ...(await super.get()), values: this.#series() };
  }
}

class ComputedCounter extends Counter<string> {
  readonly #series: () => Series[];

  constructor(registry: Registry, family: Family, series: () => Series[]) {
    super({ name: family.name, help: family.help, registers: [registry] });
    this.#series = series;
  }

  override async get() {
    return { ...(await super.get()), values: this.#series() };
  }
}
