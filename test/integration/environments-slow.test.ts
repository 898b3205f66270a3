import type { Client } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { TEST_LABEL, cleanupLabelled, testDocker } from '../harness/docker.js';
import { ensureTestImage, startEngine, stopEngine, type StartedEngine } from '../harness/engine.js';
import { startBerth, uniqueName, type RunningBerth } from '../support/berth.js';
import { addSocketEnvironment } from '../support/environments.js';
import { ContainersStatsSubscription, ListContainers } from '../support/operations/index.js';
import { subscribe } from '../support/subscriptions.js';
import { waitFor } from '../support/wait.js';

/**
 * A slow host, not a lost one: the second private engine's dockerd is frozen with SIGSTOP (a real
 * fault: its socket still accepts connections, nothing answers and nothing fails), so berth's index
 * still believes it is there. The all-environments stats stream must not wait for it: batches keep
 * coming with the local container's samples and name the frozen environment as left out, and the
 * spanning list still answers. SIGCONT brings its samples back into the same stream.
 */

const LABEL = uniqueName('slow');
const SECOND = uniqueName('second').toLowerCase();
const labelled = { label: `${TEST_LABEL}=${LABEL}` };

let second: StartedEngine;
let berth: RunningBerth;
let client: Client;
let localId: string;
let secondId: string;
let frozen = false;

async function runSleeper(dockerHost: string, image: string): Promise<string> {
  const container = await testDocker(dockerHost).createContainer({
    Image: image,
    name: uniqueName('sleeper'),
    Cmd: ['sleep', '600'],
    Labels: { [TEST_LABEL]: LABEL },
  });
  await container.start();
  return container.id;
}

function thaw(): void {
  if (frozen) process.kill(second.pid, 'SIGCONT');
  frozen = false;
}

beforeAll(async () => {
  second = await startEngine({ isolatedBridge: true, extraArgs: ['--shutdown-timeout=2'] });
  const secondImage = await ensureTestImage(second.dockerHost);
  berth = await startBerth({}, { label: LABEL });
  await addSocketEnvironment(berth.app, SECOND, second.dockerHost);
  localId = await runSleeper(inject('dockerHost'), inject('testImage'));
  secondId = await runSleeper(second.dockerHost, secondImage);
  client = berth.ws();
}, 120_000);

afterAll(async () => {
  // A frozen engine could not stop: it is thawed first, whatever the test did.
  if (second) thaw();
  await client?.dispose();
  await berth?.stop();
  await cleanupLabelled(testDocker(inject('dockerHost')), `${TEST_LABEL}=${LABEL}`);
  if (second) await stopEngine(second);
}, 120_000);

describe('a slow environment (its engine frozen with SIGSTOP)', () => {
  it('does not hold back the others’ stats batches or the spanning list, and comes back when it answers', async () => {
    const stats = subscribe(client, ContainersStatsSubscription, { filter: labelled, allEnvironments: true });
    const carried = (batch: { samples: { containerId: string }[] }) =>
      batch.samples.map((sample) => sample.containerId).sort();
    await waitFor(async () => {
      const { containersStats } = await stats.next(10_000);
      expect(carried(containersStats)).toEqual([localId, secondId].sort());
    }, 30_000);

    process.kill(second.pid, 'SIGSTOP');
    frozen = true;
    // Once its samples are more than two ticks old, the frozen one is named and left out.
    await waitFor(async () => {
      const { containersStats } = await stats.next(10_000);
      expect(containersStats.leftOut).toEqual([SECOND]);
      expect(carried(containersStats)).toEqual([localId]);
    }, 20_000);
    // And batches keep coming, each with the local container's sample, while it stays frozen: three
    // in a row, taken one after another (the stream's own pace, no clock asserted).
    for (let i = 0; i < 3; i += 1) {
      const { containersStats } = await stats.next(10_000);
      expect(carried(containersStats)).toEqual([localId]);
      expect(containersStats.leftOut).toEqual([SECOND]);
    }
    // The spanning list answers from berth's indexes without asking the frozen engine.
    const all = await berth.graphql(ListContainers, { filter: labelled, allEnvironments: true });
    expect(all.data?.containers.map((c) => c.id)).toContain(localId);

    thaw();
    await waitFor(async () => {
      const { containersStats } = await stats.next(10_000);
      expect(containersStats.leftOut).toEqual([]);
      expect(carried(containersStats)).toEqual([localId, secondId].sort());
    }, 60_000);
    stats.unsubscribe();
  }, 150_000);
});
