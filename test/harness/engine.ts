// Bring up what berth's integration tests need on this machine: a Docker engine, the
// busybox test image, and a local registry. Used by the vitest globalSetup and by any
// benchmark or test that needs the same pieces.
//
// Nothing here talks to anything but loopback: the test image is imported from a local
// tarball, the registry listens on 127.0.0.1, and an engine we start gets a dead proxy so
// an accidental pull from a public registry fails fast instead of leaving the machine.

import { execFile, spawn } from 'node:child_process';
import { constants as fsConstants } from 'node:fs';
import {
  access,
  chmod,
  copyFile,
  mkdir,
  mkdtemp,
  open,
  readdir,
  readFile,
  rm,
  symlink,
  writeFile,
} from 'node:fs/promises';
import http from 'node:http';
import { delimiter, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';

import { followProgress, parseDockerHost, statusCodeOf, testDocker } from './docker.js';
import type Docker from 'dockerode';

const execFileAsync = promisify(execFile);

/** The image every integration test runs: static busybox, `httpd` on port 80 by default. */
export const TEST_IMAGE = 'berth-test/busybox:latest';
/** The page the test image serves at `/`. */
export const TEST_PAGE = 'berth test page';
/** Where the local registry listens (127.0.0.0/8 is an insecure registry by default). */
export const REGISTRY_ADDRESS = '127.0.0.1:5000';
/** The engine Docker installs by default; reused when it answers. */
export const DEFAULT_DOCKER_HOST = 'unix:///var/run/docker.sock';

const INSTALL_HINT =
  'Install the tools with `apt-get install -y docker.io busybox-static docker-registry` ' +
  '(run as root), or point DOCKER_HOST at a running engine.';

// ---------------------------------------------------------------------------------------
// The engine
// ---------------------------------------------------------------------------------------

/** A dockerd this process started; only these are ever stopped by the harness. */
export interface StartedEngine {
  readonly dockerHost: string;
  readonly dir: string;
  readonly pid: number;
  readonly logFile: string;
  readonly extraArgs?: readonly string[];
  /** The engine's own bridge, when it was started with `isolatedBridge`. */
  readonly bridge?: string;
}

/** The engine a test run uses; `started` is set when the harness owns it. */
export interface EngineLease {
  readonly dockerHost: string;
  readonly started: StartedEngine | undefined;
}

/** True when the engine at `dockerHost` answers `GET /_ping` with 200 within `timeoutMs`. */
export async function pingEngine(dockerHost: string, timeoutMs = 2_000): Promise<boolean> {
  let address;
  try {
    address = parseDockerHost(dockerHost);
  } catch {
    return false;
  }
  const target =
    address.kind === 'unix' ? { socketPath: address.socketPath } : { host: address.host, port: address.port };
  return new Promise((resolve) => {
    const request = http.get({ ...target, path: '/_ping', timeout: timeoutMs }, (response) => {
      response.resume();
      resolve(response.statusCode === 200);
    });
    request.on('timeout', () => request.destroy(new Error('timeout')));
    request.on('error', () => resolve(false));
  });
}

/**
 * Use an engine that already answers (DOCKER_HOST, then the default socket), otherwise
 * start a throwaway one. Never silently skips: throws with the reason and the fix.
 */
export async function acquireEngine(): Promise<EngineLease> {
  const fromEnv = process.env['DOCKER_HOST'];
  if (fromEnv !== undefined && fromEnv !== '') {
    if (await pingEngine(fromEnv)) return { dockerHost: fromEnv, started: undefined };
    console.warn(`[berth harness] DOCKER_HOST=${fromEnv} does not answer /_ping; looking for another engine`);
  }
  if (await pingEngine(DEFAULT_DOCKER_HOST)) {
    return { dockerHost: DEFAULT_DOCKER_HOST, started: undefined };
  }
  const started = await startEngine();
  return { dockerHost: started.dockerHost, started };
}

/**
 * Start a private dockerd with all its state in a fresh short directory under /tmp
 * (unix socket paths are limited to ~108 bytes, and containerd nests its own sockets
 * under the exec root). Resolves once `/_ping` answers.
 *
 * A second engine next to a running one does start, but both use the default bridge
 * `docker0` and hand out addresses from the same 172.17.0.0/16 independently: prefer
 * reusing a running engine (DOCKER_HOST) over starting another.
 */
export async function startEngine(
  options: {
    readonly readyTimeoutMs?: number;
    /** More dockerd flags, e.g. `--shutdown-timeout=2`. */
    readonly extraArgs?: readonly string[];
    /**
     * Give the engine a bridge of its own instead of docker0, so it can run (and stop) beside the
     * shared engine. Not `--bridge=none`: dockerd then deletes docker0, under the other engine.
     */
    readonly isolatedBridge?: boolean;
  } = {},
): Promise<StartedEngine> {
  const dockerd = await findExecutable('dockerd');
  if (dockerd === undefined) {
    throw new Error(
      `No Docker engine answers and \`dockerd\` is not installed (not on PATH). ${INSTALL_HINT}`,
    );
  }
  if (process.getuid?.() !== 0) {
    throw new Error(`No Docker engine answers and dockerd can only be started as root. ${INSTALL_HINT}`);
  }
  if (options.extraArgs?.some((arg) => /^--bridge(=|$)|^-b$/.test(arg))) {
    // dockerd --bridge=none deletes docker0 at start, pulling it from under the shared engine.
    throw new Error('startEngine: pass { isolatedBridge: true } instead of a --bridge flag');
  }
  const dir = await claimDir(ENGINE_DIR_PREFIX);
  const bridge = options.isolatedBridge ? await createBridge() : undefined;
  const extraArgs = [
    ...(options.extraArgs ?? []),
    ...(bridge ? [`--bridge=${bridge}`, '--iptables=false'] : []),
  ];
  try {
    return {
      ...(await launchEngine(dockerd, dir, extraArgs, options.readyTimeoutMs ?? 30_000)),
      ...(bridge && { bridge }),
    };
  } catch (error) {
    if (bridge) await deleteBridge(bridge);
    throw error;
  }
}

/** A Linux bridge with a private /24 of its own, for an engine that must not touch docker0. */
async function createBridge(): Promise<string> {
  const name = `berthbr${Math.floor(Math.random() * 0xffffff)
    .toString(16)
    .padStart(6, '0')}`;
  const subnet = 100 + Math.floor(Math.random() * 150);
  try {
    await execFileAsync('ip', ['link', 'add', 'name', name, 'type', 'bridge']);
    await execFileAsync('ip', ['addr', 'add', `172.31.${subnet}.1/24`, 'dev', name]);
    await execFileAsync('ip', ['link', 'set', name, 'up']);
  } catch (error) {
    await deleteBridge(name);
    throw new Error(
      `could not create the bridge ${name} for a private engine (needs root and iproute2): ${String(error)}`,
    );
  }
  return name;
}

/** The Linux bridges of the engine's own bridge networks (its defaults aside); none when it does not answer. */
async function bridgesOfNetworks(dockerHost: string): Promise<string[]> {
  try {
    const networks = await testDocker(dockerHost).listNetworks({ filters: { driver: ['bridge'] } });
    return networks
      .filter((network) => network.Name !== 'bridge')
      .map(
        (network) => network.Options?.['com.docker.network.bridge.name'] ?? `br-${network.Id.slice(0, 12)}`,
      );
  } catch {
    return [];
  }
}

async function deleteBridge(name: string): Promise<void> {
  await execFileAsync('ip', ['link', 'delete', name, 'type', 'bridge']).catch(() => undefined);
}

async function launchEngine(
  dockerd: string,
  dir: string,
  extraArgs: readonly string[],
  readyTimeoutMs: number,
): Promise<StartedEngine> {
  const logFile = join(dir, 'dockerd.log');
  const dockerHost = `unix://${join(dir, 'docker.sock')}`;
  const args = [
    '--host',
    dockerHost,
    '--data-root',
    join(dir, 'data'),
    '--exec-root',
    join(dir, 'exec'),
    '--pidfile',
    join(dir, ENGINE_PID_FILE),
    ...extraArgs,
  ];
  const child = await spawnLogged(dockerd, args, logFile, { ...process.env, ...DEAD_PROXY_ENV });

  const engine: StartedEngine = { dockerHost, dir, pid: child.pid, logFile, extraArgs };
  const failure = await waitUntil(() => pingEngine(dockerHost, 1_000), child.exited, readyTimeoutMs);
  if (failure !== undefined) {
    const log = await tailOf(logFile);
    await stopEngine(engine);
    throw new Error(
      `Started dockerd (${dockerd}) but it ${failure} (waited up to ${readyTimeoutMs / 1000} s for /_ping). ` +
        `${INSTALL_HINT}\n--- last lines of dockerd.log (its directory has been removed) ---\n${log}`,
    );
  }
  return engine;
}

/**
 * Stops a dockerd the harness started but keeps its directory (containers, images), so that
 * {@link restartEngine} brings the same engine back: what an engine restart looks like to berth.
 */
export async function haltEngine(engine: StartedEngine): Promise<void> {
  await terminate(engine.pid, 15_000);
}

/** Starts a halted engine again on the same socket and data; returns its new handle. */
export async function restartEngine(engine: StartedEngine): Promise<StartedEngine> {
  const dockerd = await findExecutable('dockerd');
  if (dockerd === undefined) throw new Error(`\`dockerd\` is not installed. ${INSTALL_HINT}`);
  const restarted = await launchEngine(dockerd, engine.dir, engine.extraArgs ?? [], 30_000);
  return { ...restarted, ...(engine.bridge && { bridge: engine.bridge }) };
}

/**
 * Stop a dockerd the harness started: SIGTERM, then SIGKILL after 15 s, then remove its
 * directory. Mounts dockerd left behind (overlay2 layers, netns, shm) are unmounted
 * first, best effort: a failed cleanup must never fail a test run.
 */
export async function stopEngine(engine: StartedEngine): Promise<void> {
  const networkBridges = await bridgesOfNetworks(engine.dockerHost);
  await terminate(engine.pid, 15_000);
  if (engine.bridge) await deleteBridge(engine.bridge);
  // dockerd leaves its networks' bridges up when it stops, and their address ranges with them:
  // with the engine's directory gone, nothing would ever take them down, and enough of them use
  // up the default address pools every later engine picks networks from.
  for (const bridge of networkBridges) await deleteBridge(bridge);
  await unmountUnder(engine.dir);
  await rm(engine.dir, { recursive: true, force: true }).catch(() => undefined);
}

// Any HTTP(S) request dockerd makes outside loopback goes to a closed port on loopback.
const DEAD_PROXY_ENV = {
  HTTP_PROXY: 'http://127.0.0.1:9',
  HTTPS_PROXY: 'http://127.0.0.1:9',
  NO_PROXY: '127.0.0.1,localhost',
  // Go also reads the lower-case forms; set them so an inherited one cannot win.
  http_proxy: 'http://127.0.0.1:9',
  https_proxy: 'http://127.0.0.1:9',
  no_proxy: '127.0.0.1,localhost',
} as const;

// ---------------------------------------------------------------------------------------
// The test image
// ---------------------------------------------------------------------------------------

/**
 * Make sure the engine has {@link TEST_IMAGE}; import it from a busybox rootfs if not.
 * No registry is involved: `docker import` of a tarball needs none. Returns the image name.
 */
export async function ensureTestImage(dockerHost: string): Promise<string> {
  const docker = testDocker(dockerHost);
  try {
    await docker.getImage(TEST_IMAGE).inspect();
    return TEST_IMAGE;
  } catch (error) {
    if (statusCodeOf(error) !== 404) throw error;
  }

  const rootfs = await mkdtemp('/tmp/berth-rootfs-');
  try {
    await writeBusyboxRootfs(rootfs);
    await importRootfs(docker, rootfs, TEST_IMAGE, [
      'CMD ["/bin/httpd","-f","-p","80","-h","/www"]',
      'ENV PATH=/bin',
    ]);
  } finally {
    await rm(rootfs, { recursive: true, force: true });
  }
  return TEST_IMAGE;
}

/**
 * `docker import` of the directory `rootfs` as `reference`, owned by root whoever made the files,
 * with Dockerfile-like `changes` (CMD, ENV). No registry is involved.
 */
export async function importRootfs(
  docker: Docker,
  rootfs: string,
  reference: string,
  changes: readonly string[],
): Promise<void> {
  const tar = spawn('tar', ['-C', rootfs, '--numeric-owner', '--owner=0', '--group=0', '-cf', '-', '.'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const tarExit = new Promise<number | null>((resolve, reject) => {
    tar.once('error', reject);
    tar.once('close', resolve);
  });
  const [repo, tag] = splitReference(reference);
  const progress = await docker.importImage(tar.stdout, { repo, tag, changes: [...changes] });
  await followProgress(progress);
  const code = await tarExit;
  if (code !== 0) throw new Error(`tar of ${rootfs} for ${reference} exited with ${String(code)}`);
}

/** bin/busybox (static) + one symlink per applet, a web root, and a world-writable tmp. */
async function writeBusyboxRootfs(rootfs: string): Promise<void> {
  const busybox = await findExecutable('busybox');
  if (busybox === undefined) {
    throw new Error(
      `Cannot build ${TEST_IMAGE}: \`busybox\` is not installed (not on PATH). ${INSTALL_HINT}`,
    );
  }
  // A dynamically linked busybox would not run in an image without libc.
  const { stdout: fileInfo } = await execFileAsync('file', ['-L', busybox]).catch(() => ({ stdout: '' }));
  if (fileInfo.includes('dynamically linked')) {
    throw new Error(
      `Cannot build ${TEST_IMAGE}: ${busybox} is dynamically linked; it must be busybox-static. ${INSTALL_HINT}`,
    );
  }

  const { stdout } = await execFileAsync(busybox, ['--list']);
  const applets = stdout
    .split('\n')
    .map((name) => name.trim())
    .filter((name) => name !== '' && name !== 'busybox');

  await mkdir(join(rootfs, 'bin'), { recursive: true });
  await copyFile(busybox, join(rootfs, 'bin', 'busybox'));
  await chmod(join(rootfs, 'bin', 'busybox'), 0o755);
  await Promise.all(applets.map((name) => symlink('busybox', join(rootfs, 'bin', name))));

  await mkdir(join(rootfs, 'www'));
  await writeFile(join(rootfs, 'www', 'index.html'), `${TEST_PAGE}\n`);
  await mkdir(join(rootfs, 'tmp'));
  await chmod(join(rootfs, 'tmp'), 0o1777);
}

// ---------------------------------------------------------------------------------------
// The local registry
// ---------------------------------------------------------------------------------------

/** The registry a test run uses; `pid`/`dir` are set when the harness started it. */
export interface RegistryLease {
  readonly address: string;
  readonly started: { readonly pid: number; readonly dir: string; readonly logFile: string } | undefined;
}

/** True when a Docker registry (API v2) answers at `address`. */
export async function pingRegistry(address: string = REGISTRY_ADDRESS, timeoutMs = 2_000): Promise<boolean> {
  try {
    const response = await fetch(`http://${address}/v2/`, { signal: AbortSignal.timeout(timeoutMs) });
    await response.body?.cancel();
    return (
      response.status === 200 && response.headers.get('docker-distribution-api-version') === 'registry/2.0'
    );
  } catch {
    return false;
  }
}

/** Reuse the registry on 127.0.0.1:5000 if one answers, otherwise start `docker-registry`. */
export async function ensureRegistry(): Promise<RegistryLease> {
  if (await pingRegistry()) return { address: REGISTRY_ADDRESS, started: undefined };

  const binary = await findExecutable('docker-registry');
  if (binary === undefined) {
    throw new Error(
      `No registry answers on ${REGISTRY_ADDRESS} and \`docker-registry\` is not installed. ${INSTALL_HINT}`,
    );
  }
  const dir = await claimDir(REGISTRY_DIR_PREFIX);
  const config = join(dir, 'config.yml');
  const logFile = join(dir, 'registry.log');
  await writeFile(config, registryConfig(join(dir, 'data')));
  const child = await spawnLogged(binary, ['serve', config], logFile, process.env);
  await writeFile(join(dir, REGISTRY_PID_FILE), String(child.pid)); // dockerd writes its own; the registry does not
  const started = { pid: child.pid, dir, logFile };

  const failure = await waitUntil(() => pingRegistry(REGISTRY_ADDRESS, 1_000), child.exited, 15_000);
  if (failure !== undefined) {
    const log = await tailOf(logFile);
    await stopRegistry({ address: REGISTRY_ADDRESS, started });
    throw new Error(
      `Started ${binary} but it ${failure} on http://${REGISTRY_ADDRESS}/v2/ (is the port taken by something ` +
        `else?).\n--- last lines of registry.log (its directory has been removed) ---\n${log}`,
    );
  }
  return { address: REGISTRY_ADDRESS, started };
}

/** Stop the registry if the harness started it, and drop its storage. */
export async function stopRegistry(lease: RegistryLease): Promise<void> {
  if (lease.started === undefined) return;
  await terminate(lease.started.pid, 5_000);
  await rm(lease.started.dir, { recursive: true, force: true }).catch(() => undefined);
}

/**
 * A docker-registry configuration: storage under `rootDirectory`, listening on `address` (the
 * harness's own by default), and with `htpasswd` (a file of bcrypt lines) asking for basic auth.
 */
export function registryConfig(
  rootDirectory: string,
  options: { address?: string; htpasswd?: string } = {},
): string {
  return [
    'version: 0.1',
    'log:',
    '  level: warn',
    '  accesslog:',
    '    disabled: true',
    'storage:',
    '  filesystem:',
    `    rootdirectory: ${rootDirectory}`,
    '  delete:',
    '    enabled: true',
    ...(options.htpasswd === undefined
      ? []
      : ['auth:', '  htpasswd:', '    realm: berth-test', `    path: ${options.htpasswd}`]),
    'http:',
    `  addr: ${options.address ?? REGISTRY_ADDRESS}`,
    '  secret: berth-test-only', // a fixed secret silences a startup warning; nothing here is secret
    '',
  ].join('\n');
}

/**
 * Tag `sourceImage` as `targetRef` (e.g. `127.0.0.1:5000/berth-test/pullme:v1`), push it
 * to the local registry, then drop the local tag and digest reference so the engine no
 * longer has `targetRef`: a later create or pull of it must really pull (with progress).
 * The layers stay, since `sourceImage` still holds them; the pull still fetches the manifest.
 */
export async function pushToRegistry(
  dockerHost: string,
  sourceImage: string,
  targetRef: string,
): Promise<void> {
  const docker = testDocker(dockerHost);
  const [repo, tag] = splitReference(targetRef);
  await docker.getImage(sourceImage).tag({ repo, tag });
  // Docker 20.10 rejects a push without an X-Registry-Auth header; an empty one is fine here.
  const progress = await docker.getImage(repo).push({ tag, authconfig: {} });
  await followProgress(progress);

  await docker.getImage(`${repo}:${tag}`).remove();
  const info = await docker.getImage(sourceImage).inspect();
  const digests = (info.RepoDigests ?? []).filter((ref) => ref.startsWith(`${repo}@`));
  await Promise.all(digests.map((ref) => docker.getImage(ref).remove()));
}

/** Split `repo[:tag]` (the repo may contain `host:port/`); the tag defaults to `latest`. */
export function splitReference(reference: string): [repo: string, tag: string] {
  const colon = reference.lastIndexOf(':');
  if (colon > reference.lastIndexOf('/')) return [reference.slice(0, colon), reference.slice(colon + 1)];
  return [reference, 'latest'];
}

// ---------------------------------------------------------------------------------------
// Orphans of interrupted runs
// ---------------------------------------------------------------------------------------

// Every engine or registry the harness starts lives in a directory named with one of
// these prefixes, holding `harness.pid`: the process that owns it and will stop it.
const ENGINE_DIR_PREFIX = '/tmp/berth-engine-';
const REGISTRY_DIR_PREFIX = '/tmp/berth-registry-';
const OWNER_PID_FILE = 'harness.pid';
const ENGINE_PID_FILE = 'docker.pid';
const REGISTRY_PID_FILE = 'registry.pid';

async function claimDir(prefix: string): Promise<string> {
  const dir = await mkdtemp(prefix);
  await writeFile(join(dir, OWNER_PID_FILE), String(process.pid));
  return dir;
}

/**
 * Stop engines and registries whose owning process died without its teardown (vitest does
 * not run globalSetup teardowns on Ctrl-C; a killed benchmark runs none), and remove their
 * directories. An orphan would otherwise hold the `docker0` bridge or port 5000. Engines
 * of live owners, e.g. a parallel test run, are left alone. Best effort; returns the
 * directories removed.
 */
export async function sweepOrphans(): Promise<string[]> {
  const swept: string[] = [];
  const names = await readdir('/tmp').catch(() => [] as string[]);
  for (const dir of names.map((name) => join('/tmp', name))) {
    const pidFile = dir.startsWith(ENGINE_DIR_PREFIX)
      ? ENGINE_PID_FILE
      : dir.startsWith(REGISTRY_DIR_PREFIX)
        ? REGISTRY_PID_FILE
        : undefined;
    if (pidFile === undefined) continue;
    const owner = await readPid(join(dir, OWNER_PID_FILE));
    if (owner === undefined || isAlive(owner)) continue;

    const pid = await readPid(join(dir, pidFile));
    // Check the command line too: after a reboot or pid reuse the pid may be someone else.
    if (pid !== undefined && (await commandLineMentions(pid, dir))) await terminate(pid, 15_000);
    await unmountUnder(dir);
    await rm(dir, { recursive: true, force: true }).catch(() => undefined);
    swept.push(dir);
  }
  return swept;
}

async function readPid(file: string): Promise<number | undefined> {
  try {
    const pid = Number.parseInt(await readFile(file, 'utf8'), 10);
    return Number.isSafeInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

async function commandLineMentions(pid: number, text: string): Promise<boolean> {
  try {
    return (await readFile(`/proc/${pid}/cmdline`, 'utf8')).includes(text);
  } catch {
    return false;
  }
}

// ---------------------------------------------------------------------------------------
// Processes
// ---------------------------------------------------------------------------------------

interface LoggedChild {
  readonly pid: number;
  /** Resolves with a description once the process has exited. */
  readonly exited: Promise<string>;
}

/**
 * Start a long-lived helper with stdout and stderr going to `logFile`. It stays in our
 * process group (so Ctrl-C reaches it too) but does not keep the event loop alive.
 */
async function spawnLogged(
  command: string,
  args: readonly string[],
  logFile: string,
  env: NodeJS.ProcessEnv,
): Promise<LoggedChild> {
  const log = await open(logFile, 'a');
  try {
    const child = spawn(command, args, { stdio: ['ignore', log.fd, log.fd], env });
    const exited = new Promise<string>((resolve) => {
      child.once('exit', (code, signal) => resolve(`exited (${signal ?? `code ${String(code)}`})`));
      child.once('error', (error) => resolve(`failed to start (${error.message})`));
    });
    child.unref();
    if (child.pid === undefined) throw new Error(`Could not start ${command}: ${await exited}`);
    return { pid: child.pid, exited };
  } finally {
    await log.close(); // the child has its own copy of the descriptor
  }
}

/**
 * Poll `ready` until it is true. Returns undefined on success, or why it gave up: the
 * process exited, or the deadline passed.
 */
async function waitUntil(
  ready: () => Promise<boolean>,
  exited: Promise<string>,
  timeoutMs: number,
): Promise<string | undefined> {
  let exitReason: string | undefined;
  void exited.then((reason) => (exitReason = reason));
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await ready()) return undefined;
    if (exitReason !== undefined) return exitReason;
    await sleep(100);
  }
  return exitReason ?? 'never answered';
}

/** SIGTERM `pid`, SIGKILL it after `graceMs`, and wait until it is gone. */
async function terminate(pid: number, graceMs: number): Promise<void> {
  if (!signal(pid, 'SIGTERM')) return;
  const deadline = Date.now() + graceMs;
  while (isAlive(pid)) {
    if (Date.now() >= deadline) {
      signal(pid, 'SIGKILL');
      await waitForExit(pid, 5_000);
      return;
    }
    await sleep(100);
  }
}

async function waitForExit(pid: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (isAlive(pid) && Date.now() < deadline) await sleep(100);
}

function signal(pid: number, name: NodeJS.Signals | 0): boolean {
  try {
    process.kill(pid, name);
    return true;
  } catch {
    return false; // already gone
  }
}

function isAlive(pid: number): boolean {
  return signal(pid, 0); // signal 0: existence check only
}

/** Lazily unmount everything mounted below `dir`, deepest first. Best effort. */
async function unmountUnder(dir: string): Promise<void> {
  try {
    const mounts = await readFile('/proc/self/mounts', 'utf8');
    const points = mounts
      .split('\n')
      .map((line) => line.split(' ')[1])
      .filter((point): point is string => point !== undefined && point.startsWith(`${dir}/`))
      .map((point) => point.replace(/\\040/g, ' '))
      .sort((a, b) => b.length - a.length);
    for (const point of points) {
      await execFileAsync('umount', ['-l', point]).catch(() => undefined);
    }
  } catch {
    // Not Linux, or no permission: leftover mounts only cost disk space in /tmp.
  }
}

// ---------------------------------------------------------------------------------------
// Small utilities
// ---------------------------------------------------------------------------------------

/**
 * Find an executable on PATH. Also looks in the sbin directories, which a non-login
 * shell's PATH may lack although `dockerd` lives there.
 */
export async function findExecutable(name: string): Promise<string | undefined> {
  const path = (process.env['PATH'] ?? '').split(delimiter).filter((entry) => entry !== '');
  for (const dir of [...path, '/usr/local/sbin', '/usr/sbin', '/sbin']) {
    const candidate = join(dir, name);
    try {
      await access(candidate, fsConstants.X_OK);
      return candidate;
    } catch {
      // keep looking
    }
  }
  return undefined;
}

async function tailOf(file: string, lines = 30): Promise<string> {
  try {
    return (await readFile(file, 'utf8')).trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}
