import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { TEST_LABEL, cleanupLabelled, testDocker } from '../harness/docker.js';
import { startBerth, uniqueName, type RunningBerth } from '../support/berth.js';
import {
  DeployStack,
  RemoveStack,
  ScaleStackService,
  StackQuery,
  Stacks,
  StartStack,
  StopStack,
} from '../support/operations/index.js';

// Debian's docker-compose (1.29) is the peer client: it lists a stack berth deployed, and berth
// finds, stops, starts, scales down and removes a stack the CLI started. Both sides find a
// project's containers by Compose's labels, never by their names (berth writes Compose v2's
// `<project>-<service>-<n>`, 1.29 writes `<project>_<service>_<n>`).

const FILE = `stacks-compose-cli-${process.pid}`;
const COMPOSE = '/usr/bin/docker-compose';

let berth: RunningBerth;
let docker: Docker;
let dir: string;
/** Every project this file made, with its compose file: `docker-compose down -v` after the file. */
const projects = new Map<string, string>();

beforeAll(async () => {
  docker = testDocker(inject('dockerHost'));
  dir = await mkdtemp(join(tmpdir(), 'berth-compose-cli-'));
  berth = await startBerth({}, { label: FILE });
}, 60_000);

afterAll(async () => {
  for (const [name, file] of projects) {
    await berth?.query(RemoveStack, { name, volumes: true }).catch(() => undefined);
    await compose(name, file, ['down', '-v', '--remove-orphans', '-t', '1']).catch((error: unknown) => {
      console.warn(`docker-compose down of ${name} failed: ${String(error)}`);
    });
  }
  await berth?.stop();
  if (docker) {
    await cleanupLabelled(docker, `${TEST_LABEL}=${FILE}`);
    for (const name of projects.keys()) await cleanupLabelled(docker, `com.docker.compose.project=${name}`);
  }
  if (dir) await rm(dir, { recursive: true, force: true });
}, 120_000);

/** A project name of this run (Compose's rule: lowercase letters, digits, dashes and underscores). */
function projectName(prefix: string): string {
  return uniqueName(prefix).replace(/^berth-test-/, 'bt-');
}

/** Writes `text` as the project's compose file and remembers it for the cleanup. */
async function composeFile(name: string, text: string): Promise<string> {
  const file = join(dir, `${name}.yml`);
  await writeFile(file, text);
  projects.set(name, file);
  return file;
}

/** Runs `docker-compose -p NAME -f FILE ...args` against the test engine; answers its stdout. */
function compose(name: string, file: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      COMPOSE,
      ['-p', name, '-f', file, '--ansi', 'never', ...args],
      {
        cwd: dir,
        env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: dir, DOCKER_HOST: inject('dockerHost') },
        timeout: 90_000,
        maxBuffer: 4 * 1024 * 1024,
      },
      (error, stdout, stderr) => {
        if (error) reject(new Error(`docker-compose ${args.join(' ')}: ${error.message}\n${stderr}`));
        else resolve(stdout);
      },
    );
  });
}

/** `docker-compose ps` as rows: the container's name and its state (Up, Exit 137, ...). */
async function ps(name: string, file: string): Promise<{ name: string; state: string }[]> {
  const output = await compose(name, file, ['ps']);
  const lines = output.split('\n').filter((line) => line.trim() !== '');
  // A header, a rule of dashes, then one row a container: its name first, its state after the command.
  const rule = lines.findIndex((line) => /^-+$/.test(line.trim()));
  expect(rule, output).toBeGreaterThan(0);
  return lines.slice(rule + 1).map((line) => {
    const state = /\s(Up(?: \([a-z: ]+\))?|Exit -?\d+|Restarting|Paused|Created)(?:\s|$)/.exec(line);
    return { name: line.trim().split(/\s+/)[0]!, state: state?.[1] ?? `unknown: ${line}` };
  });
}

async function containersOf(stack: string, service?: string): Promise<Docker.ContainerInfo[]> {
  const filters = [`com.docker.compose.project=${stack}`];
  if (service) filters.push(`com.docker.compose.service=${service}`);
  return docker.listContainers({ all: true, filters: { label: filters } });
}

const image = () => inject('testImage');

describe('a stack berth deployed', () => {
  it('is listed by docker-compose ps, by its containers’ names, Up', async () => {
    const name = projectName('cli-berth');
    const text = `
services:
  web:
    image: ${image()}
    command: ["sh", "-c", "hostname > /www/index.html && exec httpd -f -p 80 -h /www"]
    init: true
  worker:
    image: ${image()}
    command: ["sleep", "3600"]
    init: true
    deploy:
      replicas: 2
`;
    const file = await composeFile(name, text);
    const { deployStack } = await berth.query(DeployStack, { input: { name, compose: text } });
    expect(deployStack.__typename).toBe('DeployStackResult');
    if (deployStack.__typename !== 'DeployStackResult') return;
    expect(deployStack.ok, JSON.stringify(deployStack.outcomes)).toBe(true);

    const rows = await ps(name, file);
    expect(rows.map((row) => row.name).sort()).toEqual([
      `${name}-web-1`,
      `${name}-worker-1`,
      `${name}-worker-2`,
    ]);
    for (const row of rows) expect(row.state, row.name).toBe('Up');
    // The names are berth's: the same containers the engine has under the project's label.
    const engine = (await containersOf(name)).map((c) => c.Names[0]!.slice(1)).sort();
    expect(rows.map((row) => row.name).sort()).toEqual(engine);
  });
});

describe('a stack the Compose CLI started', () => {
  it('shows in berth, and berth stops, starts, scales down and removes it', async () => {
    const name = projectName('cli-up');
    const text = `
services:
  app:
    image: ${image()}
    command: sleep 3600
    init: true
  worker:
    image: ${image()}
    command: sleep 3600
    init: true
`;
    const file = await composeFile(name, text);
    await compose(name, file, ['up', '-d', '--scale', 'worker=3']);
    const started = await ps(name, file);
    expect(started.map((row) => row.name).sort()).toEqual([
      `${name}_app_1`,
      `${name}_worker_1`,
      `${name}_worker_2`,
      `${name}_worker_3`,
    ]);
    for (const row of started) expect(row.state, row.name).toBe('Up');

    // In berth's list and by name: its services and containers, without a file of berth's.
    const { stacks } = await berth.query(Stacks, {});
    const listed = stacks.find((stack) => stack.name === name);
    expect(listed).toBeDefined();
    expect(listed?.managed).toBe(false);
    const { stack } = await berth.query(StackQuery, { name });
    expect(stack).not.toBeNull();
    if (!stack) return;
    expect(stack.managed).toBe(false);
    expect(stack.compose).toBeNull();
    expect(stack.status).toBe('RUNNING');
    expect(stack.services.map((s) => [s.name, s.desiredReplicas, s.runningReplicas])).toEqual([
      ['app', 1, 1],
      ['worker', 3, 3],
    ]);
    expect(stack.services[1]!.containers.map((c) => c.name).sort()).toEqual([
      `${name}_worker_1`,
      `${name}_worker_2`,
      `${name}_worker_3`,
    ]);
    for (const container of stack.services.flatMap((s) => s.containers)) {
      expect(container.status).toBe('RUNNING');
    }

    // Stopped by berth: the CLI sees them exited.
    const { stopStack } = await berth.query(StopStack, { name });
    expect(stopStack.__typename).toBe('Stack');
    if (stopStack.__typename === 'Stack') expect(stopStack.status).toBe('STOPPED');
    const stopped = await ps(name, file);
    expect(stopped).toHaveLength(4);
    for (const row of stopped) expect(row.state, row.name).toMatch(/^Exit /);

    // Started by berth: Up again.
    const { startStack } = await berth.query(StartStack, { name });
    expect(startStack.__typename).toBe('Stack');
    if (startStack.__typename === 'Stack') expect(startStack.status).toBe('RUNNING');
    for (const row of await ps(name, file)) expect(row.state, row.name).toBe('Up');

    // Scaled down by berth: the highest numbers go.
    const { scaleStackService: down } = await berth.query(ScaleStackService, {
      stack: name,
      service: 'worker',
      replicas: 1,
    });
    expect(down.__typename).toBe('Stack');
    if (down.__typename === 'Stack') {
      const worker = down.services.find((s) => s.name === 'worker');
      expect(worker?.containers.map((c) => c.name)).toEqual([`${name}_worker_1`]);
    }
    expect((await containersOf(name, 'worker')).map((c) => c.Names[0])).toEqual([`/${name}_worker_1`]);
    expect((await ps(name, file)).map((row) => row.name).sort()).toEqual([
      `${name}_app_1`,
      `${name}_worker_1`,
    ]);

    // Scaled up: berth has no file to make replicas from, and says so.
    const { scaleStackService: up } = await berth.query(ScaleStackService, {
      stack: name,
      service: 'worker',
      replicas: 2,
    });
    expect(up).toMatchObject({ __typename: 'InvalidInputError', code: 'INVALID_INPUT' });
    if (up.__typename === 'InvalidInputError') expect(up.message).toMatch(/no compose file/);
    expect(await containersOf(name, 'worker')).toHaveLength(1);

    // Removed by berth: its containers and its network; the CLI lists nothing.
    const network = `${name}_default`;
    expect((await docker.listNetworks({ filters: { name: [network] } })).map((n) => n.Name)).toContain(
      network,
    );
    const { removeStack } = await berth.query(RemoveStack, { name });
    expect(removeStack.__typename).toBe('Stack');
    expect(await containersOf(name)).toEqual([]);
    const networks = await docker.listNetworks({
      filters: { label: [`com.docker.compose.project=${name}`] },
    });
    expect(networks).toEqual([]);
    expect(await ps(name, file)).toEqual([]);
    const { stack: gone } = await berth.query(StackQuery, { name });
    expect(gone).toBeNull();
  });
});
