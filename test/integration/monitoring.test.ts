import type Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Client } from 'graphql-ws';
import { TEST_LABEL, cleanupLabelled, testDocker } from '../harness/docker.js';
import { startBerth, uniqueName, type RunningBerth } from '../support/berth.js';
import {
  ContainerEventsSubscription,
  ContainerFigures,
  ContainerStatsSubscription,
  ContainersStatsSubscription,
  CreateContainer,
  HealthChangedSubscription,
  ListContainers,
  RemoveContainer,
  StopContainer,
  SystemQuery,
} from '../support/operations/index.js';
import { nextEvent } from '../support/events.js';
import { subscribe, wsClient } from '../support/subscriptions.js';
import { waitFor } from '../support/wait.js';

const label = { name: TEST_LABEL, value: 'monitoring' };
const image = inject('testImage');
let berth: RunningBerth;
let docker: Docker;
let client: Client;

const create = (input: Record<string, unknown>) => berth.create(input);

beforeAll(async () => {
  docker = testDocker(inject('dockerHost'));
  berth = await startBerth({}, { label: 'monitoring' });
  client = wsClient(berth.url);
});

afterAll(async () => {
  await client?.dispose();
  await berth?.stop();
  await cleanupLabelled(docker, `${TEST_LABEL}=monitoring`);
});

describe('the container index', () => {
  it('follows changes made behind berth’s back through the engine’s events, without polling', async () => {
    const name = uniqueName('outside');
    const created = await docker.createContainer({
      Image: image,
      name,
      Cmd: ['sleep', '300'],
      Labels: { [TEST_LABEL]: 'monitoring' },
    });
    const seen = await waitFor(
      async () => {
        const { containers } = await berth.query(ListContainers, { filter: { name } });
        if (containers.length !== 1) throw new Error('not indexed yet');
        return containers[0]!;
      },
      5_000,
      20,
    );
    expect(seen).toMatchObject({ id: created.id, status: 'CREATED' });

    await created.start();
    await waitFor(
      async () => {
        const { containers } = await berth.query(ListContainers, { filter: { name } });
        if (containers[0]?.status !== 'RUNNING') throw new Error('not running yet');
      },
      5_000,
      20,
    );

    await created.remove({ force: true });
    await waitFor(
      async () => {
        const { containers } = await berth.query(ListContainers, { filter: { name } });
        if (containers.length !== 0) throw new Error('still listed');
      },
      5_000,
      20,
    );
  });

  it('shows restartCount rising live for an ON_FAILURE container that keeps crashing, in events and queries', async () => {
    const events = subscribe(client, ContainerEventsSubscription, { filter: { types: ['DIE'] } });
    await new Promise((resolve) => setTimeout(resolve, 200));
    const container = await create({
      command: ['sh', '-c', 'sleep 0.2; exit 3'],
      restartPolicy: { name: 'ON_FAILURE', maximumRetryCount: 0 },
    });
    // Each DIE carries the container as the index saw it after applying the event.
    const counts: number[] = [];
    while (counts.length < 2 || counts.at(-1)! <= counts[0]!) {
      const { containerEvents } = await events.next(15_000);
      if (containerEvents.containerId !== container.id) continue;
      expect(containerEvents.exitCode).toBe(3);
      counts.push(containerEvents.container?.restartCount ?? -1);
    }
    events.unsubscribe();
    expect(counts.at(-1)!).toBeGreaterThan(counts[0]!);
    const { container: queried } = await berth.query(ContainerFigures, { id: container.id });
    expect(queried!.restartCount).toBeGreaterThanOrEqual(counts.at(-1)!);
    // It keeps restarting, so the engine may restart it between two reads: berth agrees with the
    // engine once both were read between two restarts (the engine's count unchanged around berth's).
    await waitFor(async () => {
      const engineBefore = (await docker.getContainer(container.id).inspect()).RestartCount;
      const { container: current } = await berth.query(ContainerFigures, { id: container.id });
      const engineAfter = (await docker.getContainer(container.id).inspect()).RestartCount;
      if (engineBefore !== engineAfter) throw new Error('restarted while reading');
      expect(current!.restartCount).toBe(engineAfter);
    }, 20_000);
  });
});

describe('stats', () => {
  it('shares one collector per container among every subscriber and the running-container watch, and releases it when the container stops', async () => {
    // Made behind berth's back, so that only berth's own watch of running containers holds it.
    const name = uniqueName('shared');
    const made = await docker.createContainer({
      Image: image,
      name,
      Cmd: ['sleep', '300'],
      Labels: { [TEST_LABEL]: 'monitoring' },
    });
    await made.start();
    const container = { id: made.id, name };
    await waitFor(async () => {
      const { containers } = await berth.query(ListContainers, { filter: { name } });
      if (containers[0]?.status !== 'RUNNING') throw new Error('not indexed yet');
    });
    // This container's collector, not the hub's totals: another run's containers on a shared
    // engine come and go in the same hub.
    await waitFor(async () => {
      if (berth.app.stats.collectorOf(container.id) === null) throw new Error('not watched yet');
    });
    // The running-container watch holds the one lease.
    expect(berth.app.stats.collectorOf(container.id)).toEqual({ leases: 1, opened: 1 });
    const subscriptions = [
      ...Array.from({ length: 5 }, () => subscribe(client, ContainerStatsSubscription, { id: container.id })),
      subscribe(client, ContainerStatsSubscription, { id: container.name, intervalSeconds: 2 }),
      subscribe(client, ContainersStatsSubscription, { filter: { name: container.name } }),
    ];
    const samples = await Promise.all(subscriptions.map((s) => s.next(10_000)));
    expect(samples).toHaveLength(7);
    // Seven subscribers and the watch, still the one collector opened when the container started.
    // The five asking the same thing share one execution and its one lease; the other two
    // subscriptions and the watch hold one each.
    expect(berth.app.stats.collectorOf(container.id)).toEqual({ leases: 4, opened: 1 });

    for (const subscription of subscriptions) subscription.unsubscribe();
    await made.stop({ t: 0 });
    await waitFor(
      async () => {
        if (berth.app.stats.collectorOf(container.id) !== null) throw new Error('collector still running');
      },
      5_000,
      50,
    );
  });

  it('with BERTH_STATS_SAMPLE=watched samples only what is subscribed to, and releases it after the last subscriber', async () => {
    const watched = await startBerth({ BERTH_STATS_SAMPLE: 'watched' }, { label: 'monitoring' });
    const watchedClient = wsClient(watched.url);
    try {
      // Made behind berth's back: a create through berth reads the figures, which keeps a collector warm.
      const container = await docker.createContainer({
        Image: image,
        name: uniqueName('watched'),
        Cmd: ['sleep', '300'],
        Labels: { [TEST_LABEL]: 'monitoring' },
      });
      await container.start();
      await waitFor(async () => {
        if (watched.app.index.peek(container.id)?.status !== 'RUNNING') throw new Error('not indexed yet');
      });
      const before = watched.app.stats.collectors;
      const subscriptions = Array.from({ length: 3 }, () =>
        subscribe(watchedClient, ContainerStatsSubscription, { id: container.id }),
      );
      await Promise.all(subscriptions.map((s) => s.next(10_000)));
      expect(watched.app.stats.collectors.running - before.running).toBe(1);
      expect(watched.app.stats.collectors.opened - before.opened).toBe(1);
      for (const subscription of subscriptions) subscription.unsubscribe();
      await waitFor(async () => {
        if (watched.app.stats.collectors.running !== before.running)
          throw new Error('collector still running');
      });
    } finally {
      await watchedClient.dispose();
      await watched.stop();
    }
  });

  it('reports a busy container above 50% CPU and an idle one below 5%, and memory rising in one that allocates', async () => {
    const busy = await create({ command: ['sh', '-c', 'while :; do :; done'] });
    const idle = await create({ command: ['sleep', '300'] });
    const grower = await create({
      command: [
        'sh',
        '-c',
        'sleep 6; dd if=/dev/zero of=/dev/shm/fill bs=1M count=48 2>/dev/null; sleep 300',
      ],
    });
    const busyStats = subscribe(client, ContainerStatsSubscription, { id: busy.id });
    const idleStats = subscribe(client, ContainerStatsSubscription, { id: idle.id });
    const growerStats = subscribe(client, ContainerStatsSubscription, { id: grower.id });
    // Before it allocates (it waits 6 s first).
    const first = (await growerStats.next()).containerStats;

    // The median of five samples, after the first (which spans the container's start).
    const cpu = async (subscription: typeof busyStats) => {
      const values: number[] = [];
      await subscription.next();
      while (values.length < 5) {
        const { containerStats } = await subscription.next();
        if (containerStats.cpuPercent != null) values.push(containerStats.cpuPercent);
      }
      return values.sort((a, b) => a - b)[2]!;
    };
    const [busyCpu, idleCpu] = await Promise.all([cpu(busyStats), cpu(idleStats)]);
    expect(busyCpu).toBeGreaterThan(50);
    expect(idleCpu).toBeLessThan(5);

    expect(first.pids).toBeGreaterThanOrEqual(1);
    expect(first.memoryLimitBytes).toBeGreaterThan(0);
    const grown = await waitFor(
      async () => {
        const { containerStats } = await growerStats.next();
        if (containerStats.memoryUsageBytes < first.memoryUsageBytes + 40 * 1024 * 1024)
          throw new Error('not grown yet');
        return containerStats;
      },
      20_000,
      0,
    );
    expect(grown.memoryUsageBytes).toBeGreaterThan(first.memoryUsageBytes + 40 * 1024 * 1024);

    // The query fields read the same samples, with no engine call on the way.
    const figures = await waitFor(async () => {
      const { container } = await berth.query(ContainerFigures, { id: busy.id });
      if (container?.cpu == null) throw new Error('no sample yet');
      return container;
    });
    expect(figures.cpu).toBeGreaterThan(50);
    expect(figures.memory).toBe(figures.stats?.memoryUsageBytes);

    for (const s of [busyStats, idleStats, growerStats]) s.unsubscribe();
    const { system } = await berth.query(SystemQuery, {});
    expect(system.statsSource).toBe('cgroup');
  });

  it('coalesces for a subscriber that does not keep up: it gets the newest sample, not a backlog', async () => {
    const container = await create({ command: ['sleep', '300'] });
    const { subscribe: execute } = await import('graphql');
    const { schema } = await import('../../src/api/graphql/index.js');
    const iterator = (await execute({
      schema,
      document: ContainerStatsSubscription,
      variableValues: { id: container.id },
      contextValue: berth.app.context,
    })) as AsyncIterableIterator<{ data: { containerStats: { at: Date } } }>; // in process: not serialized
    // Every sample the hub takes of this container, in the order it takes them (one per tick).
    const taken: number[] = [];
    const offTick = berth.app.stats.onTick(({ samples }) => {
      const sample = samples.get(container.id);
      if (sample) taken.push(sample.at.getTime());
    });
    try {
      const first = await iterator.next();
      expect(first.done).toBe(false);
      const firstAt = first.value.data.containerStats.at.getTime();
      // Not reading while the hub takes three more samples.
      await waitFor(async () => {
        if (taken.filter((at) => at > firstAt).length < 3) throw new Error('fewer than 3 samples since');
      }, 15_000);
      // The read below takes what is queued in this turn of the event loop: no tick comes between.
      const newestBeforeRead = taken.at(-1)!;
      const { value, done } = await iterator.next();
      expect(done).toBe(false);
      // Coalesced: what was waiting is the newest sample, not the oldest unread one (a backlog).
      expect(value.data.containerStats.at.getTime()).toBe(newestBeforeRead);
      // Nothing else was queued behind it: the next one is a sample taken after that read.
      const next = await iterator.next();
      expect(next.done).toBe(false);
      expect(next.value.data.containerStats.at.getTime()).toBeGreaterThan(newestBeforeRead);
    } finally {
      offTick();
      await iterator.return?.();
    }
  });

  it('ends a stats subscription when its container is removed, and releases the collector', async () => {
    const container = await create({ command: ['sleep', '300'] });
    const stats = subscribe(client, ContainerStatsSubscription, { id: container.id });
    await stats.next();
    const removed = await berth.query(RemoveContainer, { id: container.id, force: true });
    expect(removed.removeContainer.__typename).toBe('RemoveContainerSuccess');
    await expect(stats.completed).resolves.toBeUndefined();
    expect(berth.app.stats.latest(container.id)).toBeNull();
  });

  it('refuses a bad interval and an unknown container with typed errors', async () => {
    const container = await create({ command: ['sleep', '300'] });
    const bad = subscribe(client, ContainerStatsSubscription, { id: container.id, intervalSeconds: 0.1 });
    await expect(bad.completed).rejects.toThrow();
    expect(bad.errors[0]?.extensions?.['code']).toBe('INVALID_INPUT');
    const unknown = subscribe(client, ContainerStatsSubscription, { id: uniqueName('nobody') });
    await expect(unknown.completed).rejects.toThrow();
    expect(unknown.errors[0]?.extensions?.['code']).toBe('NOT_FOUND');
  });
});

describe('events and health', () => {
  it('pushes UNHEALTHY and back to HEALTHY through healthChanged, with the last probe', async () => {
    const container = await create({
      ports: [{ containerPort: 80, hostIp: '127.0.0.1' }],
      healthcheck: {
        test: ['CMD-SHELL', 'wget -q -O /dev/null http://127.0.0.1/ || exit 1'],
        intervalSeconds: 1,
        timeoutSeconds: 1,
        retries: 1,
      },
    });
    const health = subscribe(client, HealthChangedSubscription, { containerId: container.id });
    const healthy = await health.next(20_000);
    expect(healthy.healthChanged).toMatchObject({
      previous: 'STARTING',
      current: 'HEALTHY',
      container: { id: container.id },
    });

    const exec = async (cmd: string[]) => {
      const run = await docker.getContainer(container.id).exec({ Cmd: cmd });
      await run.start({ Detach: true });
    };
    await exec(['mv', '/www/index.html', '/www/away.html']);
    const unhealthy = await health.next(20_000);
    expect(unhealthy.healthChanged).toMatchObject({ previous: 'HEALTHY', current: 'UNHEALTHY' });
    expect(unhealthy.healthChanged.lastProbe?.exitCode).toBe(1);

    await exec(['mv', '/www/away.html', '/www/index.html']);
    const back = await health.next(20_000);
    expect(back.healthChanged).toMatchObject({ previous: 'UNHEALTHY', current: 'HEALTHY' });
    expect(back.healthChanged.lastProbe?.exitCode).toBe(0);
    health.unsubscribe();
  });

  it('resumes events by cursor, and says CURSOR_EXPIRED for a cursor it cannot honour', async () => {
    const name = uniqueName('resume');
    const creation = nextEvent(berth.app, (e) => e.type === 'CREATE' && e.container?.name === name);
    const container = await create({ name, start: false, command: ['sleep', '300'] });
    // From right after its CREATE: nothing orders the subscription's opening before the start below.
    const live = subscribe(client, ContainerEventsSubscription, {
      filter: { containerId: container.id },
      after: (await creation).cursor,
    });
    await berth.query(StopContainer, { id: container.id }); // no event: it never ran
    const { createContainer } = await berth.query(CreateContainer, {
      input: { image, labels: [label], name: uniqueName('mon') },
    });
    expect(createContainer.__typename).toBe('CreateContainerSuccess');
    await docker.getContainer(container.id).start();
    const started = await live.next();
    expect(started.containerEvents).toMatchObject({ type: 'START', containerId: container.id });
    live.unsubscribe();

    // Missed while away: a stop (die, stop) and a start.
    await docker.getContainer(container.id).stop({ t: 0 });
    await docker.getContainer(container.id).start();
    await waitFor(async () => {
      const { container: current } = await berth.query(ContainerFigures, { id: container.id });
      if (!current) throw new Error('gone');
    });

    const resumed = subscribe(client, ContainerEventsSubscription, {
      filter: { containerId: container.id },
      after: started.containerEvents.cursor,
    });
    const types: string[] = [];
    while (!types.includes('START')) types.push((await resumed.next()).containerEvents.type);
    expect(types).toEqual(expect.arrayContaining(['DIE', 'STOP', 'START']));
    expect(types.indexOf('DIE')).toBeLessThan(types.indexOf('START'));
    resumed.unsubscribe();

    const expired = subscribe(client, ContainerEventsSubscription, { after: 'stale-1' });
    await expect(expired.completed).rejects.toThrow();
    expect(expired.errors[0]?.extensions?.['code']).toBe('CURSOR_EXPIRED');
  });

  it('ends an event subscription on its container with the DESTROY event, then completes', async () => {
    const container = await create({ command: ['sleep', '300'] });
    const events = subscribe(client, ContainerEventsSubscription, {
      filter: { containerId: container.name },
    });
    await berth.query(RemoveContainer, { id: container.id, force: true });
    const seen: string[] = [];
    for (;;) {
      const { containerEvents } = await events.next();
      seen.push(containerEvents.type);
      if (containerEvents.type === 'DESTROY') break;
    }
    expect(seen.at(-1)).toBe('DESTROY');
    await expect(events.completed).resolves.toBeUndefined();
  });
});
