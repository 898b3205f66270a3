import type Docker from 'dockerode';
import type { Client } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { TEST_LABEL, cleanupLabelled, testDocker } from '../harness/docker.js';
import {
  ensureTestImage,
  haltEngine,
  restartEngine,
  startEngine,
  stopEngine,
  type StartedEngine,
} from '../harness/engine.js';
import { startBerth, uniqueName, type RunningBerth } from '../support/berth.js';
import { addSocketEnvironment } from '../support/environments.js';
import type { EnvironmentServices } from '../../src/domain/environments/model.js';
import {
  ContainerEventsSubscription,
  ContainerLogsSubscription,
  ContainerStatsSubscription,
  CreateContainer,
  HealthChangedSubscription,
  RestartContainer,
} from '../support/operations/index.js';
import { subscribe, type Subscription } from '../support/subscriptions.js';
import { waitFor } from '../support/wait.js';

/**
 * A subscription about one environment says once when its engine stops answering (one result with
 * an ENGINE_UNAVAILABLE error naming the environment), stays open, and goes on once the engine is
 * back. A second private engine is halted and restarted under containerEvents, containerLogs,
 * containerStats and healthChanged over graphql-ws and containerEvents over SSE, while the local
 * environment's streams go on undisturbed.
 */

const LABEL = uniqueName('outages');
const SECOND = uniqueName('second').toLowerCase();

let second: StartedEngine;
let secondDocker: Docker;
let berth: RunningBerth;
let client: Client;
let secondImage: string;
let secondServices: EnvironmentServices;

beforeAll(async () => {
  second = await startEngine({ isolatedBridge: true, extraArgs: ['--shutdown-timeout=2'] });
  secondImage = await ensureTestImage(second.dockerHost);
  berth = await startBerth({}, { label: LABEL });
  secondServices = await addSocketEnvironment(berth.app, SECOND, second.dockerHost);
  secondDocker = testDocker(second.dockerHost);
  client = berth.ws();
}, 120_000);

afterAll(async () => {
  await client?.dispose();
  await berth?.stop();
  await cleanupLabelled(testDocker(inject('dockerHost')), `${TEST_LABEL}=${LABEL}`);
  if (second) await stopEngine(second);
}, 120_000);

/** Runs `script` in the container on the second engine (a line to PID 1's stdout, a file for its health). */
async function run(id: string, script: string): Promise<void> {
  const exec = await secondDocker.getContainer(id).exec({ Cmd: ['sh', '-c', script] });
  await exec.start({ Detach: true });
}

/** The one error a stream sent, once it has sent it: ENGINE_UNAVAILABLE naming the second environment. */
async function saysDown(subscription: Subscription<unknown>, what: string): Promise<void> {
  await waitFor(async () => {
    if (subscription.errors.length === 0) throw new Error(`${what} has not said the engine is down`);
  }, 20_000);
  expect(subscription.errors, what).toHaveLength(1);
  expect(subscription.errors[0]?.extensions, what).toMatchObject({
    code: 'ENGINE_UNAVAILABLE',
    environment: SECOND,
  });
}

/** Takes messages until one matches, within the deadline. */
async function nextMatching<T>(
  subscription: Subscription<T>,
  wanted: (message: T) => boolean,
  timeoutMs = 30_000,
) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const message = await subscription.next(Math.max(1, deadline - Date.now()));
    if (wanted(message)) return message;
  }
}

interface SseResult {
  data?: { containerEvents: { type: string; containerId: string } } | null;
  errors?: { message: string; extensions?: Record<string, unknown> }[];
}

/** A GraphQL subscription over SSE (Yoga's single connection per operation): its results as they arrive. */
async function sseSubscribe(query: string, variables: Record<string, unknown>) {
  const response = await fetch(`${berth.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
    body: JSON.stringify({ query, variables }),
  });
  expect(response.headers.get('content-type')).toContain('text/event-stream');
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  const state = { results: [] as SseResult[], completed: false };
  void (async () => {
    let buffered = '';
    for (;;) {
      const { value, done } = await reader.read().catch(() => ({ value: undefined, done: true as const }));
      if (done) break;
      buffered += value;
      let end: number;
      while ((end = buffered.indexOf('\n\n')) !== -1) {
        const block = buffered.slice(0, end).split('\n');
        buffered = buffered.slice(end + 2);
        if (block.some((line) => line === 'event: complete')) state.completed = true;
        const data = block.filter((line) => line.startsWith('data:')).map((line) => line.slice(5).trim());
        if (block.some((line) => line === 'event: next') && data.length > 0)
          state.results.push(JSON.parse(data.join('\n')) as SseResult);
      }
    }
    state.completed = true;
  })();
  return { state, cancel: () => reader.cancel() };
}

describe('subscriptions while an environment is down', () => {
  it('each says once that the engine is gone, stays open, and goes on once it is back; local is undisturbed', async () => {
    const { createContainer } = await berth.query(CreateContainer, {
      environment: SECOND,
      input: {
        name: uniqueName('talker'),
        image: secondImage,
        // Says `up` as it starts: once before the follow, once as the engine starts it again.
        command: ['sh', '-c', 'echo up; trap "exit 0" TERM; while :; do sleep 1; done'],
        labels: [{ name: TEST_LABEL, value: LABEL }],
        restartPolicy: { name: 'ALWAYS' },
        healthcheck: { test: ['CMD-SHELL', 'test -f /tmp/ok'], intervalSeconds: 1, retries: 1 },
      },
    });
    if (createContainer.__typename !== 'CreateContainerSuccess')
      throw new Error(JSON.stringify(createContainer));
    const talker = createContainer.container.id;
    const goOn = { errorsGoOn: true };

    const events = subscribe(client, ContainerEventsSubscription, { environment: SECOND }, goOn);
    const spanning = subscribe(
      client,
      ContainerEventsSubscription,
      { allEnvironments: true, filter: { types: ['START'] } },
      goOn,
    );
    const local = subscribe(client, ContainerEventsSubscription, { filter: { types: ['START'] } }, goOn);
    const logs = subscribe(client, ContainerLogsSubscription, { id: talker, environment: SECOND }, goOn);
    const stats = subscribe(client, ContainerStatsSubscription, { id: talker, environment: SECOND }, goOn);
    const health = subscribe(
      client,
      HealthChangedSubscription,
      { containerId: talker, environment: SECOND },
      goOn,
    );
    const sse = await sseSubscribe(
      'subscription ($environment: String!) { containerEvents(environment: $environment) { type containerId } }',
      { environment: SECOND },
    );

    // Before the outage: a line, a sample, a health change, events.
    await run(talker, 'touch /tmp/ok; echo before > /proc/1/fd/1');
    expect((await logs.next(20_000)).containerLogs.text).toBe('before');
    await stats.next(20_000);
    expect(
      (await nextMatching(health, (m) => m.healthChanged.current === 'HEALTHY')).healthChanged,
    ).toMatchObject({
      current: 'HEALTHY',
    });
    const beforeHalt = await nextMatching(
      events,
      (m) => m.containerEvents.containerId === talker && m.containerEvents.type === 'HEALTH',
    );
    await waitFor(async () => expect(sse.state.results.length).toBeGreaterThan(0), 20_000);

    await haltEngine(second);
    await saysDown(events, 'containerEvents');
    await saysDown(spanning, 'containerEvents(allEnvironments)');
    await saysDown(logs, 'containerLogs');
    await saysDown(stats, 'containerStats');
    await saysDown(health, 'healthChanged');
    const sseDown = await waitFor(async () => {
      const down = sse.state.results.filter((result) => result.errors);
      expect(down).toHaveLength(1);
      return down[0]!;
    }, 20_000);
    expect(sseDown.data ?? null).toBeNull();
    expect(sseDown.errors?.[0]?.extensions).toMatchObject({
      code: 'ENGINE_UNAVAILABLE',
      environment: SECOND,
    });
    expect(sse.state.completed).toBe(false);

    // The local environment goes on meanwhile, in its own stream and in the spanning one.
    const here = await berth.create({
      command: ['sh', '-c', 'trap "exit 0" TERM; while :; do sleep 1; done'],
    });
    const { restartContainer } = await berth.query(RestartContainer, { id: here.id });
    expect(restartContainer.__typename).toBe('RestartContainerSuccess');
    await nextMatching(local, (m) => m.containerEvents.containerId === here.id);
    await nextMatching(spanning, (m) => m.containerEvents.containerId === here.id);
    expect(local.errors).toEqual([]);

    second = await restartEngine(second);
    // The container (restart policy ALWAYS) starts again; its events come on the same streams.
    const back = await nextMatching(
      events,
      (m) => m.containerEvents.containerId === talker && m.containerEvents.type === 'START',
    );
    await nextMatching(spanning, (m) => m.containerEvents.containerId === talker);
    await waitFor(async () => {
      expect(
        sse.state.results.some(
          (result) =>
            result.data?.containerEvents.containerId === talker &&
            result.data.containerEvents.type === 'START',
        ),
      ).toBe(true);
    }, 30_000);
    // The line the container wrote as the engine started it again, kept by the engine while berth
    // was not following, then one written now: each once, none lost, `before` not again.
    await run(talker, 'echo after > /proc/1/fd/1');
    expect((await logs.next(30_000)).containerLogs.text).toBe('up');
    expect((await logs.next(30_000)).containerLogs.text).toBe('after');
    // Samples again, and health changes again (the probe's file is removed: unhealthy).
    await stats.next(30_000);
    await run(talker, 'rm -f /tmp/ok');
    await nextMatching(health, (m) => m.healthChanged.current === 'UNHEALTHY');

    // Each stream said so once, and only once, and none of them ended.
    for (const [what, subscription] of Object.entries({ events, spanning, logs, stats, health })) {
      expect(subscription.errors, what).toHaveLength(1);
    }
    expect(logs.pending).toEqual([]);
    expect(local.errors).toEqual([]);
    expect(sse.state.results.filter((result) => result.errors)).toHaveLength(1);
    expect(sse.state.completed).toBe(false);

    // A cursor from before the outage is still good: it replays what came after it, as the live stream had it.
    const resumed = subscribe(client, ContainerEventsSubscription, {
      environment: SECOND,
      after: beforeHalt.containerEvents.cursor,
    });
    const replayed = await nextMatching(
      resumed,
      (m) => m.containerEvents.cursor === back.containerEvents.cursor,
    );
    expect(replayed.containerEvents).toMatchObject({ type: 'START', containerId: talker });

    for (const subscription of [events, spanning, local, logs, stats, health, resumed])
      subscription.unsubscribe();
    await sse.cancel();
    // The follow opened again after the outage is released with the subscription.
    await waitFor(async () => expect(secondServices.logs.openFollows).toBe(0), 10_000);
  }, 180_000);
});
