import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Docker from 'dockerode';
import type { Client } from 'graphql-ws';
import type { ServiceRolloutSubscription as RolloutData } from '../gql/graphql.js';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { SWARM_OPERATIONS } from '../../src/engine/operations.js';
import { timedOperations } from '../support/engine-calls.js';
import { TEST_LABEL, followProgress, statusCodeOf, testDocker } from '../harness/docker.js';
import { TEST_PAGE, startEngine, stopEngine, type StartedEngine } from '../harness/engine.js';
import { startBerth, type RunningBerth } from '../support/berth.js';
import {
  Backup,
  DeployService,
  RemoveService,
  Restore,
  RollbackService,
  ScaleService,
  ServiceRolloutSubscription,
  SwarmNodes,
  SwarmService,
  SwarmServices,
  UpdateService,
} from '../support/operations/index.js';
import { SocketForwarder } from '../support/socket-forwarder.js';
import { subscribe, wsClient, type Subscription } from '../support/subscriptions.js';
import { waitFor } from '../support/wait.js';

// A one-node swarm on a private engine: the shared engine must never enter swarm mode. The
// routing mesh does not run on these machines (no IPVS), so ports are published in HOST mode,
// each task on a port the engine picks. berth reaches the private engine through a forwarder
// that counts its requests, which shows when a rollout poller has really stopped.

const LABEL = 'swarm.test';
const V2 = 'berth-test/busybox:v2';

let engine: StartedEngine | undefined;
let docker: Docker;
let forwarder: SocketForwarder;
let forwarderDir: string;
let berth: RunningBerth;
let standalone: RunningBerth;
let client: Client;
let gatewayBridge: string | undefined;
const services: string[] = [];

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function leaveSwarm(): Promise<void> {
  try {
    await docker.swarmLeave({ force: true });
  } catch (error) {
    // 503: the engine is not in a swarm (any more).
    if (statusCodeOf(error) !== 503) throw error;
  }
}

beforeAll(async () => {
  engine = await startEngine({ isolatedBridge: true });
  docker = testDocker(engine.dockerHost);

  // The test image, copied from the shared engine, and a second name for it: a new image
  // reference is what a rolling update of the image changes.
  const shared = testDocker(inject('dockerHost'));
  const image = await shared.getImage(inject('testImage')).get();
  await followProgress(await docker.loadImage(image));
  await docker.getImage(inject('testImage')).tag({ repo: 'berth-test/busybox', tag: 'v2' });

  // The swarm's gateway bridge, made before the swarm would make it as the host-wide
  // `docker_gwbridge` device: under a name of its own, it can never meet another engine's.
  gatewayBridge = `berthgw${Math.floor(Math.random() * 0xffffff)
    .toString(16)
    .padStart(6, '0')}`;
  await docker.createNetwork({
    Name: 'docker_gwbridge',
    Driver: 'bridge',
    Options: {
      'com.docker.network.bridge.name': gatewayBridge,
      'com.docker.network.bridge.enable_icc': 'false',
      'com.docker.network.bridge.enable_ip_masquerade': 'true',
    },
  });
  const swarmPort = await freePort();
  await docker.swarmInit({
    ListenAddr: `127.0.0.1:${swarmPort}`,
    AdvertiseAddr: `127.0.0.1:${swarmPort}`,
    DataPathPort: 40_000 + Math.floor(Math.random() * 9_000),
  });

  forwarderDir = await mkdtemp(join(tmpdir(), 'berth-swarm-'));
  forwarder = new SocketForwarder(
    join(forwarderDir, 'docker.sock'),
    engine.dockerHost.replace(/^unix:\/\//, ''),
  );
  await forwarder.listen();
  berth = await startBerth({ DOCKER_HOST: `unix://${forwarder.path}` }, { label: LABEL });
  standalone = await startBerth({}, { label: LABEL });
  client = wsClient(berth.url);
});

afterAll(async () => {
  await client?.dispose();
  await berth?.stop();
  await standalone?.stop();
  await forwarder?.cut();
  if (forwarderDir) await rm(forwarderDir, { recursive: true, force: true });
  if (engine) {
    await Promise.allSettled(services.map((name) => docker.getService(name).remove()));
    await leaveSwarm();
    // Removing the network removes its bridge device; the harness removes the engine's own.
    await docker
      .getNetwork('docker_gwbridge')
      .remove()
      .catch(() => undefined);
    await stopEngine(engine);
  }
});

type ServiceView = NonNullable<Awaited<ReturnType<typeof readService>>>;
type RolloutMessage = RolloutData['serviceRollout'];

async function readService(id: string, history = false) {
  return (await berth.query(SwarmService, { id, history })).service;
}

/** Waits until the service has `count` tasks running, all of them current and on `image`. */
async function converged(
  id: string,
  count: number,
  image?: string,
  timeoutMs = 60_000,
): Promise<ServiceView> {
  return waitFor(
    async () => {
      const service = await readService(id);
      expect(service).not.toBeNull();
      const running = service!.tasks.filter((task) => task.state === 'RUNNING');
      expect(service!.runningTasks).toBe(count);
      expect(running).toHaveLength(count);
      // A shut-down task is out of `tasks` unless history is asked for; a starting one is not.
      expect(service!.tasks).toHaveLength(count);
      if (image) for (const task of running) expect(task.image).toBe(image);
      return service!;
    },
    timeoutMs,
    250,
  );
}

async function deployWeb(name: string, replicas = 3): Promise<ServiceView> {
  services.push(name);
  const { deployService } = await berth.query(DeployService, {
    input: {
      name,
      image: inject('testImage'),
      replicas,
      env: [{ name: 'VERSION', value: '1' }],
      labels: [{ name: TEST_LABEL, value: LABEL }],
      // No published port: the engine picks one per task, so three tasks fit on one node.
      ports: [{ targetPort: 80, publishMode: 'HOST' }],
      // busybox httpd as PID 1 ignores SIGTERM: a short grace period keeps each step short.
      stopGracePeriodSeconds: 1,
      updateConfig: {
        parallelism: 1,
        delaySeconds: 0.5,
        monitorSeconds: 1,
        failureAction: 'PAUSE',
        order: 'STOP_FIRST',
      },
      rollbackConfig: { parallelism: 1, monitorSeconds: 1, failureAction: 'PAUSE' },
    },
  });
  if (deployService.__typename !== 'DeployServiceSuccess') {
    throw new Error(`deploy failed: ${JSON.stringify(deployService)}`);
  }
  return deployService.service;
}

/** Takes messages until the one marked done; checks the stream then completes. */
async function followToEnd(subscription: Subscription<RolloutData>): Promise<RolloutMessage[]> {
  const messages: RolloutMessage[] = [];
  for (;;) {
    const { serviceRollout } = await subscription.next(90_000);
    messages.push(serviceRollout);
    if (serviceRollout.done) break;
  }
  await subscription.completed;
  return messages;
}

async function fetchPage(port: number): Promise<string> {
  const response = await fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(5_000) });
  return response.text();
}

describe('a one-node swarm on a private engine', () => {
  it('lists its node: a manager, the leader, ready', async () => {
    const { nodes } = await berth.query(SwarmNodes);
    expect(nodes).toHaveLength(1);
    expect(nodes[0]).toMatchObject({
      role: 'MANAGER',
      leader: true,
      state: 'READY',
      availability: 'ACTIVE',
      addr: '127.0.0.1',
    });
    expect(nodes[0]!.managerAddr).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(nodes[0]!.engineVersion).toMatch(/^\d+\./);
  });

  let web: ServiceView;

  it('deploys 3 replicas that all run and serve on their host-mode ports', async () => {
    web = await deployWeb(`web-${process.pid}`);
    expect(web).toMatchObject({
      mode: 'REPLICATED',
      replicas: 3,
      desiredTasks: 3,
      image: inject('testImage'),
      env: [{ name: 'VERSION', value: '1' }],
      ports: [{ targetPort: 80, publishedPort: null, protocol: 'TCP', publishMode: 'HOST' }],
      stopGracePeriodSeconds: 1,
      updateConfig: {
        parallelism: 1,
        delaySeconds: 0.5,
        monitorSeconds: 1,
        failureAction: 'PAUSE',
        order: 'STOP_FIRST',
      },
      rollbackConfig: { parallelism: 1, failureAction: 'PAUSE', order: 'STOP_FIRST' },
      updateStatus: null,
    });

    const service = await converged(web.id, 3, inject('testImage'));
    expect(new Set(service.tasks.map((task) => task.slot))).toEqual(new Set([1, 2, 3]));
    for (const task of service.tasks) {
      expect(task.containerId).toMatch(/^[0-9a-f]{64}$/);
      expect(task.nodeId).toBeTruthy();
      const [port] = task.ports;
      expect(port).toMatchObject({ targetPort: 80, publishMode: 'HOST' });
      expect(await fetchPage(port!.publishedPort!)).toContain(TEST_PAGE);
    }

    // The engine's own view agrees, field by field.
    const inspected = await docker.getService(web.id).inspect();
    expect(inspected.Spec.Mode.Replicated.Replicas).toBe(3);
    expect(inspected.Spec.UpdateConfig).toMatchObject({
      Parallelism: 1,
      Monitor: 1e9,
      Delay: 5e8,
      Order: 'stop-first',
    });
    // berth's mark: the services a backup keeps.
    expect(inspected.Spec.Labels).toEqual({ [TEST_LABEL]: LABEL, 'berth.managed': 'true' });
    expect(inspected.Spec.TaskTemplate.ContainerSpec.StopGracePeriod).toBe(1e9);
    const { services: listed } = await berth.query(SwarmServices, {});
    expect(listed.map((s) => s.name)).toContain(web.name);
  }, 120_000);

  it('rolls an update one task at a time, followed by serviceRollout to COMPLETED', async () => {
    const subscription = subscribe(client, ServiceRolloutSubscription, { id: web.name });
    const first = (await subscription.next(15_000)).serviceRollout;
    // No update yet: the stream says so and waits for the next one.
    expect(first).toMatchObject({ state: 'NONE', done: false, transitions: [], serviceId: web.id });

    const { updateService } = await berth.query(UpdateService, {
      id: web.name,
      input: { image: V2, env: [{ name: 'VERSION', value: '2' }] },
    });
    expect(updateService.__typename).toBe('UpdateServiceSuccess');

    const messages = await followToEnd(subscription);
    const last = messages.at(-1)!;
    expect(last).toMatchObject({ state: 'COMPLETED', done: true, updateStatus: { state: 'COMPLETED' } });
    expect(messages.some((message) => message.state === 'UPDATING')).toBe(true);

    // One at a time (parallelism 1, stop first): at most one current task is not yet running,
    // and never fewer than two of the three serve.
    for (const message of messages) {
      const current = message.service.tasks;
      expect(
        current.filter((task) => task.state !== 'RUNNING').length,
        JSON.stringify(current),
      ).toBeLessThanOrEqual(1);
      expect(message.service.runningTasks).toBeGreaterThanOrEqual(2);
    }

    // Every old task was seen shut down and every new one (on v2) seen running, slot by slot.
    const steps = messages.flatMap((message) => message.transitions);
    const started = steps.filter((step) => step.image === V2 && step.to === 'RUNNING');
    const stopped = steps.filter(
      (step) => step.image === inject('testImage') && step.desiredState === 'SHUTDOWN',
    );
    expect(new Set(started.map((step) => step.slot))).toEqual(new Set([1, 2, 3]));
    expect(new Set(stopped.map((step) => step.slot))).toEqual(new Set([1, 2, 3]));
    // Each replacement was created only after the one before it ran.
    const history = (await readService(web.id, true))!;
    const replacements = history.tasks
      .filter((task) => task.image === V2)
      .sort((a, b) => Date.parse(a.createdAt) - Date.parse(b.createdAt));
    expect(replacements).toHaveLength(3);
    for (let i = 1; i < replacements.length; i += 1) {
      expect(Date.parse(replacements[i]!.createdAt)).toBeGreaterThanOrEqual(
        Date.parse(replacements[i - 1]!.updatedAt),
      );
    }

    const service = await converged(web.id, 3, V2);
    expect(service.env).toEqual([{ name: 'VERSION', value: '2' }]);
    for (const task of service.tasks)
      expect(await fetchPage(task.ports[0]!.publishedPort!)).toContain(TEST_PAGE);
    // The last subscriber left with the end of the rollout: its poller is gone.
    await waitFor(async () => expect(berth.app.context.environments.local.swarm.rolloutPollers()).toBe(0));
  }, 180_000);

  it('rolls back to the previous spec, followed to ROLLBACK_COMPLETED', async () => {
    const subscription = subscribe(client, ServiceRolloutSubscription, { id: web.id });
    const first = (await subscription.next(15_000)).serviceRollout;
    expect(first).toMatchObject({ state: 'COMPLETED', done: false });

    const { rollbackService } = await berth.query(RollbackService, { id: web.id });
    expect(rollbackService.__typename).toBe('RollbackServiceSuccess');

    const messages = await followToEnd(subscription);
    expect(messages.at(-1)).toMatchObject({ state: 'ROLLBACK_COMPLETED', done: true });
    expect(
      messages.some((message) => message.transitions.some((step) => step.image === inject('testImage'))),
    ).toBe(true);

    const service = await converged(web.id, 3, inject('testImage'));
    expect(service.image).toBe(inject('testImage'));
    expect(service.env).toEqual([{ name: 'VERSION', value: '1' }]);
    expect(service.updateStatus).toMatchObject({ state: 'ROLLBACK_COMPLETED' });
  }, 180_000);

  it('scales to 0 and back to 3', async () => {
    const down = await berth.query(ScaleService, { id: web.name, replicas: 0 });
    expect(down.scaleService).toMatchObject({ __typename: 'ScaleServiceSuccess', service: { replicas: 0 } });
    await converged(web.id, 0);
    // The engine runs none of the service's containers any more.
    await waitFor(async () => {
      const running = await docker.listContainers({
        filters: { label: [`com.docker.swarm.service.id=${web.id}`] },
      });
      expect(running).toEqual([]);
    }, 30_000);

    const up = await berth.query(ScaleService, { id: web.name, replicas: 3 });
    expect(up.scaleService).toMatchObject({
      __typename: 'ScaleServiceSuccess',
      service: { replicas: 3, desiredTasks: 3 },
    });
    const service = await converged(web.id, 3, inject('testImage'));
    for (const task of service.tasks)
      expect(await fetchPage(task.ports[0]!.publishedPort!)).toContain(TEST_PAGE);
  }, 120_000);

  it('shares one poller among the followers of a service and stops it when the last one leaves', async () => {
    const swarm = berth.app.context.environments.local.swarm;
    const byName = subscribe(client, ServiceRolloutSubscription, { id: web.name });
    const byId = subscribe(client, ServiceRolloutSubscription, { id: web.id });
    await byName.next(15_000);
    await byId.next(15_000);
    expect(swarm.rolloutPollers()).toBe(1);
    expect(swarm.rolloutWatchers(web.id)).toBe(2);

    // The poller asks the engine for the service's tasks while anyone follows.
    const polls = () => forwarder.requests.filter((request) => request.startsWith('GET /tasks')).length;
    const before = polls();
    await waitFor(async () => expect(polls()).toBeGreaterThan(before + 1), 10_000);

    byName.unsubscribe();
    await waitFor(async () => expect(swarm.rolloutWatchers(web.id)).toBe(1));
    expect(swarm.rolloutPollers()).toBe(1);

    byId.unsubscribe();
    await waitFor(async () => expect(swarm.rolloutPollers()).toBe(0));
    // After that, silence: measured against another service's poller (same interval, same
    // process), not a clock. While it looks three times, this one looks at most once more (a look
    // already under way when the last follower left); a poller still running would look twice.
    const looks = (id: string) => ({
      service: forwarder.requests.filter((request) => request.startsWith(`GET /services/${id}`)).length,
      tasks: forwarder.requests.filter((request) => request.startsWith('GET /tasks') && request.includes(id))
        .length,
    });
    const clock = await deployWeb(`clock-${process.pid}`, 0);
    const ticking = subscribe(client, ServiceRolloutSubscription, { id: clock.id });
    try {
      await ticking.next(15_000);
      const [stopped, clockBefore] = [looks(web.id), looks(clock.id)];
      await waitFor(
        async () => expect(looks(clock.id).tasks).toBeGreaterThanOrEqual(clockBefore.tasks + 3),
        20_000,
      );
      expect(looks(web.id).service).toBeLessThanOrEqual(stopped.service + 1);
      expect(looks(web.id).tasks).toBeLessThanOrEqual(stopped.tasks + 1);
    } finally {
      ticking.unsubscribe();
      await berth.query(RemoveService, { id: clock.id });
    }
  }, 60_000);

  it('refuses bad input before any engine call, and names the field', async () => {
    const before = forwarder.requests.length;
    const cases: [Record<string, unknown>, string][] = [
      [{ name: 'bad name!', image: inject('testImage') }, 'input.name'],
      [{ name: 'x'.repeat(64), image: inject('testImage') }, 'input.name'],
      [{ name: 'ok', image: 'Not An Image' }, 'input.image'],
      [{ name: 'ok', image: inject('testImage'), replicas: -1 }, 'input.replicas'],
      [{ name: 'ok', image: inject('testImage'), replicas: 100_000 }, 'input.replicas'],
      [{ name: 'ok', image: inject('testImage'), ports: [{ targetPort: 0 }] }, 'input.ports.0.targetPort'],
      [
        {
          name: 'ok',
          image: inject('testImage'),
          ports: [
            { targetPort: 80, publishedPort: 8080 },
            { targetPort: 81, publishedPort: 8080 },
          ],
        },
        'input.ports.1.publishedPort',
      ],
      [
        { name: 'ok', image: inject('testImage'), updateConfig: { maxFailureRatio: 2 } },
        'input.updateConfig.maxFailureRatio',
      ],
      [{ name: 'ok', image: inject('testImage'), env: [{ name: 'A=B', value: '' }] }, 'input.env.0.name'],
      [{ name: 'ok', image: inject('testImage'), healthcheck: { test: ['WHAT'] } }, 'input.healthcheck.test'],
      [{ name: 'ok', image: inject('testImage'), networks: ['a', 'a'] }, 'input.networks.1'],
    ];
    for (const [input, field] of cases) {
      const { deployService } = await berth.query(DeployService, { input: input as never });
      expect(deployService, JSON.stringify(input)).toMatchObject({ code: 'INVALID_INPUT', field });
    }
    const empty = await berth.query(UpdateService, { id: web.id, input: {} });
    expect(empty.updateService).toMatchObject({ code: 'INVALID_INPUT', field: 'input' });
    const scale = await berth.query(ScaleService, { id: 'no such service!', replicas: 1 });
    expect(scale.scaleService).toMatchObject({ code: 'INVALID_INPUT', field: 'id' });
    expect(forwarder.requests.slice(before)).toEqual([]);
  });

  it('answers typed errors the swarm decides: an unknown service, a taken name, nothing to roll back', async () => {
    const scale = await berth.query(ScaleService, { id: 'nosuchservice', replicas: 1 });
    expect(scale.scaleService).toMatchObject({ code: 'SERVICE_NOT_FOUND', reference: 'nosuchservice' });
    expect(await readService('nosuchservice')).toBeNull();

    const { deployService } = await berth.query(DeployService, {
      input: { name: web.name, image: inject('testImage') },
    });
    expect(deployService).toMatchObject({ code: 'SERVICE_EXISTS', name: web.name });

    const fresh = await deployWeb(`fresh-${process.pid}`, 0);
    const { rollbackService } = await berth.query(RollbackService, { id: fresh.id });
    expect(rollbackService).toMatchObject({ code: 'INVALID_STATE' });
    expect(rollbackService.__typename === 'InvalidStateError' && rollbackService.message).toMatch(
      /never been updated/,
    );

    const gone = subscribe(client, ServiceRolloutSubscription, { id: 'nosuchservice' });
    await expect(gone.completed).rejects.toThrow(/SERVICE_NOT_FOUND/);
  });

  it('changes update configs field by field, re-reading the version when writers race', async () => {
    const updates = () =>
      forwarder.requests.filter((request) => /^POST \/services\/\w+\/update/.test(request)).length;
    const before = updates();
    const tasksBefore = (await readService(web.id))!.tasks.map((task) => task.id).sort();
    // Four writers at once, each changing one field: every one reads the same version, so all
    // but one find it stale and must read again. Each change survives only if they do.
    const results = await Promise.all(
      [
        { updateConfig: { delaySeconds: 0.25 } },
        { updateConfig: { maxFailureRatio: 0.5 } },
        { rollbackConfig: { delaySeconds: 0.75 } },
        {
          labels: [
            { name: TEST_LABEL, value: LABEL },
            { name: 'tier', value: 'web' },
          ],
        },
      ].map((input) => berth.query(UpdateService, { id: web.id, input })),
    );
    for (const { updateService } of results) expect(updateService.__typename).toBe('UpdateServiceSuccess');
    const service = (await readService(web.id))!;
    expect(service.updateConfig).toEqual({
      parallelism: 1,
      delaySeconds: 0.25,
      failureAction: 'PAUSE',
      order: 'STOP_FIRST',
      monitorSeconds: 1,
      maxFailureRatio: 0.5,
    });
    expect(service.rollbackConfig).toMatchObject({ parallelism: 1, failureAction: 'PAUSE' });
    const inspected = await docker.getService(web.id).inspect();
    expect(inspected.Spec.RollbackConfig.Delay).toBe(7.5e8);
    // New labels replace the old ones, but berth's mark stays.
    expect(service.labels).toEqual([
      { name: 'berth.managed', value: 'true' },
      { name: TEST_LABEL, value: LABEL },
      { name: 'tier', value: 'web' },
    ]);
    // Stale versions were retried, not lost: more writes reached the engine than were asked for.
    expect(updates() - before).toBeGreaterThan(4);
    // None of it touched the tasks' spec: no rollout, the same three tasks.
    expect(service.tasks.map((task) => task.id).sort()).toEqual(tasksBefore);
    expect(service.runningTasks).toBe(3);
  });

  it('joins the overlay networks it names, and refuses one that does not exist', async () => {
    const networkName = `berth-overlay-${process.pid}`;
    const network = await docker.createNetwork({ Name: networkName, Driver: 'overlay', Attachable: true });
    const name = `net-${process.pid}`;
    services.push(name);
    const { deployService } = await berth.query(DeployService, {
      input: {
        name,
        image: inject('testImage'),
        replicas: 1,
        stopGracePeriodSeconds: 1,
        networks: [networkName],
      },
    });
    expect(deployService.__typename).toBe('DeployServiceSuccess');
    if (deployService.__typename !== 'DeployServiceSuccess') return;
    expect(deployService.service.networks).toEqual([network.id]);
    const service = await converged(deployService.service.id, 1);
    const container = await docker.getContainer(service.tasks[0]!.containerId!).inspect();
    expect(Object.keys(container.NetworkSettings.Networks)).toContain(networkName);

    const missing = await berth.query(DeployService, {
      input: { name: `missing-${process.pid}`, image: inject('testImage'), networks: ['nosuchnetwork'] },
    });
    expect(missing.deployService).toMatchObject({ code: 'INVALID_INPUT', field: 'input.networks' });

    const removed = await berth.query(RemoveService, { id: name });
    expect(removed.removeService.__typename).toBe('RemoveServiceSuccess');
  }, 90_000);

  it('removes a service: its tasks stop, and a follower hears REMOVED', async () => {
    const subscription = subscribe(client, ServiceRolloutSubscription, { id: web.id });
    expect((await subscription.next(15_000)).serviceRollout.done).toBe(false);

    const { removeService } = await berth.query(RemoveService, { id: web.name });
    expect(removeService).toMatchObject({ __typename: 'RemoveServiceSuccess', service: { id: web.id } });

    const messages = await followToEnd(subscription);
    expect(messages.at(-1)).toMatchObject({ state: 'REMOVED', done: true, serviceId: web.id });
    expect(await readService(web.id)).toBeNull();
    await expect(docker.getService(web.id).inspect()).rejects.toMatchObject({ statusCode: 404 });
    await waitFor(async () => {
      const left = await docker.listContainers({
        all: true,
        filters: { label: [`com.docker.swarm.service.id=${web.id}`] },
      });
      expect(left).toEqual([]);
    }, 30_000);
    const again = await berth.query(RemoveService, { id: web.id });
    expect(again.removeService).toMatchObject({ code: 'SERVICE_NOT_FOUND' });
    await waitFor(async () => expect(berth.app.context.environments.local.swarm.rolloutPollers()).toBe(0));
  }, 60_000);

  it('backs up the services berth deployed, and a restore deploys a removed one again with the same spec', async () => {
    const networkName = `bk-overlay-${process.pid}`;
    const network = await docker.createNetwork({ Name: networkName, Driver: 'overlay' });
    const name = `bk-${process.pid}`;
    services.push(name);
    const input = {
      name,
      image: inject('testImage'),
      replicas: 2,
      command: ['/bin/httpd', '-f', '-p', '8080', '-h', '/www'],
      env: [
        { name: 'MODE', value: 'restored' },
        { name: 'EMPTY', value: '' },
      ],
      labels: [
        { name: TEST_LABEL, value: LABEL },
        { name: 'team', value: 'web' },
      ],
      ports: [{ targetPort: 8080, publishMode: 'HOST' as const }],
      healthcheck: {
        test: ['CMD-SHELL', 'wget -q -O /dev/null http://127.0.0.1:8080/ || exit 1'],
        intervalSeconds: 2,
      },
      stopGracePeriodSeconds: 1,
      updateConfig: {
        parallelism: 2,
        delaySeconds: 1.5,
        failureAction: 'ROLLBACK' as const,
        order: 'START_FIRST' as const,
        monitorSeconds: 3,
        maxFailureRatio: 0.25,
      },
      rollbackConfig: { parallelism: 1, failureAction: 'CONTINUE' as const, delaySeconds: 0.5 },
      networks: [networkName],
    };
    const { deployService } = await berth.query(DeployService, { input });
    if (deployService.__typename !== 'DeployServiceSuccess') throw new Error(JSON.stringify(deployService));
    const deployed = deployService.service;
    // Read back as the engine spells it (`Healthcheck`), not as dockerode's types do.
    expect(deployed.healthcheck).toEqual(input.healthcheck);
    const specBefore = (await docker.getService(deployed.id).inspect()).Spec;
    // A service made without berth is not berth's to back up.
    const foreign = `foreign-${process.pid}`;
    services.push(foreign);
    await docker.createService({
      Name: foreign,
      TaskTemplate: { ContainerSpec: { Image: inject('testImage') } },
      Mode: { Replicated: { Replicas: 0 } },
    });

    const { backup } = await berth.query(Backup);
    const sections = backup['sections'] as Record<string, Record<string, unknown>[]>;
    const saved = sections['swarmServices']!;
    const idle = `fresh-${process.pid}`;
    expect(saved.map((entry) => entry['name'])).toEqual(expect.arrayContaining([name, idle]));
    expect(saved.map((entry) => entry['name'])).not.toContain(foreign);
    // deployService's input: networks by name (the engine keeps its id), berth's label left out,
    // the ports as asked for, the update config in full.
    expect(saved.find((entry) => entry['name'] === name)).toEqual({
      ...input,
      ports: [{ targetPort: 8080, publishedPort: null, protocol: 'tcp', publishMode: 'HOST' }],
      rollbackConfig: { ...input.rollbackConfig, order: 'STOP_FIRST', monitorSeconds: 5, maxFailureRatio: 0 },
    });
    expect(specBefore.TaskTemplate.Networks).toEqual([expect.objectContaining({ Target: network.id })]);
    // A task's container is the swarm's, not a container berth made: none is in the backup.
    expect(sections['containers']).toEqual([]);

    const { removeService } = await berth.query(RemoveService, { id: name });
    expect(removeService.__typename).toBe('RemoveServiceSuccess');

    const { restore } = await berth.query(Restore, { document: backup });
    if (restore.__typename !== 'RestoreSuccess') throw new Error(JSON.stringify(restore));
    const items = restore.report.items.filter((item) => item.section === 'swarmServices');
    expect(items.find((item) => item.item === name)).toMatchObject({
      outcome: 'RESTORED',
      reason: 'deployed; the swarm schedules its 2 tasks',
    });
    expect(items.find((item) => item.item === idle)).toMatchObject({ outcome: 'SKIPPED' });
    expect(restore.report.failed).toBe(0);

    const restored = (await readService(name))!;
    expect(restored.id).not.toBe(deployed.id);
    for (const field of ['image', 'replicas', 'command', 'env', 'labels', 'ports', 'healthcheck'] as const)
      expect(restored[field], field).toEqual(deployed[field]);
    expect(restored.updateConfig).toEqual(deployed.updateConfig);
    expect(restored.rollbackConfig).toEqual(deployed.rollbackConfig);
    expect(restored.stopGracePeriodSeconds).toBe(1);
    // The engine's whole spec, every default it filled in included, is the one it had.
    expect((await docker.getService(restored.id).inspect()).Spec).toEqual(specBefore);
    await converged(restored.id, 2, inject('testImage'));
  }, 90_000);

  // The swarm kinds of engine call, which engine-calls.test.ts cannot provoke on the shared engine.
  it('has timed every swarm kind of engine call it made', async () => {
    const timed = await timedOperations(berth.url);
    expect(SWARM_OPERATIONS.filter((operation) => !timed.has(operation))).toEqual([]);
  });

  it('says NOT_SWARM_MANAGER once the engine has left the swarm', async () => {
    await leaveSwarm();
    const { deployService } = await berth.query(DeployService, {
      input: { name: 'after', image: inject('testImage') },
    });
    expect(deployService).toMatchObject({ __typename: 'NotSwarmManagerError', code: 'NOT_SWARM_MANAGER' });
    const nodes = await berth.graphql(SwarmNodes);
    expect(nodes.errors?.[0]?.extensions).toMatchObject({ code: 'NOT_SWARM_MANAGER' });
  });

  it('backs up no services out of swarm mode, and a restore there fails each with NOT_SWARM_MANAGER', async () => {
    const { backup } = await berth.query(Backup);
    expect((backup['sections'] as Record<string, unknown>)['swarmServices']).toEqual([]);

    const document = {
      format: 'berth-backup',
      version: 1,
      sections: {
        swarmServices: [
          { name: 'web', image: inject('testImage'), replicas: 2 },
          { name: 'api', image: inject('testImage') },
        ],
      },
    };
    const { restore } = await berth.query(Restore, { document });
    if (restore.__typename !== 'RestoreSuccess') throw new Error(JSON.stringify(restore));
    expect(restore.report.items).toEqual(
      ['web', 'api'].map((item) => ({
        section: 'swarmServices',
        item,
        outcome: 'FAILED',
        reason: expect.stringMatching(/^NOT_SWARM_MANAGER: the engine is not a swarm manager/),
      })),
    );
  });
});

describe('an engine not in swarm mode (the shared one, read only)', () => {
  it('answers NOT_SWARM_MANAGER to nodes, services and service', async () => {
    for (const [document, variables] of [
      [SwarmNodes, {}],
      [SwarmServices, {}],
      [SwarmService, { id: 'web' }],
    ] as const) {
      const result = await standalone.graphql(document as typeof SwarmNodes, variables as never);
      expect(result.errors?.[0]?.extensions, JSON.stringify(result)).toMatchObject({
        code: 'NOT_SWARM_MANAGER',
      });
      expect(result.errors?.[0]?.message).toMatch(/not a swarm manager/);
    }
  });
});
