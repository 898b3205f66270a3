import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import type Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { TEST_LABEL, cleanupLabelled, testDocker } from '../harness/docker.js';
import { startBerth, type RunningBerth } from '../support/berth.js';
import { RemoveContainer, StatsHistory } from '../support/operations/index.js';
import { waitFor } from '../support/wait.js';

/** Stats history against the real engine: recorded from live samples, kept across a restart. */

const LABEL = 'history';
const BUSY = ['sh', '-c', 'while :; do :; done'];
const SLEEPER = ['sh', '-c', 'trap "exit 0" TERM; while :; do sleep 1; done'];

type HistoryPoint = NonNullable<Awaited<ReturnType<typeof history>>>[number];

let berth: RunningBerth;
let docker: Docker;

beforeAll(async () => {
  docker = testDocker(inject('dockerHost'));
  berth = await startBerth({}, { label: LABEL });
});

afterAll(async () => {
  await berth?.stop();
  await cleanupLabelled(docker, `${TEST_LABEL}=${LABEL}`);
});

async function history(
  on: RunningBerth,
  id: string,
  args: { from?: Date; to?: Date; stepSeconds?: number } = {},
) {
  const { container } = await on.query(StatsHistory, {
    id,
    ...(args.from && { from: args.from.toISOString() }),
    ...(args.to && { to: args.to.toISOString() }),
    ...(args.stepSeconds !== undefined && { stepSeconds: args.stepSeconds }),
  });
  return container?.statsHistory;
}

/** Waits until the container's default history (1 s points) has at least `count` points. */
async function points(
  on: RunningBerth,
  id: string,
  count: number,
  timeoutMs = 30_000,
): Promise<HistoryPoint[]> {
  return waitFor(
    async () => {
      const found = (await history(on, id)) ?? [];
      if (found.length < count) throw new Error(`${found.length} of ${count} points so far`);
      return found;
    },
    timeoutMs,
    500,
  );
}

const times = (list: HistoryPoint[]) => list.map((p) => Date.parse(p.at));

describe('stats history', () => {
  it('has 1 s points of a busy container with plausible CPU, oldest first, and buckets for longer steps', async () => {
    // Every sample the hub takes (one per tick), by container, as history would record it (a
    // repeated sample once).
    const taken = new Map<string, number[]>();
    const offTick = berth.app.stats.onTick(({ samples }) => {
      for (const [id, sample] of samples) {
        const list = taken.get(id) ?? [];
        if (list.at(-1) !== sample.at.getTime()) list.push(sample.at.getTime());
        taken.set(id, list);
      }
    });
    const busy = await berth.create({ command: BUSY });
    const found = await points(berth, busy.id, 8);
    offTick();

    const at = times(found);
    expect(at).toEqual([...at].sort((a, b) => a - b));
    expect(new Set(at).size).toBe(at.length);
    // The 1 s points are the samples as taken: each tick's, none missing between the first and
    // the last, none added (how far apart ticks fall is the machine's business).
    expect(at).toEqual(taken.get(busy.id)!.filter((t) => t >= at[0]! && t <= at.at(-1)!));
    for (const point of found) {
      expect(point.containerId).toBe(busy.id);
      expect(point.memoryUsageBytes).toBeGreaterThan(0);
      expect(point.memoryLimitBytes).toBeGreaterThan(point.memoryUsageBytes);
      expect(point.pids).toBeGreaterThanOrEqual(1);
      if (point.cpuPercent !== null) {
        expect(point.cpuPercent).toBeGreaterThanOrEqual(0);
        expect(point.cpuPercent).toBeLessThanOrEqual(100 * cpus().length + 5);
      }
    }
    // The newest point is the live sample itself: a chart can open with history and go on live.
    const { container } = await berth.query(StatsHistory, { id: busy.id });
    expect(container!.stats).not.toBeNull();
    expect(container!.statsHistory.at(-1)).toEqual(container!.stats);

    // A busy loop burns what CPU it gets: on a shared two-core machine, not always a whole core,
    // but far more than a sleeping container.
    const idle = await berth.create({ command: SLEEPER });
    const idlePoints = await points(berth, idle.id, 5);
    const meanCpu = (list: HistoryPoint[]) => {
      const cpu = list.flatMap((p) => (p.cpuPercent === null ? [] : [p.cpuPercent]));
      expect(cpu.length).toBeGreaterThan(0);
      return cpu.reduce((sum, v) => sum + v, 0) / cpu.length;
    };
    const busyCpu = meanCpu((await history(berth, busy.id))!);
    expect(busyCpu).toBeGreaterThan(5);
    expect(busyCpu).toBeGreaterThan(5 * meanCpu(idlePoints));

    // Longer steps: one point per aligned bucket, at its start. A bucket that has ended and whose
    // samples are all among the 1 s points is their average (gauges) and their last (the rest).
    const to = new Date(Date.now());
    const seconds = (await history(berth, busy.id, { to }))!;
    const fives = (await history(berth, busy.id, { to, stepSeconds: 5 }))!;
    for (const t of times(fives)) expect(t % 5000).toBe(0);
    const start = Math.ceil(Date.parse(seconds[0]!.at) / 5000) * 5000;
    const inBucket = seconds.filter((p) => Date.parse(p.at) >= start && Date.parse(p.at) < start + 5000);
    expect(inBucket.length).toBeGreaterThanOrEqual(1);
    const bucket = fives.find((p) => Date.parse(p.at) === start)!;
    const mean = (values: number[]) => values.reduce((sum, v) => sum + v, 0) / values.length;
    const cpuValues = inBucket.flatMap((p) => (p.cpuPercent === null ? [] : [p.cpuPercent]));
    expect(bucket.cpuPercent).toBeCloseTo(mean(cpuValues), 6);
    expect(bucket.memoryPercent).toBeCloseTo(mean(inBucket.map((p) => p.memoryPercent)), 6);
    expect(
      Math.abs(bucket.memoryUsageBytes - mean(inBucket.map((p) => p.memoryUsageBytes))),
    ).toBeLessThanOrEqual(0.5);
    const last = inBucket.at(-1)!;
    expect(bucket).toMatchObject({
      memoryLimitBytes: last.memoryLimitBytes,
      networkRxBytes: last.networkRxBytes,
      networkTxBytes: last.networkTxBytes,
      blockReadBytes: last.blockReadBytes,
      blockWriteBytes: last.blockWriteBytes,
      pids: last.pids,
    });

    const minutes = (await history(berth, busy.id, { to, stepSeconds: 60 }))!;
    expect(minutes.length).toBeGreaterThanOrEqual(1);
    for (const t of times(minutes)) expect(t % 60_000).toBe(0);
    expect(minutes.at(-1)!.cpuPercent).toBeGreaterThan(0);
  });

  it('survives a berth restart: another berth on the same data directory answers the old points', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'berth-history-'));
    try {
      const first = await startBerth({ BERTH_DATA_DIR: dataDir }, { label: LABEL });
      const recorded = (async () => {
        const { id } = await first.create({ command: SLEEPER });
        return { id, before: await points(first, id, 4) };
      })();
      await recorded.catch(() => undefined);
      await first.stop();
      const { id, before } = await recorded;
      const from = new Date(Date.parse(before[0]!.at));
      const to = new Date(Date.parse(before.at(-1)!.at));

      const second = await startBerth({ BERTH_DATA_DIR: dataDir }, { label: LABEL });
      try {
        expect(await history(second, id, { from, to })).toEqual(before);
        // The minute aggregates came along too (the 1 s points are all in at most two minutes).
        const minutes = (await history(second, id, { from, to, stepSeconds: 60 }))!;
        expect(minutes.length).toBeGreaterThanOrEqual(1);
        expect(minutes.length).toBeLessThanOrEqual(2);
        // And it goes on recording the same container.
        await waitFor(async () => {
          const now = (await history(second, id))!;
          if (Date.parse(now.at(-1)!.at) <= to.getTime())
            throw new Error('nothing recorded since the restart');
        });
      } finally {
        await second.stop();
      }
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  it('deletes a removed container’s history with it', async () => {
    const { id } = await berth.create({ command: SLEEPER });
    // Keeps the hub ticking once the other is gone.
    await berth.create({ command: SLEEPER });
    await points(berth, id, 2);
    const store = berth.app.context.history;
    expect(store.rowCounts(id).samples).toBeGreaterThanOrEqual(2);

    const { removeContainer } = await berth.query(RemoveContainer, { id, force: true });
    expect(removeContainer.__typename).toBe('RemoveContainerSuccess');
    await waitFor(async () => {
      if (store.rowCounts(id).samples > 0) throw new Error('history still kept');
    });
    // No tick still reading it when it went puts any back: wait for two more ticks. Ticks never
    // overlap, so the second began after the history was gone, and one in flight then has ended.
    let ticks = 0;
    const offTick = berth.app.stats.onTick(() => (ticks += 1));
    try {
      await waitFor(async () => {
        if (ticks < 2) throw new Error(`${ticks} ticks since the history went`);
      }, 15_000);
    } finally {
      offTick();
    }
    expect(store.rowCounts(id)).toEqual({ samples: 0, minutes: 0 });
  });

  it('answers bad input with INVALID_INPUT naming the field', async () => {
    const { id } = await berth.create({ command: SLEEPER });
    const now = Date.now();
    const cases: [Record<string, unknown>, string][] = [
      [{ from: new Date(now).toISOString(), to: new Date(now - 60_000).toISOString() }, 'from'],
      [{ stepSeconds: 0 }, 'stepSeconds'],
      [{ stepSeconds: -5 }, 'stepSeconds'],
      [{ stepSeconds: 10_000_000 }, 'stepSeconds'],
      // 1 s samples are kept 15 minutes: older ranges take whole minutes.
      [{ from: new Date(now - 2 * 3_600_000).toISOString(), stepSeconds: 30 }, 'stepSeconds'],
    ];
    for (const [args, field] of cases) {
      const result = await berth.graphql(StatsHistory, { id, ...args } as never);
      expect(result.errors?.[0]?.extensions, JSON.stringify(args)).toMatchObject({
        code: 'INVALID_INPUT',
        field,
      });
    }
    // A range reaching past what is kept is not an error: the part that is kept is answered.
    const longAgo = await berth.graphql(StatsHistory, {
      id,
      from: new Date(now - 30 * 86_400_000).toISOString(),
    });
    expect(longAgo.errors).toBeUndefined();
  });

  it('prunes 1 s samples past the configured retention on its own, keeping their minutes', async () => {
    const short = await startBerth(
      {
        BERTH_HISTORY_RAW_RETENTION_SECONDS: '60',
        BERTH_HISTORY_RETENTION_SECONDS: '3600',
        // "auto" probes a running container's cgroup, and on an engine other test runs share that
        // container may be gone by then: the stats API's stream can stall for a while under load,
        // and this test needs a sample every second for two minutes.
        BERTH_STATS_SOURCE: 'cgroup',
      },
      { label: LABEL },
    );
    try {
      const { id } = await short.create({ command: SLEEPER });
      // With 60 s of 1 s samples kept, only the last two minutes default to 1 s points.
      const first = await waitFor(async () => {
        const found = await history(short, id, { from: new Date(Date.now() - 60_000) });
        if (!found?.length) throw new Error('no point yet');
        return found[0]!;
      });
      const firstAt = Date.parse(first.at);
      const store = short.app.context.history;
      // A sample, the first one: not a bucket's start.
      expect(store.oldestSample(id)?.getTime()).toBe(firstAt);
      // Maintenance runs 5 s after each minute, moves the minute that ended out of the recent
      // table and deletes the moved samples older than 60 s: within about two minutes.
      await waitFor(
        async () => {
          const oldest = store.oldestSample(id);
          if (oldest === null || oldest.getTime() <= firstAt) {
            const rows = JSON.stringify(store.rowCounts(id));
            throw new Error(
              `oldest sample ${oldest?.toISOString() ?? 'none'} (first ${first.at}), rows ${rows}`,
            );
          }
        },
        170_000,
        1_000,
      );
      // Which samples are past the retention depends on when maintenance ran, a clock this test
      // does not hold: test/unit/history.test.ts checks the cut with a moved clock.
      // The pruned seconds live on in their minute.
      const minutes = (await history(short, id, { from: new Date(firstAt), stepSeconds: 60 }))!;
      expect(Date.parse(minutes[0]!.at)).toBe(firstAt - (firstAt % 60_000));
    } finally {
      await short.stop();
    }
  }, 240_000);
});
