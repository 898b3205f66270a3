import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import {
  BEGIN,
  blockOf,
  END,
  parseResults,
  readmeBlock,
  replaceBlock,
} from '../../bench/lib/readme-figures.js';
import { renderReport, type BenchmarkResult, type RunReport } from '../../bench/lib/report.js';

/** A run of two benchmarks as the runner hands it to the report: one passes, one misses a check. */
function run(): RunReport {
  const results: BenchmarkResult[] = [
    {
      id: 'B1',
      title: 'list 200 containers',
      method: ['one client'],
      tables: [{ headers: ['side', 'p50'], rows: [['Docker', '23.3 ms']] }],
      checks: [
        { name: 'GraphQL p50 / Docker p50', measured: '0.314×', target: '≤ 0.5×', pass: true },
        { name: 'REST p50 / Docker p50', measured: '0.108×', target: '≤ 0.5×', pass: true },
      ],
      notes: [],
      seconds: 41,
      machineBusy: 0.79,
      load: { start: 0.52, peak: 3.64, end: 1.2 },
      targetsFrom: 'issue 3',
    },
    {
      id: 'B3',
      title: 'fan-out',
      method: ['clients in child processes'],
      tables: [],
      checks: [
        { name: 'collectors', measured: '1', target: 'exactly 1', pass: true },
        // A pipe in a cell is escaped in the table and must come back whole.
        {
          name: 'lag p99 | sample to client',
          measured: '76.0 ms',
          target: '≤ 50 ms',
          pass: false,
          by: '1.52×',
        },
      ],
      notes: ['why it missed'],
      seconds: 120,
      machineBusy: 0.5,
      load: { start: 1, peak: 2, end: 1.5 },
      targetsFrom: 'issue 16, item 2',
    },
  ];
  return {
    command: 'npm run bench',
    startedAt: new Date('2026-12-05T07:00:00Z'),
    minutes: 14.8,
    machine: {
      cpu: 'Xeon',
      cores: 2,
      memory: '23.5 GiB',
      kernel: 'Linux 6.18',
      node: 'v20.20.2',
      engine: 'dockerd 20.10',
      cgroups: 'v1, cgroupfs driver',
    },
    commit: 'abc1234, the working tree (clean)',
    load: { atStart: '0.05 0.82 1.29 5/114 22136', atEnd: '1.97 1.68 1.46 2/117 2753', peak: 3.64 },
    berthRuns: 'berth runs as its own process.',
    results,
  };
}

describe('benchmark report and README figures', () => {
  it('RESULTS.md gives each benchmark the load of the machine while it ran, in its section and in the summary', () => {
    const report = renderReport(run());
    expect(report).toContain(
      "_Took 41 s; the whole machine's CPU was 79% busy (all processes, the benchmark's own included, all cores); load average (1 min) 0.52 at the start, 3.64 at most, 1.20 at the end. Targets: issue 3._",
    );
    expect(report).toContain(
      '| B1 list 200 containers | PASS | 41 s | CPU 79% busy; load 0.52 → 1.20, at most 3.64 |',
    );
    expect(report).toContain('| B3 fan-out | MISS | 120 s | CPU 50% busy; load 1.00 → 1.50, at most 2.00 |');
    expect(report).toContain('3 of 4 checks pass.');
    expect(report).toContain('**Shared machine.**');
    expect(report).not.toContain('Partial run');
  });

  it('reads back from RESULTS.md what the runner wrote: the run, each verdict, each check', () => {
    const parsed = parseResults(renderReport(run()));
    expect(parsed).toEqual({
      command: 'npm run bench',
      generatedAt: '2026-12-05T07:00:00.000Z',
      commit: 'abc1234',
      cores: 2,
      peakLoad: 3.64,
      benchmarks: [
        {
          id: 'B1',
          title: 'list 200 containers',
          verdict: 'PASS',
          checks: [
            { name: 'GraphQL p50 / Docker p50', measured: '0.314×', target: '≤ 0.5×', pass: true },
            { name: 'REST p50 / Docker p50', measured: '0.108×', target: '≤ 0.5×', pass: true },
          ],
        },
        {
          id: 'B3',
          title: 'fan-out',
          verdict: 'MISS',
          checks: [
            { name: 'collectors', measured: '1', target: 'exactly 1', pass: true },
            { name: 'lag p99 | sample to client', measured: '76.0 ms', target: '≤ 50 ms', pass: false },
          ],
        },
      ],
    });
  });

  it("README's block shows each benchmark's first miss, else its first check, and the count of passes", () => {
    const block = readmeBlock(parseResults(renderReport(run())));
    expect(block.startsWith(BEGIN)).toBe(true);
    expect(block.endsWith(END)).toBe(true);
    expect(block).toContain('**3 of 4 checks pass**');
    expect(block).toContain('`npm run bench` at abc1234 on 2026-12-05 (2 cores, load average up to 3.64)');
    expect(block).toContain(
      '- **B1** list 200 containers: PASS — GraphQL p50 / Docker p50: 0.314×; target ≤ 0.5×',
    );
    expect(block).toContain('- **B3** fan-out: MISS — lag p99 | sample to client: 76.0 ms; target ≤ 50 ms');
  });

  it('rewrites only what lies between the markers, and refuses a README without them', () => {
    const readme = `# berth\n\nbefore\n\n${BEGIN}\nold figures\n${END}\n\nafter\n`;
    expect(replaceBlock(readme, `${BEGIN}\nnew\n${END}`)).toBe(
      `# berth\n\nbefore\n\n${BEGIN}\nnew\n${END}\n\nafter\n`,
    );
    expect(() => blockOf('# berth\n')).toThrow(/no <!-- bench:begin -->/);
  });

  it("README.md's performance figures are what bench/RESULTS.md says (run `npm run bench:readme`)", async () => {
    const [readme, results] = await Promise.all([
      readFile(new URL('../../README.md', import.meta.url), 'utf8'),
      readFile(new URL('../../bench/RESULTS.md', import.meta.url), 'utf8'),
    ]);
    expect(blockOf(readme)).toBe(readmeBlock(parseResults(results)));
  });
});
