import { EventEmitter } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from 'graphql-yoga';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ContainerChange } from '../../src/domain/containers/container-index.js';
import { DEFAULT_HISTORY_RETENTION, type HistoryRetention } from '../../src/domain/history/query.js';
import { StatsHistory } from '../../src/domain/history/service.js';
import type { StatsTick } from '../../src/domain/stats/hub.js';
import type { ContainerStats } from '../../src/domain/stats/model.js';
import { BerthDatabase } from '../../src/platform/store/database.js';

/**
 * The recorder and its queries against a real SQLite file, fed synthetic ticks with a clock the
 * test moves: the aggregation arithmetic, pruning and forgetting do not depend on the engine, and
 * hours of retention cannot be waited for.
 */

const MINUTE = 60_000;
const T0 = Date.parse('2026-03-01T12:00:00Z');
const A = 'a'.repeat(64);
const B = 'b'.repeat(64);

let dataDir: string;
let db: BerthDatabase;
let now: number;

function openHistory(retention: HistoryRetention = DEFAULT_HISTORY_RETENTION): StatsHistory {
  return new StatsHistory(db, { retention, log: createLogger('silent'), now: () => now });
}

beforeEach(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'berth-history-'));
  db = BerthDatabase.open({ dataDir });
  now = T0;
});

afterEach(() => {
  db.close();
  rmSync(dataDir, { recursive: true, force: true });
});

/** A sample whose figures follow from its second `i`, so expectations can be computed. */
function sample(
  containerId: string,
  at: number,
  i: number,
  overrides: Partial<ContainerStats> = {},
): ContainerStats {
  return {
    containerId,
    at: new Date(at),
    cpuPercent: i % 7 === 0 ? null : (i * 13) % 100,
    memoryUsageBytes: 1_000_000 + i * 1_001,
    memoryLimitBytes: i < 90 ? 64 * 1024 * 1024 : 128 * 1024 * 1024,
    memoryPercent: (i % 50) / 2,
    networkRxBytes: i * 100,
    networkTxBytes: i * 50,
    blockReadBytes: i * 4096,
    blockWriteBytes: i * 8192,
    pids: 1 + (i % 3),
    ...overrides,
  };
}

function tick(...samples: ContainerStats[]): StatsTick {
  return { at: samples[0]?.at ?? new Date(now), samples: new Map(samples.map((s) => [s.containerId, s])) };
}

/** What a bucket of `samples` must say: gauges averaged (a null CPU left out), the rest the last sample's. */
function expectedBucket(at: number, samples: ContainerStats[]): ContainerStats {
  const last = samples.at(-1)!;
  const cpus = samples.flatMap((s) => (s.cpuPercent === null ? [] : [s.cpuPercent]));
  const mean = (values: number[]) => values.reduce((sum, v) => sum + v, 0) / values.length;
  return {
    ...last,
    at: new Date(at),
    cpuPercent: cpus.length === 0 ? null : mean(cpus),
    memoryUsageBytes: Math.round(mean(samples.map((s) => s.memoryUsageBytes))),
    memoryPercent: mean(samples.map((s) => s.memoryPercent)),
  };
}

function closeTo(actual: ContainerStats[], expected: ContainerStats[]): void {
  expect(actual.map((s) => s.at.toISOString())).toEqual(expected.map((s) => s.at.toISOString()));
  actual.forEach((point, i) => {
    const want = expected[i]!;
    expect({ ...point, cpuPercent: null, memoryPercent: 0 }).toEqual({
      ...want,
      cpuPercent: null,
      memoryPercent: 0,
    });
    if (want.cpuPercent === null) expect(point.cpuPercent).toBeNull();
    else expect(point.cpuPercent).toBeCloseTo(want.cpuPercent, 9);
    expect(point.memoryPercent).toBeCloseTo(want.memoryPercent, 9);
  });
}

describe('stats history arithmetic (synthetic ticks, temporary database)', () => {
  it('aggregates each minute: CPU and memory averaged (null CPU left out), counters and limits as of the last sample', async () => {
    const history = openHistory();
    const samples = Array.from({ length: 150 }, (_, i) => sample(A, T0 + i * 1000 + 7, i));
    for (const s of samples) history.record(tick(s, sample(B, s.at.getTime(), 1000)));
    now = T0 + 150_000;

    // The same answer while every sample is recent, and after minutes 0 and 1 were compacted.
    const recent = history.query(A, { from: new Date(T0 + 30_000), stepSeconds: 60 });
    expect(await history.maintain()).not.toBeNull();
    expect(history.rowCounts(A)).toEqual({ samples: 150, minutes: 2 });
    const minutes = history.query(A, { from: new Date(T0 + 30_000), stepSeconds: 60 });
    expect(minutes).toEqual(recent);
    closeTo(minutes, [
      expectedBucket(T0, samples.slice(0, 60)),
      expectedBucket(T0 + MINUTE, samples.slice(60, 120)),
      // The minute in progress is aggregated as far as it goes.
      expectedBucket(T0 + 2 * MINUTE, samples.slice(120)),
    ]);
    // The limit changed mid-minute (sample 90): the minute says the newer one.
    expect(minutes[1]!.memoryLimitBytes).toBe(128 * 1024 * 1024);

    // Longer steps combine minutes weighted by their samples, not by averaging their averages.
    closeTo(history.query(A, { from: new Date(T0), stepSeconds: 120 }), [
      expectedBucket(T0, samples.slice(0, 120)),
      expectedBucket(T0 + 2 * MINUTE, samples.slice(120)),
    ]);
    // Steps under a minute come from the 1 s samples, in whole step-aligned buckets.
    const tens = history.query(A, {
      from: new Date(T0 + 12_000),
      to: new Date(T0 + 41_000),
      stepSeconds: 10,
    });
    closeTo(
      tens,
      [10, 20, 30, 40].map((start) => expectedBucket(T0 + start * 1000, samples.slice(start, start + 10))),
    );
    // A bucket whose every sample lacks a CPU figure has none.
    history.record(tick(sample(A, T0 + 200_000, 200, { cpuPercent: null })));
    now = T0 + 201_000;
    expect(history.query(A, { from: new Date(T0 + 200_000), stepSeconds: 60 })[0]!.cpuPercent).toBeNull();
  });

  it('answers step 1 with the samples as recorded, oldest first, between from and to inclusive', () => {
    const history = openHistory();
    const samples = Array.from({ length: 20 }, (_, i) => sample(A, T0 + i * 1000 + 3, i));
    for (const s of samples) history.record(tick(s));
    now = T0 + 20_000;
    expect(history.query(A, {})).toEqual(samples);
    expect(history.query(A, { from: samples[5]!.at, to: samples[9]!.at })).toEqual(samples.slice(5, 10));
    expect(history.query(B, {})).toEqual([]);
  });

  it('records a sample handed to consecutive ticks once, and counts it once in its minute', async () => {
    const history = openHistory();
    const first = sample(A, T0 + 1000, 1);
    const second = sample(A, T0 + 2000, 2);
    // The docker-api source repeats its newest sample until the engine sends the next one.
    for (const s of [first, first, second, second, second]) history.record(tick(s));
    now = T0 + 3000;
    expect(history.query(A, {})).toEqual([first, second]);
    expect(history.rowCounts(A)).toEqual({ samples: 2, minutes: 0 });
    // Repeated still after its minute was compacted (the engine's stream stalled).
    now = T0 + 70_000;
    await history.maintain();
    history.record(tick(second));
    expect(history.rowCounts(A)).toEqual({ samples: 2, minutes: 1 });
    closeTo(history.query(A, { stepSeconds: 60 }), [expectedBucket(T0, [first, second])]);
  });

  it('merges samples of a minute already compacted into it, without turning its counters back', async () => {
    const later = sample(A, T0 + 5000, 5);
    const early = sample(A, T0 + 1000, 1);
    openHistory().record(tick(later));
    now = T0 + 70_000;
    await openHistory().maintain();
    // A new berth (nothing in memory) records an older sample of that minute.
    const history = openHistory();
    history.record(tick(early));
    await history.maintain();
    expect(history.rowCounts(A)).toEqual({ samples: 2, minutes: 1 });
    const [minute] = history.query(A, { stepSeconds: 60 });
    closeTo([minute!], [expectedBucket(T0, [early, later])]);
    expect(minute!.networkRxBytes).toBe(later.networkRxBytes);
  });

  it('writes a tick of 200 containers in one transaction', async () => {
    const history = openHistory();
    const ids = Array.from({ length: 200 }, (_, i) => i.toString(16).padStart(64, '0'));
    const ticks = 120;
    let transactions = 0;
    const transaction = db.transaction.bind(db);
    db.transaction = ((fn: () => unknown) => ((transactions += 1), transaction(fn))) as typeof db.transaction;
    for (let t = 0; t < ticks; t += 1) {
      history.record(tick(...ids.map((id, i) => sample(id, T0 + t * 1000, t + i))));
    }
    expect(transactions).toBe(ticks);
    now = T0 + ticks * 1000 + 5000;
    await history.maintain();
    expect(history.rowCounts(ids[199]!)).toEqual({ samples: ticks, minutes: 2 });
    expect(history.query(ids[0]!, {})).toHaveLength(ticks);
    // How long a tick takes to write is benchmark B8's figure (bench/b8-in-process.ts), not a test's.
  });
});

describe('stats history retention (synthetic ticks, moved clock)', () => {
  it('compacts each minute and prunes 1 s samples older than the raw retention, minutes wholly older than the long one, then the container', async () => {
    const history = openHistory();
    for (let i = 0; i < 30 * 60; i += 1) history.record(tick(sample(A, T0 + i * 1000, i)));
    now = T0 + 30 * MINUTE;
    expect(history.rowCounts(A)).toEqual({ samples: 1800, minutes: 0 });

    // Minutes 0 to 28 are compacted; minute 29 ended less than the compaction delay ago.
    const report = await history.maintain();
    expect(report).toMatchObject({ samples: 900, minutes: 0, containers: [] });
    expect(history.rowCounts(A)).toEqual({ samples: 900, minutes: 29 });
    const recent = history.query(A, {});
    expect(recent[0]!.at.getTime()).toBe(T0 + 15 * MINUTE);
    // The pruned seconds live on in their minutes.
    expect(history.query(A, { from: new Date(T0) })).toHaveLength(30);

    // 24 h later every sample is gone; a minute goes once all of it is older than the retention.
    now = T0 + 24 * 60 * MINUTE + 10 * MINUTE + 30_000;
    // The cutoff is T0 + 10:30: minutes 0 to 9 have ended before it, minute 10 straddles it.
    expect(await history.maintain()).toMatchObject({ samples: 900, minutes: 10 });
    expect(history.rowCounts(A)).toEqual({ samples: 0, minutes: 20 });
    expect(history.query(A, { from: new Date(T0) })[0]!.at.getTime()).toBe(T0 + 10 * MINUTE);

    now = T0 + 24 * 60 * MINUTE + 31 * MINUTE;
    expect(await history.maintain()).toMatchObject({ samples: 0, minutes: 20, containers: [A] });
    expect(history.rowCounts(A)).toEqual({ samples: 0, minutes: 0 });
    // A container that runs again afterwards starts a new history.
    history.record(tick(sample(A, now, 1)));
    expect(history.rowCounts(A)).toEqual({ samples: 1, minutes: 0 });
  });

  it('forgets a destroyed container at once, and refuses its samples still in flight for a minute', async () => {
    const history = openHistory();
    for (let i = 0; i < 5; i += 1)
      history.record(tick(sample(A, T0 + i * 1000, i), sample(B, T0 + i * 1000, i)));
    history.forget(A);
    expect(history.rowCounts(A)).toEqual({ samples: 0, minutes: 0 });
    expect(history.rowCounts(B)).toEqual({ samples: 5, minutes: 0 });
    history.record(tick(sample(A, T0 + 5000, 5), sample(B, T0 + 5000, 5)));
    expect(history.rowCounts(A)).toEqual({ samples: 0, minutes: 0 });
    expect(history.rowCounts(B)).toEqual({ samples: 6, minutes: 0 });
    // The refusal itself does not grow without bound: it is dropped at maintenance a minute on.
    now = T0 + 2 * MINUTE;
    await history.maintain();
    expect(history.rowCounts(B)).toEqual({ samples: 6, minutes: 1 });
    history.record(tick(sample(A, now, 1)));
    expect(history.rowCounts(A)).toEqual({ samples: 1, minutes: 0 });
  });

  it('keeps its history in the database file: a reopened database answers the same', () => {
    const history = openHistory();
    const samples = Array.from({ length: 10 }, (_, i) => sample(A, T0 + i * 1000, i));
    for (const s of samples) history.record(tick(s));
    db.close();
    db = BerthDatabase.open({ dataDir });
    now = T0 + 10_000;
    const reopened = openHistory();
    expect(reopened.query(A, {})).toEqual(samples);
    // The aggregate of the minute the restart cut through keeps counting after it.
    const more = sample(A, T0 + 30_000, 30);
    reopened.record(tick(more));
    now = T0 + 31_000;
    closeTo(reopened.query(A, { stepSeconds: 60 }), [expectedBucket(T0, [...samples, more])]);
  });
});

describe('stats history wiring (synthetic hub and index)', () => {
  it('records every tick and forgets destroyed containers while started, and neither once stopped', () => {
    const history = openHistory();
    const ticks = new EventEmitter<{ tick: [StatsTick] }>();
    const index = new EventEmitter<{ change: [ContainerChange] }>();
    const stats = {
      onTick: (listener: (t: StatsTick) => void) => {
        ticks.on('tick', listener);
        return () => ticks.off('tick', listener);
      },
    };
    history.start({ stats, index: index as never });
    ticks.emit('tick', tick(sample(A, T0, 0), sample(B, T0, 0)));
    expect(history.rowCounts(A).samples).toBe(1);
    const destroy = (containerId: string): ContainerChange => ({
      action: 'destroy',
      containerId,
      at: new Date(now),
      attributes: {},
      previous: undefined,
      current: undefined,
    });
    index.emit('change', destroy(A));
    expect(history.rowCounts(A).samples).toBe(0);

    history.stop();
    expect(ticks.listenerCount('tick')).toBe(0);
    expect(index.listenerCount('change')).toBe(0);
    ticks.emit('tick', tick(sample(B, T0 + 1000, 1)));
    index.emit('change', destroy(B));
    expect(history.rowCounts(B).samples).toBe(1);
  });

  it('survives a failing write without throwing into the hub’s tick, and logs it once', async () => {
    const errors: unknown[] = [];
    const log = { ...createLogger('silent'), error: (...args: unknown[]) => errors.push(args) };
    const history = new StatsHistory(db, { retention: DEFAULT_HISTORY_RETENTION, log, now: () => now });
    db.close();
    expect(() => history.record(tick(sample(A, T0, 0)))).not.toThrow();
    expect(() => history.record(tick(sample(A, T0 + 1000, 1)))).not.toThrow();
    expect(await history.maintain()).toBeNull();
    expect(errors).toHaveLength(2);
    db = BerthDatabase.open({ dataDir });
  });
});
