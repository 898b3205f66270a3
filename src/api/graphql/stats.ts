import { Repeater, SlidingBuffer } from '@repeaterjs/repeater';
import type { Container, ContainerFilter } from '../../domain/containers/model.js';
import { validateContainerRef, validateFilter } from '../../domain/lifecycle/validation.js';
import { InvalidInputError } from '../../shared/errors.js';
import type { StatsHub } from '../../domain/stats/hub.js';
import type { ContainerStats } from '../../domain/stats/model.js';
import type { ContainerService } from '../../domain/lifecycle/service.js';
import { builder } from './builder.js';
import { ContainerFilterInput, ContainerRef } from './container.js';

/** Live resource figures: the sample type, the fields on Container, and the stats subscriptions. */

export const ContainerStatsRef = builder.objectRef<ContainerStats>('ContainerStats').implement({
  fields: (t) => ({
    containerId: t.exposeString('containerId'),
    at: t.field({ type: 'DateTime', resolve: (s) => s.at }),
    cpuPercent: t.exposeFloat('cpuPercent', {
      nullable: true,
      description: 'As `docker stats`: 0 to 100 × CPUs; null until two readings exist.',
    }),
    memoryUsageBytes: t.field({
      type: 'SafeInt',
      description: 'Usage minus inactive file cache.',
      resolve: (s) => s.memoryUsageBytes,
    }),
    memoryLimitBytes: t.field({ type: 'SafeInt', resolve: (s) => s.memoryLimitBytes }),
    memoryPercent: t.exposeFloat('memoryPercent'),
    networkRxBytes: t.field({ type: 'SafeInt', resolve: (s) => s.networkRxBytes }),
    networkTxBytes: t.field({ type: 'SafeInt', resolve: (s) => s.networkTxBytes }),
    blockReadBytes: t.field({ type: 'SafeInt', resolve: (s) => s.blockReadBytes }),
    blockWriteBytes: t.field({ type: 'SafeInt', resolve: (s) => s.blockWriteBytes }),
    pids: t.exposeInt('pids'),
  }),
});

interface StatsBatch {
  at: Date;
  samples: ContainerStats[];
}

const StatsBatchRef = builder.objectRef<StatsBatch>('StatsBatch').implement({
  fields: (t) => ({
    at: t.field({ type: 'DateTime', resolve: (b) => b.at }),
    samples: t.field({ type: [ContainerStatsRef], resolve: (b) => b.samples }),
  }),
});

/** Only a running container has figures; reading them keeps its collector warm for a while. */
function figures(container: Container, stats: StatsHub): ContainerStats | null {
  return container.status === 'RUNNING' ? stats.look(container.id) : null;
}

builder.objectFields(ContainerRef, (t) => ({
  stats: t.field({
    type: ContainerStatsRef,
    nullable: true,
    description: 'The newest sample; null before the first (asking starts the collector).',
    resolve: (c, _, { stats }) => figures(c, stats),
  }),
  cpu: t.float({
    nullable: true,
    description: 'CPU use in percent, as `docker stats` (100 = one core); null before the first sample.',
    resolve: (c, _, { stats }) => figures(c, stats)?.cpuPercent ?? null,
  }),
  memory: t.field({
    type: 'SafeInt',
    nullable: true,
    description: 'Memory use in bytes, as `docker stats`; null before the first sample.',
    resolve: (c, _, { stats }) => figures(c, stats)?.memoryUsageBytes ?? null,
  }),
}));

const MIN_INTERVAL_SECONDS = 1;
const MAX_INTERVAL_SECONDS = 3600;

function validateInterval(value: number | null | undefined): number {
  if (value == null) return MIN_INTERVAL_SECONDS;
  if (!Number.isFinite(value) || value < MIN_INTERVAL_SECONDS || value > MAX_INTERVAL_SECONDS) {
    throw new InvalidInputError(
      'intervalSeconds',
      `must be between ${MIN_INTERVAL_SECONDS} and ${MAX_INTERVAL_SECONDS} (samples are taken once a second)`,
    );
  }
  return value;
}

/**
 * One container's samples, at most one per `intervalMs`. A subscriber that reads slower than
 * samples arrive gets the newest one (a sliding buffer of one), never a backlog. Ends when the
 * container is destroyed; releases the collector lease whenever it ends.
 */
function containerStatsStream(
  id: string,
  intervalMs: number,
  stats: StatsHub,
  containers: ContainerService,
): AsyncIterableIterator<ContainerStats> {
  return new Repeater<ContainerStats>(async (push, stop) => {
    const release = stats.acquire(id);
    let lastAt = 0;
    // Ticks jitter: accept a sample up to half a tick early rather than skipping a whole interval.
    const slack = stats.tickMs / 2;
    const offTick = stats.onTick(({ samples }) => {
      const sample = samples.get(id);
      if (!sample || sample.at.getTime() - lastAt < intervalMs - slack) return;
      lastAt = sample.at.getTime();
      void push(sample);
    });
    const offGone = containers.onGone(id, () => stop());
    await stop;
    offTick();
    offGone();
    release();
  }, new SlidingBuffer(1));
}

/**
 * One batch per tick with the samples of every running container matching `filter`. The set of
 * containers follows the index: collectors are leased as containers start or match, and released
 * as they stop, leave or the subscriber goes.
 */
function containersStatsStream(
  filter: ContainerFilter,
  stats: StatsHub,
  containers: ContainerService,
): AsyncIterableIterator<StatsBatch> {
  return new Repeater<StatsBatch>(async (push, stop) => {
    const leases = new Map<string, () => void>();
    const follow = () => {
      let matching: Set<string>;
      try {
        matching = new Set(
          containers
            .list(filter)
            .filter((c) => c.status === 'RUNNING')
            .map((c) => c.id),
        );
      } catch {
        return; // The engine is away: keep the current leases until the index is back.
      }
      for (const id of matching) if (!leases.has(id)) leases.set(id, stats.acquire(id));
      for (const [id, release] of leases) {
        if (matching.has(id)) continue;
        release();
        leases.delete(id);
      }
    };
    follow();
    const offChanges = containers.onChange(follow);
    const offTick = stats.onTick(({ at, samples }) => {
      const batch = [...leases.keys()].flatMap((id) => samples.get(id) ?? []);
      if (batch.length > 0) void push({ at, samples: batch });
    });
    await stop;
    offTick();
    offChanges();
    for (const release of leases.values()) release();
  }, new SlidingBuffer(1));
}

builder.subscriptionFields((t) => ({
  containerStats: t.field({
    type: ContainerStatsRef,
    description: 'One sample per interval (default 1 s) until the container is removed.',
    args: {
      id: t.arg.string({ required: true }),
      intervalSeconds: t.arg.float({ description: 'At least 1, at most 3600.' }),
    },
    subscribe: (_, { id, intervalSeconds }, { containers, stats }) => {
      const interval = validateInterval(intervalSeconds);
      const container = containers.get(validateContainerRef(id));
      return containerStatsStream(container.id, interval * 1000, stats, containers);
    },
    resolve: (sample) => sample,
  }),
  containersStats: t.field({
    type: StatsBatchRef,
    description: 'One batch per tick with a sample for every running container that matches.',
    args: { filter: t.arg({ type: ContainerFilterInput }) },
    subscribe: (_, { filter }, { containers, stats }) => {
      const parsed = validateFilter(filter);
      containers.list(parsed); // fails now, typed, when the engine is away
      return containersStatsStream(parsed, stats, containers);
    },
    resolve: (batch) => batch,
  }),
}));
