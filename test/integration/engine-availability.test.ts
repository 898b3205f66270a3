import { createConnection, createServer, type Server } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { TEST_LABEL, cleanupLabelled, parseDockerHost, testDocker } from '../harness/docker.js';
import { startBerth, uniqueName, type RunningBerth } from '../support/berth.js';
import { CreateContainer, ListContainers } from '../support/operations.js';

/**
 * berth starts with nothing answering at DOCKER_HOST, reports ENGINE_UNAVAILABLE / 503, and works
 * as soon as an engine answers there, without a restart. The "engine appears" step opens a unix
 * socket at DOCKER_HOST that forwards byte for byte to the real engine: every answer is the engine's.
 */

const label = { name: TEST_LABEL, value: 'availability' };
let dir: string;
let socketPath: string;
let berth: RunningBerth;
let forwarder: Server | undefined;
let docker: Docker;

function forwardTo(target: string, path: string): Promise<Server> {
  const server = createServer((client) => {
    const upstream = createConnection(target);
    client.pipe(upstream).pipe(client);
    const close = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', close);
    upstream.on('error', close);
  });
  return new Promise((resolve) => server.listen(path, () => resolve(server)));
}

beforeAll(async () => {
  docker = testDocker(inject('dockerHost'));
  dir = await mkdtemp(join(tmpdir(), 'berth-avail-'));
  socketPath = join(dir, 'docker.sock');
  berth = await startBerth({ DOCKER_HOST: `unix://${socketPath}` }, { waitForEngine: false });
});

afterAll(async () => {
  await berth?.stop();
  await new Promise((resolve) => (forwarder ? forwarder.close(resolve) : resolve(undefined)));
  await rm(dir, { recursive: true, force: true });
  await cleanupLabelled(docker, `${TEST_LABEL}=availability`);
});

describe('engine availability', () => {
  it('starts without an engine, answers ENGINE_UNAVAILABLE and 503, then works once the engine answers', async () => {
    const health = await (await fetch(`${berth.url}/healthz`)).json();
    expect(health).toMatchObject({ status: 'ok', engine: 'down' });

    const list = await berth.graphql(ListContainers, {});
    expect(list.data).toBeNull();
    expect(list.errors?.[0]?.extensions?.['code']).toBe('ENGINE_UNAVAILABLE');

    const name = uniqueName('avail');
    const refused = await berth.query(CreateContainer, { input: { name, image: inject('testImage'), labels: [label] } });
    expect(refused.createContainer).toMatchObject({ __typename: 'EngineUnavailableError', code: 'ENGINE_UNAVAILABLE' });

    const rest = await fetch(`${berth.url}/containers`);
    expect(rest.status).toBe(503);
    expect(await rest.json()).toMatchObject({ error: { code: 'ENGINE_UNAVAILABLE' } });

    // The engine comes back at the same address.
    const engine = parseDockerHost(inject('dockerHost'));
    if (engine.kind !== 'unix') throw new Error('this test forwards a unix socket; the harness engine is on tcp');
    forwarder = await forwardTo(engine.socketPath, socketPath);

    expect(await (await fetch(`${berth.url}/healthz`)).json()).toMatchObject({ status: 'ok', engine: 'up' });
    await berth.app.index.whenSynced();
    const created = await berth.query(CreateContainer, { input: { name, image: inject('testImage'), labels: [label] } });
    expect(created.createContainer).toMatchObject({ __typename: 'CreateContainerSuccess', container: { name, status: 'RUNNING' } });
    expect((await docker.getContainer(name).inspect()).State.Running).toBe(true);
    const listed = await berth.query(ListContainers, { filter: { name } });
    expect(listed.containers.map((c) => c.name)).toEqual([name]);
  });
});
