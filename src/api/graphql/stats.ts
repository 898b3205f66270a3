import { Repeater, SlidingBuffer } from '@repeaterjs/repeater';
import type { Container, ContainerFilter } from '../../domain/containers/model.js';
import { validateContainerRef, validateFilter } from '../../domain/lifecycle/validation.js';
import { InvalidInputError } from '../../shared/errors.js';
import type { StatsHub } from '../../domain/stats/hub.js';
import type { ContainerStats } from '../../domain/stats/model.js';
import type { ContainerService } from '../../domain/lifecycle/service.js';
import type { EnvironmentServices } from '../../domain/environments/model.js';
import { builder, type Context } from './builder.js';
import { ALL_ENVIRONMENTS_ARG, ENVIRONMENT_ARG, environmentOf } from './environment-scope.js';
import { ContainerFilterInput, ContainerRef } from './container.js';
import { SHARED_SAMPLES } from './shared-subscriptions.js';
import { OUTAGE_DESCRIPTION, sayingWhenDown, throwIfDown } from './environment-outages.js';

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
  /** Spanning batches: the environments whose containers this batch lacks. */
  leftOut?: string[];
}

const StatsBatchRef = builder.objectRef<StatsBatch>('StatsBatch').implement({
  fields: (t) => ({
    at: t.field({ type: 'DateTime', resolve: (b) => b.at }),
    samples: t.field({ type: [ContainerStatsRef], resolve: (b) => b.samples }),
    leftOut: t.stringList({
      description:
        'The environments whose containers this batch lacks because their engine does not answer ' +
        '(or, with allEnvironments, has not sampled within two ticks). One environment’s stream sends ' +
        'one empty batch naming it when its engine stops answering, and samples again once it is back.',
      resolve: (b) => b.leftOut ?? [],
    }),
  }),
});

/**
 * Only a running container has figures, from its own environment's hub; reading them keeps its
 * collector warm for a while.
 */
function figures(container: Container, { environments }: Context): ContainerStats | null {
  return container.status === 'RUNNING'
    ? environments.get(container.environment).stats.look(container.id)
    : null;
}

builder.objectFields(ContainerRef, (t) => ({
  stats: t.field({
    type: ContainerStatsRef,
    nullable: true,
    description: 'The newest sample; null before the first (asking starts the collector).',
    resolve: (c, _, context) => figures(c, context),
  }),
  cpu: t.float({
    nullable: true,
    description: 'CPU use in percent, as `docker stats` (100 = one core); null before the first sample.',
    resolve: (c, _, context) => figures(c, context)?.cpuPercent ?? null,
  }),
  memory: t.field({
    type: 'SafeInt',
    nullable: true,
    description: 'Memory use in bytes, as `docker stats`; null before the first sample.',
    resolve: (c, _, context) => figures(c, context)?.memoryUsageBytes ?? null,
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

/** Leases the running containers matching `filter` and releases those that no longer do. */
function followMatching(
  filter: ContainerFilter,
  stats: StatsHub,
  containers: ContainerService,
  leases: Map<string, () => void>,
): void {
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
}

/**
 * One batch per tick with the samples of every running container matching `filter`. The set of
 * containers follows the index: collectors are leased as containers start or match, and released
 * as they stop, leave or the subscriber goes.
 */
function containersStatsStream(
  filter: ContainerFilter,
  { name, stats, containers, index }: EnvironmentServices,
): AsyncIterableIterator<StatsBatch> {
  return new Repeater<StatsBatch>(async (push, stop) => {
    // The engine stopped answering: one batch says so; samples come again once it is back.
    const onUnavailable = () => void push({ at: new Date(), samples: [], leftOut: [name] });
    index.on('unavailable', onUnavailable);
    const leases = new Map<string, () => void>();
    const follow = () => followMatching(filter, stats, containers, leases);
    follow();
    const offChanges = containers.onChange(follow);
    const offTick = stats.onTick(({ at, samples }) => {
      const batch = [...leases.keys()].flatMap((id) => samples.get(id) ?? []);
      if (batch.length > 0) void push({ at, samples: batch });
    });
    await stop;
    index.off('unavailable', onUnavailable);
    offTick();
    offChanges();
    for (const release of leases.values()) release();
  }, new SlidingBuffer(1));
}

/** One environment's part of a spanning stats stream: its leases, and the samples of its last tick. */
interface EnvironmentShare {
  readonly name: string;
  /** Whether its index matches its engine now. */
  readonly available: () => boolean;
  readonly leases: Map<string, () => void>;
  last: { at: Date; samples: ContainerStats[] } | null;
  off(): void;
}

/**
 * Every environment's running containers matching `filter`, one batch per tick of berth's own
 * clock. Each environment samples on its own hub's tick; a batch carries every environment's
 * newest samples that are fresh (at most two ticks old), so one slow or down engine only leaves its
 * own containers out and never delays the others'. Environments are those the principal may use at
 * subscribe time.
 */
function spanningStatsStream(
  filter: ContainerFilter,
  environments: readonly EnvironmentServices[],
  tickMs: number,
): AsyncIterableIterator<StatsBatch> {
  return new Repeater<StatsBatch>(async (push, stop) => {
    const shares = environments.map((environment): EnvironmentShare => {
      const { name, stats, containers, index } = environment;
      const share: EnvironmentShare = {
        name,
        available: () => index.available,
        leases: new Map(),
        last: null,
        off: () => undefined,
      };
      const follow = () => followMatching(filter, stats, containers, share.leases);
      follow();
      const offChanges = containers.onChange(follow);
      const offTick = stats.onTick(({ at, samples }) => {
        const watched = [...share.leases.keys()].flatMap((id) => samples.get(id) ?? []);
        // A tick that samples none of what is watched (a slow engine's stalled streams) is not news
        // of it: its last batch ages until it is left out.
        if (watched.length > 0 || share.leases.size === 0) share.last = { at, samples: watched };
      });
      share.off = () => {
        offTick();
        offChanges();
        for (const release of share.leases.values()) release();
      };
      return share;
    });
    const timer = setInterval(() => {
      const now = Date.now();
      const fresh = (share: EnvironmentShare) =>
        share.available() && share.last !== null && now - share.last.at.getTime() <= 2 * tickMs;
      const batch = shares.flatMap((share) => (fresh(share) ? share.last!.samples : []));
      // An environment with nothing to sample is not missing; one that is down always is.
      const leftOut = shares
        .filter((share) => !share.available() || (share.leases.size > 0 && !fresh(share)))
        .map((share) => share.name);
      if (batch.length > 0 || leftOut.length > 0) void push({ at: new Date(now), samples: batch, leftOut });
    }, tickMs);
    await stop;
    clearInterval(timer);
    for (const share of shares) share.off();
  }, new SlidingBuffer(1));
}

builder.subscriptionFields((t) => ({
  containerStats: t.field({
    // Samples, each replacing the last: every subscriber asking the same shares one execution.
    extensions: SHARED_SAMPLES,
    type: ContainerStatsRef,
    description: 'One sample per interval (default 1 s) until the container is removed.' + OUTAGE_DESCRIPTION,
    args: {
      id: t.arg.string({ required: true }),
      intervalSeconds: t.arg.float({ description: 'At least 1, at most 3600.' }),
      environment: t.arg.string(ENVIRONMENT_ARG),
    },
    subscribe: (_, { id, intervalSeconds, environment }, context) => {
      const scope = environmentOf(context, environment);
      const interval = validateInterval(intervalSeconds);
      const container = scope.containers.get(validateContainerRef(id));
      return sayingWhenDown(
        containerStatsStream(container.id, interval * 1000, scope.stats, scope.containers),
        [scope],
      );
    },
    resolve: throwIfDown,
  }),
  containersStats: t.field({
    // Samples, each replacing the last: every subscriber asking the same shares one execution.
    extensions: SHARED_SAMPLES,
    type: StatsBatchRef,
    description:
      'One batch per tick with a sample for every running container that matches. With ' +
      'allEnvironments, of every environment the token may use: each batch carries every answering ' +
      "environment's containers, and one that is slow or down leaves only its own out.",
    args: {
      filter: t.arg({ type: ContainerFilterInput }),
      environment: t.arg.string(ENVIRONMENT_ARG),
      allEnvironments: t.arg.boolean(ALL_ENVIRONMENTS_ARG),
    },
    subscribe: (_, { filter, environment, allEnvironments }, context) => {
      const parsed = validateFilter(filter);
      if (allEnvironments) {
        const all = context.environments.list(context.principal);
        return spanningStatsStream(parsed, all, context.environments.local.stats.tickMs);
      }
      const services = environmentOf(context, environment);
      services.containers.list(parsed); // fails now, typed, when the engine is away
      return containersStatsStream(parsed, services);
    },
    resolve: (batch) => batch,
  }),
}));
