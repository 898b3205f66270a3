import { execFile } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Client } from 'graphql-ws';
import { waitUntil, type BenchContext } from './lib/context.js';
import { BENCH_LABEL } from './lib/engine.js';
import { overBy, type BenchmarkResult } from './lib/report.js';
import { ms, ratio, summarize, median } from './lib/stats.js';

/**
 * B9 (issue 12): deploying a 10-service stack with a dependency chain and 3 replicas each, berth's
 * `deployStack` against `docker-compose up -d` (Debian's docker-compose 1.29) on the same file, both
 * on the benchmark's private engine, fresh each time, alternating.
 */

const COMPOSE_BIN = '/usr/bin/docker-compose';
const WARM_UP = 1;
const ROUNDS = 5;
const TARGET = 1.0;
const REPLICAS = 3;
/** Pause after a removal, so the engine's events of it are behind berth's index before the next deploy. */
const PAUSE_MS = 1_000;
const COMPOSE_TIMEOUT_MS = 300_000;

/** Levels of the dependency chain: each service depends (service_started) on one of the level before. */
const LEVELS = [['s0'], ['s1', 's2', 's3'], ['s4', 's5', 's6'], ['s7', 's8', 's9']] as const;
const DEPENDS_ON: Record<string, string> = {
  s1: 's0',
  s2: 's0',
  s3: 's0',
  s4: 's1',
  s5: 's1',
  s6: 's1',
  s7: 's4',
  s8: 's4',
  s9: 's4',
};
const SERVICES = LEVELS.flat();

export function composeFile(image: string): string {
  const lines = ['services:'];
  for (const service of SERVICES) {
    lines.push(
      `  ${service}:`,
      `    image: ${image}`,
      '    command: ["sleep", "3600"]',
      '    init: true',
      '    labels:',
      `      ${BENCH_LABEL}: b9`,
      '    deploy:',
      `      replicas: ${REPLICAS}`,
    );
    const dependency = DEPENDS_ON[service];
    if (dependency)
      lines.push('    depends_on:', `      ${dependency}:`, '        condition: service_started');
  }
  return `${lines.join('\n')}\n`;
}

const DEPLOY = `mutation($input: DeployStackInput!) {
  deployStack(input: $input) {
    __typename
    ... on DeployStackResult { ok applied outcomes { service outcome message } }
    ... on Error { code message }
  }
}`;

const REMOVE = `mutation($name: String!) {
  removeStack(name: $name, volumes: true) { __typename ... on Error { code message } }
}`;

type Side = 'berth' | 'compose';

interface Run {
  side: Side;
  ms: number;
  /** Removal (removeStack / docker-compose down), untimed for the ratio. */
  removeMs: number;
  /** Per service: its replicas' StartedAt, ms after the request was sent (wall clock, same host). */
  starts: Map<string, number[]>;
  /** berth only, from stackDeployProgress: per service, SERVICE_DONE ms after the request. */
  done: Map<string, number>;
  /** Dependents that started before a replica of their dependency had started. */
  orderViolations: number;
}

interface Exec {
  ms: number;
  stdout: string;
  stderr: string;
}

function run(file: string, args: string[], env: NodeJS.ProcessEnv): Promise<Exec> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    execFile(
      file,
      args,
      { env, timeout: COMPOSE_TIMEOUT_MS, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const elapsed = performance.now() - started;
        if (error) reject(new Error(`${file} ${args.join(' ')}: ${error.message}\n${stderr}`));
        else resolve({ ms: elapsed, stdout, stderr });
      },
    );
  });
}

export async function stackDeployBenchmark(ctx: BenchContext): Promise<BenchmarkResult> {
  const docker = ctx.engine.docker;
  const dir = join(ctx.logDir, 'b9');
  await mkdir(dir, { recursive: true });
  const file = join(dir, 'docker-compose.yml');
  const compose = composeFile(ctx.engine.image);
  await writeFile(file, compose);
  // Only what docker-compose needs: the private engine, nothing of the caller's COMPOSE_* settings.
  const composeEnv: NodeJS.ProcessEnv = {
    PATH: process.env['PATH'] ?? '/usr/bin:/bin',
    HOME: process.env['HOME'] ?? '/root',
    DOCKER_HOST: ctx.engine.dockerHost,
  };
  const composeVersion = (await run(COMPOSE_BIN, ['version', '--short'], composeEnv)).stdout.trim();

  const projectsMade = new Set<string>();
  const projectFilter = (name: string) => ({ label: [`com.docker.compose.project=${name}`] });
  const leftovers = async (name: string) => {
    const containers = await docker.listContainers({ all: true, filters: projectFilter(name) });
    const networks = await docker.listNetworks({ filters: projectFilter(name) });
    return { containers, networks };
  };
  const gone = (name: string) =>
    waitUntil(`stack ${name} gone from the engine`, async () => {
      const { containers, networks } = await leftovers(name);
      return containers.length === 0 && networks.length === 0 ? true : undefined;
    });

  const berth = await ctx.startBerth('b9');
  let ws: Client | undefined;
  try {
    ws = berth.wsClient();
    const client = ws;

    /** Reads the 30 containers' StartedAt and checks they run and started in dependency order. */
    const observe = async (name: string, t0: number) => {
      const listed = await docker.listContainers({ all: true, filters: projectFilter(name) });
      const starts = new Map<string, number[]>();
      for (const info of listed) {
        const inspected = await docker.getContainer(info.Id).inspect();
        if (!inspected.State.Running) throw new Error(`${name}: ${inspected.Name} is not running`);
        const service = inspected.Config.Labels['com.docker.compose.service'] ?? '?';
        const list = starts.get(service) ?? [];
        list.push(Date.parse(inspected.State.StartedAt) - t0);
        starts.set(service, list);
      }
      const count = [...starts.values()].reduce((sum, list) => sum + list.length, 0);
      if (count !== SERVICES.length * REPLICAS || SERVICES.some((s) => starts.get(s)?.length !== REPLICAS))
        throw new Error(
          `${name}: ${count} containers, expected ${REPLICAS} of each of ${SERVICES.length} services`,
        );
      let orderViolations = 0;
      for (const [dependent, dependency] of Object.entries(DEPENDS_ON)) {
        // service_started: a dependent's first replica starts after every replica of its dependency started.
        if (Math.min(...starts.get(dependent)!) < Math.max(...starts.get(dependency)!)) orderViolations += 1;
      }
      return { starts, orderViolations };
    };

    const viaBerth = async (name: string): Promise<Run> => {
      // Follow the deploy's steps (subscribe, take IDLE, then deploy: nothing is missed).
      const done = new Map<string, number>();
      let idle!: () => void;
      const ready = new Promise<void>((resolve) => (idle = resolve));
      let finished!: () => void;
      const ended = new Promise<void>((resolve) => (finished = resolve));
      let t0 = 0;
      const unsubscribe = client.subscribe<{
        stackDeployProgress: { step: string; service: string | null; at: string };
      }>(
        { query: `subscription { stackDeployProgress(name: "${name}") { step service at } }` },
        {
          next: ({ data }) => {
            const step = data?.stackDeployProgress;
            if (!step) return;
            if (step.step === 'IDLE') idle();
            if (step.step === 'SERVICE_DONE' && step.service)
              done.set(step.service, Date.parse(step.at) - t0);
          },
          error: () => finished(),
          complete: () => finished(),
        },
      );
      await Promise.race([
        ready,
        sleep(10_000).then(() => Promise.reject(new Error('no IDLE from stackDeployProgress'))),
      ]);
      projectsMade.add(name);
      t0 = Date.now();
      const timed = await berth.graphqlTimed<{
        deployStack: { __typename: string; ok?: boolean; outcomes?: unknown; message?: string };
      }>(DEPLOY, { input: { name, compose, timeoutSeconds: 120 } });
      const answer = timed.result.data?.deployStack;
      if (!answer || answer.__typename !== 'DeployStackResult' || !answer.ok)
        throw new Error(`deployStack ${name}: ${JSON.stringify(timed.result)}`);
      await Promise.race([ended, sleep(5_000)]);
      unsubscribe();
      const { starts, orderViolations } = await observe(name, t0);
      const removing = performance.now();
      const removed = await berth.graphql<{ removeStack: { __typename: string; message?: string } }>(REMOVE, {
        name,
      });
      const removeMs = performance.now() - removing;
      if (removed.removeStack.__typename !== 'Stack')
        throw new Error(`removeStack ${name}: ${JSON.stringify(removed.removeStack)}`);
      await gone(name);
      return { side: 'berth', ms: timed.ms, removeMs, starts, done, orderViolations };
    };

    const viaCompose = async (name: string): Promise<Run> => {
      projectsMade.add(name);
      const t0 = Date.now();
      const up = await run(COMPOSE_BIN, ['-p', name, '-f', file, 'up', '-d'], composeEnv);
      const { starts, orderViolations } = await observe(name, t0);
      const down = await run(COMPOSE_BIN, ['-p', name, '-f', file, 'down', '-v'], composeEnv);
      await gone(name);
      return { side: 'compose', ms: up.ms, removeMs: down.ms, starts, done: new Map(), orderViolations };
    };

    // The floor of any docker-compose call: Python starting and reading the file (untimed for the ratio).
    const composeFloor: number[] = [];
    for (let i = 0; i < 3; i += 1)
      composeFloor.push(
        (await run(COMPOSE_BIN, ['-p', 'b9-floor', '-f', file, 'config', '-q'], composeEnv)).ms,
      );
    // The floor of a GraphQL call over HTTP.
    const graphqlFloor: number[] = [];
    for (let i = 0; i < 3; i += 1) graphqlFloor.push((await berth.graphqlTimed('{ __typename }')).ms);

    const runs: Run[] = [];
    for (let round = 0; round < WARM_UP + ROUNDS; round += 1) {
      const order: Side[] = round % 2 === 0 ? ['berth', 'compose'] : ['compose', 'berth'];
      for (const side of order) {
        const name = `b9-${side}-${round}`;
        ctx.log(`B9 round ${round + 1}/${WARM_UP + ROUNDS}: ${side}`);
        const result = side === 'berth' ? await viaBerth(name) : await viaCompose(name);
        ctx.log(`B9   ${side} ${ms(result.ms)} (removal ${ms(result.removeMs)})`);
        if (round >= WARM_UP) runs.push(result);
        await sleep(PAUSE_MS);
      }
    }

    const of = (side: Side) => runs.filter((r) => r.side === side);
    const b = summarize(of('berth').map((r) => r.ms));
    const c = summarize(of('compose').map((r) => r.ms));
    const br = summarize(of('berth').map((r) => r.removeMs));
    const cr = summarize(of('compose').map((r) => r.removeMs));
    const value = b.p50 / c.p50;

    /** Per level: the first and last replica start, ms after the request (median over rounds). */
    const levelStarts = (side: Side) =>
      LEVELS.map((level) => {
        const firsts = of(side).map((r) => Math.min(...level.flatMap((s) => r.starts.get(s)!)));
        const lasts = of(side).map((r) => Math.max(...level.flatMap((s) => r.starts.get(s)!)));
        return { first: median(firsts), last: median(lasts) };
      });
    const berthLevels = levelStarts('berth');
    const composeLevels = levelStarts('compose');
    // berth's wait after each level's last replica started, until the level's last SERVICE_DONE:
    // the readiness (settle) wait that holds the next level back.
    const waits = LEVELS.map((level) =>
      median(
        of('berth').map((r) => {
          const lastStart = Math.max(...level.flatMap((s) => r.starts.get(s)!));
          const doneAt = Math.max(...level.map((s) => r.done.get(s) ?? Number.NaN));
          return doneAt - lastStart;
        }),
      ),
    );
    const waitedPerRun = of('berth').map((r) =>
      LEVELS.reduce((sum, level) => {
        const lastStart = Math.max(...level.flatMap((s) => r.starts.get(s)!));
        const doneAt = Math.max(...level.map((s) => r.done.get(s) ?? Number.NaN));
        return sum + Math.max(0, doneAt - lastStart);
      }, 0),
    );
    const waited = median(waitedPerRun);
    const withoutWait = median(of('berth').map((r, k) => r.ms - waitedPerRun[k]!));
    // If only the levels before the last stopped waiting (a service_started dependent going ahead
    // as soon as its dependency's replicas started) while the answer still waited for every replica
    // to be ready: the settle windows then overlap, and the last level's wait alone remains.
    const lastLevel = LEVELS[LEVELS.length - 1]!;
    const answerStillWaits = median(
      of('berth').map((r, k) => {
        const lastStart = Math.max(...lastLevel.flatMap((s) => r.starts.get(s)!));
        const doneAt = Math.max(...lastLevel.map((s) => r.done.get(s) ?? Number.NaN));
        return r.ms - (waitedPerRun[k]! - Math.max(0, doneAt - lastStart));
      }),
    );
    const violations = runs.reduce((sum, r) => sum + r.orderViolations, 0);

    return {
      id: 'B9',
      title: `stack deploy, ${SERVICES.length} services × ${REPLICAS} replicas in ${LEVELS.length} dependency levels`,
      method: [
        `One compose file: ${SERVICES.length} services s0..s9 of the test image, each \`command: ["sleep", "3600"]\`, \`init: true\`, \`deploy.replicas: ${REPLICAS}\`, no healthcheck, a label; \`depends_on\` with \`condition: service_started\`: ${Object.entries(
          DEPENDS_ON,
        )
          .map(([a, d]) => `${a}→${d}`)
          .join(
            ', ',
          )}. ${LEVELS.length} levels (${LEVELS.map((l) => l.join(' ')).join(' | ')}), a chain s0→s1→s4→s7 and several independent services per level. ${SERVICES.length * REPLICAS} containers and the project's default network per deploy.`,
        `berth: the GraphQL mutation \`deployStack(input: { name, compose, timeoutSeconds: 120 })\` over HTTP, timed from sending the request to the last byte of the answer (\`ok: true\` checked). A graphql-ws \`stackDeployProgress\` subscription follows each berth deploy (for the breakdown below). Compose: \`docker-compose -p NAME -f FILE up -d\` (${composeVersion}, Debian's, with \`DOCKER_HOST\` set to the private engine), timed from spawning the process to its exit (Python's start-up included, as a user waits for it).`,
        `Each deploy is a fresh project (\`b9-<side>-<round>\`) on an engine holding none; afterwards its ${SERVICES.length * REPLICAS} containers are inspected (untimed): all running, ${REPLICAS} per service, and their \`StartedAt\` read; then it is removed (\`removeStack(name, volumes: true)\` / \`docker-compose down -v\`) and the benchmark waits until no container or network of the project is left, then ${PAUSE_MS / 1000} s.`,
        `${WARM_UP} warm-up round, then ${ROUNDS} rounds of one deploy per side, the order alternating (percentiles are nearest-rank: of ${ROUNDS}, the p95 is the slowest).`,
      ],
      tables: [
        {
          headers: ['deploy (fresh)', 'n', 'p50', 'p95', 'min', 'max', 'removal p50'],
          rows: [
            [
              'berth `deployStack`',
              String(b.n),
              ms(b.p50),
              ms(b.p95),
              ms(Math.min(...of('berth').map((r) => r.ms))),
              ms(b.max),
              ms(br.p50),
            ],
            [
              '`docker-compose up -d`',
              String(c.n),
              ms(c.p50),
              ms(c.p95),
              ms(Math.min(...of('compose').map((r) => r.ms))),
              ms(c.max),
              ms(cr.p50),
            ],
          ],
        },
        {
          headers: [
            'level',
            'services',
            'berth: first / last replica started',
            'berth: level done (last SERVICE_DONE) after its last start',
            'compose: first / last replica started',
          ],
          rows: LEVELS.map((level, k) => [
            String(k),
            level.join(' '),
            `${ms(berthLevels[k]!.first)} / ${ms(berthLevels[k]!.last)}`,
            ms(waits[k]!),
            `${ms(composeLevels[k]!.first)} / ${ms(composeLevels[k]!.last)}`,
          ]),
        },
      ],
      checks: [
        {
          name: 'berth deployStack p50 / docker-compose up -d p50',
          measured: `${ratio(value)} (${ms(b.p50)} vs ${ms(c.p50)}); p95 ${ratio(b.p95 / c.p95)}`,
          target: `≤ ${TARGET}×`,
          pass: value <= TARGET,
          ...(value > TARGET && { by: overBy(value, TARGET) }),
        },
        {
          name: 'dependents started after every replica of their dependency (violations)',
          measured: `${violations} in ${runs.length} deploys`,
          target: '0',
          pass: violations === 0,
        },
      ],
      notes: [
        `Level times are medians over the rounds of each replica's \`StartedAt\` (the engine's clock, same host) after the request was sent. Floors, untimed for the ratio: a docker-compose call that only reads the file (\`config -q\`) takes ${ms(median(composeFloor))}; a GraphQL call over HTTP to berth ${ms(median(graphqlFloor))} (medians of 3).`,
        `berth waits, after each level's last replica started, ${waits.map((w) => ms(w)).join(', ')} (levels 0-${LEVELS.length - 1}, medians) before the level counts as done and the next one begins: ${ms(waited)} per deploy in all (median), of its ${ms(b.p50)}. Estimates from these figures, not measurements: without any of those waits berth would take about ${ms(withoutWait)} (its time minus the waits, median), ${ratio(withoutWait / c.p50)} compose's; if the levels went ahead as soon as their dependencies' replicas started (what \`service_started\` asks) but the answer still waited until every replica is ready, about ${ms(answerStillWaits)}, ${ratio(answerStillWaits / c.p50)} compose's.`,
        `Removal is not part of the target: \`removeStack\` took ${ms(br.p50)} (p50, max ${ms(br.max)}) against \`docker-compose down -v\`'s ${ms(cr.p50)} (max ${ms(cr.max)}); berth stops and removes the ${SERVICES.length * REPLICAS} containers one after another, where docker-compose stops them in parallel.`,
        ...(value > TARGET
          ? [
              `Why the miss: berth deploys level by level and a level is done only when every new replica of every service in it is ready. Without a healthcheck, "ready" is running for the settle time (3 s, \`StackService\`'s default, not configurable from the environment), so each of the ${LEVELS.length} levels costs at least 3 s after its last replica started, even though every dependency here is \`service_started\`, which holds the moment a replica started, and the last level's wait only delays the answer. docker-compose 1.29 waits for nothing after a start: a dependent is created as soon as its dependency's containers started, and \`up -d\` returns when the last container started. berth also waits for a whole level, not for the one service a dependent needs (s4 waits for s2 and s3 too), where compose schedules each service after its own dependencies.`,
            ]
          : []),
      ],
    };
  } finally {
    await ws?.dispose();
    // Whatever a failed round left: berth's stacks, then compose's projects, then anything labelled.
    for (const name of projectsMade) {
      const { containers, networks } = await leftovers(name).catch(() => ({ containers: [], networks: [] }));
      if (containers.length === 0 && networks.length === 0) continue;
      if (name.startsWith('b9-berth-')) await berth.graphql(REMOVE, { name }).catch(() => undefined);
      else await run(COMPOSE_BIN, ['-p', name, '-f', file, 'down', '-v'], composeEnv).catch(() => undefined);
      const left = await leftovers(name).catch(() => ({ containers: [], networks: [] }));
      for (const info of left.containers)
        await docker
          .getContainer(info.Id)
          .remove({ force: true })
          .catch(() => undefined);
      for (const info of left.networks)
        await docker
          .getNetwork(info.Id)
          .remove()
          .catch(() => undefined);
    }
    await berth.stop();
    await ctx.engine.removeLabelled('b9');
  }
}
