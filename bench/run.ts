/**
 * `npm run bench`: starts a private Docker engine, runs berth as a child process against it, and
 * measures every benchmark, B1-B11, each against its target (and its baseline in the same run),
 * with how loaded the machine was while each ran. Writes all of bench/RESULTS.md, rewrites
 * README.md's figures from it (lib/readme-figures.ts) and prints a summary. Everything it starts is
 * stopped at the end, on failure and on Ctrl-C too.
 *
 * BENCH_BERTH_REF=HEAD (any git ref) measures a clean export of that commit instead of the working
 * tree, for when the working tree is being edited meanwhile.
 *
 * BENCH_ONLY=B1,B3 runs a subset (for working on one benchmark); a subset writes its report to
 * RESULTS.partial.md in the run's log directory under /tmp, never over bench/RESULTS.md, and leaves
 * README.md alone.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { listBenchmark } from './b1-list.js';
import { statsCostBenchmark } from './b2-stats-cost.js';
import { fanoutBenchmark } from './b3-fanout.js';
import { stalenessBenchmark } from './b4-staleness.js';
import { createBenchmark } from './b5-create.js';
import { logsBenchmark } from './b6-logs.js';
import { dashboardBenchmark } from './b7-dashboard.js';
import { inProcessBenchmark } from './b8-in-process.js';
import { stackDeployBenchmark } from './b9-stack-deploy.js';
import { startupBenchmark } from './b10-startup.js';
import { hostsBenchmark } from './b11-hosts.js';
import { cleanUp, cleanUpOnSignals, wasInterrupted } from './lib/cleanup.js';
import { benchContext, type BenchContext } from './lib/context.js';
import { BenchEngine } from './lib/engine.js';
import { describeMachine, type Machine } from './lib/machine.js';
import { berthSource } from './lib/source.js';
import { loadAverage, machineCpu, utilization } from './lib/proc.js';
import { parseResults, readmeBlock, updateReadme } from './lib/readme-figures.js';
import {
  consoleSummary,
  renderReport,
  verdict,
  type BenchmarkResult,
  type LoadDuring,
} from './lib/report.js';

interface Benchmark {
  id: string;
  title: string;
  /** Where its targets come from, for the report. */
  targetsFrom: string;
  run: (ctx: BenchContext) => Promise<BenchmarkResult>;
  /** Run before the next benchmark: what it leaves behind that later ones do not want. */
  after?: (ctx: BenchContext) => Promise<unknown>;
}

const ISSUE_3 = 'issue 3, "Performance: a benchmark, not a timed test"';
const ISSUE_16 =
  'issue 16, "Performance: multiplexed subscriptions for 10,000 watchers, and the always-on sampling at a tenth of Docker\'s cost"';

// B1, B7 and B2 share the 200-container fleet, removed after B2 (B10 makes it again for itself).
// B4 restarts the engine: it runs last.
const BENCHMARKS: Benchmark[] = [
  { id: 'B1', title: 'list', targetsFrom: ISSUE_3, run: listBenchmark },
  {
    id: 'B7',
    title: 'dashboard',
    targetsFrom: 'issue 6, the dashboard "usable with 200 containers"',
    run: dashboardBenchmark,
  },
  {
    id: 'B2',
    title: 'stats cost',
    targetsFrom: `${ISSUE_3}, and ${ISSUE_16}, item 3`,
    run: statsCostBenchmark,
    after: (ctx) => ctx.engine.removeLabelled('fleet'),
  },
  {
    id: 'B3',
    title: 'fan-out',
    targetsFrom: `${ISSUE_3}, raised by ${ISSUE_16}, item 2`,
    run: fanoutBenchmark,
  },
  { id: 'B5', title: 'create overhead', targetsFrom: ISSUE_3, run: createBenchmark },
  {
    id: 'B6',
    title: 'logs',
    targetsFrom: `issue 4, "Bad input and scale", and ${ISSUE_16}, item 4`,
    run: logsBenchmark,
  },
  {
    id: 'B8',
    title: 'in-process costs',
    targetsFrom: 'issue 10, what unit tests timed before they were made to check order and counts',
    run: inProcessBenchmark,
  },
  {
    id: 'B9',
    title: 'stack deploy',
    targetsFrom: 'issue 12, a stack deploy against `docker-compose up -d`',
    run: stackDeployBenchmark,
  },
  {
    id: 'B10',
    title: 'start-up and idle memory',
    targetsFrom: `issue 13, the compiled server against tsx, and ${ISSUE_16}, item 5, figures to hold`,
    run: startupBenchmark,
  },
  {
    id: 'B11',
    title: 'several hosts',
    targetsFrom: 'issue 15, one berth across three engines',
    run: hostsBenchmark,
  },
  { id: 'B4', title: 'staleness', targetsFrom: ISSUE_3, run: stalenessBenchmark },
];

const only = process.env['BENCH_ONLY']?.split(',').map((id) => id.trim().toUpperCase());
const selected = BENCHMARKS.filter((benchmark) => !only || only.includes(benchmark.id));
const command = [
  ...(process.env['BENCH_BERTH_REF'] ? [`BENCH_BERTH_REF=${process.env['BENCH_BERTH_REF']}`] : []),
  ...(only ? [`BENCH_ONLY=${only.join(',')}`] : []),
  process.env['npm_lifecycle_event'] === 'bench' ? 'npm run bench' : 'npx tsx bench/run.ts',
].join(' ');

function failed(benchmark: Benchmark, error: unknown): BenchmarkResult {
  const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
  return {
    id: benchmark.id,
    title: benchmark.title,
    method: [],
    tables: [],
    checks: [{ name: 'ran to the end', measured: 'failed', target: 'ran', pass: false, by: 'error' }],
    notes: ['The benchmark failed:\n\n```\n' + message + '\n```'],
    error: message,
  };
}

/** The 1-minute load average now. */
function loadNow(): number {
  return Number(loadAverage().split(' ')[0]);
}

async function main(): Promise<number> {
  cleanUpOnSignals();
  const startedAt = new Date();
  const loadAtStart = loadAverage();
  let loadPeak = loadNow();
  // The benchmark running now, whose own highest load the sampler raises too.
  let current: LoadDuring | undefined;
  const loadSampler = setInterval(() => {
    const load = loadNow();
    loadPeak = Math.max(loadPeak, load);
    if (current) current.peak = Math.max(current.peak, load);
  }, 5_000).unref();

  const logDir = await mkdtemp('/tmp/berth-bench-');
  const reportPath = only
    ? join(logDir, 'RESULTS.partial.md')
    : fileURLToPath(new URL('./RESULTS.md', import.meta.url));
  const source = berthSource(process.env['BENCH_BERTH_REF'] || undefined, logDir);
  const results: BenchmarkResult[] = [];
  let machine: Machine | undefined;
  let errors = 0;
  try {
    console.log(`bench: logs in ${logDir}; starting a private engine`);
    const engine = await BenchEngine.start();
    machine = await describeMachine(engine.docker);
    const ctx = benchContext(engine, logDir, source.root);
    for (const benchmark of selected) {
      if (wasInterrupted()) break;
      ctx.log(`${benchmark.id} ${benchmark.title}`);
      const began = Date.now();
      const cpuBefore = machineCpu();
      const load: LoadDuring = { start: loadNow(), peak: loadNow(), end: Number.NaN };
      current = load;
      let result: BenchmarkResult;
      try {
        result = await benchmark.run(ctx);
      } catch (error) {
        errors += 1;
        console.error(`bench: ${benchmark.id} failed:`, error);
        result = failed(benchmark, error);
      }
      current = undefined;
      load.end = loadNow();
      load.peak = Math.max(load.peak, load.end);
      result.seconds = (Date.now() - began) / 1000;
      result.machineBusy = utilization(cpuBefore, machineCpu());
      result.load = load;
      result.targetsFrom = benchmark.targetsFrom;
      results.push(result);
      ctx.log(`${benchmark.id}: ${verdict(result)}`);
      await benchmark
        .after?.(ctx)
        .catch((error: unknown) => console.error(`bench: after ${benchmark.id}:`, error));
    }
  } catch (error) {
    errors += 1;
    console.error('bench: failed:', error);
  } finally {
    await cleanUp();
    clearInterval(loadSampler);
  }
  if (wasInterrupted()) {
    console.error(`bench: interrupted; ${reportPath} left as it was. Logs in ${logDir}`);
    return 130;
  }

  const report = renderReport({
    command,
    startedAt,
    minutes: (Date.now() - startedAt.getTime()) / 60_000,
    ...(only ? { only: selected.map((benchmark) => benchmark.id) } : {}),
    ...(machine ? { machine } : {}),
    commit: source.commit,
    load: { atStart: loadAtStart, atEnd: loadAverage(), peak: loadPeak },
    berthRuns:
      "berth runs as its own process (`node --import tsx src/main.ts`; B10 also the compiled `node dist/main.js`), with `HOST=127.0.0.1`, `LOG_LEVEL=warn`, `BERTH_AUTH=off` and `BERTH_DATA_DIR` in the run's temporary directory (both ignored by a berth without authentication), against a private dockerd started by `test/harness/engine.ts` with a bridge of its own (`isolatedBridge`: `--bridge=<private bridge> --iptables=false`, so it runs beside another engine without touching `docker0`) and `--shutdown-timeout=2`; only loopback traffic.",
    results,
  });
  await writeFile(reportPath, report);
  console.log(`\n${consoleSummary(results)}\n\nbench: wrote ${reportPath}`);
  // README's figures come from a full run only; a partial run shows what they would be.
  if (only) {
    const preview = join(logDir, 'README-block.md');
    await writeFile(preview, readmeBlock(parseResults(report)));
    console.log(`bench: README.md's figures from this partial run (not written): ${preview}`);
  } else {
    console.log(`bench: ${await updateReadme()}`);
  }
  if (errors > 0) console.error(`bench: ${errors} benchmark(s) failed; berth's logs are in ${logDir}`);
  else if (only) console.log(`bench: berth's logs are in ${logDir}`);
  else await rm(logDir, { recursive: true, force: true });
  return errors === 0 ? 0 : 1;
}

// Exit outright: a benchmark that leaves a handle open (a client still draining its queue) must
// not keep a finished run waiting.
process.exit(await main());
