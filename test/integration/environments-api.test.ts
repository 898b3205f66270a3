import type { Client } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { ContainerEventsSubscription as ContainerEventsMessage } from '../gql/graphql.js';
import { TEST_LABEL, cleanupLabelled, testDocker } from '../harness/docker.js';
import {
  ensureTestImage,
  haltEngine,
  restartEngine,
  startEngine,
  stopEngine,
  type StartedEngine,
} from '../harness/engine.js';
import { startBerth, uniqueName, type BerthClient, type RunningBerth } from '../support/berth.js';
import { addSocketEnvironment } from '../support/environments.js';
import {
  ContainerEventsSubscription,
  ContainerLogs,
  ContainersStatsSubscription,
  CreateContainerFromTemplate,
  CreateDeployToken,
  ContainerStatsSubscription,
  CreateContainer,
  GetContainer,
  ListContainers,
  RedeployContainer,
  RemoveContainer,
  RestartContainer,
  SaveTemplate,
  StartContainer,
  StopContainer,
} from '../support/operations/index.js';
import { subscribe, type Subscription } from '../support/subscriptions.js';
import { waitFor } from '../support/wait.js';

/**
 * Every engine-bound field takes `environment`; `containers`, `containersStats` and
 * `containerEvents` span every environment. A second, private engine (its own bridge, so it lives
 * beside the shared one) is added through berth's registry in process, then reached over HTTP and
 * graphql-ws like any client would, and halted and restarted to show a lost host holds no one back.
 */

const LABEL = uniqueName('envs');
const SECOND = uniqueName('second').toLowerCase();

let second: StartedEngine;
let berth: RunningBerth;
/** berth runs with authentication on (so a limited token is a real one): everything else is this admin. */
let admin: BerthClient;
let client: Client;
let secondImage: string;

const labelled = { label: `${TEST_LABEL}=${LABEL}` };

async function create(environment: string, name: string, extra: Record<string, unknown> = {}) {
  const { createContainer } = await admin.query(CreateContainer, {
    environment,
    input: {
      name,
      image: environment === 'local' ? inject('testImage') : secondImage,
      command: ['sh', '-c', 'trap "exit 0" TERM; echo hello from $HOSTNAME; while :; do sleep 1; done'],
      labels: [{ name: TEST_LABEL, value: LABEL }],
      ...extra,
    },
  });
  if (createContainer.__typename !== 'CreateContainerSuccess')
    throw new Error(JSON.stringify(createContainer));
  return createContainer.container;
}

beforeAll(async () => {
  second = await startEngine({ isolatedBridge: true, extraArgs: ['--shutdown-timeout=2'] });
  secondImage = await ensureTestImage(second.dockerHost);
  berth = await startBerth({ BERTH_AUTH: 'on' }, { label: LABEL });
  admin = berth.asRole('admin', uniqueName('envs-admin'));
  await addSocketEnvironment(berth.app, SECOND, second.dockerHost);
  client = admin.ws();
}, 120_000);

afterAll(async () => {
  await client?.dispose();
  await berth?.stop();
  await cleanupLabelled(testDocker(inject('dockerHost')), `${TEST_LABEL}=${LABEL}`);
  if (second) await stopEngine(second);
}, 120_000);

describe('environments in the API', () => {
  let localId: string;
  let secondId: string;

  it('runs the lifecycle on the second environment: create, start, logs, stats, events, stop, remove', async () => {
    const events = subscribe(client, ContainerEventsSubscription, {
      environment: SECOND,
      filter: { types: ['CREATE', 'START', 'DIE', 'DESTROY'] },
    });
    const created = await create(SECOND, uniqueName('cycle'), { start: false });
    expect(created.environment).toBe(SECOND);
    expect(created.status).toBe('CREATED');
    // Not on the local engine: the same id is unknown there.
    expect((await admin.query(GetContainer, { id: created.id })).container).toBeNull();

    const { startContainer } = await admin.query(StartContainer, { id: created.id, environment: SECOND });
    expect(startContainer).toMatchObject({ __typename: 'StartContainerSuccess' });

    const logs = await waitFor(async () => {
      const { container } = await admin.query(ContainerLogs, { id: created.id, environment: SECOND });
      const text = container?.logs.map((line) => line.text).join('\n') ?? '';
      expect(text).toContain('hello from');
      return text;
    }, 10_000);
    expect(logs).toContain('hello from');

    const stats = subscribe(client, ContainerStatsSubscription, { id: created.id, environment: SECOND });
    expect((await stats.next(20_000)).containerStats.containerId).toBe(created.id);
    stats.unsubscribe();

    const { stopContainer } = await admin.query(StopContainer, { id: created.id, environment: SECOND });
    expect(stopContainer).toMatchObject({
      __typename: 'StopContainerSuccess',
      container: { status: 'EXITED' },
    });
    const { removeContainer } = await admin.query(RemoveContainer, { id: created.id, environment: SECOND });
    expect(removeContainer).toMatchObject({ __typename: 'RemoveContainerSuccess' });

    // A template is berth's own; the container made from it goes where the call says.
    const template = uniqueName('tpl');
    const { saveTemplate } = await admin.query(SaveTemplate, {
      name: template,
      spec: { image: secondImage, command: ['sleep', '300'], labels: [{ name: TEST_LABEL, value: LABEL }] },
    });
    expect(saveTemplate.__typename).toBe('SaveTemplateSuccess');
    const { createContainerFromTemplate: fromTemplate } = await admin.query(CreateContainerFromTemplate, {
      name: template,
      environment: SECOND,
    });
    if (fromTemplate.__typename !== 'CreateContainerFromTemplateSuccess')
      throw new Error(JSON.stringify(fromTemplate));
    expect(fromTemplate.container.environment).toBe(SECOND);
    await admin.query(RemoveContainer, { id: fromTemplate.container.id, environment: SECOND, force: true });

    const seen: string[] = [];
    while (!seen.includes('DESTROY')) {
      const { containerEvents } = await events.next(10_000);
      expect(containerEvents.environment).toBe(SECOND);
      if (containerEvents.containerId === created.id) seen.push(containerEvents.type);
    }
    expect(seen).toEqual(['CREATE', 'START', 'DIE', 'DESTROY']);
    events.unsubscribe();
  });

  it('lists both engines in one answer, each container saying where it is', async () => {
    localId = (await create('local', uniqueName('here'))).id;
    secondId = (await create(SECOND, uniqueName('there'), { restartPolicy: { name: 'ALWAYS' } })).id;

    const { containers: localOnly } = await admin.query(ListContainers, { filter: labelled });
    expect(localOnly.map((c) => c.id)).toEqual([localId]);
    const { containers: secondOnly } = await admin.query(ListContainers, {
      filter: labelled,
      environment: SECOND,
    });
    expect(secondOnly.map((c) => [c.id, c.environment])).toEqual([[secondId, SECOND]]);

    const all = await admin.graphql(ListContainers, { filter: labelled, allEnvironments: true });
    expect(all.errors).toBeUndefined();
    expect(all.data?.containers.map((c) => [c.id, c.environment])).toEqual([
      [localId, 'local'],
      [secondId, SECOND],
    ]);
  });

  it('sends all-environments stats batches that carry both engines’ running containers', async () => {
    const stats = subscribe(client, ContainersStatsSubscription, { filter: labelled, allEnvironments: true });
    // The first batches may come before every collector has its first sample.
    await waitFor(async () => {
      const { containersStats } = await stats.next(10_000);
      expect(containersStats.samples.map((s) => s.containerId).sort()).toEqual([localId, secondId].sort());
      expect(containersStats.leftOut).toEqual([]);
    }, 30_000);
    stats.unsubscribe();
  });

  it('refuses an unknown environment with ENVIRONMENT_NOT_FOUND, in queries and in payloads', async () => {
    const query = await admin.graphql(ListContainers, { environment: 'nowhere' });
    expect(query.errors?.[0]?.extensions?.['code']).toBe('ENVIRONMENT_NOT_FOUND');
    const { startContainer } = await admin.query(StartContainer, { id: localId, environment: 'nowhere' });
    expect(startContainer).toMatchObject({
      __typename: 'EnvironmentNotFoundError',
      code: 'ENVIRONMENT_NOT_FOUND',
    });
  });

  it('refuses a token limited to another environment (FORBIDDEN) and spans only what it may use', async () => {
    const { token } = berth.app.tokens.create({
      name: uniqueName('limited'),
      role: 'operator',
      environments: [SECOND],
    });
    const limited = berth.as(token);
    const local = await limited.graphql(ListContainers, { filter: labelled });
    expect(local.errors?.map((e) => e.extensions?.['code'])).toEqual(['FORBIDDEN']);
    const start = await limited.graphql(StartContainer, { id: localId });
    expect(start.errors?.map((e) => e.extensions?.['code'])).toEqual(['FORBIDDEN']);
    const events = subscribe(limited.ws(), ContainerEventsSubscription, {});
    await expect(events.completed).rejects.toThrow(/FORBIDDEN/);

    const spanning = await limited.query(ListContainers, { filter: labelled, allEnvironments: true });
    expect(spanning.containers.map((c) => c.id)).toEqual([secondId]);
    const there = await limited.query(ListContainers, { filter: labelled, environment: SECOND });
    expect(there.containers.map((c) => c.id)).toEqual([secondId]);
  });

  it('holds a container deploy token to its target’s environment: the same target elsewhere is FORBIDDEN', async () => {
    const { createDeployToken } = await admin.query(CreateDeployToken, {
      name: uniqueName('deploy-there'),
      operation: 'REDEPLOY_CONTAINER',
      target: localId,
      environment: SECOND,
    });
    if (createDeployToken.__typename !== 'CreateDeployTokenSuccess')
      throw new Error(createDeployToken.__typename);
    expect(createDeployToken.created.token.environments).toEqual([SECOND]);
    const deployer = berth.as(createDeployToken.created.secret);
    const here = await deployer.graphql(RedeployContainer, { id: localId });
    expect(here.errors?.map((e) => e.extensions?.['code'])).toEqual(['FORBIDDEN']);

    const { createDeployToken: nowhere } = await admin.query(CreateDeployToken, {
      name: uniqueName('deploy-nowhere'),
      operation: 'REDEPLOY_CONTAINER',
      target: localId,
      environment: 'nowhere',
    });
    expect(nowhere).toMatchObject({ __typename: 'EnvironmentNotFoundError', code: 'ENVIRONMENT_NOT_FOUND' });
  });

  it('answers for the others while the second engine is down, and its events resume after it returns', async () => {
    // Both say once that the second engine is gone (environment-outages.test.ts covers that) and go on.
    const spanning = subscribe(
      client,
      ContainerEventsSubscription,
      { filter: { types: ['START', 'DIE'] }, allEnvironments: true },
      { errorsGoOn: true },
    );
    const own = subscribe(
      client,
      ContainerEventsSubscription,
      { environment: SECOND, filter: { containerId: secondId, types: ['START'] } },
      { errorsGoOn: true },
    );
    // A cursor from before the halt: resuming from it must replay what the second engine did since.
    const { restartContainer } = await admin.query(RestartContainer, { id: localId });
    expect(restartContainer.__typename).toBe('RestartContainerSuccess');
    const before = await nextFrom(spanning, (e) => e.containerId === localId && e.type === 'START');

    const stats = subscribe(client, ContainersStatsSubscription, { filter: labelled, allEnvironments: true });
    const secondStats = subscribe(client, ContainersStatsSubscription, {
      filter: labelled,
      environment: SECOND,
    });
    await secondStats.next(20_000);
    await haltEngine(second);
    // The second environment's own stream says its engine is gone.
    await waitFor(async () => {
      const { containersStats } = await secondStats.next(10_000);
      expect(containersStats).toMatchObject({ samples: [], leftOut: [SECOND] });
    }, 20_000);
    // Batches go on without the lost engine, saying it is left out, with the local container's samples.
    await waitFor(async () => {
      const { containersStats } = await stats.next(10_000);
      expect(containersStats.leftOut).toEqual([SECOND]);
      expect(containersStats.samples.map((s) => s.containerId)).toEqual([localId]);
    }, 20_000);
    stats.unsubscribe();
    // The local engine answers as before, and the spanning list answers with it, naming the lost one.
    const { containers: local } = await admin.query(ListContainers, { filter: labelled });
    expect(local.map((c) => c.id)).toEqual([localId]);
    const partial = await waitFor(async () => {
      const answer = await admin.graphql(ListContainers, { filter: labelled, allEnvironments: true });
      expect(answer.errors).toHaveLength(1);
      return answer;
    }, 20_000);
    expect(partial.data?.containers.map((c) => c.id)).toEqual([localId]);
    expect(partial.errors?.[0]?.extensions).toMatchObject({
      code: 'ENGINE_UNAVAILABLE',
      environment: SECOND,
    });

    second = await restartEngine(second);
    // The container with restart policy ALWAYS comes back: both streams see it start again.
    expect((await own.next(30_000)).containerEvents).toMatchObject({ type: 'START', containerId: secondId });
    // And samples again, on the same subscription.
    await waitFor(async () => {
      const { containersStats } = await secondStats.next(10_000);
      expect(containersStats.samples.map((sample) => sample.containerId)).toEqual([secondId]);
    }, 30_000);
    secondStats.unsubscribe();
    await nextFrom(spanning, (e) => e.containerId === secondId && e.type === 'START', 30_000);
    for (const subscription of [spanning, own]) {
      expect(subscription.errors.map((error) => error.extensions)).toEqual([
        { code: 'ENGINE_UNAVAILABLE', environment: SECOND },
      ]);
    }
    spanning.unsubscribe();
    own.unsubscribe();

    // Resumed from the cursor taken before the halt, the second environment replays from its own place.
    const resumed = subscribe(client, ContainerEventsSubscription, {
      filter: { types: ['START', 'DIE'] },
      allEnvironments: true,
      after: before.cursor,
    });
    const replayed = await nextFrom(resumed, (e) => e.containerId === secondId && e.type === 'START');
    expect(replayed.environment).toBe(SECOND);
    resumed.unsubscribe();

    const all = await waitFor(async () => {
      const answer = await admin.graphql(ListContainers, { filter: labelled, allEnvironments: true });
      expect(answer.errors).toBeUndefined();
      return answer;
    }, 30_000);
    expect(all.data?.containers.map((c) => c.id)).toEqual([localId, secondId]);
  }, 120_000);
});

/** The first event matching `wanted`, taking (and dropping) those before it. */
async function nextFrom(
  events: Subscription<ContainerEventsMessage>,
  wanted: (event: { containerId: string; type: string }) => boolean,
  timeoutMs = 15_000,
) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { containerEvents } = await events.next(Math.max(1, deadline - Date.now()));
    if (wanted(containerEvents)) return containerEvents;
  }
}
