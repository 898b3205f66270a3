import { createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import type Docker from 'dockerode';
import type { Client } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type {
  RedeployContainerMutationVariables,
  RedeployProgressSubscription as Progress,
} from '../gql/graphql.js';
import { TEST_LABEL, cleanupLabelled, statusCodeOf, testDocker } from '../harness/docker.js';
import { STAGING_NETWORK } from '../../src/domain/redeploy/ports.js';
import { pushToRegistry } from '../harness/engine.js';
import { startBerth, uniqueName, type RunningBerth } from '../support/berth.js';
import {
  CreateNetwork,
  RedeployContainer,
  RedeployProgressSubscription,
} from '../support/operations/index.js';
import { subscribe, wsClient } from '../support/subscriptions.js';
import { waitFor } from '../support/wait.js';

// With the pid: runs sharing one engine clean up only their own containers.
const FILE = `redeploy-${process.pid}`;
const labels = { [TEST_LABEL]: FILE };
const HEALTHY_PAGE = 'wget -q -O - http://127.0.0.1/ || exit 1';
const SECOND = 1_000_000_000;

let berth: RunningBerth;
let docker: Docker;
let client: Client;
/**
 * A user network berth made with a subnet of its own, where the old container can keep its
 * address while it drains.
 */
let network: string;
const networks: string[] = [];
/** Images this file pushed to the local registry and pulled back. */
const pulled: string[] = [];
const images = { v1: '', v2: '', broken: '', exits: '', slow: '' };

type Redeployed = Awaited<ReturnType<typeof redeploy>>;

beforeAll(async () => {
  docker = testDocker(inject('dockerHost'));
  berth = await startBerth({}, { label: FILE });
  client = wsClient(berth.url);
  const tag = `${process.pid}-${Date.now().toString(36)}`;
  const healthy = { Test: ['CMD-SHELL', HEALTHY_PAGE], Interval: SECOND, Timeout: 2 * SECOND, Retries: 2 };
  [images.v1, images.v2, images.broken, images.exits, images.slow] = await Promise.all([
    buildImage(`v1-${tag}`, 'v1', healthy),
    buildImage(`v2-${tag}`, 'v2', healthy),
    // Serves its page, but its healthcheck asks for one that is not there (404).
    buildImage(`broken-${tag}`, 'broken', {
      ...healthy,
      Test: ['CMD-SHELL', 'wget -q -O - http://127.0.0.1/missing.html'],
    }),
    buildImage(`exits-${tag}`, 'exits', healthy, ['sh', '-c', 'echo crashing; exit 3']),
    // Its first probe comes after a minute: it stays "starting" for longer than the redeploy waits.
    buildImage(`slow-${tag}`, 'slow', { ...healthy, Interval: 60 * SECOND, StartPeriod: 60 * SECOND }),
  ]);
  network = await createNetwork(true);
}, 120_000);

afterAll(async () => {
  await client?.dispose();
  await berth?.stop();
  if (docker) {
    await cleanupLabelled(docker, `${TEST_LABEL}=${FILE}`);
    // berth keeps its staging network for the next redeploy; the test leaves the engine as it found it.
    for (const name of [...networks, STAGING_NETWORK]) {
      await docker
        .getNetwork(name)
        .remove()
        .catch(() => undefined);
    }
    for (const image of [...Object.values(images).filter(Boolean), ...pulled]) {
      await docker
        .getImage(image)
        .remove({ force: true })
        .catch(() => undefined);
    }
  }
});

/** The test image with `page` as its index and its own healthcheck and command, made by commit. */
async function buildImage(
  tag: string,
  page: string,
  healthcheck: object,
  command?: string[],
): Promise<string> {
  const container = await docker.createContainer({
    Image: inject('testImage'),
    Cmd: ['sh', '-c', `echo ${page} > /www/index.html`],
    Healthcheck: healthcheck,
    Labels: labels,
  });
  try {
    await container.start();
    await container.wait();
    const cmd = JSON.stringify(command ?? ['/bin/httpd', '-f', '-p', '80', '-h', '/www']);
    await container.commit({ repo: 'berth-test/redeploy', tag, changes: [`CMD ${cmd}`] });
    return `berth-test/redeploy:${tag}`;
  } finally {
    await container.remove({ force: true });
  }
}

/**
 * A user network made by berth's createNetwork; with `subnet`, on a range the test picks (so fixed
 * addresses can be asked for), and without, on the one the engine picks.
 */
async function createNetwork(subnet: boolean): Promise<string> {
  const name = uniqueName('redeploy-net');
  for (let attempt = 0; ; attempt += 1) {
    const range = `10.213.${1 + Math.floor(Math.random() * 250)}.0/24`;
    const { createNetwork: answer } = await berth.query(CreateNetwork, {
      name,
      labels: [{ name: TEST_LABEL, value: FILE }],
      ...(subnet && { subnet: range }),
    });
    if (answer.__typename === 'CreateNetworkSuccess') {
      networks.push(name);
      if (subnet) expect(answer.network.ipam.map((ipam) => ipam.subnet)).toEqual([range]);
      return name;
    }
    // Another run's network may hold the range picked: pick again.
    if (attempt > 10 || answer.__typename !== 'SubnetOverlapError') {
      throw new Error(`createNetwork failed: ${JSON.stringify(answer)}`);
    }
  }
}

interface OldContainer {
  id: string;
  name: string;
  /** The service's alias on its network; each test's own, as the tests share the network. */
  alias: string;
}

/** The container to replace: runs `image` on `onNetwork` under an alias of its own, made with the engine's own API. */
async function runOld(
  image: string,
  options: { onNetwork?: string; env?: string[]; hostPort?: number; capAdd?: string[] } = {},
): Promise<OldContainer> {
  const name = uniqueName(FILE);
  const alias = `svc-${name.slice(name.lastIndexOf('-') + 1)}`;
  const target = options.onNetwork ?? network;
  const container = await docker.createContainer({
    name,
    Image: image,
    Labels: labels,
    Env: options.env ?? [],
    HostConfig: {
      NetworkMode: target,
      ...(options.hostPort !== undefined && {
        PortBindings: { '80/tcp': [{ HostIp: '127.0.0.1', HostPort: String(options.hostPort) }] },
      }),
      ...(options.capAdd && { CapAdd: options.capAdd }),
    },
    ExposedPorts: { '80/tcp': {} },
    // The default bridge has no DNS, and no aliases.
    NetworkingConfig: { EndpointsConfig: { [target]: target === 'bridge' ? {} : { Aliases: [alias] } } },
  });
  await container.start();
  // berth's index learns of it from the engine's events.
  await waitFor(async () => {
    const known = berth.app.index.peek(container.id);
    if (!known || known.status !== 'RUNNING') throw new Error('not indexed yet');
  });
  return { id: container.id, name, alias };
}

/**
 * A client container on the network fetching `target` in a tight loop, each request resolving the
 * name again (busybox wget keeps no DNS cache); a request that fails or hangs 5 s is a failure.
 */
async function startLoad(target: string, onNetwork = network) {
  const script =
    'while [ ! -f /tmp/stop ]; do ' +
    `if out=$(timeout 5 wget -q -O - http://${target}/ 2>&1); then echo "ok $out"; else echo "FAIL $? $out"; fi; ` +
    'done; echo END';
  const container = await docker.createContainer({
    name: uniqueName('redeploy-load'),
    Image: inject('testImage'),
    Cmd: ['sh', '-c', script],
    Tty: true,
    Labels: labels,
    HostConfig: { NetworkMode: onNetwork },
  });
  await container.start();
  const output = async () => String(await container.logs({ stdout: true, stderr: true, follow: false }));
  await waitFor(async () => {
    if (!(await output()).includes('ok ')) throw new Error('no answer yet');
  }, 20_000);
  const answers = async () =>
    (await output())
      .split(/\r?\n/)
      .filter((line) => line.startsWith('ok '))
      .map((line) => line.slice(3).trim());
  return {
    /** The page of the latest answer so far. */
    async lastPage(): Promise<string | undefined> {
      return (await answers()).at(-1);
    },
    /** The pages of the answers so far, in order. */
    answers,
    /** Stops the loop and counts what it saw: answers by page, and the failures. */
    async stop() {
      const exec = await container.exec({ Cmd: ['touch', '/tmp/stop'] });
      await exec.start({});
      await container.wait();
      const lines = (await output())
        .split(/\r?\n/)
        .filter((line) => line.startsWith('ok ') || line.startsWith('FAIL'));
      await container.remove({ force: true });
      const pages = new Map<string, number>();
      for (const line of lines.filter((l) => l.startsWith('ok '))) {
        const page = line.slice(3).trim();
        pages.set(page, (pages.get(page) ?? 0) + 1);
      }
      return { requests: lines.length, failures: lines.filter((l) => l.startsWith('FAIL')), pages, lines };
    },
  };
}

async function redeploy(variables: RedeployContainerMutationVariables) {
  const { redeployContainer } = await berth.query(RedeployContainer, {
    stopTimeoutSeconds: 1,
    drainSeconds: 1,
    healthTimeoutSeconds: 30,
    ...variables,
  });
  return redeployContainer;
}

function success(result: Redeployed) {
  if (result.__typename !== 'RedeployContainerSuccess') {
    throw new Error(`redeploy failed: ${JSON.stringify(result)}`);
  }
  return result;
}

async function exists(id: string): Promise<boolean> {
  try {
    await docker.getContainer(id).inspect();
    return true;
  } catch (error) {
    if (statusCodeOf(error) === 404) return false;
    throw error;
  }
}

/** Containers a redeploy of `name` made or set aside, other than the one named `name`. */
async function sideContainers(name: string): Promise<string[]> {
  const all = await docker.listContainers({ all: true, filters: { label: [`${TEST_LABEL}=${FILE}`] } });
  return all.flatMap((c) => c.Names).filter((n) => n.startsWith(`/${name}-`));
}

describe('redeployContainer to a healthy image', () => {
  it('on a network createNetwork made with a subnet: swaps with the alias and the name answering throughout, 0 failed requests, twice in a row', async () => {
    const old = await runOld(images.v1, { env: ['MODE=one'] });
    const byAlias = await startLoad(old.alias);
    const byName = await startLoad(old.name);

    // Draining longer than TCP's first SYN retransmission (1 s), as docs/redeploy.md asks.
    const first = success(await redeploy({ id: old.name, image: images.v2, drainSeconds: 3 }));
    // The second replaces a container that got its name as an alias: it must give that up too.
    const second = success(
      await redeploy({
        id: old.name,
        image: images.v1,
        env: [{ name: 'MODE', value: 'two' }],
        drainSeconds: 3,
      }),
    );
    // Each load answered again after the second redeploy returned, before it stops.
    const marks = [(await byAlias.answers()).length, (await byName.answers()).length];
    await waitFor(async () => {
      const counts = [(await byAlias.answers()).length, (await byName.answers()).length];
      if (counts[0]! <= marks[0]! || counts[1]! <= marks[1]!) throw new Error('no answer since');
    }, 20_000);
    const alias = await byAlias.stop();
    const name = await byName.stop();

    console.info(
      `[redeploy] two swaps: ${alias.requests} requests by alias, ${name.requests} by name; ` +
        `failed ${alias.failures.length} and ${name.failures.length}; pages ${JSON.stringify([...alias.pages])}`,
    );
    expect(alias.failures).toEqual([]);
    expect(name.failures).toEqual([]);
    expect(alias.pages.get('v1')).toBeGreaterThan(0);
    expect(alias.pages.get('v2')).toBeGreaterThan(0);
    expect(alias.lines.at(-1)).toBe('ok v1');

    expect(first.plan).toMatchObject({
      swap: 'NETWORK_ALIAS',
      healthGate: 'HEALTHCHECK',
      pullRequired: false,
    });
    expect(first.plan.networks).toEqual([{ name: network, aliases: [old.alias, old.name] }]);
    expect(first.replacedContainerId).toBe(old.id);
    expect(first.handover).toEqual([{ network, aliases: [old.alias, old.name], addressKept: true }]);
    expect(first.container).toMatchObject({
      name: old.name,
      image: images.v2,
      status: 'RUNNING',
      health: 'HEALTHY',
    });
    expect(second.replacedContainerId).toBe(first.container!.id);
    expect(second.handover.every((h) => h.addressKept)).toBe(true);
    expect(second.container!.env).toContainEqual({ name: 'MODE', value: 'two' });
    expect(second.warnings).toEqual([]);

    // Only the last container is left, under the name, with the same settings.
    expect(await exists(old.id)).toBe(false);
    expect(await exists(first.container!.id)).toBe(false);
    expect(await sideContainers(old.name)).toEqual([]);
    const now = await docker.getContainer(old.name).inspect();
    expect(now.Id).toBe(second.container!.id);
    expect(now.Config.Labels).toMatchObject(labels);
    expect(Object.keys(now.NetworkSettings.Networks)).toEqual([network]);
    expect(now.NetworkSettings.Networks[network]!.Aliases).toEqual(
      expect.arrayContaining([old.alias, old.name]),
    );
  }, 120_000);

  it('on a network without a subnet of its own: swaps, and says the old container could not keep its address', async () => {
    const plain = await createNetwork(false);
    const old = await runOld(images.v1, { onNetwork: plain });
    const load = await startLoad(old.alias, plain);
    const result = success(await redeploy({ id: old.id, image: images.v2 }));
    // A request that hung on the old container's address (see below) may hold the loop up to 5 s.
    await waitFor(async () => expect(await load.lastPage()).toBe('v2'), 15_000, 250);
    const seen = await load.stop();
    console.info(
      `[redeploy] network without its own subnet: ${seen.requests} requests, ${seen.failures.length} failed ${JSON.stringify(seen.failures)}`,
    );
    expect(result.handover).toEqual([{ network: plain, aliases: [old.alias, old.name], addressKept: false }]);
    expect(result.container).toMatchObject({ name: old.name, image: images.v2 });
    // Not asserted to be 0: a request in flight to the old container as it leaves can fail here
    // (docs/redeploy.md says so). The alias must answer with the new version afterwards.
    expect(seen.pages.get('v2')).toBeGreaterThan(0);
    expect(seen.lines.filter((line) => line.startsWith('ok ')).at(-1)).toBe('ok v2');
  }, 120_000);
});

describe('redeployContainer, other ways in', () => {
  it('without a healthcheck: takes the new container once it has stayed running 3 s', async () => {
    const old = await runOld(inject('testImage'), { env: ['MODE=one'] });
    const progress = subscribe(client, RedeployProgressSubscription, { id: old.id });
    await progress.next();
    // No image: the same reference again, with a changed variable.
    const result = success(await redeploy({ id: old.name, env: [{ name: 'MODE', value: 'two' }] }));
    const steps: Progress['redeployProgress'][] = [];
    for (;;) {
      const { redeployProgress } = await progress.next(20_000);
      steps.push(redeployProgress);
      if (redeployProgress.step === 'DONE') break;
    }
    expect(result.plan).toMatchObject({ image: inject('testImage'), healthGate: 'RUNNING' });
    expect(result.plan.changes).toEqual([
      { field: 'env.MODE', kind: 'CHANGED', before: 'one', after: 'two' },
    ]);
    expect(result.container).toMatchObject({ name: old.name, status: 'RUNNING', health: 'NONE' });
    expect(result.container!.env).toContainEqual({ name: 'MODE', value: 'two' });
    const at = (step: string) => Date.parse(steps.find((s) => s.step === step)!.at);
    expect(at('SWAPPING') - at('WAITING_HEALTHY')).toBeGreaterThanOrEqual(2_900);
  }, 60_000);

  it('pulls an image the engine lacks first, and its dry run says the pull is needed', async () => {
    const reference = `${inject('registry')}/berth-test/redeploy:pulled-${process.pid}-${Date.now().toString(36)}`;
    await pushToRegistry(inject('dockerHost'), images.v2, reference);
    pulled.push(reference);
    const old = await runOld(images.v1, { env: ['MODE=one'] });

    const dry = success(await redeploy({ id: old.id, image: reference, dryRun: true }));
    expect(dry.plan.pullRequired).toBe(true);
    // Without the image its defaults are unknown: only what the container sets itself is compared.
    expect(dry.plan.changes.map((c) => c.field)).toEqual(['image']);
    expect(
      statusCodeOf(
        await docker
          .getImage(reference)
          .inspect()
          .catch((e: unknown) => e),
      ),
    ).toBe(404);

    const progress = subscribe(client, RedeployProgressSubscription, { id: old.id });
    await progress.next();
    const result = success(await redeploy({ id: old.id, image: reference }));
    const steps: string[] = [];
    for (;;) {
      const { redeployProgress } = await progress.next(20_000);
      steps.push(redeployProgress.step);
      if (redeployProgress.step === 'DONE') break;
    }
    expect(steps.slice(0, 3)).toEqual(['PLANNED', 'PULLING', 'CREATING']);
    // Once pulled, its healthcheck is known and gates the swap; the plan answered says so.
    expect(result.plan.healthGate).toBe('HEALTHCHECK');
    expect(result.plan.changes.map((c) => c.field)).toEqual(expect.arrayContaining(['image', 'imageId']));
    expect(result.container).toMatchObject({ name: old.name, image: reference, health: 'HEALTHY' });
  }, 60_000);
});

describe('redeployContainer to a new version that is not ready', () => {
  it('leaves the old container serving under its name when the healthcheck fails, and says why', async () => {
    const old = await runOld(images.v1);
    const load = await startLoad(old.alias);
    const progress = subscribe(client, RedeployProgressSubscription, { id: old.name });
    expect((await progress.next()).redeployProgress.step).toBe('IDLE');

    const result = await redeploy({ id: old.name, image: images.broken });
    // The old container answered again after the failed attempt, before the load stops.
    const answered = (await load.answers()).length;
    await waitFor(async () => {
      if ((await load.answers()).length <= answered) throw new Error('no answer since the redeploy');
    }, 20_000);
    const seen = await load.stop();

    expect(result.__typename).toBe('RedeployFailedError');
    if (result.__typename !== 'RedeployFailedError') return;
    expect(result).toMatchObject({ code: 'REDEPLOY_FAILED', containerId: old.id, reason: 'UNHEALTHY' });
    expect(result.lastProbe?.exitCode).not.toBe(0);
    expect(result.lastProbe?.output).toMatch(/404/);
    expect(result.message).toMatch(/healthcheck failed/);
    expect(seen.failures).toEqual([]);
    expect([...seen.pages.keys()]).toEqual(['v1']);

    const still = await docker.getContainer(old.name).inspect();
    expect(still.Id).toBe(old.id);
    expect(still.State.Running).toBe(true);
    expect(still.NetworkSettings.Networks[network]!.Aliases).toContain(old.alias);
    expect(await sideContainers(old.name)).toEqual([]);

    const steps: Progress['redeployProgress'][] = [];
    for (;;) {
      const { redeployProgress } = await progress.next(20_000);
      steps.push(redeployProgress);
      if (redeployProgress.step === 'FAILED') break;
    }
    await progress.completed;
    expect(steps.map((s) => s.step)).toEqual([
      'PLANNED',
      'CREATING',
      'STARTING',
      'WAITING_HEALTHY',
      'FAILED',
    ]);
    expect(steps.at(-1)!.failure).toMatchObject({ reason: 'UNHEALTHY' });
    expect(steps.at(-1)!.failure!.lastProbe!.output).toMatch(/404/);
    expect(berth.app.context.environments.local.redeploy.watchers(old.id)).toBe(0);
  }, 120_000);

  it('says EXITED, with the exit code, when the new container stops', async () => {
    const old = await runOld(images.v1);
    const result = await redeploy({ id: old.id, image: images.exits });
    expect(result).toMatchObject({ __typename: 'RedeployFailedError', reason: 'EXITED', exitCode: 3 });
    expect((await docker.getContainer(old.name).inspect()).Id).toBe(old.id);
    expect(await sideContainers(old.name)).toEqual([]);
  }, 60_000);

  it('says TIMEOUT when the new container is not healthy in time', async () => {
    const old = await runOld(images.v1);
    // The slow image's first probe comes after a minute: a TIMEOUT (rather than a health answer)
    // means berth gave up first, and its message names the 2 s it waited. How long the call took
    // is the machine's business; the test's own timeout bounds it.
    const result = await redeploy({ id: old.id, image: images.slow, healthTimeoutSeconds: 2 });
    expect(result).toMatchObject({ __typename: 'RedeployFailedError', reason: 'TIMEOUT' });
    expect(result.__typename === 'RedeployFailedError' && result.message).toMatch(/not healthy within 2 s/);
    expect((await docker.getContainer(old.name).inspect()).State.Running).toBe(true);
    expect(await sideContainers(old.name)).toEqual([]);
  }, 60_000);
});

describe('redeployContainer with dryRun', () => {
  it('answers the typed diff and changes nothing', async () => {
    // The test image has no healthcheck, so its inspect does not change by itself between two looks.
    const old = await runOld(inject('testImage'), { env: ['MODE=one', 'KEEP=yes', 'DROP=me'] });
    const before = await docker.getContainer(old.id).inspect();
    const containersBefore = await docker.listContainers({ all: true });
    const networksBefore = await docker.listNetworks();

    const result = success(
      await redeploy({
        id: old.name,
        image: images.v2,
        env: [
          { name: 'MODE', value: 'two' },
          { name: 'ADDED', value: 'new' },
        ],
        unsetEnv: ['DROP'],
        dryRun: true,
      }),
    );

    expect(await docker.getContainer(old.id).inspect()).toEqual(before);
    expect((await docker.listContainers({ all: true })).map((c) => c.Id).sort()).toEqual(
      containersBefore.map((c) => c.Id).sort(),
    );
    expect((await docker.listNetworks()).map((n) => n.Id).sort()).toEqual(
      networksBefore.map((n) => n.Id).sort(),
    );

    expect(result).toMatchObject({ dryRun: true, container: null, replacedContainerId: null, handover: [] });
    expect(result.plan).toMatchObject({
      containerId: old.id,
      name: old.name,
      image: images.v2,
      pullRequired: false,
      swap: 'NETWORK_ALIAS',
      healthGate: 'HEALTHCHECK',
      networks: [{ name: network, aliases: [old.alias, old.name] }],
      fixedHostPorts: [],
    });
    const changes = Object.fromEntries(result.plan.changes.map((c) => [c.field, c]));
    const v2 = await docker.getImage(images.v2).inspect();
    expect(changes['image']).toEqual({
      field: 'image',
      kind: 'CHANGED',
      before: inject('testImage'),
      after: images.v2,
    });
    expect(changes['imageId']).toMatchObject({ kind: 'CHANGED', before: before.Image, after: v2.Id });
    expect(changes['env.MODE']).toEqual({ field: 'env.MODE', kind: 'CHANGED', before: 'one', after: 'two' });
    expect(changes['env.ADDED']).toEqual({ field: 'env.ADDED', kind: 'ADDED', before: null, after: 'new' });
    expect(changes['env.DROP']).toEqual({ field: 'env.DROP', kind: 'REMOVED', before: 'me', after: null });
    expect(changes['env.KEEP']).toBeUndefined();
    expect(changes['healthcheck']).toMatchObject({ kind: 'ADDED', before: null });
    expect(JSON.parse(changes['healthcheck']!.after!)).toMatchObject({ test: ['CMD-SHELL', HEALTHY_PAGE] });
    // Both images run the same httpd command: no change to show.
    expect(changes['command']).toBeUndefined();
  }, 60_000);
});

describe('redeployProgress', () => {
  it('reports every step in order, ends after DONE and releases its listener', async () => {
    const old = await runOld(images.v1);
    const progress = subscribe(client, RedeployProgressSubscription, { id: old.name });
    expect((await progress.next()).redeployProgress).toMatchObject({ step: 'IDLE', containerId: old.id });
    expect(berth.app.context.environments.local.redeploy.watchers(old.id)).toBe(1);

    const result = success(await redeploy({ id: old.name, image: images.v2 }));
    const steps: Progress['redeployProgress'][] = [];
    for (;;) {
      const { redeployProgress } = await progress.next(20_000);
      steps.push(redeployProgress);
      if (redeployProgress.step === 'DONE') break;
    }
    await progress.completed;
    expect(steps.map((s) => s.step)).toEqual([
      'PLANNED',
      'CREATING',
      'STARTING',
      'WAITING_HEALTHY',
      'SWAPPING',
      'DRAINING',
      'REMOVING_OLD',
      'DONE',
    ]);
    expect(steps.every((s) => s.containerId === old.id && s.name === old.name)).toBe(true);
    expect(steps.at(-1)!.newContainerId).toBe(result.container!.id);
    const times = steps.map((s) => Date.parse(s.at));
    expect([...times].sort((a, b) => a - b)).toEqual(times);
    expect(berth.app.context.environments.local.redeploy.watchers(old.id)).toBe(0);
  }, 60_000);

  it('releases a subscriber that leaves while it waits', async () => {
    const old = await runOld(images.v1);
    const progress = subscribe(client, RedeployProgressSubscription, { id: old.id });
    await progress.next();
    expect(berth.app.context.environments.local.redeploy.watchers(old.id)).toBe(1);
    progress.unsubscribe();
    await waitFor(async () => expect(berth.app.context.environments.local.redeploy.watchers(old.id)).toBe(0));
  });
});

describe('one redeploy per container', () => {
  it('refuses a second redeploy while one runs, by id and by name', async () => {
    const old = await runOld(images.v1);
    const progress = subscribe(client, RedeployProgressSubscription, { id: old.id });
    await progress.next();
    const first = redeploy({ id: old.id, image: images.v2, drainSeconds: 2 });
    await waitFor(async () => {
      if (!progress.pending.some((p) => p.redeployProgress.step === 'CREATING')) throw new Error('not yet');
    }, 20_000);

    const byName = await redeploy({ id: old.name, image: images.v2 });
    const byId = await redeploy({ id: old.id.slice(0, 16), image: images.v2 });
    expect(byName).toMatchObject({
      __typename: 'RedeployInProgressError',
      code: 'REDEPLOY_IN_PROGRESS',
      name: old.name,
    });
    expect(byId).toMatchObject({ __typename: 'RedeployInProgressError', code: 'REDEPLOY_IN_PROGRESS' });
    // A dry run changes nothing, so it may look while a redeploy runs.
    expect(await redeploy({ id: old.name, image: images.v2, dryRun: true })).toMatchObject({
      __typename: 'RedeployContainerSuccess',
    });

    expect(success(await first).container).toMatchObject({ name: old.name, image: images.v2 });
    progress.unsubscribe();
  }, 60_000);
});

/** A free TCP port on loopback, for a published port. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('redeployContainer of a container that publishes a host port', () => {
  it.each([
    ['a user network', () => network],
    ['the default bridge', () => 'bridge'],
  ])(
    'on %s: moves the port in one short step, measures the gap, and serves the new version on it',
    async (_, on) => {
      const target = on();
      const port = await freePort();
      const old = await runOld(images.v1, { hostPort: port, onNetwork: target });
      const url = `http://127.0.0.1:${port}/`;
      // Each request's start and end by the wall clock, to set beside berth's progress steps.
      const outcomes: { at: number; end: number; ok: boolean; page: string }[] = [];
      let running = true;
      const load = (async () => {
        while (running) {
          const at = Date.now();
          try {
            const response = await fetch(url, { signal: AbortSignal.timeout(3000) });
            const page = (await response.text()).trim();
            outcomes.push({ at, end: Date.now(), ok: response.ok, page });
          } catch {
            outcomes.push({ at, end: Date.now(), ok: false, page: '' });
            await sleep(5);
          }
        }
      })();
      await waitFor(async () => {
        if (!outcomes.some((o) => o.ok)) throw new Error('no answer yet');
      });
      const progress = subscribe(client, RedeployProgressSubscription, { id: old.name });
      expect((await progress.next()).redeployProgress.step).toBe('IDLE');

      const result = success(await redeploy({ id: old.name, image: images.v2 }));
      const returned = Date.now();
      await waitFor(async () => {
        if (!outcomes.some((o) => o.at >= returned)) throw new Error('no request since the redeploy');
      });
      running = false;
      await load;
      const steps: Progress['redeployProgress'][] = [];
      while (steps.at(-1)?.step !== 'DONE') steps.push((await progress.next(20_000)).redeployProgress);
      const stepAt = (step: string) => Date.parse(steps.find((s) => s.step === step)!.at);

      expect(result.plan.swap).toBe('HOST_PORT');
      expect(result.plan.fixedHostPorts).toEqual([
        { containerPort: 80, protocol: 'tcp', hostIp: '127.0.0.1', hostPort: port },
      ]);
      expect(result.hostPortGapMs).toBeGreaterThan(0);
      // From the old container's first answer on (before it, its httpd may still be starting).
      const served = outcomes.slice(outcomes.findIndex((o) => o.ok));
      const failed = served.filter((o) => !o.ok);
      const window = failed.length > 0 ? failed.at(-1)!.at - failed[0]!.at : 0;
      console.info(
        `[redeploy] host port: gap ${result.hostPortGapMs} ms by berth's clock; ${served.length} requests, ` +
          `${failed.length} failed within ${Math.round(window)} ms (${target})`,
      );
      // One step: the answers read v1 until the port moves, then nothing answers, then v2 does,
      // and every request made after the redeploy returned got v2.
      const phases = served
        .map((o) => (o.ok ? o.page : 'refused'))
        .filter((phase, i, all) => phase !== all[i - 1]);
      expect([
        ['v1', 'v2'],
        ['v1', 'refused', 'v2'],
      ]).toContainEqual(phases);
      expect(outcomes.filter((o) => o.at >= returned).every((o) => o.ok && o.page === 'v2')).toBe(true);
      // Nothing refused outside berth's swap: each failure ended after berth began it (SWAPPING)
      // and began before berth went on to remove the old container (REMOVING_OLD).
      for (const failure of failed) {
        expect(failure.end).toBeGreaterThanOrEqual(stepAt('SWAPPING'));
        expect(failure.at).toBeLessThanOrEqual(stepAt('REMOVING_OLD'));
      }

      const now = await docker.getContainer(old.name).inspect();
      expect(now.Id).toBe(result.container!.id);
      expect(Object.keys(now.NetworkSettings.Networks)).toEqual([target]);
      expect(now.HostConfig.NetworkMode).toBe(target);
    },
    120_000,
  );
});

describe('redeployContainer refuses', () => {
  it('what the create policy does not allow the old container to have', async () => {
    const old = await runOld(images.v1, { capAdd: ['NET_ADMIN'] });
    const result = await redeploy({ id: old.id, image: images.v2 });
    expect(result).toMatchObject({ __typename: 'PolicyViolationError', code: 'POLICY_VIOLATION' });
    expect(await sideContainers(old.name)).toEqual([]);
  });

  it('a stopped container, an unknown one, and unsetting a variable it does not set itself', async () => {
    const old = await runOld(images.v1, { env: ['OWN=1'] });
    expect(await redeploy({ id: old.id, unsetEnv: ['PATH'], dryRun: true })).toMatchObject({
      __typename: 'InvalidInputError',
      field: 'unsetEnv.0',
    });
    expect(await redeploy({ id: old.id, env: [{ name: 'A', value: '1' }], unsetEnv: ['A'] })).toMatchObject({
      __typename: 'InvalidInputError',
      field: 'unsetEnv.0',
    });
    expect(await redeploy({ id: `${old.name}-nothing` })).toMatchObject({ __typename: 'NotFoundError' });
    await docker.getContainer(old.id).stop({ t: 0 });
    await waitFor(async () => {
      if (berth.app.index.peek(old.id)?.status === 'RUNNING') throw new Error('still running');
    });
    expect(await redeploy({ id: old.id })).toMatchObject({ __typename: 'InvalidStateError' });
  });
});
