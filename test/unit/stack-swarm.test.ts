import type Docker from 'dockerode';
import { describe, expect, it } from 'vitest';
import { DEFAULT_POLICY } from '../../src/domain/policy/policy.js';
import type { StackDefinition, StackServiceDefinition } from '../../src/domain/stacks/model.js';
import {
  CONFIG_HASH_LABEL,
  specHash,
  toSwarmServices,
  type SwarmStackPort,
} from '../../src/domain/stacks/swarm/convert.js';
import { deploymentOf, serviceWrite } from '../../src/domain/swarm/rules.js';
import type { ServiceRevision } from '../../src/domain/swarm/ports.js';
import { applyChange, toServiceSpec } from '../../src/engine/swarm.js';

// A stack as the swarm is asked for it (pure: the definition as the loader makes it, and the engine
// spec berth sends for it), and what the swarm cannot do, refused by the key's name.

function service(overrides: Partial<StackServiceDefinition> = {}): StackServiceDefinition {
  return {
    name: 'web',
    replicas: 2,
    dependsOn: [],
    update: { parallelism: 1, delaySeconds: 2, order: 'START_FIRST', failureAction: 'ROLLBACK' },
    container: {
      image: 'berth-test/busybox:latest',
      env: [{ name: 'MODE', value: 'demo' }],
      labels: [
        { name: 'tier', value: 'front' },
        { name: 'com.docker.compose.project', value: 'shop' },
      ],
      tty: false,
      command: ['httpd', '-f', '-p', '80'],
      entrypoint: ['/bin/env'],
      user: '1000:1000',
      workingDir: '/www',
      hostname: 'web-host',
      init: true,
      extraHosts: ['db.local:10.0.0.5'],
      capDrop: ['NET_RAW'],
      stopSignal: 'SIGQUIT',
      stopTimeoutSeconds: 3,
      healthcheck: { test: ['CMD-SHELL', 'true'], intervalSeconds: 1 },
      resources: { memoryBytes: 64 * 1024 * 1024, cpus: 0.5 },
      restartPolicy: { name: 'ON_FAILURE', maximumRetryCount: 4 },
      volumes: [{ name: 'shop_data', target: '/data', readOnly: false }],
      tmpfs: [{ target: '/tmp', sizeBytes: 1024 * 1024 }],
    },
    ports: [{ target: 80, protocol: 'tcp', published: null, hostIp: null, mode: 'HOST' } as SwarmStackPort],
    networks: [{ key: 'front', aliases: ['www'], ipv4Address: null }],
    configHash: 'h1',
    ...overrides,
  };
}

function definition(services: StackServiceDefinition[] = [service()]): StackDefinition {
  return {
    name: 'shop',
    services,
    networks: [
      {
        key: 'front',
        name: 'shop_front',
        external: false,
        driver: null,
        internal: false,
        attachable: false,
        labels: [],
        subnet: null,
        gateway: null,
      },
    ],
    volumes: [{ key: 'data', name: 'shop_data', external: false, driver: null, labels: [] }],
    inactive: [],
  };
}

describe('a stack service as a swarm service', () => {
  it('is named and labelled as docker stack deploy does, with every field the file gives', () => {
    const [target] = toSwarmServices(definition(), DEFAULT_POLICY);
    const spec = target!.spec;
    expect(spec.name).toBe('shop_web');
    expect(spec.labels).toEqual([
      { name: 'com.docker.stack.namespace', value: 'shop' },
      { name: 'com.docker.stack.image', value: 'berth-test/busybox:latest' },
      { name: CONFIG_HASH_LABEL, value: target!.hash },
    ]);
    // Compose's own labels would make a task's container look like a standalone stack's.
    expect(spec.containerLabels).toEqual([
      { name: 'tier', value: 'front' },
      { name: 'com.docker.stack.namespace', value: 'shop' },
    ]);
    expect(spec.networks).toEqual(['shop_front']);
    expect(spec.networkAliases).toEqual([{ network: 'shop_front', aliases: ['web', 'www'] }]);
    expect(spec.ports).toEqual([
      { targetPort: 80, publishedPort: null, protocol: 'tcp', publishMode: 'HOST' },
    ]);
    expect(spec.updateConfig).toMatchObject({
      parallelism: 1,
      delaySeconds: 2,
      order: 'START_FIRST',
      failureAction: 'ROLLBACK',
    });
    expect(spec.rollbackConfig).toMatchObject({
      parallelism: 1,
      order: 'START_FIRST',
      failureAction: 'PAUSE',
    });
    expect(spec.restartPolicy).toEqual({ condition: 'ON_FAILURE', maxAttempts: 4 });

    const engine = toServiceSpec(deploymentOf(spec));
    const template = engine.TaskTemplate as Docker.ContainerTaskSpec;
    expect(template.ContainerSpec).toMatchObject({
      Image: 'berth-test/busybox:latest',
      Command: ['/bin/env'],
      Args: ['httpd', '-f', '-p', '80'],
      User: '1000:1000',
      Dir: '/www',
      Hostname: 'web-host',
      Init: true,
      Hosts: ['10.0.0.5 db.local'],
      CapabilityDrop: ['NET_RAW'],
      StopSignal: 'SIGQUIT',
      StopGracePeriod: 3e9,
      Labels: { tier: 'front', 'com.docker.stack.namespace': 'shop' },
      Mounts: [
        {
          Type: 'volume',
          Source: 'shop_data',
          Target: '/data',
          ReadOnly: false,
          VolumeOptions: { Labels: { 'com.docker.stack.namespace': 'shop' } },
        },
        { Type: 'tmpfs', Target: '/tmp', ReadOnly: false, TmpfsOptions: { SizeBytes: 1024 * 1024 } },
      ],
    });
    expect(template.Networks).toEqual([{ Target: 'shop_front', Aliases: ['web', 'www'] }]);
    expect(template.RestartPolicy).toEqual({ Condition: 'on-failure', MaxAttempts: 4 });
    expect(template.Resources).toEqual({ Limits: { MemoryBytes: 64 * 1024 * 1024, NanoCPUs: 5e8 } });
    expect(engine.EndpointSpec?.Ports).toEqual([{ TargetPort: 80, Protocol: 'tcp', PublishMode: 'host' }]);
  });

  it('hashes all but the replica count', () => {
    const [two] = toSwarmServices(definition(), DEFAULT_POLICY);
    const [five] = toSwarmServices(definition([service({ replicas: 5 })]), DEFAULT_POLICY);
    const [other] = toSwarmServices(
      definition([service({ update: { ...service().update, parallelism: 2 } })]),
      DEFAULT_POLICY,
    );
    expect(five!.hash).toBe(two!.hash);
    expect(other!.hash).not.toBe(two!.hash);
    expect(specHash(two!.spec)).toBe(two!.hash);
  });

  it('refuses by key what a swarm cannot do, all in one answer', () => {
    const bad = service({
      ports: [{ target: 80, protocol: 'tcp', published: { start: 8080, end: 8082 }, hostIp: '127.0.0.1' }],
      networks: [{ key: 'front', aliases: [], ipv4Address: '10.5.0.9' }],
      dependsOn: [{ service: 'migrate', condition: 'SERVICE_COMPLETED_SUCCESSFULLY' }],
    });
    expect(() => toSwarmServices(definition([bad]), DEFAULT_POLICY)).toThrow(
      'services.web.depends_on.migrate.condition: service_completed_successfully',
    );
    try {
      toSwarmServices(definition([bad]), DEFAULT_POLICY);
    } catch (error) {
      const text = String(error);
      expect(text).toContain('services.web.ports[0].host_ip');
      expect(text).toContain('services.web.ports[0].published');
      expect(text).toContain('services.web.networks.front.ipv4_address');
    }
    const bridged = definition();
    bridged.networks[0]!.driver = 'bridge';
    expect(() => toSwarmServices(bridged, DEFAULT_POLICY)).toThrow('networks.front.driver');
  });

  it('passes each task container through the create policy', () => {
    const capable = service();
    capable.container = {
      ...capable.container,
      privileges: {
        privileged: false,
        hostNamespaces: [],
        capAdd: ['NET_ADMIN'],
        devices: [],
        securityOpt: [],
        mounts: [],
      },
    };
    expect(() => toSwarmServices(definition([capable]), DEFAULT_POLICY)).toThrow(
      'services.web.capAdd.0: adding NET_ADMIN is not allowed',
    );
    const [target] = toSwarmServices(definition([capable]), {
      ...DEFAULT_POLICY,
      allowedCapabilities: ['NET_ADMIN'],
    });
    expect(target!.spec.capAdd).toEqual(['NET_ADMIN']);
  });
});

describe('a stack service written again', () => {
  const current = toServiceSpec(deploymentOf(toSwarmServices(definition(), DEFAULT_POLICY)[0]!.spec));
  const revision: ServiceRevision = {
    reference: 'shop_web',
    id: 'svc1',
    version: 3,
    mode: 'REPLICATED',
    labels: [],
    updateConfig: null,
    rollbackConfig: null,
    hasPreviousSpec: false,
    image: '',
    spec: current,
  };

  it('drops what the file no longer says (null), keeps what the change does not name', () => {
    const changed = applyChange(
      current,
      serviceWrite(revision, { user: null, entrypoint: null, mounts: null, restartPolicy: null, init: null }),
    );
    const template = changed.TaskTemplate as Docker.ContainerTaskSpec;
    expect(template.ContainerSpec).not.toHaveProperty('User');
    expect(template.ContainerSpec).not.toHaveProperty('Command');
    expect(template.ContainerSpec).not.toHaveProperty('Mounts');
    expect(template.ContainerSpec).not.toHaveProperty('Init');
    expect(template).not.toHaveProperty('RestartPolicy');
    expect(template.ContainerSpec?.Dir).toBe('/www');
    expect(template.Networks).toEqual([{ Target: 'shop_front', Aliases: ['web', 'www'] }]);
  });

  it('writes aliases only with their networks', () => {
    expect(() =>
      serviceWrite(revision, { networkAliases: [{ network: 'shop_front', aliases: ['x'] }] }),
    ).toThrow('networkAliases: are written with the networks they are for');
    const changed = applyChange(
      current,
      serviceWrite(revision, {
        networks: ['shop_back'],
        networkAliases: [{ network: 'shop_back', aliases: ['web'] }],
      }),
    );
    expect((changed.TaskTemplate as Docker.ContainerTaskSpec).Networks).toEqual([
      { Target: 'shop_back', Aliases: ['web'] },
    ]);
  });
});
