import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type Docker from 'dockerode';
import { describe, expect, it } from 'vitest';
import type { ServiceRevision, SwarmEngine } from '../../src/domain/swarm/ports.js';
import { SwarmService } from '../../src/domain/swarm/service.js';
import { DockerEngine } from '../../src/engine/engine.js';
import { loadConfig } from '../../src/platform/config.js';
import { recordingLogger } from '../support/log.js';
import { deploymentOf, serviceWrite } from '../../src/domain/swarm/rules.js';
import { applyChange, toRequestedSpec, toServiceSpec } from '../../src/engine/swarm.js';

// A spec as the engine answers it: `Healthcheck` (not dockerode's `HealthCheck`), network ids.
const engineSpec = {
  Name: 'web',
  Labels: { 'berth.managed': 'true', team: 'web' },
  TaskTemplate: {
    ContainerSpec: {
      Image: 'registry.test/web:v1',
      Args: ['-p', '80'],
      Env: ['MODE=demo', 'EMPTY='],
      Healthcheck: { Test: ['CMD-SHELL', 'true'], Interval: 2e9 },
      StopGracePeriod: 1e9,
    },
    Networks: [{ Target: 'n0d3ad5e1d' }],
  },
  Mode: { Replicated: { Replicas: 2 } },
  UpdateConfig: {
    Parallelism: 2,
    Delay: 1.5e9,
    FailureAction: 'rollback',
    Monitor: 3e9,
    MaxFailureRatio: 0.25,
    Order: 'start-first',
  },
  EndpointSpec: { Mode: 'vip', Ports: [{ TargetPort: 80, Protocol: 'tcp', PublishMode: 'host' }] },
} as unknown as Docker.ServiceSpec;

describe('a service spec read back and written (pure mapping, no engine)', () => {
  it('reads the deployService request from the engine’s spelling, with networks by name', () => {
    expect(toRequestedSpec(engineSpec, new Map([['n0d3ad5e1d', 'backend']]))).toEqual({
      name: 'web',
      image: 'registry.test/web:v1',
      replicas: 2,
      command: ['-p', '80'],
      env: [
        { name: 'MODE', value: 'demo' },
        { name: 'EMPTY', value: '' },
      ],
      labels: [
        { name: 'berth.managed', value: 'true' },
        { name: 'team', value: 'web' },
      ],
      ports: [{ targetPort: 80, publishedPort: null, protocol: 'tcp', publishMode: 'HOST' }],
      healthcheck: { test: ['CMD-SHELL', 'true'], intervalSeconds: 2 },
      updateConfig: {
        parallelism: 2,
        delaySeconds: 1.5,
        failureAction: 'ROLLBACK',
        order: 'START_FIRST',
        monitorSeconds: 3,
        maxFailureRatio: 0.25,
      },
      stopGracePeriodSeconds: 1,
      networks: ['backend'],
    });
    // An id no network has any more stays as it is: the restore then names it.
    expect(toRequestedSpec(engineSpec, new Map()).networks).toEqual(['n0d3ad5e1d']);
  });

  it('writes the healthcheck under the engine’s own key, once', () => {
    const created = toServiceSpec(deploymentOf(toRequestedSpec(engineSpec, new Map())));
    const container = (created.TaskTemplate as Docker.ContainerTaskSpec).ContainerSpec as Record<
      string,
      unknown
    >;
    expect(container['Healthcheck']).toEqual({ Test: ['CMD-SHELL', 'true'], Interval: 2e9 });
    expect(container).not.toHaveProperty('HealthCheck');

    const changed = applyChange(engineSpec, { healthcheck: { test: ['NONE'] } });
    const after = (changed.TaskTemplate as Docker.ContainerTaskSpec).ContainerSpec as Record<string, unknown>;
    expect(after['Healthcheck']).toEqual({ Test: ['NONE'] });
    expect(after).not.toHaveProperty('HealthCheck');
  });

  it('replaces the labels but keeps the ones it is told to', () => {
    const labels = [{ name: 'tier', value: 'front' }];
    expect(applyChange(engineSpec, serviceWrite(revision, { labels })).Labels).toEqual({ tier: 'front' });
    expect(applyChange(engineSpec, serviceWrite(revision, { labels }, ['berth.managed'])).Labels).toEqual({
      tier: 'front',
      'berth.managed': 'true',
    });
  });
});

/** The engine spec above as the domain reads it for a write. */
const revision: ServiceRevision = {
  reference: 'web',
  id: 'svc1',
  version: 7,
  mode: 'REPLICATED',
  labels: [
    { name: 'berth.managed', value: 'true' },
    { name: 'team', value: 'web' },
  ],
  updateConfig: {
    parallelism: 2,
    delaySeconds: 1.5,
    failureAction: 'ROLLBACK',
    order: 'START_FIRST',
    monitorSeconds: 3,
    maxFailureRatio: 0.25,
  },
  rollbackConfig: null,
  hasPreviousSpec: false,
  image: 'registry.test/web:v1',
  spec: engineSpec,
};

describe('a change as the swarm is sent it (pure rules, no engine)', () => {
  it('changes a policy field by field from what the service has, or from the engine’s defaults', () => {
    const write = serviceWrite(revision, {
      updateConfig: { delaySeconds: 4 },
      rollbackConfig: { parallelism: 3 },
    });
    expect(write.updateConfig).toEqual({ ...revision.updateConfig, delaySeconds: 4 });
    expect(write.rollbackConfig).toEqual({
      parallelism: 3,
      delaySeconds: 0,
      failureAction: 'PAUSE',
      order: 'STOP_FIRST',
      monitorSeconds: 5,
      maxFailureRatio: 0,
    });
    expect(applyChange(engineSpec, write).UpdateConfig).toMatchObject({ Delay: 4e9, Parallelism: 2 });
  });

  it('scales only a replicated service', () => {
    expect(applyChange(engineSpec, serviceWrite(revision, { replicas: 5 })).Mode).toEqual({
      Replicated: { Replicas: 5 },
    });
    expect(() => serviceWrite({ ...revision, mode: 'GLOBAL' }, { replicas: 5 })).toThrow(
      'service "web" is not replicated: it runs one task per node',
    );
  });
});

/**
 * The swarm's X-Registry-Auth header. A fake Engine API on loopback stands in for the engine: the
 * harness's private swarm cannot reach an authenticated registry on this host's loopback, so what
 * berth sends is checked here, and the registry-credentials test proves the same header on pulls.
 */
describe('registry credentials sent with service writes (a fake Engine API on loopback)', () => {
  const auth = { serveraddress: 'registry.test', username: 'ci-bot', password: 's3cret' };

  async function fakeEngine() {
    const seen: { method: string; path: string; auth: string | undefined }[] = [];
    const server = createServer((request, response) => {
      seen.push({
        method: request.method ?? '',
        path: (request.url ?? '').replace(/^\/v[\d.]+/, '').split('?')[0] ?? '',
        auth: request.headers['x-registry-auth'] as string | undefined,
      });
      request.resume();
      response.writeHead(request.url?.includes('/services/create') ? 201 : 200, {
        'content-type': 'application/json',
      });
      response.end(JSON.stringify({ ID: 'svc1' }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const engine = new DockerEngine(loadConfig({ DOCKER_HOST: `tcp://127.0.0.1:${port}` }).engine);
    return { seen, engine, close: () => new Promise((resolve) => server.close(resolve)) };
  }

  const decoded = (header: string | undefined) =>
    header === undefined
      ? undefined
      : (JSON.parse(Buffer.from(header, 'base64').toString('utf8')) as unknown);

  it('sends the credential on create and update, and no header without one', async () => {
    const { seen, engine, close } = await fakeEngine();
    try {
      const deployment = deploymentOf(toRequestedSpec(engineSpec, new Map()));
      await engine.swarm.create(deployment, auth);
      await engine.swarm.create(deployment, null);
      const write = serviceWrite(revision, { replicas: 3 }, ['berth.managed']);
      await engine.swarm.update({ ...revision, spec: engineSpec }, write, auth);
      await engine.swarm.update({ ...revision, spec: engineSpec }, write, null);
      expect(seen.map(({ method, path }) => `${method} ${path}`)).toEqual([
        'POST /services/create',
        'POST /services/create',
        'POST /services/svc1/update',
        'POST /services/svc1/update',
      ]);
      expect(seen.map(({ auth: header }) => decoded(header))).toEqual([auth, undefined, auth, undefined]);
    } finally {
      await close();
    }
  });

  it('looks the credential up by the image the write leaves the service on', async () => {
    const asked: string[] = [];
    const sent: unknown[] = [];
    const swarmEngine = {
      create: async (_deployment: unknown, given: unknown) => (sent.push(given), 'svc1'),
      revision: async () => revision,
      update: async (_revision: unknown, _write: unknown, given: unknown) => void sent.push(given),
      service: async () => ({ id: 'svc1', name: 'web', tasks: [] }),
    } as unknown as SwarmEngine;
    const swarm = new SwarmService(swarmEngine, recordingLogger().logger, {
      credentials: {
        authFor: (image) => (asked.push(image), image.startsWith('registry.test/') ? auth : null),
      },
    });
    await swarm.deploy({ ...toRequestedSpec(engineSpec, new Map()), image: 'registry.test/web:v2' });
    await swarm.update('web', { replicas: 3 });
    await swarm.update('web', { image: 'docker.io/library/busybox:1.36' });
    expect(asked).toEqual(['registry.test/web:v2', 'registry.test/web:v1', 'docker.io/library/busybox:1.36']);
    expect(sent).toEqual([auth, auth, null]);
  });
});
