/**
 * By hand, not in `npm run bench`: where berth's time goes while it samples 200 running containers
 * in its default configuration (history, metrics and alerts on, no subscriber). Starts a private
 * engine with 200 `sleep` containers, berth under `node --cpu-prof`, waits for every container to
 * be sampled, measures berth's CPU (user and system) for PROFILE_S seconds, stops berth (which
 * writes the profile) and sums the profile's samples by what berth was doing: each sample goes to
 * the innermost of berth's own frames on its stack (so `readFileSync` called by the cgroup reader
 * counts as cgroup reads), by file.
 *
 *   npx tsx bench/sampling-profile.ts            # PROFILE_S=60 PROFILE_RULES=3 to change
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { cleanUp, cleanUpOnSignals } from './lib/cleanup.js';
import { BerthProcess } from './lib/berth.js';
import { benchContext, waitUntil } from './lib/context.js';
import { BenchEngine, BENCH_LABEL } from './lib/engine.js';
import { REPO_ROOT } from './lib/source.js';

const CONTAINERS = 200;
const SECONDS = Number(process.env['PROFILE_S'] ?? 60);
const RULES = Number(process.env['PROFILE_RULES'] ?? 0);
/** PROFILE_PERF=1: `perf record -g` of berth instead of V8's profile (kernel time included, by function). */
const PERF = process.env['PROFILE_PERF'] === '1';
/** PROFILE_PLAIN=1: no profiler at all, berth's CPU from /proc alone (a profiler costs berth CPU of its own). */
const PLAIN = process.env['PROFILE_PLAIN'] === '1';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  startTime: number;
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** What a berth source file does, for the summary. */
function area(url: string): string {
  const path = url.replace(/^file:\/\//, '');
  const at = path.indexOf('/src/');
  if (at < 0) return 'other';
  const file = path.slice(at + 1);
  if (file.startsWith('src/engine/cgroup')) return 'cgroup reads (src/engine/cgroup*.ts)';
  if (file.startsWith('src/domain/history/')) return 'history writes (src/domain/history)';
  if (file.startsWith('src/domain/alerts/')) return 'alert evaluation (src/domain/alerts)';
  if (file.startsWith('src/api/metrics/')) return 'metrics (src/api/metrics)';
  if (file.startsWith('src/domain/stats/')) return 'stats hub and watch (src/domain/stats)';
  return file;
}

/** CLOCK_MONOTONIC in µs: the clock V8 stamps profile samples with, the same in every process. */
const monotonicUs = () => Number(process.hrtime.bigint() / 1000n);

/** Sums the samples taken between `fromUs` and `toUs` (monotonic), by area. */
function summarize(
  profile: Profile,
  fromUs: number,
  toUs: number,
): { total: number; rows: [string, number][] } {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const owner = new Map<number, string>();
  const ownerOf = (id: number): string => {
    const known = owner.get(id);
    if (known !== undefined) return known;
    const node = byId.get(id)!;
    const name = node.callFrame.functionName;
    let result: string;
    if (name === '(idle)') result = '(idle)';
    else if (name === '(garbage collector)') result = 'garbage collection';
    else if (name === '(program)') result = '(program: V8 and libuv outside JS)';
    else if (node.callFrame.url.includes('/src/') && !node.callFrame.url.includes('node_modules'))
      result = area(node.callFrame.url);
    else {
      const up = parent.get(id);
      result = up === undefined ? 'outside berth (node, libraries)' : ownerOf(up);
      if (result === '(root)') result = 'outside berth (node, libraries)';
    }
    owner.set(id, result);
    return result;
  };
  const totals = new Map<string, number>();
  let total = 0;
  let at = profile.startTime;
  profile.samples.forEach((id, i) => {
    const us = profile.timeDeltas[i] ?? 0;
    at += us;
    if (at < fromUs || at > toUs) return;
    const key = ownerOf(id);
    totals.set(key, (totals.get(key) ?? 0) + us);
    if (key !== '(idle)') total += us;
  });
  return { total, rows: [...totals].sort((a, b) => b[1] - a[1]) };
}

async function main(): Promise<void> {
  cleanUpOnSignals();
  const logDir = await mkdtemp(join(tmpdir(), 'berth-sampling-profile-'));
  const engine = await BenchEngine.start();
  const ctx0 = benchContext(engine, logDir, REPO_ROOT);
  // PROFILE_ROOT: other checkouts' berths, comma-separated (e.g. main's then this one, for a before/after).
  const roots = (process.env['PROFILE_ROOT'] ?? REPO_ROOT).split(',');
  ctx0.log(`starting ${CONTAINERS} containers`);
  await engine.startSleepers(CONTAINERS, 'profile');
  for (const [n, root] of roots.entries()) await profileOne(engine, logDir, n, root);
}

async function profileOne(engine: BenchEngine, logDir: string, n: number, root: string): Promise<void> {
  const profileDir = join(logDir, `profile-${n}`);
  const berth = await BerthProcess.start({
    dockerHost: engine.dockerHost,
    statsSource: 'auto',
    logDir,
    name: `profile-${n}`,
    root,
    nodeArgs: PERF || PLAIN ? [] : ['--cpu-prof', `--cpu-prof-dir=${profileDir}`],
  });
  await waitUntil(
    `berth to sample ${CONTAINERS} containers`,
    async () => ((await berth.system()).statsCollectors >= CONTAINERS ? true : undefined),
    60_000,
  );
  for (let i = 0; i < RULES; i += 1) {
    await berth.graphql(
      `mutation($input: AlertRuleInput!) { createAlertRule(input: $input) { __typename } }`,
      {
        input: {
          name: `profile ${i}`,
          kind: i % 2 === 0 ? 'CPU_ABOVE' : 'MEMORY_ABOVE',
          thresholdPercent: 90,
          scope: { label: `${BENCH_LABEL}=profile` },
        },
      },
    );
  }
  await sleep(5_000);
  const before = berth.cpuTimes();
  const fromUs = monotonicUs();
  if (PERF) {
    // The kernel's side too: which kernel functions berth's reads spend their time in.
    const data = join(logDir, `perf-${n}.data`);
    spawnSync('perf', ['record', '-g', '-o', data, '-p', String(berth.pid), '--', 'sleep', String(SECONDS)], {
      stdio: 'ignore',
    });
    console.log(`perf data of ${root}: ${data}`);
  } else {
    await sleep(SECONDS * 1000);
  }
  const toUs = monotonicUs();
  const after = berth.cpuTimes();
  await berth.stop();
  const user = (after.user - before.user) / SECONDS;
  const system = (after.system - before.system) / SECONDS;
  const pct = (fraction: number) => `${(fraction * 100).toFixed(2)}%`;
  if (PERF || PLAIN) {
    console.log(
      `${root}: berth's CPU over ${SECONDS} s, user ${pct(user)}, system ${pct(system)} of a core (from /proc${PERF ? ', under perf' : ''})`,
    );
    return;
  }
  const file = readdirSync(profileDir).find((name) => name.endsWith('.cpuprofile'));
  if (!file) throw new Error(`no profile in ${profileDir}`);
  const { total, rows } = summarize(
    JSON.parse(readFileSync(join(profileDir, file), 'utf8')) as Profile,
    fromUs,
    toUs,
  );
  console.log(
    `${root}: berth's CPU over ${SECONDS} s, ${CONTAINERS} containers, ${RULES} alert rules: user ${pct(user)}, system ${pct(system)} of a core (from /proc)`,
  );
  console.log(
    `profile (${join(profileDir, file)}), the same ${SECONDS} s, busy time by what berth was doing (total ${(total / 1000).toFixed(0)} ms):`,
  );
  for (const [key, us] of rows) {
    if (key === '(idle)') continue;
    console.log(
      `  ${((us / total) * 100).toFixed(1).padStart(5)}%  ${(us / 1000).toFixed(0).padStart(7)} ms  ${key}`,
    );
  }
}

main()
  .catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  })
  .finally(() => cleanUp());
