/**
 * `npm run bench`: starts a private Docker engine, runs berth as a child process against it, and
 * measures the performance targets of issue 3 (B1-B5), issue 4 (B6), issue 6 (B7), issue 12 (B9), issue 13 (B10) and issue 15 (B11), each against its
 * baseline in the same run, and costs that unit tests no longer time (B8).
 * Writes bench/RESULTS.md and prints a summary. Everything it starts is stopped at the end, on
 * failure and on Ctrl-C too.
 *
 * BENCH_BERTH_REF=HEAD (any git ref) measures a clean export of that commit instead of the working
 * tree, for when the working tree is being edited meanwhile.
 *
 * BENCH_ONLY=B1,B3 runs a subset (for working on one benchmark); a subset writes its report to
 * RESULTS.partial.md in the run's log directory under /tmp, never over bench/RESULTS.md.
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
import { consoleSummary, renderResult, renderTable, verdict, type BenchmarkResult } from './lib/report.js';

interface Benchmark {
  id: string;
  title: string;
  run: (ctx: BenchContext) => Promise<BenchmarkResult>;
  /** Run before the next benchmark: what it leaves behind that later ones do not want. */
  after?: (ctx: BenchContext) => Promise<unknown>;
}

// B1, B7 and B2 share the 200-container fleet, removed after B2. B4 restarts the engine: it runs last.
const BENCHMARKS: Benchmark[] = [
  { id: 'B1', title: 'list', run: listBenchmark },
  { id: 'B7', title: 'dashboard', run: dashboardBenchmark },
  {
    id: 'B2',
    title: 'stats cost',
    run: statsCostBenchmark,
    after: (ctx) => ctx.engine.removeLabelled('fleet'),
  },
  { id: 'B3', title: 'fan-out', run: fanoutBenchmark },
  { id: 'B5', title: 'create overhead', run: createBenchmark },
  { id: 'B6', title: 'logs', run: logsBenchmark },
  { id: 'B8', title: 'in-process costs', run: inProcessBenchmark },
  { id: 'B9', title: 'stack deploy', run: stackDeployBenchmark },
  { id: 'B10', title: 'start-up and idle memory', run: startupBenchmark },
  { id: 'B11', title: 'several hosts', run: hostsBenchmark },
  { id: 'B4', title: 'staleness', run: stalenessBenchmark },
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

async function main(): Promise<number> {
  cleanUpOnSignals();
  const startedAt = new Date();
  const loadAtStart = loadAverage();
  let loadPeak = Number(loadAtStart.split(' ')[0]);
  const loadSampler = setInterval(
    () => (loadPeak = Math.max(loadPeak, Number(loadAverage().split(' ')[0]))),
    5_000,
  ).unref();

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
      let result: BenchmarkResult;
      try {
        result = await benchmark.run(ctx);
      } catch (error) {
        errors += 1;
        console.error(`bench: ${benchmark.id} failed:`, error);
        result = failed(benchmark, error);
      }
      result.seconds = (Date.now() - began) / 1000;
      result.machineBusy = utilization(cpuBefore, machineCpu());
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
  const loadAtEnd = loadAverage();
  const minutes = (Date.now() - startedAt.getTime()) / 60_000;

  const shared = loadPeak > 0.5 || Number(loadAtStart.split(' ')[0]) > 0.3;
  const report = [
    '# berth benchmark results',
    '',
    `Generated by \`${command}\` on ${startedAt.toISOString()}, in ${minutes.toFixed(1)} minutes. The same command regenerates this file. Targets: issue 3, "Performance: a benchmark, not a timed test" (B1-B5), issue 4, "Bad input and scale" (B6), issue 6, the dashboard "usable with 200 containers" (B7), issue 12, a stack deploy against \`docker-compose up -d\` (B9), and issue 15, one berth across three engines (B11).${only ? ` **Partial run: ${selected.map((b) => b.id).join(', ')} only.**` : ''}`,
    '',
    '## Summary',
    '',
    renderTable({
      headers: ['benchmark', 'check', 'measured', 'target', 'result'],
      rows: results.flatMap((result) =>
        result.checks.map((check) => [
          `${result.id} ${result.title}`,
          check.name,
          check.measured,
          check.target,
          check.pass ? 'PASS' : `**MISS** (${check.by ?? ''})`,
        ]),
      ),
    }),
    '',
    '## Where',
    '',
    ...(machine
      ? [
          `- CPU: ${machine.cpu}, ${machine.cores} cores; memory ${machine.memory}`,
          `- Kernel: ${machine.kernel}; cgroups ${machine.cgroups}`,
          `- Node ${machine.node}; ${machine.engine}`,
        ]
      : ['- (the engine did not start; machine details missing)']),
    `- Commit: ${source.commit}`,
    `- Command: \`${command}\``,
    `- Load average (1, 5, 15 min, runnable/all, last pid) at start: \`${loadAtStart}\`; at end: \`${loadAtEnd}\`; highest 1-min value seen during the run: ${loadPeak.toFixed(2)}.`,
    shared
      ? "- **Shared machine.** Other work (other engineers' test runs, another Docker engine) ran on this 2-core machine at the same time, as the load average shows. Latency figures (B1, B3 lag, B4, B5) carry that noise; CPU-time figures (B2, B3 CPU per message) count only the measured processes' own time and are less affected. Each benchmark below notes how busy the whole machine was while it ran."
      : '- The machine was otherwise quiet (load average below 0.5 throughout).',
    "- berth runs as its own process (`node --import tsx src/main.ts`, `HOST=127.0.0.1`, `LOG_LEVEL=warn`, `BERTH_AUTH=off` and `BERTH_DATA_DIR` in the run's temporary directory, both ignored by a berth without authentication) against a private dockerd started by `test/harness/engine.ts` with a bridge of its own (`isolatedBridge`: `--bridge=<private bridge> --iptables=false`, so it runs beside another engine without touching `docker0`) and `--shutdown-timeout=2`; only loopback traffic.",
    '',
    ...results.map(renderResult),
  ].join('\n');
  await writeFile(reportPath, report);
  console.log(`\n${consoleSummary(results)}\n\nbench: wrote ${reportPath}`);
  if (errors > 0) console.error(`bench: ${errors} benchmark(s) failed; berth's logs are in ${logDir}`);
  else if (only) console.log(`bench: berth's logs are in ${logDir}`);
  else await rm(logDir, { recursive: true, force: true });
  return errors === 0 ? 0 : 1;
}

// Exit outright: a benchmark that leaves a handle open (a client still draining its queue) must
// not keep a finished run waiting.
process.exit(await main());
