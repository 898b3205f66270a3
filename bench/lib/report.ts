import type { Machine } from './machine.js';

/** What each benchmark hands back, and how RESULTS.md and the console summary show it. */

export interface Check {
  /** What is compared, e.g. "GraphQL list p50 / Docker list p50". */
  name: string;
  measured: string;
  target: string;
  pass: boolean;
  /** For a miss: by how much (e.g. "2.4× over"). */
  by?: string;
}

export interface Table {
  headers: string[];
  rows: string[][];
}

export interface BenchmarkResult {
  id: string;
  title: string;
  /** How it was measured, one point a line. */
  method: string[];
  tables: Table[];
  checks: Check[];
  /** Observations, and for every miss the best explanation of why. */
  notes: string[];
  /** Set when the benchmark could not finish: its figures are missing, not missed. */
  error?: string;
  /** Filled in by the runner. */
  seconds?: number;
  /** Fraction of all cores busy (anyone's work) while it ran, 0..1. */
  machineBusy?: number;
  load?: LoadDuring;
  /** Where its targets come from ("issue 3"). */
  targetsFrom?: string;
}

/** The 1-minute load average (/proc/loadavg) while one benchmark ran. */
export interface LoadDuring {
  start: number;
  /** The highest value read (every few seconds, and at the start and the end). */
  peak: number;
  end: number;
}

/** "79% busy; load 0.52 → 1.20, at most 3.64": how loaded the machine was while `result` ran. */
export function machineWhile(result: BenchmarkResult): string {
  const parts: string[] = [];
  if (result.machineBusy !== undefined) parts.push(`CPU ${(result.machineBusy * 100).toFixed(0)}% busy`);
  if (result.load !== undefined)
    parts.push(
      `load ${result.load.start.toFixed(2)} → ${result.load.end.toFixed(2)}, at most ${result.load.peak.toFixed(2)}`,
    );
  return parts.length > 0 ? parts.join('; ') : 'not recorded';
}

/** "3.1× over the target" for a figure that must stay at or below `limit`. */
export function overBy(value: number, limit: number): string {
  return `${(value / limit).toFixed(2)}× the limit (+${(((value - limit) / limit) * 100).toFixed(0)}%)`;
}

export function renderTable(table: Table): string {
  const line = (cells: string[]) => `| ${cells.map((cell) => cell.replaceAll('|', '\\|')).join(' | ')} |`;
  return [line(table.headers), line(table.headers.map(() => '---')), ...table.rows.map(line)].join('\n');
}

export function verdict(result: BenchmarkResult): string {
  if (result.error !== undefined) return 'ERROR';
  return result.checks.every((check) => check.pass) ? 'PASS' : 'MISS';
}

export function renderResult(result: BenchmarkResult): string {
  const parts = [`## ${result.id} ${result.title}: ${verdict(result)}`, ''];
  if (result.seconds !== undefined) {
    const busy =
      result.machineBusy === undefined
        ? ''
        : `; the whole machine's CPU was ${(result.machineBusy * 100).toFixed(0)}% busy (all processes, the benchmark's own included, all cores)`;
    const load =
      result.load === undefined
        ? ''
        : `; load average (1 min) ${result.load.start.toFixed(2)} at the start, ${result.load.peak.toFixed(2)} at most, ${result.load.end.toFixed(2)} at the end`;
    const from = result.targetsFrom === undefined ? '' : ` Targets: ${result.targetsFrom}.`;
    parts.push(`_Took ${result.seconds.toFixed(0)} s${busy}${load}.${from}_`, '');
  }
  parts.push('How:', '', ...result.method.map((line) => `- ${line}`), '');
  for (const table of result.tables) parts.push(renderTable(table), '');
  parts.push(
    renderTable({
      headers: ['check', 'measured', 'target', 'result'],
      rows: result.checks.map((check) => [
        check.name,
        check.measured,
        check.target,
        check.pass ? 'PASS' : `**MISS** (${check.by ?? 'over'})`,
      ]),
    }),
    '',
  );
  if (result.notes.length > 0) parts.push(...result.notes.map((note) => `- ${note}`), '');
  return parts.join('\n');
}

export function consoleSummary(results: readonly BenchmarkResult[]): string {
  const lines: string[] = [];
  for (const result of results) {
    lines.push(`${result.id} ${result.title}: ${verdict(result)}`);
    for (const check of result.checks) {
      lines.push(
        `  ${check.pass ? 'PASS' : 'MISS'}  ${check.name}: ${check.measured} (target ${check.target})${check.pass ? '' : `, ${check.by ?? ''}`}`,
      );
    }
  }
  return lines.join('\n');
}

/** One run of the benchmark, everything RESULTS.md says. */
export interface RunReport {
  /** The command that made it, e.g. `npm run bench`. */
  command: string;
  startedAt: Date;
  minutes: number;
  /** The benchmarks a BENCH_ONLY run was limited to; undefined for a full run. */
  only?: readonly string[];
  machine?: Machine;
  commit: string;
  /** /proc/loadavg at the start and the end, and the highest 1-minute value seen. */
  load: { atStart: string; atEnd: string; peak: number };
  /** How berth runs, one line (process, settings, engine). */
  berthRuns: string;
  results: readonly BenchmarkResult[];
}

/** Above this 1-minute load average (at any time of the run) the report says the machine was shared. */
const QUIET_PEAK = 0.5;
const QUIET_START = 0.3;

/** RESULTS.md: the summary of every check, the machine and its load, then each benchmark's section. */
export function renderReport(run: RunReport): string {
  const startLoad = Number(run.load.atStart.split(' ')[0]);
  const shared = run.load.peak > QUIET_PEAK || startLoad > QUIET_START;
  const checks = run.results.flatMap((result) => result.checks);
  const passed = checks.filter((check) => check.pass).length;
  return [
    '# berth benchmark results',
    '',
    `Generated by \`${run.command}\` on ${run.startedAt.toISOString()}, in ${run.minutes.toFixed(1)} minutes. The same command regenerates this file (every section of it: nothing here is edited by hand), and README.md's figures from it. Each benchmark's section names the issue its targets come from.${run.only ? ` **Partial run: ${run.only.join(', ')} only.**` : ''}`,
    '',
    '## Summary',
    '',
    `${passed} of ${checks.length} checks pass.`,
    '',
    renderTable({
      headers: ['benchmark', 'check', 'measured', 'target', 'result'],
      rows: run.results.flatMap((result) =>
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
    "The machine while each ran (CPU: all processes, the benchmarks' own included, all cores; load: the 1-minute load average at the start, at the end and the highest read every 5 s):",
    '',
    renderTable({
      headers: ['benchmark', 'result', 'took', 'machine while it ran'],
      rows: run.results.map((result) => [
        `${result.id} ${result.title}`,
        verdict(result),
        result.seconds === undefined ? '' : `${result.seconds.toFixed(0)} s`,
        machineWhile(result),
      ]),
    }),
    '',
    '## Where',
    '',
    ...(run.machine
      ? [
          `- CPU: ${run.machine.cpu}, ${run.machine.cores} cores; memory ${run.machine.memory}`,
          `- Kernel: ${run.machine.kernel}; cgroups ${run.machine.cgroups}`,
          `- Node ${run.machine.node}; ${run.machine.engine}`,
        ]
      : ['- (the engine did not start; machine details missing)']),
    `- Commit: ${run.commit}`,
    `- Command: \`${run.command}\``,
    `- Load average (1, 5, 15 min, runnable/all, last pid) at start: \`${run.load.atStart}\`; at end: \`${run.load.atEnd}\`; highest 1-min value seen during the run: ${run.load.peak.toFixed(2)}.`,
    shared
      ? `- **Shared machine.** Other work ran on this machine at the same time, as the load average shows (above ${QUIET_PEAK} at some point). Latency figures carry that noise; CPU-time figures count only the measured processes' own time and are less affected. The table above and each benchmark's section say how busy the whole machine was while it ran.`
      : `- The machine was otherwise quiet (load average below ${QUIET_PEAK} throughout).`,
    `- ${run.berthRuns}`,
    '',
    ...run.results.map(renderResult),
  ].join('\n');
}
