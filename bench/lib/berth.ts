import { spawn, type ChildProcess } from 'node:child_process';
import { openSync, closeSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { onCleanUp } from './cleanup.js';
import { HttpClient, type Timed } from './http.js';
import { cpuOf, processTree, readProcess, rssBytes } from './proc.js';

/**
 * Settings every berth in the benchmark gets, the in-process one of B3 too. Authentication is off
 * (berth then listens on loopback only, which is all the benchmark uses): what the targets measure
 * is listing, stats and fan-out, and a per-token rate limit would throttle the load itself. Its
 * state goes to the run's directory, not the checkout. (Variables an older berth does not know
 * are ignored by it.)
 */
export function benchBerthEnv(dataDir: string): Record<string, string> {
  return { BERTH_AUTH: 'off', BERTH_DATA_DIR: dataDir };
}

export type StatsSourceSetting = 'auto' | 'cgroup' | 'docker-api';

/** A free TCP port on loopback (closed again, so berth can take it a moment later). */
async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

export interface SystemView {
  engine: { up: boolean };
  statsSource: string;
  statsCollectors: number;
  indexedContainers: number | null;
}

export interface GraphQLResponse<T> {
  data?: T | null;
  errors?: { message: string; extensions?: Record<string, unknown> }[];
}

/**
 * berth as users run it: its own Node process (`node --import tsx src/main.ts`, or the compiled
 * `node dist/main.js`), so that its CPU
 * time and memory are its own in /proc and not mixed with the benchmark's clients.
 */
export class BerthProcess {
  readonly url: string;
  readonly http: HttpClient;
  readonly #child: ChildProcess;
  readonly #logFile: string;
  readonly #exited: Promise<void>;
  #exitCode: string | undefined;
  readonly #unregister: () => void;
  readonly #spawnedAt = performance.now();
  /**
   * From spawning the process: until it first answered a GraphQL query (any answer, the engine
   * up or not), and until it was ready (see `start`). Polled every `pollMs` (100 ms unless the
   * caller asks for finer), so each is at most that late.
   */
  startup = { firstAnswerMs: Number.NaN, readyMs: Number.NaN };

  private constructor(child: ChildProcess, port: number, logFile: string) {
    this.#child = child;
    this.#logFile = logFile;
    this.url = `http://127.0.0.1:${port}`;
    this.http = new HttpClient({ host: '127.0.0.1', port });
    this.#exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        this.#exitCode = signal ?? `code ${String(code)}`;
        resolve();
      });
    });
    this.#unregister = onCleanUp(`berth (pid ${String(child.pid)})`, () => this.#terminate());
  }

  /** Starts berth on a free loopback port against `dockerHost` and waits until its index matches the engine. */
  static async start(options: {
    dockerHost: string;
    statsSource: StatsSourceSetting;
    logDir: string;
    name: string;
    /** Where berth's sources are (see BerthSource). */
    root: string;
    /** More of berth's settings, for one benchmark. */
    env?: Record<string, string>;
    /**
     * `build` runs the compiled server (`node dist/main.js`, what `npm start` runs; the caller
     * builds it first), `source` the TypeScript through tsx (the default, and all a berth before
     * the compiled build had).
     */
    entry?: 'source' | 'build';
    /** How often start-up polls berth until it is ready (B10 polls finer, to time it). */
    pollMs?: number;
    /** Node's own options before the entry (e.g. `--cpu-prof`, which NODE_OPTIONS refuses). */
    nodeArgs?: string[];
  }): Promise<BerthProcess> {
    const port = await freePort();
    const logFile = join(options.logDir, `berth-${options.name}.log`);
    const log = openSync(logFile, 'a');
    let child: ChildProcess;
    try {
      const args = [
        ...(options.nodeArgs ?? []),
        ...(options.entry === 'build' ? ['dist/main.js'] : ['--import', 'tsx', 'src/main.ts']),
      ];
      child = spawn(process.execPath, args, {
        cwd: options.root,
        stdio: ['ignore', log, log],
        env: {
          ...process.env,
          PORT: String(port),
          HOST: '127.0.0.1',
          DOCKER_HOST: options.dockerHost,
          LOG_LEVEL: 'warn',
          BERTH_STATS_SOURCE: options.statsSource,
          ...benchBerthEnv(join(options.logDir, `data-${options.name}`)),
          ...options.env,
        },
      });
    } finally {
      closeSync(log);
    }
    const berth = new BerthProcess(child, port, logFile);
    await berth.#waitReady(60_000, options.pollMs);
    return berth;
  }

  get pid(): number {
    if (this.#child.pid === undefined) throw new Error('berth did not start');
    return this.#child.pid;
  }

  /** CPU seconds of berth's process and any it started (user + system, all threads). */
  cpuSeconds(): number {
    return cpuOf(processTree(this.pid), () => 'berth').total;
  }

  /** User and system CPU seconds of berth's own process (all threads). */
  cpuTimes(): { user: number; system: number } {
    const info = readProcess(this.pid);
    if (!info) throw new Error('berth is gone');
    return { user: info.userCpu, system: info.systemCpu };
  }

  rssBytes(): number {
    return rssBytes(this.pid);
  }

  async graphqlTimed<T>(
    query: string,
    variables?: Record<string, unknown>,
  ): Promise<Timed & { result: GraphQLResponse<T> }> {
    const timed = await this.http.request('POST', '/graphql', { query, variables });
    return { ...timed, result: JSON.parse(timed.body) as GraphQLResponse<T> };
  }

  /** Runs a query or mutation and returns its data; a GraphQL error is an exception. */
  async graphql<T>(query: string, variables?: Record<string, unknown>): Promise<T> {
    const { result } = await this.graphqlTimed<T>(query, variables);
    if (result.errors?.length || !result.data)
      throw new Error(`GraphQL errors: ${JSON.stringify(result.errors)}`);
    return result.data;
  }

  /** One unlabelled gauge or counter of berth's /metrics (authentication is off in benchmarks). */
  async metric(name: string): Promise<number> {
    const { body } = await this.http.request('GET', '/metrics');
    const line = body.split('\n').find((text) => text.startsWith(`${name} `));
    if (line === undefined) throw new Error(`no ${name} in /metrics`);
    return Number(line.slice(name.length + 1));
  }

  /** berth's view of itself: what the benchmarks wait on and count. */
  async system(): Promise<SystemView> {
    const { system } = await this.graphql<{ system: SystemView }>(
      '{ system { engine { up } statsSource statsCollectors indexedContainers } }',
    );
    return system;
  }

  /** A graphql-ws client on berth's `/graphql`, from this process. */
  wsClient(): Client {
    return createClient({
      url: `${this.url.replace(/^http/, 'ws')}/graphql`,
      webSocketImpl: WebSocket,
      retryAttempts: 0,
      lazy: false,
    });
  }

  /** The last lines berth logged, for error messages. */
  logTail(lines = 20): string {
    try {
      return readFileSync(this.#logFile, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
    } catch {
      return '(no log)';
    }
  }

  async stop(): Promise<void> {
    this.#unregister();
    this.http.close();
    await this.#terminate();
  }

  async #waitReady(timeoutMs = 60_000, pollMs = 100): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let last = 'no answer';
    while (Date.now() < deadline) {
      if (this.#exitCode !== undefined)
        throw new Error(`berth exited (${this.#exitCode}) at start:\n${this.logTail()}`);
      try {
        const system = await this.system();
        if (Number.isNaN(this.startup.firstAnswerMs))
          this.startup.firstAnswerMs = performance.now() - this.#spawnedAt;
        if (system.engine.up && system.indexedContainers !== null && system.statsSource !== 'undetected') {
          this.startup.readyMs = performance.now() - this.#spawnedAt;
          return;
        }
        last = JSON.stringify(system);
      } catch (error) {
        last = (error as Error).message;
      }
      await sleep(pollMs);
    }
    throw new Error(`berth was not ready within ${timeoutMs / 1000} s (last: ${last}):\n${this.logTail()}`);
  }

  async #terminate(): Promise<void> {
    if (this.#exitCode !== undefined) return;
    this.#child.kill('SIGTERM');
    const killed = await Promise.race([this.#exited.then(() => false), sleep(10_000).then(() => true)]);
    if (killed) {
      this.#child.kill('SIGKILL');
      await this.#exited;
    }
  }
}
