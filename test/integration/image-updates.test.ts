import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, request, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Docker from 'dockerode';
import type { Client } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { TEST_LABEL, cleanupLabelled, testDocker } from '../harness/docker.js';
import { startBerth, type RunningBerth } from '../support/berth.js';
import { commitImage as commitTestImage, pushAs, pushNewerElsewhere } from '../support/registry-images.js';
import {
  AlertsSubscription,
  AuditLog,
  CreateAlertRule,
  DeleteAlertRule,
  DeployStack,
  GetContainer,
  PullImage,
  RemoveStack,
} from '../support/operations/index.js';
import {
  CheckImageUpdates,
  ContainerImageUpdate,
  ImageAutoUpdateChanges,
  ImageAutoUpdates,
  ImageUpdatesSubscription,
  SetImageAutoUpdate,
  StackImageUpdates,
} from '../support/operations/updates.js';
import { subscribe, wsClient } from '../support/subscriptions.js';
import { waitFor } from '../support/wait.js';

const LABEL = 'image-updates';
let berth: RunningBerth;
let docker: Docker;
let client: Client;
/** Images this file made, removed at the end. */
const madeImages: string[] = [];

/**
 * A recording HTTP proxy on loopback in front of the harness's registry: every request the
 * registry gets through it is kept as `METHOD path`. An image reference names the registry by the
 * proxy's port, so the engine's pushes and pulls and berth's checks all pass through it. `hold()`
 * keeps manifest HEADs waiting until `release()`.
 */
class RecordingProxy {
  readonly requests: string[] = [];
  readonly server: Server;
  #held: Promise<void> | null = null;
  #release: () => void = () => undefined;

  constructor(private readonly upstream: string) {
    this.server = createServer((incoming, outgoing) => void this.#forward(incoming, outgoing));
  }

  async listen(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  hold(): void {
    this.#held = new Promise((resolve) => (this.#release = resolve));
  }

  release(): void {
    this.#release();
    this.#held = null;
  }

  async #forward(incoming: IncomingMessage, outgoing: import('node:http').ServerResponse): Promise<void> {
    this.requests.push(`${incoming.method} ${incoming.url}`);
    if (incoming.method === 'HEAD' && this.#held) await this.#held;
    const [host, port] = this.upstream.split(':');
    // The Host header is passed on as it came: the registry builds its upload URLs from it.
    const upstream = request(
      { host, port: Number(port), method: incoming.method, path: incoming.url, headers: incoming.headers },
      (answer) => {
        outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(outgoing);
      },
    );
    upstream.on('error', () => outgoing.destroy());
    incoming.pipe(upstream);
  }
}

/** The test image with `script` run in it, committed with `changes`; removed in afterAll. */
async function commitImage(script: string, changes: string[] = []): Promise<string> {
  const id = await commitTestImage(docker, inject('testImage'), LABEL, script, changes);
  madeImages.push(id);
  return id;
}

const push = (imageId: string, reference: string) => pushAs(docker, imageId, reference);

let unique = 0;
function referenceAt(registry: string): string {
  unique += 1;
  return `${registry}/berth-test/upd-${Date.now().toString(36)}${process.pid}${unique}:v1`;
}

async function check() {
  const { checkImageUpdates } = await berth.query(CheckImageUpdates, {});
  if (checkImageUpdates.__typename !== 'CheckImageUpdatesSuccess') {
    throw new Error(`check failed: ${JSON.stringify(checkImageUpdates)}`);
  }
  return checkImageUpdates.updates;
}

async function updateOf(reference: string) {
  const found = (await check()).find((update) => update.reference === reference);
  if (!found) throw new Error(`no result for ${reference}`);
  return found;
}

beforeAll(async () => {
  docker = testDocker(inject('dockerHost'));
  // No scheduled check: every check here is the test's own.
  berth = await startBerth({ BERTH_IMAGE_UPDATE_CHECK_MINUTES: '0' }, { label: LABEL });
  client = wsClient(berth.url);
});

afterAll(async () => {
  await client?.dispose();
  await berth?.stop();
  await cleanupLabelled(docker, `${TEST_LABEL}=${LABEL}`);
  for (const id of madeImages)
    await docker
      .getImage(id)
      .remove({ force: true })
      .catch(() => undefined);
});

describe('image-update detection against a registry on loopback', () => {
  it('finds a new image pushed under the tag by HEAD requests alone, tells subscribers, and is up to date again after a pull', async () => {
    const proxy = new RecordingProxy(inject('registry'));
    const reference = referenceAt(await proxy.listen());
    try {
      const imageA = await commitImage('echo a > /version');
      const imageB = await commitImage('echo b > /version');
      await push(imageA, reference);
      // Two containers of one tag: still one HEAD per check.
      const first = await berth.create({
        image: reference,
        name: `berth-test-upd-a-${process.pid}-${unique}`,
      });
      await berth.create({ image: reference, name: `berth-test-upd-b-${process.pid}-${unique}` });

      proxy.requests.length = 0;
      const upToDate = await updateOf(reference);
      expect(upToDate).toMatchObject({ status: 'UP_TO_DATE', error: null, since: null });
      expect(upToDate.localDigest).toMatch(/^sha256:[0-9a-f]{64}$/);
      expect(upToDate.remoteDigest).toBe(upToDate.localDigest);
      const repository = reference.slice(reference.indexOf('/') + 1, reference.lastIndexOf(':'));
      expect(proxy.requests).toEqual([`HEAD /v2/${repository}/manifests/v1`]);

      // Reading the result asks nobody.
      proxy.requests.length = 0;
      const read = await berth.query(ContainerImageUpdate, { id: first.id });
      expect(read.container?.imageUpdate).toMatchObject({ status: 'UP_TO_DATE', reference });
      expect(proxy.requests).toEqual([]);

      const updates = subscribe(client, ImageUpdatesSubscription, { reference });
      await waitFor(async () => berth.app.context.imageUpdates.watchers() > 0);

      // B goes to the registry under the same tag; the engine's tag goes back to A, as if
      // someone else had pushed B from elsewhere.
      await push(imageB, reference);
      await docker.getImage(imageA).tag({
        repo: reference.slice(0, reference.lastIndexOf(':')),
        tag: 'v1',
      });
      const pushedDigest = ((await docker.getImage(imageB).inspect()).RepoDigests ?? [])
        .find((entry) => entry.startsWith(`${reference.slice(0, reference.lastIndexOf(':'))}@`))
        ?.split('@')[1];
      expect(pushedDigest).toMatch(/^sha256:/);

      proxy.requests.length = 0;
      const available = await updateOf(reference);
      expect(available).toMatchObject({
        status: 'AVAILABLE',
        localDigest: upToDate.localDigest,
        remoteDigest: pushedDigest,
        error: null,
      });
      expect(available.since).toBe(available.checkedAt);
      // No blob or manifest was fetched: one HEAD, nothing else.
      expect(proxy.requests).toEqual([`HEAD /v2/${repository}/manifests/v1`]);

      const heard = await updates.next();
      expect(heard.imageUpdates).toMatchObject({
        reference,
        status: 'AVAILABLE',
        remoteDigest: pushedDigest,
      });

      // A later check keeps `since`: it says when AVAILABLE was first seen.
      const again = await updateOf(reference);
      expect(again).toMatchObject({ status: 'AVAILABLE', since: available.since });
      expect(updates.pending).toEqual([]);

      const { pullImage } = await berth.query(PullImage, { reference });
      expect(pullImage.__typename).toBe('PullImageSuccess');
      const afterPull = await updateOf(reference);
      expect(afterPull).toMatchObject({
        status: 'UP_TO_DATE',
        localDigest: pushedDigest,
        remoteDigest: pushedDigest,
        since: null,
      });
      expect((await updates.next()).imageUpdates).toMatchObject({ status: 'UP_TO_DATE' });

      updates.unsubscribe();
      await waitFor(async () => berth.app.context.imageUpdates.watchers() === 0);
    } finally {
      await proxy.close();
    }
  });

  it('flags a container left on the older image after the tag was pulled, and not a new container on the newer one', async () => {
    const proxy = new RecordingProxy(inject('registry'));
    const reference = referenceAt(await proxy.listen());
    const repository = reference.slice(reference.indexOf('/') + 1, reference.lastIndexOf(':'));
    try {
      const imageA = await commitImage('echo old > /version');
      const imageB = await commitImage('echo new > /version');
      await push(imageA, reference);
      const digestA = await pushedDigest(imageA, reference);
      const old = await berth.create({ image: reference });

      // v2 under the same tag, pulled here: the engine's tag names it, the old container runs v1.
      const digestB = await pushElsewhere(imageB, reference, imageA);
      const { pullImage } = await berth.query(PullImage, { reference });
      expect(pullImage.__typename).toBe('PullImageSuccess');
      const fresh = await berth.create({ image: reference });
      expect((await berth.query(GetContainer, { id: fresh.id })).container?.imageId).toBe(imageB);
      expect((await berth.query(GetContainer, { id: old.id })).container?.imageId).toBe(imageA);

      proxy.requests.length = 0;
      const tag = await updateOf(reference);
      // The tag itself is up to date; still one HEAD for both containers, nothing pulled.
      expect(tag).toMatchObject({ status: 'UP_TO_DATE', localDigest: digestB, remoteDigest: digestB });
      expect(proxy.requests).toEqual([`HEAD /v2/${repository}/manifests/v1`]);

      const onOld = (await berth.query(ContainerImageUpdate, { id: old.id })).container?.imageUpdate;
      expect(onOld).toMatchObject({
        reference,
        status: 'AVAILABLE',
        localDigest: digestA,
        remoteDigest: digestB,
        since: tag.checkedAt,
      });
      const onFresh = (await berth.query(ContainerImageUpdate, { id: fresh.id })).container?.imageUpdate;
      expect(onFresh).toMatchObject({ status: 'UP_TO_DATE', localDigest: digestB, since: null });

      // The next check keeps when it was first seen behind.
      const later = await updateOf(reference);
      expect(later.checkedAt).not.toBe(tag.checkedAt);
      expect((await berth.query(ContainerImageUpdate, { id: old.id })).container?.imageUpdate).toMatchObject({
        status: 'AVAILABLE',
        since: tag.checkedAt,
      });
    } finally {
      await proxy.close();
    }
  });

  it('joins a check already running instead of asking the registry again', async () => {
    const proxy = new RecordingProxy(inject('registry'));
    const reference = referenceAt(await proxy.listen());
    try {
      await push(await commitImage('echo c > /version'), reference);
      await berth.create({ image: reference });
      const repository = reference.slice(reference.indexOf('/') + 1, reference.lastIndexOf(':'));
      proxy.requests.length = 0;
      proxy.hold();
      const overHttp = check();
      await waitFor(async () => proxy.requests.length === 1);
      const joined = berth.app.context.imageUpdates.check();
      expect(berth.app.context.imageUpdates.check()).toBe(joined);
      proxy.release();
      const [answered, inProcess] = await Promise.all([overHttp, joined]);
      expect(answered.find((update) => update.reference === reference)?.status).toBe('UP_TO_DATE');
      expect(inProcess.find((update) => update.reference === reference)?.status).toBe('UP_TO_DATE');
      expect(proxy.requests).toEqual([`HEAD /v2/${repository}/manifests/v1`]);
    } finally {
      proxy.release();
      await proxy.close();
    }
  });

  it('answers a stack service’s image update from its containers’ image', async () => {
    const proxy = new RecordingProxy(inject('registry'));
    const reference = referenceAt(await proxy.listen());
    const name = `upd${Date.now().toString(36)}${process.pid}`;
    try {
      await push(await commitImage('echo s > /version'), reference);
      const compose = `services:\n  app:\n    image: ${reference}\n    command: ["sleep", "3600"]\n    init: true\n`;
      const { deployStack } = await berth.query(DeployStack, { input: { name, compose } });
      expect(deployStack).toMatchObject({ __typename: 'DeployStackResult', ok: true });
      const before = await berth.query(StackImageUpdates, { name });
      expect(before.stack?.services).toEqual([{ name: 'app', imageUpdate: null }]);

      await check();
      const after = await berth.query(StackImageUpdates, { name });
      expect(after.stack?.services[0]?.imageUpdate).toMatchObject({ reference, status: 'UP_TO_DATE' });
    } finally {
      await berth.query(RemoveStack, { name, volumes: true }).catch(() => undefined);
      await proxy.close();
    }
  });

  it('makes a reference whose registry is down UNKNOWN with the reason, not a GraphQL error', async () => {
    const proxy = new RecordingProxy(inject('registry'));
    const reference = referenceAt(await proxy.listen());
    await push(await commitImage('echo d > /version'), reference);
    const container = await berth.create({ image: reference });
    await proxy.close(); // nothing listens on its port any more

    const result = await berth.graphql(CheckImageUpdates, {});
    expect(result.errors).toBeUndefined();
    const down = await updateOf(reference);
    expect(down).toMatchObject({ status: 'UNKNOWN', remoteDigest: null, since: null });
    expect(down.localDigest).toMatch(/^sha256:/);
    expect(down.error).toContain('could not be reached');
    expect(down.error).toContain('ECONNREFUSED');
    const read = await berth.query(ContainerImageUpdate, { id: container.id });
    expect(read.container?.imageUpdate?.status).toBe('UNKNOWN');
  });

  it('makes an image imported here (no repo digest) UNKNOWN without asking a registry', async () => {
    const container = await berth.create({});
    const imported = await updateOf(inject('testImage'));
    expect(imported).toMatchObject({ status: 'UNKNOWN', localDigest: null, remoteDigest: null });
    expect(imported.error).toContain('no digest from its registry');
    const read = await berth.query(ContainerImageUpdate, { id: container.id });
    expect(read.container?.imageUpdate?.status).toBe('UNKNOWN');
  });

  it('answers null for a container whose image was never checked, and INVALID_INPUT for a bad reference', async () => {
    const fresh = await startBerth({ BERTH_IMAGE_UPDATE_CHECK_MINUTES: '0' }, { label: LABEL });
    try {
      const container = await fresh.create({});
      const read = await fresh.query(ContainerImageUpdate, { id: container.id });
      expect(read.container?.imageUpdate).toBeNull();
      const bad = subscribe(fresh.ws(), ImageUpdatesSubscription, { reference: 'Not A Reference' });
      await expect(bad.completed).rejects.toThrow();
      expect(bad.errors[0]?.extensions?.['code']).toBe('INVALID_INPUT');
    } finally {
      await fresh.stop();
    }
  });
});

const HTTPD = 'CMD ["/bin/httpd","-f","-p","80","-h","/www"]';
const HEALTHY = 'HEALTHCHECK --interval=1s --timeout=2s --retries=2 CMD true';
const UNHEALTHY = 'HEALTHCHECK --interval=1s --timeout=2s --retries=1 CMD false';

/** `HH:MM` in UTC, `minutes` from now. */
function utcTime(minutes: number): string {
  return new Date(Date.now() + minutes * 60_000).toISOString().slice(11, 16);
}
const EVERY_DAY = ['MONDAY', 'TUESDAY', 'WEDNESDAY', 'THURSDAY', 'FRIDAY', 'SATURDAY', 'SUNDAY'] as const;

/** The registry digest the engine recorded for `imageId` when it was pushed as `reference`. */
async function pushedDigest(imageId: string, reference: string): Promise<string> {
  const repo = reference.slice(0, reference.lastIndexOf(':'));
  const digest = ((await docker.getImage(imageId).inspect()).RepoDigests ?? [])
    .find((entry) => entry.startsWith(`${repo}@`))
    ?.split('@')[1];
  if (!digest) throw new Error(`no digest for ${imageId} in ${repo}`);
  return digest;
}

/** Pushes `imageId` as `reference`, then points the engine's tag back at `local`: someone else pushed. */
async function pushElsewhere(imageId: string, reference: string, local: string): Promise<string> {
  await pushNewerElsewhere(docker, reference, local, imageId);
  return pushedDigest(imageId, reference);
}

async function autoUpdateOf(name: string) {
  const { imageAutoUpdates } = await berth.query(ImageAutoUpdates, {});
  const found = imageAutoUpdates.find((target) => target.name === name);
  if (!found) throw new Error(`no auto-update target ${name}`);
  return found;
}

describe('IMAGE_UPDATE_AVAILABLE alerts and automatic updates in a maintenance window', () => {
  it('alerts per container, does nothing in a closed window, swaps health-gated in an open one, and rolls an unhealthy image back', async () => {
    const proxy = new RecordingProxy(inject('registry'));
    const reference = referenceAt(await proxy.listen());
    const name = `berth-test-upd-auto-${process.pid}-${Date.now().toString(36)}`;
    let ruleId: string | undefined;
    try {
      const imageA = await commitImage('echo a > /version', [HTTPD]);
      const imageB = await commitImage('echo b > /version', [HTTPD, HEALTHY]);
      const imageC = await commitImage('echo c > /version', [HTTPD, UNHEALTHY]);
      await push(imageA, reference);
      const first = await berth.create({ image: reference, name });

      const { createAlertRule } = await berth.query(CreateAlertRule, {
        input: { name: `upd-${name}`, kind: 'IMAGE_UPDATE_AVAILABLE', scope: { container: name } },
      });
      if (createAlertRule.__typename !== 'CreateAlertRuleSuccess')
        throw new Error(JSON.stringify(createAlertRule));
      ruleId = createAlertRule.rule.id;
      const alerts = subscribe(client, AlertsSubscription, { ruleId });
      const changes = subscribe(client, ImageAutoUpdateChanges, {});
      await waitFor(
        async () => berth.app.context.alerts.subscribers > 0 && berth.app.context.autoUpdates.watchers() > 0,
      );

      // Validation first: typed INVALID_INPUT with the field.
      const refused = await berth.query(SetImageAutoUpdate, {
        input: { container: name, enabled: true, window: { days: ['MONDAY'], start: '25:00', end: '03:00' } },
      });
      expect(refused).toMatchObject({
        setImageAutoUpdate: {
          __typename: 'InvalidInputError',
          code: 'INVALID_INPUT',
          field: 'input.window.start',
        },
      });
      const badZone = await berth.query(SetImageAutoUpdate, {
        input: {
          container: name,
          enabled: true,
          window: { days: ['MONDAY'], start: '01:00', end: '03:00', timeZone: 'Mars/Olympus' },
        },
      });
      expect(badZone.setImageAutoUpdate).toMatchObject({
        code: 'INVALID_INPUT',
        field: 'input.window.timeZone',
      });

      // A window that opens in two hours: closed now.
      const closed = await berth.query(SetImageAutoUpdate, {
        input: {
          container: name,
          enabled: true,
          window: { days: [...EVERY_DAY], start: utcTime(120), end: utcTime(180) },
        },
      });
      expect(closed.setImageAutoUpdate).toMatchObject({
        __typename: 'SetImageAutoUpdateSuccess',
        autoUpdate: {
          kind: 'CONTAINER',
          name,
          enabled: true,
          windowOpen: false,
          lastRun: null,
          window: { timeZone: 'UTC' },
        },
      });
      expect((await changes.next()).imageAutoUpdateChanges).toMatchObject({ name, enabled: true });

      const digestB = await pushElsewhere(imageB, reference, imageA);
      proxy.requests.length = 0;
      const available = await updateOf(reference);
      expect(available).toMatchObject({ status: 'AVAILABLE', remoteDigest: digestB });
      // Detected by one HEAD: nothing was pulled.
      const repository = reference.slice(reference.indexOf('/') + 1, reference.lastIndexOf(':'));
      expect(proxy.requests).toEqual([`HEAD /v2/${repository}/manifests/v1`]);

      const fired = (await alerts.next()).alerts;
      expect(fired).toMatchObject({
        state: 'FIRING',
        containerId: first.id,
        rule: { kind: 'IMAGE_UPDATE_AVAILABLE' },
        image: { reference, remoteDigest: digestB, runningDigest: available.localDigest },
      });
      // The window is closed: the check started nothing.
      expect(await autoUpdateOf(name)).toMatchObject({ running: false, lastRun: null, lastOutcome: null });
      expect((await berth.query(GetContainer, { id: name })).container?.id).toBe(first.id);
      expect(changes.pending).toEqual([]);

      // Open now (it crosses midnight when now is late in the day; every day is in it).
      await berth.query(SetImageAutoUpdate, {
        input: {
          container: name,
          enabled: true,
          window: { days: [...EVERY_DAY], start: utcTime(-60), end: utcTime(60) },
        },
      });
      expect((await changes.next()).imageAutoUpdateChanges).toMatchObject({ windowOpen: true });
      await check();
      expect((await changes.next()).imageAutoUpdateChanges).toMatchObject({ name, running: true });
      // A pull, the health gate, then the old container drains for 5 s before it goes.
      const ended = (await changes.next(60_000)).imageAutoUpdateChanges;
      expect(ended).toMatchObject({
        running: false,
        lastOutcome: { result: 'UPDATED', reference, toDigest: digestB },
      });
      expect(ended.lastRun).not.toBeNull();

      const swapped = (await berth.query(GetContainer, { id: name })).container;
      expect(swapped).toMatchObject({ name, imageId: imageB, health: 'HEALTHY', status: 'RUNNING' });
      expect(swapped?.id).not.toBe(first.id);
      const resolved = (await alerts.next()).alerts;
      expect(resolved).toMatchObject({ state: 'RESOLVED', containerId: first.id, id: fired.id });
      // The new container runs the registry's image: the next check fires nothing for it.
      await updateOf(reference);
      expect(alerts.pending).toEqual([]);
      const { auditLog } = await berth.query(AuditLog, { filter: { action: 'autoUpdateContainer' } });
      expect(auditLog.entries.find((entry) => entry.target === name)).toMatchObject({
        tokenName: 'auto-update',
        result: 'ok',
      });

      // An unhealthy image under the tag: the update is rolled back and the running one serves on.
      const digestC = await pushElsewhere(imageC, reference, imageB);
      await check();
      expect((await changes.next()).imageAutoUpdateChanges).toMatchObject({ running: true });
      const rolledBack = (await changes.next(60_000)).imageAutoUpdateChanges;
      expect(rolledBack).toMatchObject({
        running: false,
        lastOutcome: { result: 'ROLLED_BACK', toDigest: digestC },
      });
      expect(rolledBack.lastOutcome?.message).toMatch(/health|unhealthy/i);
      const kept = (await berth.query(GetContainer, { id: name })).container;
      expect(kept).toMatchObject({ id: swapped?.id, imageId: imageB, status: 'RUNNING', health: 'HEALTHY' });
      const denied = await berth.query(AuditLog, {
        filter: { action: 'autoUpdateContainer', result: 'error' },
      });
      expect(denied.auditLog.entries.find((entry) => entry.target === name)?.result).toBe(
        'error:REDEPLOY_FAILED',
      );

      // The digest that failed is not tried again at the next check.
      await check();
      expect(await autoUpdateOf(name)).toMatchObject({ running: false, lastRun: rolledBack.lastRun });
      expect(changes.pending).toEqual([]);

      alerts.unsubscribe();
      changes.unsubscribe();
      await waitFor(async () => berth.app.context.autoUpdates.watchers() === 0);
    } finally {
      if (ruleId) await berth.query(DeleteAlertRule, { id: ruleId }).catch(() => undefined);
      await berth
        .query(SetImageAutoUpdate, { input: { container: name, enabled: false } })
        .catch(() => undefined);
      await proxy.close();
    }
  }, 120_000);

  it('updates an opted-in stack by its redeploy with a pull when a check finds a newer image', async () => {
    const reference = referenceAt(inject('registry'));
    const name = `updauto${Date.now().toString(36)}${process.pid}`;
    try {
      const imageA = await commitImage('echo sa > /version', [HTTPD]);
      const imageB = await commitImage('echo sb > /version', [HTTPD, HEALTHY]);
      await push(imageA, reference);
      const compose = `services:\n  app:\n    image: ${reference}\n    labels:\n      ${TEST_LABEL}: ${LABEL}\n`;
      const { deployStack } = await berth.query(DeployStack, { input: { name, compose } });
      expect(deployStack).toMatchObject({ __typename: 'DeployStackResult', ok: true });
      const set = await berth.query(SetImageAutoUpdate, {
        input: { stack: name, enabled: true, window: { days: [...EVERY_DAY], start: '00:00', end: '24:00' } },
      });
      expect(set.setImageAutoUpdate).toMatchObject({ autoUpdate: { kind: 'STACK', name, windowOpen: true } });

      await pushElsewhere(imageB, reference, imageA);
      expect((await updateOf(reference)).status).toBe('AVAILABLE');
      const done = await waitFor(async () => {
        const target = await autoUpdateOf(name);
        return target.lastOutcome !== null && !target.running && target;
      }, 60_000);
      expect(done.lastOutcome).toMatchObject({ result: 'UPDATED', reference });
      const images = await docker.listContainers({
        all: true,
        filters: { label: [`com.docker.compose.project=${name}`] },
      });
      expect(images.map((container) => container.ImageID)).toEqual([imageB]);
    } finally {
      await berth
        .query(SetImageAutoUpdate, { input: { stack: name, enabled: false } })
        .catch(() => undefined);
      await berth.query(RemoveStack, { name, volumes: true }).catch(() => undefined);
    }
  }, 120_000);

  it('keeps since across a restart (a new berth on the same database) and the checks after it', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'berth-data-'));
    const env = { BERTH_IMAGE_UPDATE_CHECK_MINUTES: '0', BERTH_DATA_DIR: dataDir };
    let current = await startBerth(env, { label: LABEL });
    try {
      const reference = referenceAt(inject('registry'));
      const imageA = await commitImage('echo r1 > /version');
      await push(imageA, reference);
      const container = await current.create({ image: reference });
      await pushElsewhere(await commitImage('echo r2 > /version'), reference, imageA);
      const checkWith = async (on: RunningBerth) => {
        const { checkImageUpdates } = await on.query(CheckImageUpdates, {});
        if (checkImageUpdates.__typename !== 'CheckImageUpdatesSuccess') throw new Error('check failed');
        return checkImageUpdates.updates.find((update) => update.reference === reference);
      };
      const before = await checkWith(current);
      expect(before).toMatchObject({ status: 'AVAILABLE' });
      expect(before?.since).toBeTruthy();

      await current.stop();
      current = await startBerth(env, { label: LABEL });
      const read = await current.query(ContainerImageUpdate, { id: container.id });
      expect(read.container?.imageUpdate).toMatchObject({ status: 'AVAILABLE', since: before?.since });
      const after = await checkWith(current);
      expect(after).toMatchObject({ status: 'AVAILABLE', since: before?.since });
      expect(after?.checkedAt).not.toBe(before?.checkedAt);
    } finally {
      await current.stop();
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
