import { spawn, type ChildProcess } from 'node:child_process';
import { chmod, link, mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { parseDockerHost } from '../harness/docker.js';
import { startBerth, uniqueName, type RunningBerth } from '../support/berth.js';
import { recordingLogger, type RecordingLogger } from '../support/log.js';
import { SocketForwarder } from '../support/socket-forwarder.js';
import { waitFor } from '../support/wait.js';

/**
 * berth started where the engine cannot be reached, for each real reason: no socket file
 * (ENOENT), a socket file nobody listens on (ECONNREFUSED: a hard link to a closed server's
 * socket, which outlives it) and a socket berth's user may not open (EACCES: the tests run as
 * root, whom permissions do not stop, so that berth runs as `nobody` in a process of its own).
 * berth says why, with the fix, once at start however often it retries; again only when the
 * reason changes, and once when the engine answers. GraphQL's ENGINE_UNAVAILABLE and /healthz
 * carry the reason.
 */

let dir: string;
const started: { stop(): Promise<void> }[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'berth-start-error-'));
});

afterEach(async () => {
  for (const berth of started.splice(0)) await berth.stop();
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A socket file at `path` that nothing listens on: connecting to it is refused (ECONNREFUSED). */
async function staleSocket(path: string): Promise<void> {
  const server = createServer();
  const bound = `${path}.bound`;
  await new Promise<void>((resolve) => server.listen(bound, resolve));
  await link(bound, path);
  // Closing unlinks the server's own name; the link stays, a socket with no listener behind it.
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

/** How many times berth tried to open the engine's event stream and could not reach the engine. */
async function failedTries(url: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const line = text
    .split('\n')
    .find((l) =>
      l.startsWith(
        'berth_docker_call_duration_seconds_count{operation="events",outcome="ENGINE_UNAVAILABLE"}',
      ),
    );
  return line === undefined ? 0 : Number(line.split(' ').pop());
}

function unreachableLines(log: RecordingLogger): string[] {
  return log.lines.filter((line) => line.text.includes('cannot be reached')).map((line) => line.text);
}

/** A raw GraphQL POST: the reason fields are read as the schema has them. */
async function graphql(url: string, query: string): Promise<{ data?: any; errors?: any[] }> {
  const response = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query }),
  });
  return (await response.json()) as { data?: any; errors?: any[] };
}

const CREATE = (name: string) => `mutation {
  createContainer(input: { name: "${name}", image: "${inject('testImage')}" }) {
    __typename
    ... on EngineUnavailableError { code reason detail message }
  }
}`;
const SYSTEM = '{ system { engine { up reason detail } } }';

async function startWithout(path: string): Promise<{ berth: RunningBerth; log: RecordingLogger }> {
  const log = recordingLogger();
  const berth = await startBerth(
    { DOCKER_HOST: `unix://${path}`, LOG_LEVEL: 'info' },
    { waitForEngine: false, logger: log.logger },
  );
  started.push(berth);
  return { berth, log };
}

describe('the engine cannot be reached at start', () => {
  it('ENOENT: says "no Docker Engine" with the fix once across retries, again when the reason changes, and once when the engine answers', async () => {
    const path = join(dir, 'missing.sock');
    const { berth, log } = await startWithout(path);

    // Several tries, all failed: still one line, the fix in it.
    await waitFor(async () => (await failedTries(berth.url)) >= 4);
    const [line, ...more] = unreachableLines(log);
    expect(more).toEqual([]);
    expect(line).toContain(`no Docker Engine at ${path} (no such file)`);
    expect(line).toContain('start dockerd');
    expect(line).toContain('DOCKER_HOST');
    expect(log.lines.find((l) => l.text === line)?.level).toBe('warn');

    const created = await graphql(berth.url, CREATE(uniqueName('start-error')));
    expect(created.data?.createContainer).toMatchObject({
      __typename: 'EngineUnavailableError',
      code: 'ENGINE_UNAVAILABLE',
      reason: 'NOT_FOUND',
      detail: expect.stringContaining(`no Docker Engine at ${path}`),
    });
    expect(created.data?.createContainer.message).toContain('start dockerd');
    const system = await graphql(berth.url, SYSTEM);
    expect(system.data?.system.engine).toMatchObject({ up: false, reason: 'NOT_FOUND' });
    expect(await (await fetch(`${berth.url}/healthz`)).json()).toEqual({
      status: 'ok',
      engine: 'down',
      reason: 'NOT_FOUND',
    });

    // A socket file appears with nothing behind it: a new reason, said once.
    await staleSocket(path);
    await waitFor(async () => unreachableLines(log).length === 2);
    const tries = await failedTries(berth.url);
    await waitFor(async () => (await failedTries(berth.url)) >= tries + 2);
    const lines = unreachableLines(log);
    expect(lines).toHaveLength(2);
    expect(lines[1]).toContain(`nothing listens on ${path} (connection refused)`);
    expect((await graphql(berth.url, SYSTEM)).data?.system.engine.reason).toBe('REFUSED');

    // The engine answers there: said once, and the reason is gone.
    const engine = parseDockerHost(inject('dockerHost'));
    if (engine.kind !== 'unix')
      throw new Error('this test forwards a unix socket; the harness engine is on tcp');
    const forwarder = new SocketForwarder(path, engine.socketPath);
    started.push({ stop: () => forwarder.cut() });
    await forwarder.listen();
    await berth.app.index.whenSynced();
    const answered = log.lines.filter((l) => l.text.includes('answers again'));
    expect(answered).toHaveLength(1);
    expect(answered[0]?.level).toBe('info');
    expect(unreachableLines(log)).toHaveLength(2);
    expect((await graphql(berth.url, SYSTEM)).data?.system.engine).toEqual({
      up: true,
      reason: null,
      detail: null,
    });
    expect(await (await fetch(`${berth.url}/healthz`)).json()).toEqual({ status: 'ok', engine: 'up' });
  });

  it('ECONNREFUSED: a stale socket is told apart from a missing one, with its fix', async () => {
    const path = join(dir, 'stale.sock');
    await staleSocket(path);
    const { berth, log } = await startWithout(path);
    await waitFor(async () => (await failedTries(berth.url)) >= 4);
    const lines = unreachableLines(log);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(`nothing listens on ${path} (connection refused)`);
    expect(lines[0]).toContain('start dockerd');

    const created = await graphql(berth.url, CREATE(uniqueName('start-error')));
    expect(created.data?.createContainer).toMatchObject({ code: 'ENGINE_UNAVAILABLE', reason: 'REFUSED' });
    // The container index refuses without seeing why; the reason is still the engine's.
    const listed = await graphql(
      berth.url,
      `
        {
          containers {
            id
          }
        }
      `,
    );
    expect(listed.errors?.[0]?.extensions?.code).toBe('ENGINE_UNAVAILABLE');
    expect(await (await fetch(`${berth.url}/healthz`)).json()).toMatchObject({ reason: 'REFUSED' });
  });

  it('EACCES: a socket berth may not open names the docker group and --group-add (berth run as nobody, as root ignores permissions; in process when the tests are not root)', async () => {
    // Its own directory, open to nobody (this file's is the owner's alone): only the socket is not.
    const sockets = await mkdtemp(join(tmpdir(), 'berth-eacces-'));
    await chmod(sockets, 0o777);
    started.push({ stop: () => rm(sockets, { recursive: true, force: true }) });
    const path = join(sockets, 'docker.sock');
    // A real listener: the refusal is the kernel's, on permissions alone.
    const server: Server = createServer((socket) => socket.destroy());
    await new Promise<void>((resolve) => server.listen(path, resolve));
    await chmod(path, 0o600);
    started.push({ stop: () => new Promise<void>((resolve) => server.close(() => resolve())) });

    if (process.getuid?.() !== 0) {
      // Not root: permissions stop this process too, so berth runs in it, the socket closed to all.
      await chmod(path, 0o000);
      const { berth, log } = await startWithout(path);
      await waitFor(async () => (await failedTries(berth.url)) >= 4);
      expect(unreachableLines(log)).toHaveLength(1);
      expect(unreachableLines(log)[0]).toContain(`cannot open ${path}: permission denied`);
      const created = await graphql(berth.url, CREATE(uniqueName('start-error')));
      expect(created.data?.createContainer).toMatchObject({ reason: 'PERMISSION_DENIED' });
      return;
    }
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const output: string[] = [];
    const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      cwd: join(import.meta.dirname, '..', '..'),
      uid: 65534,
      gid: 65534,
      env: {
        PATH: '/usr/local/bin:/usr/bin:/bin',
        HOME: sockets,
        DOCKER_HOST: `unix://${path}`,
        BERTH_AUTH: 'off',
        HOST: '127.0.0.1',
        PORT: String(port),
        BERTH_DATA_DIR: join(sockets, 'data'),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout?.on('data', (chunk: Buffer) => output.push(...chunk.toString().split('\n')));
    child.stderr?.on('data', (chunk: Buffer) => output.push(...chunk.toString().split('\n')));
    started.push({
      stop: async () => {
        if (child.exitCode !== null) return;
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await exited;
      },
    });

    await waitFor(async () => (await failedTries(url)) >= 4, 30_000).catch((error: unknown) => {
      throw new Error(`berth (as nobody) did not retry; it said:\n${output.join('\n')}`, { cause: error });
    });
    const lines = output.filter((line) => line.includes('cannot be reached'));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(`cannot open ${path}: permission denied`);
    expect(lines[0]).toContain('sudo usermod -aG docker $USER');
    expect(lines[0]).toContain('--group-add');

    const created = await graphql(url, CREATE(uniqueName('start-error')));
    expect(created.data?.createContainer).toMatchObject({
      code: 'ENGINE_UNAVAILABLE',
      reason: 'PERMISSION_DENIED',
      detail: expect.stringContaining('docker group'),
    });
    expect(await (await fetch(`${url}/healthz`)).json()).toEqual({
      status: 'ok',
      engine: 'down',
      reason: 'PERMISSION_DENIED',
    });
  });
});

/** A loopback port free now, for the berth of its own process. */
async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const address = probe.address();
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}
