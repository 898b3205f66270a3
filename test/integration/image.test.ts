// berth as its users start it: the Dockerfile built from a Node.js base made on this machine (its
// BASE_IMAGE build argument; no registry here), then `docker-compose up -d` with the repository's
// compose.yaml: the socket, the host's cgroup tree read-only and a data volume. Through the
// published port it creates a container, reads its stats from cgroup files, answers /healthz, and
// the image's own HEALTHCHECK turns healthy.

import { execFile } from 'node:child_process';
import { statSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';

import { TEST_LABEL, cleanupLabelled, parseDockerHost, testDocker } from '../harness/docker.js';
import { remoteBerth, uniqueName, type BerthClient } from '../support/berth.js';
import { ensureNodeBaseImage } from '../support/node-base.js';
import { CreateContainer, StartContainer } from '../support/operations/containers.js';
import { ContainerFigures } from '../support/operations/stats.js';
import { SystemQuery } from '../support/operations/system.js';
import { waitFor } from '../support/wait.js';

const execFileAsync = promisify(execFile);
const FILE = 'image';
const project = `berthimage${process.pid}`;
const image = `berth-test/berth:${project}`;

let docker: Docker;
let socketPath: string;
let socketGroup: number;
let port: number;
let workDir: string;
let berth: BerthClient;

/** The docker and docker-compose CLIs against the harness's engine, from the repository's root. */
async function cli(command: 'docker' | 'docker-compose', args: string[]): Promise<string> {
  const { stdout } = await execFileAsync(command, args, {
    env: {
      PATH: process.env['PATH'] ?? '/usr/bin:/bin',
      HOME: workDir,
      DOCKER_HOST: inject('dockerHost'),
      // docker 28's client builds with BuildKit through buildx, which this machine lacks; the
      // engine's own builder (the legacy one) reads the same Dockerfile.
      DOCKER_BUILDKIT: '0',
      BERTH_IMAGE: image,
      BERTH_PORT: String(port),
      DOCKER_SOCKET: socketPath,
      DOCKER_GID: String(socketGroup),
    },
    maxBuffer: 64 * 1024 * 1024,
  });
  return stdout;
}

const compose = (args: string[]) =>
  cli('docker-compose', [
    '-p',
    project,
    '-f',
    'compose.yaml',
    '-f',
    join(workDir, 'compose.test.yaml'),
    ...args,
  ]);

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

beforeAll(async () => {
  const address = parseDockerHost(inject('dockerHost'));
  if (address.kind !== 'unix')
    throw new Error(`the image test mounts a unix socket; the engine is ${inject('dockerHost')}`);
  socketPath = address.socketPath;
  socketGroup = statSync(socketPath).gid;
  docker = testDocker(inject('dockerHost'));
  workDir = await mkdtemp(join(tmpdir(), 'berth-image-'));
  port = await freePort();
  // The image's HEALTHCHECK every second instead of every 30 s, so the test need not wait: an
  // override file, as a user would write one.
  await writeFile(
    join(workDir, 'compose.test.yaml'),
    'services:\n  berth:\n    healthcheck:\n      interval: 1s\n      start_period: 60s\n',
  );

  const base = await ensureNodeBaseImage(inject('dockerHost'));
  await cli('docker', ['build', '--build-arg', `BASE_IMAGE=${base}`, '-t', image, '.']);
  await compose(['up', '-d', '--no-build']);
}, 600_000);

afterAll(async () => {
  await cleanupLabelled(docker, `${TEST_LABEL}=${FILE}`);
  await compose(['down', '--volumes']).catch(() => undefined);
  await docker
    .getImage(image)
    .remove()
    .catch(() => undefined);
  await rm(workDir, { recursive: true, force: true });
}, 120_000);

describe('the container image, started with compose.yaml', () => {
  it('runs as a non-root user with a data volume, and prints the first admin token once', async () => {
    const info = await docker.getImage(image).inspect();
    expect(info.Config.User).toBe('1000:1000');
    expect(Object.keys(info.Config.Volumes ?? {})).toEqual(['/data']);
    expect(info.Config.Labels?.['org.opencontainers.image.title']).toBe('berth');
    expect(info.Config.Healthcheck?.Test).toEqual(['CMD', 'node', 'dist/healthcheck.js']);

    const token = await waitFor(async () => {
      const logs = await compose(['logs', '--no-color', 'berth']);
      return /berth_[0-9a-f]{12}_[A-Za-z0-9_-]{43}/.exec(logs)?.[0] ?? false;
    }, 60_000);
    berth = remoteBerth(`http://127.0.0.1:${port}`, token);
  });

  it('answers /healthz with the engine up, and its HEALTHCHECK turns healthy', async () => {
    const health = await waitFor(async () => {
      const response = await fetch(`http://127.0.0.1:${port}/healthz`).catch(() => undefined);
      return response?.ok ? ((await response.json()) as { status: string; engine: string }) : false;
    }, 60_000);
    expect(health).toEqual({ status: 'ok', engine: 'up' });

    const [container] = await docker.listContainers({
      filters: { label: [`com.docker.compose.project=${project}`] },
    });
    expect(container).toBeDefined();
    await waitFor(async () => {
      const state = (await docker.getContainer(container!.Id).inspect()).State;
      return state.Health?.Status === 'healthy';
    }, 90_000);
  });

  it('creates a container and reads its stats from the host cgroup tree mounted read-only', async () => {
    const { system } = await berth.query(SystemQuery);
    expect(system.engine.up).toBe(true);
    expect(system.statsSource).toMatch(/^cgroup/);

    const created = await berth.query(CreateContainer, {
      input: {
        name: uniqueName(FILE),
        image: inject('testImage'),
        labels: [{ name: TEST_LABEL, value: FILE }],
      },
    });
    if (created.createContainer.__typename !== 'CreateContainerSuccess') {
      throw new Error(`create failed: ${JSON.stringify(created.createContainer)}`);
    }
    const { id } = created.createContainer.container;
    const started = await berth.query(StartContainer, { id });
    expect(started.startContainer.__typename).toBe('StartContainerSuccess');

    const stats = await waitFor(async () => {
      const { container } = await berth.query(ContainerFigures, { id });
      return container?.stats && container.stats.memoryUsageBytes > 0 ? container.stats : false;
    }, 60_000);
    expect(stats.containerId).toBe(id);
    expect(stats.pids).toBeGreaterThan(0);
  }, 120_000);

  it('keeps only production dependencies, and its npm scripts work in that tree', async () => {
    const [container] = await docker.listContainers({
      filters: { label: [`com.docker.compose.project=${project}`] },
    });
    const exec = (cmd: string[]) => cli('docker', ['exec', container!.Id, ...cmd]);
    // No compiler and no tsx: the server is the build.
    await expect(exec(['node', '-e', "require.resolve('typescript')"])).rejects.toThrow();
    await expect(exec(['node', '-e', "require.resolve('tsx')"])).rejects.toThrow();
    // `npm run token` checks for a build first, finds dist/ and no build tools, and runs it.
    const listed = await exec(['npm', 'run', '--silent', 'token', '--', 'list', '--json']);
    const tokens = JSON.parse(listed) as { name: string; role: string }[];
    expect(tokens.map((token) => token.role)).toContain('admin');
  });
});
