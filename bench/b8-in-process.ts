import { mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import type { ContainerStats } from '../src/domain/stats/model.js';
import type { BenchContext } from './lib/context.js';
import { overBy, type BenchmarkResult, type Check } from './lib/report.js';
import { ms, summarize, type Summary } from './lib/stats.js';

/**
 * B8: two costs inside one berth process, which unit tests used to time (a timed test fails when
 * the machine is busy, not when berth is slow; the tests now check what makes them cheap):
 * refusing a huge input that is no token (test/unit/tokens.test.ts: refused before any lookup),
 * and recording one stats tick of 200 containers in the history (test/unit/history.test.ts: one
 * transaction per tick).
 */

const HUGE_BYTES = 30 * 1024 * 1024;
const REFUSALS = 1_000;
/** A refusal reads the input's length and nothing else: far below a millisecond. */
const REFUSAL_TARGET_MS = 0.5;
const CONTAINERS = 200;
const TICKS = 600;
/** About 1-2 ms on the development machine; the target only catches a write path gone badly wrong. */
const TICK_TARGET_MS = 100;

export async function inProcessBenchmark(ctx: BenchContext): Promise<BenchmarkResult> {
  // From the berth under test (the working tree, or an export of a commit), typed as the working tree's.
  const load = <T>(path: string) => import(pathToFileURL(join(ctx.berthRoot, path)).href) as Promise<T>;
  const [{ TokenService }, { BerthDatabase }, { StatsHistory }, { DEFAULT_HISTORY_RETENTION }] =
    await Promise.all([
      load<typeof import('../src/platform/auth/tokens.js')>('src/platform/auth/tokens.ts'),
      load<typeof import('../src/platform/store/database.js')>('src/platform/store/database.ts'),
      load<typeof import('../src/domain/history/service.js')>('src/domain/history/service.ts'),
      load<typeof import('../src/domain/history/query.js')>('src/domain/history/query.ts'),
    ]);
  const dataDir = await mkdtemp(join(ctx.logDir, 'b8-'));
  const db = BerthDatabase.open({ dataDir });
  try {
    // Refusals: the same input as the unit test, timed one call at a time.
    const tokens = new TokenService(db);
    tokens.create({ name: 'bench', role: 'viewer' });
    const huge = 'berth_'.repeat(HUGE_BYTES / 'berth_'.length);
    const refusals: number[] = [];
    for (let i = 0; i < REFUSALS; i += 1) {
      const started = performance.now();
      const verified = tokens.verify(huge);
      refusals.push(performance.now() - started);
      if (verified !== null) throw new Error('a malformed token was accepted');
    }

    // History: ticks of 200 containers, one record() each, as the hub's tick calls it.
    const silent = { debug() {}, info() {}, warn() {}, error() {} };
    const history = new StatsHistory(db, { retention: DEFAULT_HISTORY_RETENTION, log: silent });
    const ids = Array.from({ length: CONTAINERS }, (_, i) => i.toString(16).padStart(64, '0'));
    const start = Date.now() - TICKS * 1000;
    const ticks: number[] = [];
    for (let t = 0; t < TICKS; t += 1) {
      const at = new Date(start + t * 1000);
      const samples = new Map<string, ContainerStats>(ids.map((id, i) => [id, sample(id, at, t + i)]));
      const started = performance.now();
      history.record({ at, samples });
      ticks.push(performance.now() - started);
    }
    const recorded = history.rowCounts(ids[0]!).samples;
    if (recorded !== TICKS) throw new Error(`${recorded} of ${TICKS} samples recorded`);

    const refusal = summarize(refusals);
    const tick = summarize(ticks);
    const check = (name: string, p95: number, target: number): Check => ({
      name,
      measured: ms(p95),
      target: `≤ ${ms(target)}`,
      pass: p95 <= target,
      ...(p95 > target && { by: overBy(p95, target) }),
    });
    return {
      id: 'B8',
      title: 'in-process costs',
      method: [
        `\`TokenService.verify\` of a ${HUGE_BYTES / 1024 / 1024} MiB string that is no token, ${REFUSALS} calls timed one by one (performance.now), against a database holding one token.`,
        `\`StatsHistory.record\` of ${TICKS} synthetic ticks of ${CONTAINERS} containers each, one call timed per tick, into a fresh database file (WAL, as berth opens it).`,
        "Both in the benchmark runner's own process, with berth's modules loaded from the berth under test.",
      ],
      tables: [
        {
          headers: ['what', 'n', 'p50', 'p95', 'p99', 'max'],
          rows: [
            ['refusal of a huge non-token', ...figures(refusal)],
            [`history tick of ${CONTAINERS} containers`, ...figures(tick)],
          ],
        },
      ],
      checks: [
        check('refusal of a huge non-token, p95', refusal.p95, REFUSAL_TARGET_MS),
        check(`history tick of ${CONTAINERS} containers, p95`, tick.p95, TICK_TARGET_MS),
      ],
      notes: [],
    };
  } finally {
    db.close();
    await rm(dataDir, { recursive: true, force: true });
  }
}

const figures = (s: Summary) => [String(s.n), ms(s.p50), ms(s.p95), ms(s.p99), ms(s.max)];

/** Figures that change with `i`, as the history unit test makes them. */
function sample(containerId: string, at: Date, i: number): ContainerStats {
  return {
    containerId,
    at,
    cpuPercent: (i * 13) % 100,
    memoryUsageBytes: 1_000_000 + i * 1_001,
    memoryLimitBytes: 64 * 1024 * 1024,
    memoryPercent: (i % 50) / 2,
    networkRxBytes: i * 100,
    networkTxBytes: i * 50,
    blockReadBytes: i * 4096,
    blockWriteBytes: i * 2048,
    pids: 1 + (i % 5),
  };
}
