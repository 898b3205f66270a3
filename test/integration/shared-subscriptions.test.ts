import type Docker from 'dockerode';
import { print } from 'graphql';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import WebSocket from 'ws';
import { TEST_LABEL, cleanupLabelled, testDocker } from '../harness/docker.js';
import { startBerth, uniqueName, type RunningBerth } from '../support/berth.js';
import { ContainerStatsSubscription, RevokeToken } from '../support/operations/index.js';
import { subscribe, type Subscription } from '../support/subscriptions.js';
import { waitFor } from '../support/wait.js';

/**
 * Subscribers asking the same stats subscription with the same scope share one execution: one
 * serialization per sample, written to each with its own operation id. Who may subscribe is still
 * decided for each, a revoked token's subscriber is cut off alone, and the execution and its
 * collector end with the last subscriber.
 */

const LABEL = `${TEST_LABEL}=shared-subscriptions`;
let berth: RunningBerth;
let docker: Docker;
let containerId: string;
const cleanups: (() => unknown)[] = [];

beforeAll(async () => {
  docker = testDocker(inject('dockerHost'));
  // Only what is watched is sampled, so the collector's release with the last subscriber shows.
  berth = await startBerth({ BERTH_AUTH: 'on', BERTH_STATS_SAMPLE: 'watched' });
  const container = await docker.createContainer({
    Image: inject('testImage'),
    name: uniqueName('shared'),
    Cmd: ['sleep', '300'],
    Labels: { [TEST_LABEL]: 'shared-subscriptions' },
  });
  await container.start();
  containerId = container.id;
  await waitFor(async () => expect(berth.app.index.peek(containerId)?.status).toBe('RUNNING'));
});

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  await waitFor(async () => expect(berth.app.sharedExecutions()).toBe(0));
});

afterAll(async () => {
  await berth?.stop();
  await cleanupLabelled(docker, LABEL);
});

type Stats = { containerStats: { at: unknown; containerId: string } };

/** A graphql-ws subscription of the container's stats, on a socket of its own, as `client`. */
function follow(
  client: Pick<RunningBerth, 'ws'>,
  variables: { intervalSeconds?: number } = {},
): Subscription<Stats> {
  // Closed by berth in one test (a revoked token): that is the point, not worth a console error.
  const socket = client.ws({ onNonLazyError: () => undefined });
  const subscription = subscribe(socket, ContainerStatsSubscription, { id: containerId, ...variables });
  cleanups.push(() => subscription.unsubscribe());
  return subscription;
}

/** A graphql-ws connection by hand, to see the messages as the server wrote them. */
async function rawSocket(token: string): Promise<{ socket: WebSocket; messages: string[] }> {
  const socket = new WebSocket(`${berth.url.replace(/^http/, 'ws')}/graphql`, 'graphql-transport-ws');
  const messages: string[] = [];
  socket.on('message', (data) => messages.push(String(data)));
  await new Promise((resolve, reject) => {
    socket.once('open', resolve);
    socket.once('error', reject);
  });
  socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${token}` } }));
  await waitFor(async () => expect(messages.map((m) => JSON.parse(m).type)).toContain('connection_ack'));
  cleanups.push(() => socket.close());
  return { socket, messages };
}

describe('subscribers of the same stats subscription', () => {
  it('share one execution: each message is the same payload, under each operation’s own id', async () => {
    const viewer = berth.asRole('viewer', 'shared-raw');
    const { socket, messages } = await rawSocket(viewer.token);
    const query = print(ContainerStatsSubscription);
    for (const id of ['first', 'second']) {
      socket.send(
        JSON.stringify({ id, type: 'subscribe', payload: { query, variables: { id: containerId } } }),
      );
    }
    const other = follow(viewer);
    await other.next();

    const nexts = () => messages.map((m) => JSON.parse(m)).filter((m) => m.type === 'next');
    await waitFor(async () => {
      const ids = new Set(nexts().map((m) => m.id));
      expect(ids).toEqual(new Set(['first', 'second']));
    });
    expect(berth.app.sharedExecutions()).toBe(1);
    // The same sample, serialized once: both operations' messages carry the very same text.
    const payloadText = (m: string) => m.slice(m.indexOf('"payload":'));
    await waitFor(async () => {
      const byAt = new Map<string, string[]>();
      for (const m of messages.filter((m) => JSON.parse(m).type === 'next')) {
        const at = JSON.parse(m).payload.data.containerStats.at as string;
        byAt.set(at, [...(byAt.get(at) ?? []), payloadText(m)]);
      }
      const pairs = [...byAt.values()].filter((texts) => texts.length === 2);
      expect(pairs.length).toBeGreaterThan(0);
      for (const [a, b] of pairs) expect(a).toBe(b);
    });
  });

  it('execute apart when their variables or their scope differ', async () => {
    const viewer = berth.asRole('viewer', 'shared-scope-viewer');
    const operator = berth.asRole('operator', 'shared-scope-operator');
    await Promise.all([follow(viewer).next(), follow(viewer).next()]);
    expect(berth.app.sharedExecutions()).toBe(1);
    await follow(viewer, { intervalSeconds: 2 }).next();
    expect(berth.app.sharedExecutions()).toBe(2);
    await follow(operator).next();
    expect(berth.app.sharedExecutions()).toBe(3);
  });

  it('hand a late joiner the newest sample at once', async () => {
    const viewer = berth.asRole('viewer', 'shared-late');
    // One sample an hour: the joiner's first message can only be the one the first already had.
    const first = follow(viewer, { intervalSeconds: 3600 });
    const sample = await first.next();
    const late = follow(viewer, { intervalSeconds: 3600 });
    expect((await late.next()).containerStats.at).toEqual(sample.containerStats.at);
    expect(berth.app.sharedExecutions()).toBe(1);
  });

  it('cut off a revoked token’s subscriber at once, and the others sharing its execution go on', async () => {
    const revoked = berth.asRole('viewer', 'shared-revoked');
    const kept = berth.asRole('viewer', 'shared-kept');
    const admin = berth.asRole('admin', 'shared-admin');
    const doomed = follow(revoked);
    const staying = follow(kept);
    await Promise.all([doomed.next(), staying.next()]);
    expect(berth.app.sharedExecutions()).toBe(1);

    const { revokeToken } = await admin.query(RevokeToken, { reference: 'shared-revoked' });
    expect(revokeToken.__typename).toBe('RevokeTokenSuccess');
    await expect(doomed.completed).rejects.toThrow();
    // A sample taken after the revocation still reaches the other subscriber.
    staying.pending.splice(0);
    await staying.next();
    expect(berth.app.sharedExecutions()).toBe(1);
  });

  it('answer a refused subscription to each who asked it, and run nothing', async () => {
    const viewer = berth.asRole('viewer', 'shared-refused');
    const query = print(ContainerStatsSubscription);
    const answers = await Promise.all(
      [0, 1].map(async () => {
        const { socket, messages } = await rawSocket(viewer.token);
        socket.send(
          JSON.stringify({
            id: 'x',
            type: 'subscribe',
            payload: { query, variables: { id: 'no-such-container' } },
          }),
        );
        await waitFor(async () => expect(messages.map((m) => JSON.parse(m).type)).toContain('complete'));
        return messages.map((m) => JSON.parse(m)).find((m) => m.type === 'next');
      }),
    );
    for (const answer of answers) {
      expect(answer.payload.errors[0].extensions.code).toBe('NOT_FOUND');
    }
    expect(berth.app.sharedExecutions()).toBe(0);
  });

  it('end with the last subscriber, releasing the container’s collector', async () => {
    const viewer = berth.asRole('viewer', 'shared-last');
    const subscriptions = [follow(viewer), follow(viewer), follow(viewer)];
    await Promise.all(subscriptions.map((s) => s.next()));
    expect(berth.app.stats.collectorOf(containerId)?.leases).toBe(1);
    subscriptions[0]!.unsubscribe();
    subscriptions[1]!.unsubscribe();
    subscriptions[2]!.pending.splice(0);
    await subscriptions[2]!.next();
    expect(berth.app.sharedExecutions()).toBe(1);
    subscriptions[2]!.unsubscribe();
    await waitFor(async () => expect(berth.app.sharedExecutions()).toBe(0));
    await waitFor(async () => expect(berth.app.stats.collectorOf(containerId)?.leases ?? 0).toBe(0));
  });
});
