import { execFile } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import type { BenchContext } from './lib/context.js';
import { processTree, rssBytes } from './lib/proc.js';
import type { BenchmarkResult } from './lib/report.js';
import { mib, ms, median } from './lib/stats.js';

const execFileAsync = promisify(execFile);

/**
 * B10 (issue 13): start-up time and idle memory of berth run from its sources through tsx (how it
 * ran before the compiled build) against the compiled server `npm start` now runs
 * (`node dist/main.js`), alternating, on the benchmark's engine with whatever containers it holds.
 */

const ROUNDS = 5;
/** How long berth sits idle (no client) before its memory is read: past start-up's garbage. */
const IDLE_MS = 15_000;

type Entry = 'source' | 'build';

interface Run {
  entry: Entry;
  /** Spawn to ready: `system` answers with the engine up, the index synced and a stats source. */
  readyMs: number;
  /** Resident memory of berth's process and any it started (tsx's esbuild, say), after the idle time. */
  idleRss: number;
}

export async function startupBenchmark(ctx: BenchContext): Promise<BenchmarkResult> {
  ctx.log('B10: building the server (npm run build:server)');
  await execFileAsync('npm', ['run', 'build:server'], { cwd: ctx.berthRoot });

  const runs: Run[] = [];
  for (let round = 0; round < ROUNDS; round += 1) {
    // Alternating, so a change in the machine's load falls on both.
    for (const entry of round % 2 === 0 ? (['source', 'build'] as const) : (['build', 'source'] as const)) {
      const began = performance.now();
      const berth = await ctx.startBerth(`b10-${entry}-${round}`, 'auto', {}, entry);
      const readyMs = performance.now() - began;
      await sleep(IDLE_MS);
      const idleRss = processTree(berth.pid).reduce((sum, info) => sum + rssBytes(info.pid), 0);
      await berth.stop();
      runs.push({ entry, readyMs, idleRss });
      ctx.log(`B10 round ${round + 1}/${ROUNDS} ${entry}: ready in ${ms(readyMs)}, idle ${mib(idleRss)}`);
    }
  }

  const of = (entry: Entry) => runs.filter((run) => run.entry === entry);
  const ready = (entry: Entry) => median(of(entry).map((run) => run.readyMs));
  const rss = (entry: Entry) => median(of(entry).map((run) => run.idleRss));
  const containers = (await ctx.engine.docker.listContainers({ all: true })).length;

  return {
    id: 'B10',
    title: 'start-up and idle memory',
    method: [
      `berth started ${ROUNDS} times each way, alternating: \`node --import tsx src/main.ts\` (from the sources, as before issue 13) and \`node dist/main.js\` (the compiled server \`npm run build:server\` made, what \`npm start\` runs), HOST=127.0.0.1, authentication off, a fresh data directory each time.`,
      `Start-up: from spawning the process until \`system\` answers with the engine up, the container index synced and a stats source chosen (the engine held ${containers} containers).`,
      `Idle memory: resident set (VmRSS) of berth's process and every process it started (tsx runs esbuild as a child), ${IDLE_MS / 1000} s after it was ready, with no client connected.`,
    ],
    tables: [
      {
        headers: [
          'entry',
          'start-up, median',
          'start-up, each run',
          'idle RSS, median',
          'idle RSS, each run',
        ],
        rows: (['source', 'build'] as const).map((entry) => [
          entry === 'source' ? 'tsx src/main.ts' : 'node dist/main.js',
          ms(ready(entry)),
          of(entry)
            .map((run) => ms(run.readyMs))
            .join(', '),
          mib(rss(entry)),
          of(entry)
            .map((run) => mib(run.idleRss))
            .join(', '),
        ]),
      },
    ],
    checks: [
      {
        name: 'start-up, compiled / from sources (median)',
        measured: `${ms(ready('build'))} / ${ms(ready('source'))}`,
        target: 'the compiled server starts no slower',
        pass: ready('build') <= ready('source'),
      },
      {
        name: 'idle memory, compiled / from sources (median)',
        measured: `${mib(rss('build'))} / ${mib(rss('source'))}`,
        target: 'the compiled server holds no more',
        pass: rss('build') <= rss('source'),
      },
    ],
    notes: [],
  };
}
