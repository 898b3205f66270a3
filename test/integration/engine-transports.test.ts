import { execFile } from 'node:child_process';
import { createConnection, createServer, type Socket } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DockerEngine } from '../../src/engine/engine.js';
import type { EngineConnection } from '../../src/platform/config.js';
import { decodeLine, type DecodedLine } from '../../src/domain/logs/model.js';
import type { EngineEvent } from '../../src/domain/containers/ports.js';
import { EngineUnavailableError } from '../../src/shared/errors.js';
import { TEST_LABEL } from '../harness/docker.js';
import { TEST_IMAGE } from '../harness/engine.js';
import { startSshEngine, startTlsEngine, type SshEngine, type TlsEngine } from '../harness/remote-engines.js';
import { freePort, makeSshKey, startSshd, type Sshd } from '../support/sshd.js';
import { recordingLogger } from '../support/log.js';
import { waitFor } from '../support/wait.js';

/**
 * berth's engine gateway over the two remote transports, against real private engines: one
 * behind `tcp://` with mutual TLS, one behind sshd (`docker system dial-stdio`). The same
 * lifecycle runs on each; then what is particular to each: a TLS client without a certificate is
 * refused, and SSH keeps ONE connection for every request and stream, reconnects after it drops,
 * and refuses a host key it was not told to expect.
 */

const execFileAsync = promisify(execFile);
const LABELS = [{ name: TEST_LABEL, value: 'engine-transports' }];
// busybox `sleep` as PID 1 ignores SIGTERM; the trap lets a stop end at once.
const TICKER = [
  'sh',
  '-c',
  'trap "exit 0" TERM; i=0; while true; do echo "tick $i"; i=$((i+1)); sleep 0.2; done',
];

let tls: TlsEngine | undefined;
let ssh: SshEngine | undefined;
const engines: DockerEngine[] = [];

beforeAll(async () => {
  // Both start together; whichever started is stopped in afterAll even when the other failed.
  const [tlsStarted, sshStarted] = await Promise.allSettled([startTlsEngine(), startSshEngine()]);
  if (tlsStarted.status === 'fulfilled') tls = tlsStarted.value;
  if (sshStarted.status === 'fulfilled') ssh = sshStarted.value;
  for (const result of [tlsStarted, sshStarted]) if (result.status === 'rejected') throw result.reason;
}, 120_000);

afterAll(async () => {
  for (const engine of engines) engine.close();
  await Promise.all([tls?.stop(), ssh?.stop()]);
}, 60_000);

function tlsConnection(engine: TlsEngine): EngineConnection {
  return {
    kind: 'tcp',
    host: engine.host,
    port: engine.port,
    protocol: 'https',
    tls: { ca: engine.ca, cert: engine.cert, key: engine.key },
  };
}

function sshConnection(
  engine: SshEngine,
  overrides: Partial<Extract<EngineConnection, { kind: 'ssh' }>> = {},
) {
  return {
    kind: 'ssh',
    host: engine.host,
    port: engine.port,
    username: engine.username,
    privateKey: engine.privateKey,
    hostKeySha256: engine.hostKeySha256,
    ...overrides,
  } satisfies EngineConnection;
}

/** A gateway closed in afterAll. */
function gateway(connection: EngineConnection, options: ConstructorParameters<typeof DockerEngine>[1] = {}) {
  const engine = new DockerEngine(connection, options);
  engines.push(engine);
  return engine;
}

/** The number of logins sshd has accepted so far: one per SSH connection. */
function logins(sshd: Sshd): number {
  return sshd
    .log()
    .split('\n')
    .filter((line) => line.includes('Accepted publickey')).length;
}

function followUntil(
  engine: DockerEngine,
  id: string,
  wanted: (lines: DecodedLine[]) => boolean,
): Promise<{ lines: DecodedLine[]; ended: Promise<Error | undefined>; close: () => void }> {
  const lines: DecodedLine[] = [];
  let ended!: (error: Error | undefined) => void;
  const endedPromise = new Promise<Error | undefined>((resolve) => (ended = resolve));
  return engine
    .followLogs(
      id,
      false,
      { stdout: true, stderr: true, tail: 0 },
      { line: (line) => lines.push(decodeLine(line)), end: ended },
    )
    .then(async (follow) => {
      await waitFor(async () => wanted(lines), 15_000);
      return { lines, ended: endedPromise, close: () => follow.close() };
    });
}

const transports: [string, () => { connection: EngineConnection; dataRoot: string }][] = [
  ['tcp:// with mutual TLS', () => ({ connection: tlsConnection(tls!), dataRoot: tls!.engine.dir })],
  [
    'ssh:// with docker system dial-stdio',
    () => ({ connection: sshConnection(ssh!), dataRoot: ssh!.engine.dir }),
  ],
];

describe.each(transports)('the engine gateway over %s', (_name, target) => {
  let engine: DockerEngine;
  let dataRoot: string;

  beforeAll(() => {
    const { connection, dataRoot: root } = target();
    engine = gateway(connection);
    dataRoot = root;
  });

  it('pings, and reads the private engine info (not the shared engine)', async () => {
    expect(await engine.ping(10_000)).toBe(true);
    const info = await engine.info();
    expect(info.serverVersion).toMatch(/\d+\.\d+/);
    expect(info.dockerRootDir.startsWith(dataRoot)).toBe(true);
  });

  it('creates and starts a container, reads and follows its logs, sees its events and a stats sample, stops and removes it', async () => {
    const events: EngineEvent[] = [];
    const stream = engine.eventStream(recordingLogger().logger);
    stream.on('event', (event) => events.push(event));
    const connected = new Promise((resolve) => stream.once('connected', resolve));
    stream.start();
    await connected;
    const stats = engine.apiStatsSource(recordingLogger().logger);
    let id: string | undefined;
    try {
      id = await engine.create({
        image: TEST_IMAGE,
        command: TICKER,
        env: [],
        ports: [],
        labels: LABELS,
        tty: false,
        start: false,
      });
      const created = id;
      await engine.start(created);
      await waitFor(
        async () => events.some((event) => event.id === created && event.action === 'start'),
        15_000,
      );

      await waitFor(async () => {
        const lines = await engine.logs(created, false, { stdout: true, stderr: true });
        return lines.some((line) => line.text === 'tick 0');
      }, 15_000);
      const follow = await followUntil(engine, created, (lines) => lines.length >= 2);
      expect(follow.lines[0]?.text).toMatch(/^tick \d+$/);
      follow.close();

      const collector = stats.open({ id: created, pid: () => null });
      try {
        const sample = await waitFor(async () => (await collector.sample()) ?? false, 20_000);
        expect(sample.containerId).toBe(created);
        expect(sample.memoryUsageBytes).toBeGreaterThan(0);
      } finally {
        collector.close();
      }

      await engine.stop(created, 5);
      await waitFor(
        async () => events.some((event) => event.id === created && event.action === 'die'),
        15_000,
      );
      expect((await engine.inspect(created)).status).toBe('EXITED');
      await engine.remove(created, { force: false, removeVolumes: true });
      id = undefined;
      await waitFor(
        async () => events.some((event) => event.id === created && event.action === 'destroy'),
        15_000,
      );
    } finally {
      stream.stop();
      if (id !== undefined)
        await engine.remove(id, { force: true, removeVolumes: true }).catch(() => undefined);
    }
  }, 90_000);
});

describe('tcp:// with mutual TLS', () => {
  it('is refused without a client certificate, as ENGINE_UNAVAILABLE', async () => {
    const engine = new DockerEngine(
      new Docker({ host: tls!.host, port: tls!.port, protocol: 'https', ca: tls!.ca }),
    );
    const failure = await engine.info().catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(EngineUnavailableError);
    expect((failure as Error).message).toMatch(/certificate/i);
    expect(await engine.ping(10_000)).toBe(false);
  });
});

describe('ssh:// with docker system dial-stdio', () => {
  let id: string;
  let setup: DockerEngine;

  beforeAll(async () => {
    setup = gateway(sshConnection(ssh!));
    id = await setup.create({
      image: TEST_IMAGE,
      command: TICKER,
      env: [],
      ports: [],
      labels: LABELS,
      tty: false,
      start: false,
    });
    await setup.start(id);
  }, 30_000);

  afterAll(async () => {
    await setup?.remove(id, { force: true, removeVolumes: true }).catch(() => undefined);
  });

  it('carries many requests and concurrent streams over ONE SSH connection', async () => {
    const before = logins(ssh!.sshd);
    const engine = gateway(sshConnection(ssh!));
    const stream = engine.eventStream(recordingLogger().logger);
    const stats = engine.apiStatsSource(recordingLogger().logger);
    const collector = stats.open({ id, pid: () => null });
    const follows: { close: () => void }[] = [];
    try {
      const connected = new Promise((resolve) => stream.once('connected', resolve));
      stream.start();
      // Three log follows, the event stream and a stats stream stay open while requests come and go.
      follows.push(
        ...(await Promise.all([1, 2, 3].map(() => followUntil(engine, id, (lines) => lines.length >= 1)))),
      );
      await connected;
      for (let round = 0; round < 10; round += 1) {
        const answers = await Promise.all([engine.ping(10_000), engine.inspect(id), engine.info()]);
        expect(answers[0]).toBe(true);
        expect((await engine.listAll()).map((container) => container.id)).toContain(id);
      }
      // A burst waits for a few channels instead of opening one per request (which, past sshd's
      // MaxSessions of 10, would also take more SSH connections).
      const burst = await Promise.all(Array.from({ length: 50 }, () => engine.inspect(id)));
      expect(new Set(burst.map((container) => container.id))).toEqual(new Set([id]));
      await waitFor(async () => (await collector.sample()) ?? false, 20_000);
      expect(logins(ssh!.sshd) - before).toBe(1);
    } finally {
      for (const follow of follows) follow.close();
      collector.close();
      stream.stop();
    }
  }, 60_000);

  it('fails what is in flight when the SSH connection is killed, as a dropped socket does, and reconnects on the next request', async () => {
    // busybox sleep as PID 1 ignores SIGTERM: a stop of it stays in flight for its whole grace time.
    const sleeper = await setup.create({
      image: TEST_IMAGE,
      command: ['sleep', '3600'],
      env: [],
      ports: [],
      labels: LABELS,
      tty: false,
      start: false,
    });
    const watcher = setup.eventStream(recordingLogger().logger);
    const kills: EngineEvent[] = [];
    watcher.on('event', (event) => {
      if (event.id === sleeper && event.action === 'kill') kills.push(event);
    });
    try {
      await setup.start(sleeper);
      const connected = new Promise((resolve) => watcher.once('connected', resolve));
      watcher.start();
      await connected;

      const children = async () =>
        new Set(
          (await execFileAsync('pgrep', ['-P', String(ssh!.sshd.pid)]).catch(() => ({ stdout: '' }))).stdout
            .split('\n')
            .filter((pid) => pid !== '')
            .map(Number),
        );
      const others = await children();
      const engine = gateway(sshConnection(ssh!));
      expect(await engine.ping(10_000)).toBe(true);
      // Each SSH connection is served by a child of the listening sshd: the new one is this engine's.
      const own = [...(await children())].filter((pid) => !others.has(pid));
      expect(own).toHaveLength(1);

      const follow = await followUntil(engine, id, (lines) => lines.length >= 1);
      const stopping = engine.stop(sleeper, 60).then(
        () => undefined,
        (error: unknown) => error,
      );
      await waitFor(async () => kills.length > 0, 15_000);
      const before = logins(ssh!.sshd);
      for (const pid of own) process.kill(pid, 'SIGKILL');

      expect(await stopping).toBeInstanceOf(EngineUnavailableError);
      // A followed log ends with the socket's own error, as when a unix socket drops.
      expect(await follow.ended).toMatchObject({ code: 'ECONNRESET' });

      expect(await engine.ping(10_000)).toBe(true);
      expect((await engine.inspect(id)).id).toBe(id);
      expect(logins(ssh!.sshd) - before).toBe(1);
    } finally {
      watcher.stop();
      await setup.remove(sleeper, { force: true, removeVolumes: true }).catch(() => undefined);
    }
  }, 90_000);

  it('fails every request of a burst, none left waiting, when nothing listens for SSH', async () => {
    const engine = gateway(sshConnection(ssh!, { port: await freePort() }));
    const failures = await Promise.all(
      Array.from({ length: 12 }, () =>
        engine.inspect(id).then(
          () => undefined,
          (error: unknown) => error,
        ),
      ),
    );
    for (const failure of failures) {
      expect(failure).toBeInstanceOf(EngineUnavailableError);
      expect(failure).toMatchObject({ reason: 'REFUSED' });
    }
  });

  it('refuses a host key other than the one it was told, as ENGINE_UNAVAILABLE naming both', async () => {
    const expected = `SHA256:${'A'.repeat(43)}`;
    const engine = gateway(sshConnection(ssh!, { hostKeySha256: expected }));
    const failure = await engine.info().catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(EngineUnavailableError);
    expect((failure as Error).message).toContain(expected);
    expect((failure as Error).message).toContain(ssh!.hostKeySha256);
    expect((failure as Error).message).toMatch(/host key/);
  });

  it('takes any host key when told none, and reports the one it saw', async () => {
    const seen: string[] = [];
    const { hostKeySha256: _omitted, ...connection } = sshConnection(ssh!);
    const engine = gateway(connection, { onHostKey: (sha256) => seen.push(sha256) });
    expect(engine.sshHostKeySha256).toBeUndefined();
    expect(await engine.ping(10_000)).toBe(true);
    expect(seen).toEqual([ssh!.hostKeySha256]);
    expect(engine.sshHostKeySha256).toBe(ssh!.hostKeySha256);
  });

  it('keeps the first host key it took: a reconnect that meets another server is refused', async () => {
    // A TCP relay the test can point at another sshd, as a host taken over between two connections.
    const impostor = await startSshd({
      authorizedKeys: [ssh!.publicKey],
      config: [`SetEnv DOCKER_HOST=${ssh!.dockerHost}`],
    });
    let targetPort = ssh!.port;
    const open = new Set<Socket>();
    const relay = createServer((client) => {
      const upstream = createConnection({ host: '127.0.0.1', port: targetPort });
      open.add(client).add(upstream);
      const close = () => (client.destroy(), upstream.destroy(), open.delete(client), open.delete(upstream));
      client.pipe(upstream).pipe(client);
      client.on('error', close).on('close', close);
      upstream.on('error', close).on('close', close);
    });
    await new Promise<void>((resolve) => relay.listen(0, '127.0.0.1', resolve));
    try {
      const port = (relay.address() as { port: number }).port;
      const seen: string[] = [];
      const { hostKeySha256: _omitted, ...connection } = sshConnection(ssh!, { port });
      const engine = gateway(connection, { onHostKey: (sha256) => seen.push(sha256) });
      expect(await engine.ping(10_000)).toBe(true);
      expect(seen).toEqual([ssh!.hostKeySha256]);

      targetPort = impostor.port;
      for (const socket of open) socket.destroy();
      // A request already on the cut connection fails as a hang-up; the next one dials again.
      let failure: unknown;
      await waitFor(async () => {
        failure = await engine.info().catch((error: unknown) => error);
        return failure instanceof Error && /host key/.test(failure.message);
      }, 10_000);
      expect(failure).toBeInstanceOf(EngineUnavailableError);
      expect((failure as Error).message).toContain(impostor.hostKeySha256);
      expect((failure as Error).message).toContain(ssh!.hostKeySha256);
      expect(seen).toEqual([ssh!.hostKeySha256]);
    } finally {
      for (const socket of open) socket.destroy();
      await new Promise((resolve) => relay.close(resolve));
      await impostor.stop();
    }
  });

  it('is refused with a key the server does not take, naming the user and not the key', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'berth-ssh-stranger-'));
    const stranger = await makeSshKey(join(dir, 'id_ed25519'), 'not authorized').finally(() =>
      rm(dir, { recursive: true, force: true }),
    );
    const engine = gateway(sshConnection(ssh!, { privateKey: Buffer.from(stranger.privateKey) }));
    const failure = await engine.info().catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(EngineUnavailableError);
    expect((failure as Error).message).toContain(`refused the key for user "${ssh!.username}"`);
    expect((failure as Error).message).not.toContain('PRIVATE KEY');
  });

  it('opens a second SSH connection only when the server allows no more sessions on the first, and ends it when idle', async () => {
    // Another sshd in front of the same engine, allowing 2 sessions per connection.
    const narrow = await startSshd({
      authorizedKeys: [ssh!.publicKey],
      config: [`SetEnv DOCKER_HOST=${ssh!.dockerHost}`, 'MaxSessions 2'],
    });
    const follows: { close: () => void }[] = [];
    try {
      const engine = gateway(sshConnection(ssh!, { port: narrow.port, hostKeySha256: narrow.hostKeySha256 }));
      for (let at = 0; at < 3; at += 1)
        follows.push(await followUntil(engine, id, (lines) => lines.length >= 1));
      expect(logins(narrow)).toBe(2);
      for (const follow of follows.splice(0)) follow.close();
      await waitFor(
        async () =>
          narrow
            .log()
            .split('\n')
            .filter((line) => /Disconnected from user/.test(line)).length === 1,
        10_000,
      );
      expect(await engine.ping(10_000)).toBe(true);
      expect(logins(narrow)).toBe(2);
    } finally {
      for (const follow of follows) follow.close();
      await narrow.stop();
    }
  }, 60_000);
});
