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
  machineBusy?: number;
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
        : `; the whole machine's CPU was ${(result.machineBusy * 100).toFixed(0)}% busy (all processes, the benchmark's own included, both cores)`;
    parts.push(`_Took ${result.seconds.toFixed(0)} s${busy}._`, '');
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
