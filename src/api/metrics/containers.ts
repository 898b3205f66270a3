import { Counter, Gauge, type Registry } from 'prom-client';
import {
  CONTAINER_STATUSES,
  HEALTH_STATUSES,
  type Container,
  type ContainerFilter,
} from '../../domain/containers/model.js';
import type { ContainerStats } from '../../domain/stats/model.js';

/** What the container metrics read: the container index (never the engine itself). */
export interface ContainerSource {
  /** False while the index cannot vouch for matching the engine (it is reconnecting). */
  readonly available: boolean;
  list(filter?: ContainerFilter): Container[];
}

/** The stats hub's newest sample per container, kept fresh by the running-containers watch. */
export interface SampleSource {
  latest(containerId: string): ContainerStats | null;
}

export interface Row {
  container: Container;
  /** Only a running container has figures (a stopped one's last sample is history). */
  sample: ContainerStats | null;
}

type Labels = 'id' | 'name';

/** Figures of the newest sample: gauges for levels, counters for what only grows while it runs. */
const SAMPLE_GAUGES: [name: string, help: string, value: (s: ContainerStats) => number | null][] = [
  [
    'berth_container_cpu_percent',
    'CPU use as `docker stats` shows it: 0 to 100 × CPUs (100 = one core busy).',
    (s) => s.cpuPercent,
  ],
  [
    'berth_container_memory_usage_bytes',
    'Memory use, less inactive file cache, as `docker stats` shows it.',
    (s) => s.memoryUsageBytes,
  ],
  [
    'berth_container_memory_limit_bytes',
    'The container’s memory limit, or the host’s memory when it has none.',
    (s) => s.memoryLimitBytes,
  ],
  ['berth_container_pids', 'Processes and threads in the container.', (s) => s.pids],
];

const SAMPLE_COUNTERS: [name: string, help: string, value: (s: ContainerStats) => number][] = [
  [
    'berth_container_network_receive_bytes_total',
    'Bytes received on the container’s network interfaces.',
    (s) => s.networkRxBytes,
  ],
  [
    'berth_container_network_transmit_bytes_total',
    'Bytes sent on the container’s network interfaces.',
    (s) => s.networkTxBytes,
  ],
  ['berth_container_block_read_bytes_total', 'Bytes read from block devices.', (s) => s.blockReadBytes],
  ['berth_container_block_write_bytes_total', 'Bytes written to block devices.', (s) => s.blockWriteBytes],
];

/**
 * Per-container series, computed when Prometheus scrapes: from the index and the hub's latest
 * samples (`rows`, one snapshot per scrape), so a scrape costs no engine call however many
 * containers there are. Every metric is rebuilt from scratch at each scrape, so a removed
 * container's series are simply gone.
 */
export function registerContainerMetrics(
  registry: Registry,
  index: ContainerSource,
  rows: () => Row[],
): void {
  const registers = [registry];
  const labelsOf = (c: Container) => ({ id: c.id, name: c.name });

  new Gauge({
    name: 'berth_container_index_synced',
    help: '1 while berth’s container index matches the engine; per-container series are absent while 0.',
    registers,
    collect() {
      this.set(index.available ? 1 : 0);
    },
  });
  new Gauge<Labels | 'image' | 'image_id'>({
    name: 'berth_container_info',
    help: 'Always 1: the container’s image, to join on id.',
    labelNames: ['id', 'name', 'image', 'image_id'],
    registers,
    collect() {
      this.reset();
      for (const { container: c } of rows()) {
        this.set({ ...labelsOf(c), image: c.image, image_id: c.imageId }, 1);
      }
    },
  });
  new Gauge<Labels | 'state'>({
    name: 'berth_container_state',
    help: '1 for the container’s current state (created, running, exited, …), 0 for the others.',
    labelNames: ['id', 'name', 'state'],
    registers,
    collect() {
      this.reset();
      for (const { container: c } of rows()) {
        for (const state of CONTAINER_STATUSES) {
          this.set({ ...labelsOf(c), state: state.toLowerCase() }, c.status === state ? 1 : 0);
        }
      }
    },
  });
  new Gauge<Labels | 'state'>({
    name: 'berth_container_health_state',
    help: '1 for the container’s health (none, starting, healthy, unhealthy), 0 for the others.',
    labelNames: ['id', 'name', 'state'],
    registers,
    collect() {
      this.reset();
      for (const { container: c } of rows()) {
        for (const health of HEALTH_STATUSES) {
          this.set({ ...labelsOf(c), state: health.toLowerCase() }, c.health === health ? 1 : 0);
        }
      }
    },
  });
  new Counter<Labels>({
    name: 'berth_container_restarts_total',
    help: 'Times the engine restarted the container (its restart policy), as Docker counts them.',
    labelNames: ['id', 'name'],
    registers,
    collect() {
      this.reset();
      for (const { container: c } of rows()) this.inc(labelsOf(c), c.restartCount);
    },
  });
  for (const [name, help, value] of SAMPLE_GAUGES) {
    new Gauge<Labels>({
      name,
      help,
      labelNames: ['id', 'name'],
      registers,
      collect() {
        this.reset();
        for (const { container: c, sample } of rows()) {
          const figure = sample && value(sample);
          // No sample yet (or CPU before its second reading): no series, never a made-up 0.
          if (figure != null) this.set(labelsOf(c), figure);
        }
      },
    });
  }
  for (const [name, help, value] of SAMPLE_COUNTERS) {
    new Counter<Labels>({
      name,
      help,
      labelNames: ['id', 'name'],
      registers,
      collect() {
        this.reset();
        for (const { container: c, sample } of rows()) if (sample) this.inc(labelsOf(c), value(sample));
      },
    });
  }
}

/**
 * One view of the containers per scrape: prom-client calls every metric's collect() in the same turn
 * of the event loop, and they all read this snapshot, so a container cannot be in one metric and
 * gone from the next. The snapshot is dropped before the next turn.
 */
export function scrapeSnapshot(index: ContainerSource, stats: SampleSource): () => Row[] {
  let rows: Row[] | undefined;
  return () => {
    if (rows) return rows;
    rows = index.available
      ? index.list().map((container) => ({
          container,
          sample: container.status === 'RUNNING' ? stats.latest(container.id) : null,
        }))
      : [];
    setImmediate(() => {
      rows = undefined;
    });
    return rows;
  };
}
