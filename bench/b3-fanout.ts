import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import type { FanoutMessage } from './fanout-client.js';
import { benchBerthEnv } from './lib/berth.js';
import { onCleanUp } from './lib/cleanup.js';
import { type BenchContext, waitUntil } from './lib/context.js';
import { overBy, type BenchmarkResult } from './lib/report.js';
import { mib, ms, summarize } from './lib/stats.js';

/**
 * B3: one container, a thousand WebSocket subscribers of its stats. One upstream collector must
 * serve them all, quickly and cheaply.
 */

const SOCKETS = 1_000;
const CLIENT_PROCESSES = 4;
const WARM_UP_S = 5;
const WINDOW_S = 30;
const LAG_TARGET_MS = 50;
const CPU_TARGET_US = 50;
const RSS_TARGET = 100 * 1024 * 1024;
const EXECUTION_ONLY_S = 10;
/** What each subscriber asks for (the fields a dashboard shows). */
const QUERY =
  'subscription($id: String!) { containerStats(id: $id) { containerId at cpuPercent memoryUsageBytes } }';

class ClientProcess {
  readonly #child: ChildProcess;
  readonly #inbox: FanoutMessage[] = [];
  #waiter: (() => void) | undefined;
  readonly #unregister: () => void;
  #exited = false;

  constructor(wsUrl: string, containerId: string, sockets: number) {
    this.#child = fork(
      fileURLToPath(new URL('./fanout-client.ts', import.meta.url)),
      [wsUrl, containerId, String(sockets), QUERY],
      {
        execArgv: ['--import', 'tsx'],
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      },
    );
    this.#child.on('message', (message: FanoutMessage) => {
      this.#inbox.push(message);
      this.#waiter?.();
    });
    this.#child.once('exit', () => {
      this.#exited = true;
      this.#waiter?.();
    });
    this.#unregister = onCleanUp(`a B3 client process (pid ${String(this.#child.pid)})`, () => this.#kill());
  }

  get pid(): number {
    return this.#child.pid ?? -1;
  }

  async next<T extends FanoutMessage['type']>(
    type: T,
    timeoutMs: number,
  ): Promise<Extract<FanoutMessage, { type: T }>> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const message = this.#inbox.shift();
      if (message?.type === 'failed') throw new Error(`B3 client: ${message.error}`);
      if (message?.type === type) return message as Extract<FanoutMessage, { type: T }>;
      if (message) continue;
      if (this.#exited) throw new Error('a B3 client process exited');
      if (Date.now() > deadline) throw new Error(`no '${type}' from a B3 client within ${timeoutMs} ms`);
      await Promise.race([new Promise<void>((resolve) => (this.#waiter = resolve)), sleep(250)]);
      this.#waiter = undefined;
    }
  }

  send(command: 'start' | 'stop' | 'close'): void {
    if (!this.#exited) this.#child.send(command);
  }

  async close(): Promise<void> {
    this.send('close');
    const deadline = Date.now() + 15_000;
    while (!this.#exited && Date.now() < deadline) await sleep(50);
    await this.#kill();
    this.#unregister();
  }

  async #kill(): Promise<void> {
    if (this.#exited) return;
    this.#child.kill('SIGKILL');
    while (!this.#exited) await sleep(20);
  }
}

/** What berth's GraphQL execution alone costs for the same fan-out, without sockets or clients. */
interface ExecutionOnly {
  cpuPerMessageUs: number;
  firstMs: number;
  lastMs: number;
  messages: number;
}

/**
 * The same subscriptions executed in this process against berth's own schema and services
 * (graphql-js \`subscribe\`, one JSON.stringify per result as graphql-ws does), with no WebSocket:
 * splits B3's figures into execution and transport. berth's app is loaded only here.
 */
async function executionOnly(
  berthRoot: string,
  dataDir: string,
  dockerHost: string,
  containerId: string,
  subscribers: number,
  seconds: number,
): Promise<ExecutionOnly> {
  // From the berth under test (the working tree, or an export of a commit), typed as the working tree's.
  const load = <T>(path: string) => import(pathToFileURL(join(berthRoot, path)).href) as Promise<T>;
  const [{ parse, subscribe }, { createLogger }, { buildApp }, { loadConfig }, { schema }] =
    await Promise.all([
      import('graphql'),
      import('graphql-yoga'),
      load<typeof import('../src/app.js')>('src/app.ts'),
      load<typeof import('../src/platform/config.js')>('src/platform/config.ts'),
      load<typeof import('../src/api/graphql/index.js')>('src/api/graphql/index.ts'),
    ]);
  const app = buildApp(
    loadConfig({ DOCKER_HOST: dockerHost, HOST: '127.0.0.1', PORT: '0', ...benchBerthEnv(dataDir) }),
    {
      logger: createLogger('error'),
    },
  );
  await app.start();
  const iterators: AsyncIterator<unknown>[] = [];
  try {
    await app.index.whenSynced();
    const document = parse(QUERY);
    const ticks = new Map<number, { first: number; last: number; count: number }>();
    let counting = false;
    for (let i = 0; i < subscribers; i += 1) {
      const iterator = (await subscribe({
        schema,
        document,
        variableValues: { id: containerId },
        contextValue: app.context,
      })) as AsyncIterableIterator<{
        data?: { containerStats: { at: Date } };
      }>;
      iterators.push(iterator);
      void (async () => {
        for await (const result of iterator) {
          const now = Date.now();
          JSON.stringify({ type: 'next', id: String(i), payload: result });
          const at = result.data ? new Date(result.data.containerStats.at).getTime() : Number.NaN;
          if (!counting || Number.isNaN(at)) continue;
          const tick = ticks.get(at) ?? { first: Number.POSITIVE_INFINITY, last: 0, count: 0 };
          tick.first = Math.min(tick.first, now - at);
          tick.last = Math.max(tick.last, now - at);
          tick.count += 1;
          ticks.set(at, tick);
        }
      })();
    }
    await sleep(3_000);
    counting = true;
    const cpu = process.cpuUsage();
    await sleep(seconds * 1000);
    const used = process.cpuUsage(cpu);
    counting = false;
    const all = [...ticks.values()];
    const messages = all.reduce((sum, tick) => sum + tick.count, 0);
    return {
      cpuPerMessageUs: (used.user + used.system) / messages,
      firstMs: summarize(all.map((tick) => tick.first)).p50,
      lastMs: summarize(all.map((tick) => tick.last)).p50,
      messages,
    };
  } finally {
    await Promise.all(iterators.map((iterator) => iterator.return?.()));
    await app.stop();
  }
}

export async function fanoutBenchmark(ctx: BenchContext): Promise<BenchmarkResult> {
  const [containerId] = await ctx.engine.startSleepers(1, 'fanout');
  if (!containerId) throw new Error('no container');
  // Sampling only what is watched, so the release after the last subscriber can be seen (by
  // default berth keeps every running container sampled for history, metrics and alerts).
  const berth = await ctx.startBerth('b3', 'auto', { BERTH_STATS_SAMPLE: 'watched' });
  const clients: ClientProcess[] = [];
  try {
    await waitUntil('berth to index the container', async () =>
      (
        await berth.graphql<{ container: { status: string } | null }>(
          `{ container(id: "${containerId}") { status } }`,
        )
      ).container?.status === 'RUNNING'
        ? true
        : undefined,
    );
    const { statsSource } = await berth.system();
    await sleep(2_000);
    const rssBefore = berth.rssBytes();

    const wsUrl = `${berth.url.replace(/^http/, 'ws')}/graphql`;
    const connecting = Date.now();
    for (let i = 0; i < CLIENT_PROCESSES; i += 1)
      clients.push(new ClientProcess(wsUrl, containerId, SOCKETS / CLIENT_PROCESSES));
    await Promise.all(clients.map((client) => client.next('ready', 90_000)));
    const connectSeconds = (Date.now() - connecting) / 1000;
    const collectorsWith = (await berth.system()).statsCollectors;
    const rssConnected = berth.rssBytes();

    await sleep(WARM_UP_S * 1000);
    ctx.log(`B3: ${SOCKETS} subscribers ready in ${connectSeconds.toFixed(1)} s; window ${WINDOW_S} s`);
    for (const client of clients) client.send('start');
    const cpuStart = berth.cpuSeconds();
    const timesStart = berth.cpuTimes();
    const started = performance.now();
    let rssPeak = berth.rssBytes();
    for (let s = 0; s < WINDOW_S; s += 1) {
      await sleep(1_000);
      rssPeak = Math.max(rssPeak, berth.rssBytes());
    }
    const cpuEnd = berth.cpuSeconds();
    const timesEnd = berth.cpuTimes();
    const elapsed = (performance.now() - started) / 1000;
    for (const client of clients) client.send('stop');
    const reports = await Promise.all(clients.map((client) => client.next('report', 30_000)));
    const collectorsAfterWindow = (await berth.system()).statsCollectors;
    const rssWith = berth.rssBytes();

    const messages = reports.reduce((sum, report) => sum + report.messages, 0);
    const samples = reports.flatMap((report) => report.samples);
    const lags = samples.map(([, lag]) => lag);
    // Every subscriber gets the same sample each tick: the first and the last to receive it tell
    // the fixed part of the lag from the time berth takes to go round all of them.
    const ticks = new Map<number, { first: number; last: number }>();
    for (const [at, lag] of samples) {
      const tick = ticks.get(at);
      if (!tick) ticks.set(at, { first: lag, last: lag });
      else {
        tick.first = Math.min(tick.first, lag);
        tick.last = Math.max(tick.last, lag);
      }
    }
    const firstPerTick = summarize([...ticks.values()].map((tick) => tick.first));
    const lastPerTick = summarize([...ticks.values()].map((tick) => tick.last));
    const errors = reports.reduce((sum, report) => sum + report.errors + report.completed, 0);
    const lag = summarize(lags);
    const cpuSeconds = cpuEnd - cpuStart;
    const cpuPerMessageUs = (cpuSeconds / messages) * 1e6;
    const rssGrowth = Math.max(rssPeak, rssWith) - rssBefore;
    const userUs = ((timesEnd.user - timesStart.user) / messages) * 1e6;
    const systemUs = ((timesEnd.system - timesStart.system) / messages) * 1e6;

    // The last subscriber gone, the collector must go too.
    const closing = Date.now();
    await Promise.all(clients.map((client) => client.close()));
    clients.length = 0;
    const releasedIn = await waitUntil(
      'the collector to be released',
      async () => ((await berth.system()).statsCollectors === 0 ? (Date.now() - closing) / 1000 : undefined),
      15_000,
      100,
    ).catch(() => undefined);
    await sleep(2_000);
    const rssAfter = berth.rssBytes();

    ctx.log(`B3: the same ${SOCKETS} subscriptions executed in-process, no sockets, ${EXECUTION_ONLY_S} s`);
    const execution = await executionOnly(
      ctx.berthRoot,
      join(ctx.logDir, 'data-b3-in-process'),
      ctx.engine.dockerHost,
      containerId,
      SOCKETS,
      EXECUTION_ONLY_S,
    );
    const transportUs = cpuPerMessageUs - execution.cpuPerMessageUs;

    return {
      id: 'B3',
      title: `fan-out, 1 container, ${SOCKETS} WebSocket subscribers`,
      method: [
        `One container (\`sleep 3600\`); berth's stats source \`${statsSource}\` (auto-detected).`,
        `${SOCKETS} separate WebSocket connections, each a graphql-ws \`createClient\` (package \`ws\`) with one \`containerStats(id)\` subscription asking for \`containerId at cpuPercent memoryUsageBytes\`; spread over ${CLIENT_PROCESSES} child processes of ${SOCKETS / CLIENT_PROCESSES} connections, so that the clients' CPU is neither berth's nor the runner's. All connected and delivering in ${connectSeconds.toFixed(1)} s.`,
        `Lag: the time a message reached the client's socket (a \`message\` listener added before graphql-ws's own, \`Date.now()\`) minus the sample's \`at\` (berth's clock when it read the sample; same host, same clock, 1 ms resolution). It includes berth's fan-out, the kernel's loopback and the client process getting to the message (${SOCKETS / CLIENT_PROCESSES} arrive at each client process per tick, on a 2-core machine shared with berth).`,
        `Per tick (${ticks.size} ticks, all subscribers get the same sample): the first subscriber received it after ${ms(firstPerTick.p50)} (median over ticks; max ${ms(firstPerTick.max)}), the last after ${ms(lastPerTick.p50)} (median; max ${ms(lastPerTick.max)}). The difference is mostly the time berth takes to go round all ${SOCKETS} subscribers, plus the clients' own queueing.`,
        `RSS of berth: ${mib(rssBefore)} before, ${mib(rssConnected)} once all subscribers delivered, ${mib(rssPeak)} at most during the window, ${mib(rssWith)} at its end, ${mib(rssAfter)} 2 s after every client left.`,
        `CPU per message: berth's utime + stime over a ${elapsed.toFixed(1)} s window (after ${WARM_UP_S} s of warm-up) ÷ messages the clients received in it. RSS: VmRSS of berth after it was ready and idle for 2 s, against the highest VmRSS seen (1 Hz) while subscribed.`,
        `Collectors: \`system { statsCollectors }\` once all subscribers delivered (${collectorsWith}) and after the window (${collectorsAfterWindow}); after the clients disconnected it fell to 0 in ${releasedIn === undefined ? 'more than 15 s (not released!)' : `${releasedIn.toFixed(1)} s`}.`,
      ],
      tables: [
        {
          headers: [
            'messages',
            'expected (subs × s)',
            'lag p50',
            'p95',
            'p99',
            'max',
            'berth CPU',
            'per message',
            'RSS before',
            'RSS subscribed (peak)',
            'errors/completions',
          ],
          rows: [
            [
              String(messages),
              `~${Math.round(SOCKETS * elapsed)}`,
              ms(lag.p50),
              ms(lag.p95),
              ms(lag.p99),
              ms(lag.max),
              `${cpuSeconds.toFixed(2)} s (${((cpuSeconds / elapsed) * 100).toFixed(0)}% of a core)`,
              `${cpuPerMessageUs.toFixed(1)} µs (user ${userUs.toFixed(1)}, system ${systemUs.toFixed(1)})`,
              mib(rssBefore),
              mib(Math.max(rssPeak, rssWith)),
              String(errors),
            ],
          ],
        },
      ],
      checks: [
        {
          name: 'upstream collectors with every subscriber on',
          measured: `${collectorsWith} (then ${collectorsAfterWindow}; 0 after the last left: ${releasedIn === undefined ? 'no' : 'yes'})`,
          target: 'exactly 1',
          pass: collectorsWith === 1 && collectorsAfterWindow === 1 && releasedIn !== undefined,
          by: `${collectorsWith} collectors`,
        },
        {
          name: 'lag p99, sample to client',
          measured: ms(lag.p99),
          target: `≤ ${LAG_TARGET_MS} ms`,
          pass: lag.p99 <= LAG_TARGET_MS,
          by: overBy(lag.p99, LAG_TARGET_MS),
        },
        {
          name: 'berth CPU per delivered message',
          measured: `${cpuPerMessageUs.toFixed(1)} µs`,
          target: `≤ ${CPU_TARGET_US} µs`,
          pass: cpuPerMessageUs <= CPU_TARGET_US,
          by: overBy(cpuPerMessageUs, CPU_TARGET_US),
        },
        {
          name: 'berth RSS growth',
          measured: mib(rssGrowth),
          target: `≤ ${mib(RSS_TARGET)}`,
          pass: rssGrowth <= RSS_TARGET,
          by: overBy(rssGrowth, RSS_TARGET),
        },
        {
          name: 'every message delivered, no errors',
          measured: `${messages} messages in ${elapsed.toFixed(1)} s (${(messages / elapsed / SOCKETS).toFixed(2)} per subscriber per s), ${errors} errors or completions`,
          target: '~1 per subscriber per s, 0 errors',
          pass: errors === 0 && messages >= SOCKETS * (elapsed - 2),
        },
      ],
      notes: [
        `Execution alone (in the benchmark's process, berth's schema and services, graphql-js \`subscribe\`, no sockets; the same ${SOCKETS} subscriptions for ${EXECUTION_ONLY_S} s, ${execution.messages} results): ${execution.cpuPerMessageUs.toFixed(1)} µs of CPU per result including its JSON serialization; per tick, the first result was ready ${ms(execution.firstMs)} after the sample, the last after ${ms(execution.lastMs)} (medians). Over the sockets berth spent ${cpuPerMessageUs.toFixed(1)} µs per message, so the rest (Yoga's envelope around each execution, graphql-ws framing, \`ws\`, one write per message and the kernel's loopback TCP: ${systemUs.toFixed(1)} µs of the total is system time) adds about ${transportUs.toFixed(1)} µs.`,
        ...(rssGrowth > RSS_TARGET
          ? [
              `Why the RSS miss: of the ${mib(rssGrowth)}, ${mib(rssConnected - rssBefore)} came with the connections (${((rssConnected - rssBefore) / SOCKETS / 1024).toFixed(0)} KiB per subscriber: each socket's \`ws\` and \`net\` state and buffers, graphql-ws's connection, Yoga's envelope and a Repeater per subscription) and ${mib(Math.max(rssPeak, rssWith) - rssConnected)} more while messages flowed: the garbage of ${SOCKETS} executions and serializations a second (the per-subscriber delivery behind the CPU miss), which V8 collects when it decides, so the peak moves from run to run. ${mib(rssAfter - rssBefore)} was still held 2 s after every client left: V8 and the allocator give memory back lazily. /proc does not split heap from buffers, so this split is read from the timing of the readings above.`,
            ]
          : []),
        ...(lag.p99 > LAG_TARGET_MS || cpuPerMessageUs > CPU_TARGET_US
          ? [
              `Why the miss: berth does the whole delivery once per subscriber, not once per sample. Each of the ${SOCKETS} subscriptions has its own Repeater, its own GraphQL execution of the same sample with the same selection set, its own JSON serialization and its own socket write, every tick: ${execution.cpuPerMessageUs.toFixed(0)} µs of execution per message already uses ${((execution.cpuPerMessageUs / CPU_TARGET_US) * 100).toFixed(0)}% of the ${CPU_TARGET_US} µs budget before any byte is sent. The lag follows from the same cause: the ${SOCKETS} executions start together on the tick and advance step by step through the same chain of promises (hub tick → Repeater → execution → graphql-ws → \`ws\`), so even the first subscriber's message leaves only after most of the work for all of them is done (first ${ms(firstPerTick.p50)}, last ${ms(lastPerTick.p50)} after the sample, median per tick), and the lag grows with the number of subscribers. The clients' own processing (${CLIENT_PROCESSES} processes on the same 2 cores, which berth also needs) adds to the tail. What would meet the targets: execute each distinct (document, variables) once per tick and send the one serialized frame to every socket subscribed to it, so the per-subscriber cost is a socket write.`,
            ]
          : []),
      ],
    };
  } finally {
    await Promise.all(clients.map((client) => client.close()));
    await berth.stop();
    await ctx.engine.removeLabelled('fanout');
  }
}
