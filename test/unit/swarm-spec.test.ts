import type Docker from 'dockerode';
import { describe, expect, it } from 'vitest';
import type { ServiceRevision } from '../../src/domain/swarm/ports.js';
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
