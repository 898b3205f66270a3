import { setTimeout as sleep } from 'node:timers/promises';
import { type BenchContext, waitUntil } from './lib/context.js';
import { BENCH_LABEL } from './lib/engine.js';
import type { Timed } from './lib/http.js';
import { overBy, type BenchmarkResult } from './lib/report.js';
import { ms, ratio, summarize } from './lib/stats.js';

/**
 * B1: listing 200 containers through berth (GraphQL and REST, answered from its index) against
 * Docker's own `GET /containers/json?all=1` on its socket.
 */

export const FLEET = 'fleet';
export const FLEET_SIZE = 200;
const WARM_UP = 20;
const ROUNDS = 100;
const TARGET = 0.5;

const LIST_QUERY = '{ containers { id name status cpu memory } }';

interface Side {
  name: string;
  request: () => Promise<Timed>;
  /** How many containers the answer lists: every side must list them all. */
  count: (body: string) => number;
}

/** Makes sure the fleet of B1 and B2 runs: creates (and starts) what is missing; returns the seconds it took. */
export async function ensureFleet(ctx: BenchContext): Promise<number> {
  const started = Date.now();
  const present = await ctx.engine.docker.listContainers({
    filters: { label: [`${BENCH_LABEL}=${FLEET}`], status: ['running'] },
  });
  if (present.length < FLEET_SIZE) {
    ctx.log(`starting ${FLEET_SIZE - present.length} containers`);
    await ctx.engine.startSleepers(FLEET_SIZE - present.length, FLEET);
  }
  return (Date.now() - started) / 1000;
}

export async function listBenchmark(ctx: BenchContext): Promise<BenchmarkResult> {
  // berth runs first, so that it learns of the fleet from the engine's events.
  const berth = await ctx.startBerth('b1');
  try {
    const fleetSeconds = await ensureFleet(ctx);
    const indexed = await waitUntil(
      `berth to list the ${FLEET_SIZE} containers`,
      async () => {
        const { containers } = await berth.graphql<{ containers: { id: string }[] }>(
          `{ containers(filter: { label: "${BENCH_LABEL}=${FLEET}", status: RUNNING }) { id } }`,
        );
        return containers.length === FLEET_SIZE ? containers.length : undefined;
      },
      60_000,
      200,
    );
    const { statsSource } = await berth.system();

    const sides: Side[] = [
      {
        name: 'Docker `GET /containers/json?all=1` (socket)',
        request: () => ctx.engine.raw.request('GET', '/containers/json?all=1'),
        count: (body) => (JSON.parse(body) as unknown[]).length,
      },
      {
        name: 'berth GraphQL `containers { id name status cpu memory }`',
        request: () => berth.http.request('POST', '/graphql', { query: LIST_QUERY }),
        count: (body) => {
          const parsed = JSON.parse(body) as { data?: { containers: unknown[] }; errors?: unknown };
          if (!parsed.data) throw new Error(`GraphQL errors: ${JSON.stringify(parsed.errors)}`);
          return parsed.data.containers.length;
        },
      },
      {
        name: 'berth REST `GET /containers`',
        request: () => berth.http.request('GET', '/containers'),
        count: (body) => (JSON.parse(body) as unknown[]).length,
      },
    ];

    // The first GraphQL list starts a collector for each running container (cpu, memory): let
    // them take their first samples, then warm every side up.
    for (const side of sides) await side.request();
    await sleep(2_500);
    for (let i = 0; i < WARM_UP; i += 1) for (const side of sides) await side.request();

    const times = sides.map(() => [] as number[]);
    const bytes = sides.map(() => 0);
    const counts = sides.map(() => 0);
    // Sequential, one request at a time, the three sides taking turns in a rotating order so that
    // a burst of load from elsewhere on the machine falls on all of them alike.
    for (let round = 0; round < ROUNDS; round += 1) {
      for (let k = 0; k < sides.length; k += 1) {
        const at = (round + k) % sides.length;
        const answer = await sides[at]!.request();
        if (answer.status !== 200)
          throw new Error(`${sides[at]!.name} answered ${answer.status}: ${answer.body.slice(0, 200)}`);
        times[at]!.push(answer.ms);
        bytes[at] = answer.body.length;
        counts[at] = sides[at]!.count(answer.body);
      }
    }
    const last = await berth.http.request('POST', '/graphql', { query: LIST_QUERY });
    const listed = (JSON.parse(last.body) as { data: { containers: { cpu: number | null }[] } }).data
      .containers;
    const withCpu = listed.filter((c) => c.cpu !== null).length;

    const summaries = times.map((values) => summarize(values));
    const docker = summaries[0]!;
    const checks = [1, 2].map((at) => {
      const value = summaries[at]!.p50 / docker.p50;
      return {
        name: `${at === 1 ? 'GraphQL' : 'REST'} p50 / Docker p50`,
        measured: `${ratio(value)} (${ms(summaries[at]!.p50)} vs ${ms(docker.p50)})`,
        target: `≤ ${TARGET}×`,
        pass: value <= TARGET,
        by: overBy(value, TARGET),
      };
    });

    return {
      id: 'B1',
      title: `list ${FLEET_SIZE} containers`,
      method: [
        `${FLEET_SIZE} containers running \`sleep 3600\`, created and started through dockerode 10 at a time (${fleetSeconds.toFixed(0)} s) while berth ran; berth's index, following the engine's events, then listed all ${indexed}.`,
        `berth's stats source: \`${statsSource}\` (auto-detected). The GraphQL list asks for \`cpu\` and \`memory\`, so it keeps a collector running for each of the ${FLEET_SIZE} containers, sampled once a second inside berth during the measurement: its cost is part of what is measured. ${withCpu} of ${listed.length} rows had a \`cpu\` figure in the last answer.`,
        `One \`node:http\` client with keep-alive for all three sides (Docker over its unix socket, berth over loopback TCP); time from sending the request to the last byte of the answer.`,
        `Warm-up: ${WARM_UP} requests each (after a first round and 2.5 s for the first samples). Then ${ROUNDS} rounds, each one request per side, sequential, in a rotating order.`,
        `Every answer was checked to list all containers (${counts.join(' / ')}).`,
      ],
      tables: [
        {
          headers: ['side', 'n', 'p50', 'p95', 'p99', 'max', 'answer size'],
          rows: sides.map((side, at) => {
            const s = summaries[at]!;
            return [
              side.name,
              String(s.n),
              ms(s.p50),
              ms(s.p95),
              ms(s.p99),
              ms(s.max),
              `${(bytes[at]! / 1024).toFixed(0)} KiB`,
            ];
          }),
        },
      ],
      checks,
      notes: checks.every((check) => check.pass)
        ? []
        : [
            `Why the miss: both of berth's sides answer from the same in-memory index, so their difference (${ms(summaries[1]!.p50 - summaries[2]!.p50)} at p50) is GraphQL's execution of ${FLEET_SIZE} rows of 5 fields against REST's plain JSON. What they share is Node's HTTP handling and the stats tick: every second berth reads the cgroup files of all ${FLEET_SIZE} containers synchronously (the \`cpu\` and \`memory\` fields keep their collectors running), and a request arriving then waits for it; that shows in the p95 and p99 more than in the p50. Docker's list took ${ms(docker.p50)} at p50 on this machine.`,
          ],
    };
  } finally {
    await berth.stop();
  }
}
