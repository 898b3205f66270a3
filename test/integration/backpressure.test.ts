import type Docker from 'dockerode';
import { print } from 'graphql';
import type { Client } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import WebSocket from 'ws';
import { TEST_LABEL, cleanupLabelled, testDocker } from '../harness/docker.js';
import { startBerth, uniqueName, type RunningBerth } from '../support/berth.js';
import {
  ContainerStatsSubscription,
  ContainersStatsSubscription,
  ListContainers,
} from '../support/operations/index.js';
import { subscribe, wsClient } from '../support/subscriptions.js';
import { waitFor } from '../support/wait.js';

/**
 * A WebSocket client that stops reading must not hold berth's memory or delay anyone else: its
 * streams keep only their newest sample, and past a bound on unsent bytes it is disconnected.
 */

const MAX_BUFFERED = 64 * 1024;
let berth: RunningBerth;
let docker: Docker;
let fast: Client;
const ids: string[] = [];

beforeAll(async () => {
  docker = testDocker(inject('dockerHost'));
  berth = await startBerth({ BERTH_WS_MAX_BUFFERED_BYTES: String(MAX_BUFFERED) });
  for (let i = 0; i < 8; i += 1) {
    const container = await docker.createContainer({
      Image: inject('testImage'),
      name: uniqueName('bp'),
      Cmd: ['sleep', '300'],
      Labels: { [TEST_LABEL]: 'backpressure' },
    });
    await container.start();
    ids.push(container.id);
  }
  await waitFor(async () => {
    const { containers } = await berth.query(ListContainers, {
      filter: { label: `${TEST_LABEL}=backpressure`, status: 'RUNNING' },
    });
    if (containers.length !== ids.length) throw new Error('not all indexed');
  });
  fast = wsClient(berth.url);
});

afterAll(async () => {
  await fast?.dispose();
  await berth?.stop();
  await cleanupLabelled(docker, `${TEST_LABEL}=backpressure`);
});

/** A graphql-ws client by hand, so that the test can stop reading from its socket. */
async function stalledClient(subscriptions: number): Promise<WebSocket> {
  const socket = new WebSocket(`${berth.url.replace(/^http/, 'ws')}/graphql`, 'graphql-transport-ws');
  await new Promise((resolve, reject) => {
    socket.once('open', resolve);
    socket.once('error', reject);
  });
  socket.send(JSON.stringify({ type: 'connection_init' }));
  await new Promise<void>((resolve) =>
    socket.on('message', (data) => {
      if (JSON.parse(String(data)).type === 'connection_ack') resolve();
    }),
  );
  const query = print(ContainersStatsSubscription);
  for (let i = 0; i < subscriptions; i += 1) {
    socket.send(
      JSON.stringify({
        id: String(i),
        type: 'subscribe',
        payload: { query, variables: { filter: { label: `${TEST_LABEL}=backpressure` } } },
      }),
    );
  }
  // From here on the client reads nothing: the kernel's buffers fill, then berth's.
  (socket as unknown as { _socket: { pause(): void } })._socket.pause();
  return socket;
}

describe('a WebSocket client that reads nothing', () => {
  it('is disconnected at the bound on buffered bytes, while another client keeps its pace', async () => {
    // Every sample the hub takes of the steady client's container, in order.
    const taken: number[] = [];
    const offTick = berth.app.stats.onTick(({ samples }) => {
      const sample = samples.get(ids[0]!);
      if (sample) taken.push(sample.at.getTime());
    });
    const steady = subscribe(fast, ContainerStatsSubscription, { id: ids[0]! });
    await steady.next();
    const connected = berth.app.websocketClients();

    const stalled = await stalledClient(150);
    expect(berth.app.websocketClients()).toBe(connected + 1);

    // Meanwhile the steady client gets every sample taken, in order: one held up behind the
    // stalled client would find only the newest of several (its stream keeps one), and miss some.
    const received: number[] = [];
    const deadline = Date.now() + 40_000;
    while (berth.app.websocketClients() > connected && Date.now() < deadline) {
      received.push(Date.parse((await steady.next()).containerStats.at));
    }
    offTick();
    expect(berth.app.websocketClients()).toBe(connected);
    expect(received).toEqual(taken.filter((at) => at >= received[0]! && at <= received.at(-1)!));

    // berth cut the stalled socket: once it reads again, it finds the connection closed.
    const closed = new Promise<number>((resolve) => stalled.once('close', resolve));
    (stalled as unknown as { _socket: { resume(): void } })._socket.resume();
    expect(await closed).toBe(1006);
    steady.unsubscribe();
  }, 60_000);
});
