import type Docker from 'dockerode';
import type { Client } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDocker } from '../harness/docker.js';
import {
  ensureTestImage,
  haltEngine,
  restartEngine,
  startEngine,
  stopEngine,
  type StartedEngine,
} from '../harness/engine.js';
import { startBerth, uniqueName, type RunningBerth } from '../support/berth.js';
import {
  ContainerEventsSubscription,
  ContainerStatsSubscription,
  CreateContainer,
  ListContainers,
} from '../support/operations/index.js';
import { subscribe, wsClient } from '../support/subscriptions.js';
import { waitFor } from '../support/wait.js';

/**
 * The engine stops and comes back while berth and its subscribers stay up. This file runs its own
 * dockerd (with a bridge of its own, so it can live beside the shared engine) because it must stop it.
 */

let engine: StartedEngine;
let berth: RunningBerth;
let docker: Docker;
let client: Client;

async function health(): Promise<{ engine: string }> {
  return (await (await fetch(`${berth.url}/healthz`)).json()) as { engine: string };
}

beforeAll(async () => {
  engine = await startEngine({ isolatedBridge: true, extraArgs: ['--shutdown-timeout=2'] });
  await ensureTestImage(engine.dockerHost);
  docker = testDocker(engine.dockerHost);
  berth = await startBerth({ DOCKER_HOST: engine.dockerHost });
  client = wsClient(berth.url);
}, 120_000);

afterAll(async () => {
  await client?.dispose();
  await berth?.stop();
  if (engine) await stopEngine(engine);
}, 120_000);

describe('an engine restart', () => {
  it('keeps berth up: /healthz goes down then up, subscriptions deliver again, the index matches Docker', async () => {
    const { createContainer } = await berth.query(CreateContainer, {
      input: {
        name: uniqueName('survivor'),
        image: 'berth-test/busybox:latest',
        command: ['sh', '-c', 'trap "exit 0" TERM; while :; do sleep 1; done'],
        restartPolicy: { name: 'ALWAYS' },
      },
    });
    if (createContainer.__typename !== 'CreateContainerSuccess')
      throw new Error(JSON.stringify(createContainer));
    const id = createContainer.container.id;
    // Another container that will not come back: the index must notice it stopped.
    const { createContainer: other } = await berth.query(CreateContainer, {
      input: { name: uniqueName('casualty'), image: 'berth-test/busybox:latest', command: ['sleep', '300'] },
    });
    expect(other.__typename).toBe('CreateContainerSuccess');

    // Each says once that the engine is gone, and goes on.
    const stats = subscribe(client, ContainerStatsSubscription, { id }, { errorsGoOn: true });
    const events = subscribe(
      client,
      ContainerEventsSubscription,
      { filter: { containerId: id, types: ['START'] } },
      { errorsGoOn: true },
    );
    await stats.next();
    expect(await health()).toMatchObject({ engine: 'up' });

    await haltEngine(engine);
    expect(await health()).toMatchObject({ engine: 'down' });
    const during = await berth.graphql(ListContainers, {});
    expect(during.errors?.[0]?.extensions?.['code']).toBe('ENGINE_UNAVAILABLE');

    engine = await restartEngine(engine);
    await waitFor(async () => {
      if ((await health()).engine !== 'up') throw new Error('still down');
    }, 30_000);

    // The same subscriptions, on the same socket, deliver again (each within its deadline; how
    // soon after the engine is back depends on the machine, so that is not asserted).
    stats.pending.splice(0);
    const sample = await stats.next(20_000);
    expect(sample.containerStats.containerId).toBe(id);
    const restarted = await events.next(20_000);
    expect(restarted.containerEvents).toMatchObject({ type: 'START', containerId: id });
    for (const subscription of [stats, events]) {
      expect(subscription.errors.map((error) => error.extensions)).toEqual([
        { code: 'ENGINE_UNAVAILABLE', environment: 'local' },
      ]);
    }

    // And the index equals Docker's own list.
    await berth.app.index.whenSynced();
    const listed = await waitFor(async () => {
      const { containers } = await berth.query(ListContainers, {});
      const dockers = await docker.listContainers({ all: true });
      const mine = containers.map((c) => `${c.id}:${c.status.toLowerCase()}`).sort();
      const theirs = dockers.map((c) => `${c.Id}:${c.State}`).sort();
      expect(mine).toEqual(theirs);
      return containers;
    }, 10_000);
    expect(listed).toHaveLength(2);
    expect(listed.find((c) => c.id === id)?.status).toBe('RUNNING');
    stats.unsubscribe();
    events.unsubscribe();
  });
});
