import { execFile } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { ensureFleet, FLEET, FLEET_SIZE } from './b1-list.js';
import type { BenchContext } from './lib/context.js';
import { processTree, rssBytes } from './lib/proc.js';
import { overBy, type BenchmarkResult, type Check, type Table } from './lib/report.js';
import { mib, ms, median } from './lib/stats.js';

const execFileAsync = promisify(execFile);

/**
 * B10 (issue 13, and issue 16 item 5): how long berth takes from start to its first answered
 * query and to a synced index, and what it holds at idle, with an empty engine and with 200
 * running containers; the compiled server `npm start` runs (`node dist/main.js`) against the same
 * berth run from its sources through tsx (how it ran before the compiled build), alternating.
 */

/** Starts of the compiled server per engine size; the tsx comparison gets fewer (it only has to lose). */
const BUILD_ROUNDS = 5;
const SOURCE_ROUNDS = 3;
/** How long berth sits idle (no client) before its memory is read: past start-up's garbage. */
const IDLE_MS = 15_000;
/** Start-up is polled this often (a `system` query), so the times are at most this late. */
const POLL_MS = 20;

/**
 * The figures to hold, for the compiled server (medians). Issue 16 asks for "a figure to hold" and
 * gives none, so these are what this benchmark measured when it was extended (BENCH_ONLY=B10 at
 * 925ecaf, the lazy imports on 200e0cf, which is 50d6d17 on main; 2026-12-04, on a machine saturated by other test runs: load average 9-31) plus a margin.
 * Memory barely moves with the load: 132.3 MiB with an empty engine and 140.3 MiB with 200
 * containers, plus a tenth, rounded up to 5 MiB. Start-up time does: the quietest compiled runs
 * answered in 1.64-1.75 s (200 containers), the busiest in 17 s, so the hold is the quiet figure
 * plus about half, the same for both sizes (an empty engine is less work). Lower them as berth
 * gets faster; never raise them to make a run pass.
 */
export const HOLD: Record<'firstAnswerMs' | 'idleRssMiB', Record<number, number>> = {
  firstAnswerMs: { 0: 2_500, [FLEET_SIZE]: 2_500 },
  idleRssMiB: { 0: 145, [FLEET_SIZE]: 155 },
};

type Entry = 'source' | 'build';
const ENTRY_NAME: Record<Entry, string> = { source: 'tsx src/main.ts', build: 'node dist/main.js' };

interface Run {
  entry: Entry;
  /** The engine size this run belongs to: 0 or the fleet's. */
  size: number;
  /** How many containers the engine held (all running, for the fleet). */
  containers: number;
  /** Spawn to the first GraphQL answer (`system`, whatever it says). */
  firstAnswerMs: number;
  /** Spawn to ready: `system` answers with the engine up, the index synced and a stats source. */
  readyMs: number;
  /** CPU seconds berth's process tree used from spawn to ready. */
  startCpu: number;
  /** Resident memory of berth's process and any it started (tsx's esbuild, say), after the idle time. */
  idleRss: number;
  /** berth's CPU over the idle time, in seconds per second (the default sampling of running containers included). */
  idleCpu: number;
}

/** The rounds of one engine size: pairs alternating which entry starts first, then the compiled server alone. */
function schedule(): Entry[] {
  const order: Entry[] = [];
  for (let round = 0; round < Math.max(BUILD_ROUNDS, SOURCE_ROUNDS); round += 1) {
    const pair: Entry[] = round % 2 === 0 ? ['source', 'build'] : ['build', 'source'];
    for (const entry of pair) {
      if (round < (entry === 'build' ? BUILD_ROUNDS : SOURCE_ROUNDS)) order.push(entry);
    }
  }
  return order;
}

async function measure(
  ctx: BenchContext,
  entry: Entry,
  size: number,
  containers: number,
  label: string,
): Promise<Run> {
  const berth = await ctx.startBerth(label, 'auto', {}, entry, POLL_MS);
  try {
    const startCpu = berth.cpuSeconds();
    const idleFrom = performance.now();
    await sleep(IDLE_MS);
    const idleCpu = (berth.cpuSeconds() - startCpu) / ((performance.now() - idleFrom) / 1000);
    const idleRss = processTree(berth.pid).reduce((sum, info) => sum + rssBytes(info.pid), 0);
    const { firstAnswerMs, readyMs } = berth.startup;
    return { entry, size, containers, firstAnswerMs, readyMs, startCpu, idleRss, idleCpu };
  } finally {
    await berth.stop();
  }
}

export async function startupBenchmark(ctx: BenchContext): Promise<BenchmarkResult> {
  ctx.log('B10: building the server (npm run build:server)');
  await execFileAsync('npm', ['run', 'build:server'], { cwd: ctx.berthRoot });

  // An empty engine first: what earlier benchmarks left (each removes its own, but a failed one
  // may not) is the benchmark's own, on the runner's private engine.
  const leftOver = await ctx.engine.removeLabelled();
  const runs: Run[] = [];
  let fleetSeconds = 0;
  try {
    for (const size of [0, FLEET_SIZE]) {
      if (size > 0) fleetSeconds = await ensureFleet(ctx);
      const containers = (await ctx.engine.docker.listContainers({ all: true })).length;
      for (const [at, entry] of schedule().entries()) {
        const run = await measure(ctx, entry, size, containers, `b10-${size}-${entry}-${at}`);
        runs.push(run);
        ctx.log(
          `B10 ${containers} containers, ${entry}: first answer ${ms(run.firstAnswerMs)}, ready ${ms(run.readyMs)}, idle ${mib(run.idleRss)}`,
        );
      }
    }
  } finally {
    await ctx.engine.removeLabelled(FLEET);
  }

  const sizes = [0, FLEET_SIZE];
  const of = (entry: Entry, size: number) => runs.filter((run) => run.entry === entry && run.size === size);
  const med = (entry: Entry, size: number, figure: (run: Run) => number) =>
    median(of(entry, size).map(figure));
  const held = (size: number) => of('build', size)[0]?.containers ?? size;

  const table: Table = {
    headers: [
      'containers',
      'entry',
      'first answer, median',
      'ready, median',
      'start-up CPU, median',
      'idle RSS, median',
      'idle CPU, median',
      'each run: first answer / ready / idle RSS',
    ],
    rows: sizes.flatMap((size) =>
      (['build', 'source'] as const).map((entry) => [
        String(held(size)),
        ENTRY_NAME[entry],
        ms(med(entry, size, (run) => run.firstAnswerMs)),
        ms(med(entry, size, (run) => run.readyMs)),
        ms(med(entry, size, (run) => run.startCpu * 1000)),
        mib(med(entry, size, (run) => run.idleRss)),
        `${(med(entry, size, (run) => run.idleCpu) * 100).toFixed(1)}%`,
        of(entry, size)
          .map((run) => `${ms(run.firstAnswerMs)} / ${ms(run.readyMs)} / ${mib(run.idleRss)}`)
          .join('; '),
      ]),
    ),
  };

  const checks: Check[] = sizes.flatMap((size): Check[] => {
    const first = med('build', size, (run) => run.firstAnswerMs);
    const rss = med('build', size, (run) => run.idleRss);
    const rssMiB = rss / 1024 ** 2;
    const firstHold = HOLD.firstAnswerMs[size]!;
    const rssHold = HOLD.idleRssMiB[size]!;
    const ready = {
      build: med('build', size, (run) => run.readyMs),
      source: med('source', size, (run) => run.readyMs),
    };
    const memory = { build: rss, source: med('source', size, (run) => run.idleRss) };
    const where = `${held(size)} containers`;
    return [
      {
        name: `${where}: first answered query, compiled (median)`,
        measured: ms(first),
        target: `≤ ${ms(firstHold)} (hold)`,
        pass: first <= firstHold,
        by: overBy(first, firstHold),
      },
      {
        name: `${where}: idle RSS, compiled (median)`,
        measured: mib(rss),
        target: `≤ ${rssHold.toFixed(1)} MiB (hold)`,
        pass: rssMiB <= rssHold,
        by: overBy(rssMiB, rssHold),
      },
      {
        name: `${where}: ready, compiled / from sources (median)`,
        measured: `${ms(ready.build)} / ${ms(ready.source)}`,
        target: 'the compiled server starts no slower',
        pass: ready.build <= ready.source,
        by: overBy(ready.build, ready.source),
      },
      {
        name: `${where}: idle RSS, compiled / from sources (median)`,
        measured: `${mib(memory.build)} / ${mib(memory.source)}`,
        target: 'the compiled server holds no more',
        pass: memory.build <= memory.source,
        by: overBy(memory.build, memory.source),
      },
    ];
  });

  return {
    id: 'B10',
    title: `start-up and idle memory, 0 and ${FLEET_SIZE} containers`,
    method: [
      `Two engine sizes, one after the other: empty (${leftOver} containers earlier benchmarks left were removed first), then ${FLEET_SIZE} containers running \`sleep 3600\` (B1's fleet, created through dockerode 10 at a time in ${fleetSeconds.toFixed(0)} s, removed at the end).`,
      `At each size berth was started ${BUILD_ROUNDS} times as the compiled server (\`node dist/main.js\`, built by \`npm run build:server\` for this run, what \`npm start\` runs) and ${SOURCE_ROUNDS} times from its sources through tsx (\`node --import tsx src/main.ts\`, as before issue 13), in pairs alternating which goes first, then the compiled server alone; HOST=127.0.0.1, authentication off, default settings otherwise (every running container sampled once a second for history, metrics and alerts), a fresh data directory each time.`,
      `First answer: from spawning the process until the first \`system\` query is answered (polled every ${POLL_MS} ms, over HTTP on loopback). Ready: until \`system\` says the engine is up, the container index synced and a stats source chosen. Start-up CPU: user + system time of berth's process tree at that moment.`,
      `Idle: no client for ${IDLE_MS / 1000} s after ready; then the resident set (VmRSS) of berth's process and every process it started (tsx runs esbuild as a child), and berth's CPU over those seconds (100% = one core).`,
      `The "hold" targets are issue 16's "figure to hold", which it gives no number for: what B10 measured when it was extended (at 925ecaf, which is 50d6d17 on main), plus a margin (\`HOLD\` in bench/b10-startup.ts says which). Wall-clock start-up moves with the machine's load; start-up CPU barely does.`,
    ],
    tables: [table],
    checks,
    notes: [],
  };
}
