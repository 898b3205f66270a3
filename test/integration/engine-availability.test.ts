import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { TEST_LABEL, cleanupLabelled, parseDockerHost, testDocker } from '../harness/docker.js';
import { startBerth, uniqueName, type RunningBerth } from '../support/berth.js';
import { SocketForwarder } from '../support/socket-forwarder.js';
import { ContainerEventsSubscription, CreateContainer, ListContainers } from '../support/operations/index.js';
import { nextEvent } from '../support/events.js';
import { subscribe, wsClient } from '../support/subscriptions.js';
import { waitFor } from '../support/wait.js';

/**
 * berth starts with nothing answering at DOCKER_HOST, reports ENGINE_UNAVAILABLE / 503, and works
 * as soon as an engine answers there, without a restart. The "engine appears" step opens a unix
 * socket at DOCKER_HOST that forwards byte for byte to the real engine: every answer is the engine's.
 * The same forwarder then cuts berth's connections (the event stream among them) while the engine
 * changes a container: berth must resume the stream, drop what the engine replays, and miss nothing.
 */

const label = { name: TEST_LABEL, value: 'availability' };
let dir: string;
let socketPath: string;
let berth: RunningBerth;
let forwarder: SocketForwarder;
let docker: Docker;

beforeAll(async () => {
  docker = testDocker(inject('dockerHost'));
  dir = await mkdtemp(join(tmpdir(), 'berth-avail-'));
  socketPath = join(dir, 'docker.sock');
  const engine = parseDockerHost(inject('dockerHost'));
  if (engine.kind !== 'unix')
    throw new Error('this test forwards a unix socket; the harness engine is on tcp');
  forwarder = new SocketForwarder(socketPath, engine.socketPath);
  berth = await startBerth({ DOCKER_HOST: `unix://${socketPath}` }, { waitForEngine: false });
});

afterAll(async () => {
  await berth?.stop();
  await forwarder?.cut();
  await rm(dir, { recursive: true, force: true });
  await cleanupLabelled(docker, `${TEST_LABEL}=availability`);
});

describe('engine availability', () => {
  it('starts without an engine, answers ENGINE_UNAVAILABLE and 503, then works once the engine answers', async () => {
    // Down, and why: no socket file yet (test/integration/engine-start-error.test.ts has each reason).
    await waitFor(async () =>
      expect(await (await fetch(`${berth.url}/healthz`)).json()).toEqual({
        status: 'ok',
        engine: 'down',
        reason: 'NOT_FOUND',
      }),
    );

    const list = await berth.graphql(ListContainers, {});
    expect(list.data).toBeNull();
    expect(list.errors?.[0]?.extensions?.['code']).toBe('ENGINE_UNAVAILABLE');

    const name = uniqueName('avail');
    const refused = await berth.query(CreateContainer, {
      input: { name, image: inject('testImage'), labels: [label] },
    });
    expect(refused.createContainer).toMatchObject({
      __typename: 'EngineUnavailableError',
      code: 'ENGINE_UNAVAILABLE',
    });

    const rest = await fetch(`${berth.url}/containers`);
    expect(rest.status).toBe(503);
    expect(await rest.json()).toMatchObject({ error: { code: 'ENGINE_UNAVAILABLE' } });

    // The engine comes back at the same address.
    await forwarder.listen();

    expect(await (await fetch(`${berth.url}/healthz`)).json()).toMatchObject({ status: 'ok', engine: 'up' });
    await berth.app.index.whenSynced();
    const created = await berth.query(CreateContainer, {
      input: { name, image: inject('testImage'), labels: [label] },
    });
    expect(created.createContainer).toMatchObject({
      __typename: 'CreateContainerSuccess',
      container: { name, status: 'RUNNING' },
    });
    expect((await docker.getContainer(name).inspect()).State.Running).toBe(true);
    const listed = await berth.query(ListContainers, { filter: { name } });
    expect(listed.containers.map((c) => c.name)).toEqual([name]);
  });

  it('resumes the event stream after a cut: nothing missed, nothing twice', async () => {
    await berth.app.index.whenSynced();
    const name = uniqueName('resume');
    const creation = nextEvent(berth.app, (e) => e.type === 'CREATE' && e.container?.name === name);
    const created = await berth.query(CreateContainer, {
      input: { name, image: inject('testImage'), labels: [label], command: ['sleep', '300'], start: false },
    });
    if (created.createContainer.__typename !== 'CreateContainerSuccess') throw new Error('create failed');
    const id = created.createContainer.container.id;
    const client = wsClient(berth.url);
    // From right after its CREATE: the START below is delivered whenever the subscription opens.
    const events = subscribe(
      client,
      ContainerEventsSubscription,
      { filter: { containerId: id }, after: (await creation).cursor },
      { errorsGoOn: true },
    );
    await docker.getContainer(id).start();
    expect((await events.next()).containerEvents.type).toBe('START');

    // The link to the engine breaks; meanwhile the container is stopped behind berth's back.
    await forwarder.cut();
    await docker.getContainer(id).kill();
    await docker.getContainer(id).wait();
    await forwarder.listen();

    const after: string[] = [];
    while (!after.includes('DIE')) after.push((await events.next(15_000)).containerEvents.type);
    const { containers } = await berth.query(ListContainers, { filter: { name } });
    expect(containers[0]?.status).toBe('EXITED');
    // The engine replays from the last event seen (START included); berth drops the replay. The
    // engine's stream is ordered, so whatever berth passed on of it comes before the DESTROY of a
    // removal made now, which ends the subscription.
    await docker.getContainer(id).remove();
    while (!after.includes('DESTROY')) after.push((await events.next(15_000)).containerEvents.type);
    await expect(events.completed).resolves.toBeUndefined();
    expect(after.filter((type) => type === 'START')).toHaveLength(0);
    expect(after.filter((type) => type === 'DIE')).toHaveLength(1);
    // The cut was said once, as the one result without data, and the stream went on.
    expect(events.errors.map((error) => error.extensions)).toEqual([
      { code: 'ENGINE_UNAVAILABLE', environment: 'local' },
    ]);
    await client.dispose();
  });
});
