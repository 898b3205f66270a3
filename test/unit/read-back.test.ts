import { describe, expect, it } from 'vitest';
import { createInputOf } from '../../src/domain/backup/sections/containers.js';
import {
  NO_SETTINGS,
  ownSettings,
  type ContainerReadBack,
  type RunSettings,
} from '../../src/domain/containers/read-back.js';
import { blueprintOf, mergeWithImage, previewOf } from '../../src/domain/redeploy/blueprint.js';

/**
 * The one container read-back and what backups and redeploys derive from it: pure functions on
 * berth's types, no engine. (The read-back itself is read from a real engine in backup.test.ts
 * and redeploy.test.ts.)
 */

const image: RunSettings = {
  ...NO_SETTINGS,
  env: [
    { name: 'PATH', value: '/bin' },
    { name: 'MODE', value: 'image' },
  ],
  command: ['httpd', '-f'],
  healthcheck: { test: ['CMD', 'true'], intervalSeconds: 30 },
  labels: [{ name: 'maintainer', value: 'image' }],
  exposedPorts: ['80/tcp'],
  volumes: ['/data'],
};

/** A container made from `image` with a few settings of its own, as the engine reports it (merged). */
const container: ContainerReadBack = {
  id: 'c0ffee000000aaaabbbbcccc',
  name: 'web',
  running: true,
  image: 'registry.test/web:v1',
  imageId: 'sha256:1111',
  settings: {
    ...image,
    env: [
      { name: 'PATH', value: '/bin' },
      { name: 'MODE', value: 'own' },
      { name: 'EXTRA', value: '1' },
    ],
    labels: [
      { name: 'maintainer', value: 'image' },
      { name: 'team', value: 'web' },
    ],
    exposedPorts: ['80/tcp', '81/tcp'],
  },
  terminal: {
    tty: false,
    openStdin: false,
    stdinOnce: false,
    attachStdin: false,
    attachStdout: true,
    attachStderr: true,
  },
  hostname: 'c0ffee000000',
  domainname: '',
  stopTimeoutSeconds: null,
  restartPolicy: { name: 'ON_FAILURE', maximumRetryCount: 3 },
  resources: { memoryBytes: 64 * 1024 * 1024, nanoCpus: 500_000_000 },
  privileged: false,
  hostNamespaces: ['PID', 'CGROUP'],
  capAdd: ['NET_ADMIN'],
  devices: [],
  securityOpt: [],
  binds: [{ source: '/srv/www', target: '/www', readOnly: true }],
  mounts: [{ type: 'volume', source: 'cache', target: '/cache', readOnly: false }],
  volumesMounted: [
    { name: 'cache', source: '/var/lib/docker/volumes/cache/_data', target: '/cache', readOnly: false },
    { name: 'f00d', source: '/var/lib/docker/volumes/f00d/_data', target: '/data', readOnly: false },
  ],
  portBindings: [
    { port: '80/tcp', bindings: [{ hostIp: '', hostPort: 8080 }] },
    { port: '81/tcp', bindings: [{ hostIp: '127.0.0.1', hostPort: null }] },
  ],
  networkMode: 'backend',
  networks: [
    { name: 'frontend', aliases: ['c0ffee000000', 'www'], ipv4Address: '10.0.1.2', macAddress: null },
    { name: 'backend', aliases: ['c0ffee000000', 'web', 'api'], ipv4Address: '10.0.0.2', macAddress: null },
  ],
  carried: { opaque: true },
};

describe('what a container set itself', () => {
  it('leaves out what equals its image’s defaults, keeping an exposed port with a host port bound', () => {
    const own = ownSettings(container, image);
    expect(own).toEqual({
      env: [
        { name: 'MODE', value: 'own' },
        { name: 'EXTRA', value: '1' },
      ],
      labels: [{ name: 'team', value: 'web' }],
      // 80/tcp is the image's, but a host port is bound to it.
      exposedPorts: ['80/tcp', '81/tcp'],
      volumes: [],
    });
  });

  it('keeps everything when the image is gone', () => {
    const own = ownSettings(container, NO_SETTINGS);
    expect(own.command).toEqual(['httpd', '-f']);
    expect(own.healthcheck).toEqual(image.healthcheck);
    expect(own.env).toHaveLength(3);
  });
});

describe('a backup’s createContainer input', () => {
  it('is what was asked for: own settings, every host namespace, user networks with the aliases asked for', () => {
    expect(createInputOf(container, image)).toEqual({
      name: 'web',
      image: 'registry.test/web:v1',
      env: [
        { name: 'MODE', value: 'own' },
        { name: 'EXTRA', value: '1' },
      ],
      ports: [
        { containerPort: 80, protocol: 'tcp', hostPort: 8080 },
        { containerPort: 81, protocol: 'tcp', hostIp: '127.0.0.1' },
      ],
      labels: [{ name: 'team', value: 'web' }],
      tty: false,
      restartPolicy: { name: 'ON_FAILURE', maximumRetryCount: 3 },
      resources: { memoryBytes: 64 * 1024 * 1024, cpus: 0.5 },
      hostNamespaces: ['PID', 'CGROUP'],
      capAdd: ['NET_ADMIN'],
      volumes: [{ name: 'cache', target: '/cache', readOnly: false }],
      // The one it was created on first; Docker's own short id and the name are not asked for.
      networks: [
        { name: 'backend', aliases: ['api'] },
        { name: 'frontend', aliases: ['www'] },
      ],
    });
  });
});

describe('a redeploy’s blueprint', () => {
  const blueprint = blueprintOf(container, image);

  it('weighs the powers a copy gets, but not the cgroup namespace, and carries anonymous volumes by name', () => {
    expect(blueprint.privileges).toEqual({
      privileged: false,
      hostNamespaces: ['PID'],
      capAdd: ['NET_ADMIN'],
      devices: [],
      securityOpt: [],
      mounts: [
        { type: 'bind', source: '/srv/www', target: '/www', readOnly: true },
        { type: 'volume', source: 'cache', target: '/cache', readOnly: false },
        { type: 'volume', source: 'f00d', target: '/data', readOnly: false },
      ],
    });
    expect(blueprint.template.carriedVolumes).toEqual([{ name: 'f00d', target: '/data', readOnly: false }]);
    expect(blueprint.template.carried).toEqual({ opaque: true });
    // The engine's own hostname (the short id) is the engine's to give again.
    expect(blueprint.template.hostname).toBeNull();
  });

  it('reads fixed host ports and networks, the one it was created on first', () => {
    expect(blueprint.fixedHostPorts).toEqual([
      { containerPort: 80, protocol: 'tcp', hostIp: '', hostPort: 8080 },
    ]);
    expect(blueprint.networks.map(({ name, aliases, dns }) => ({ name, aliases, dns }))).toEqual([
      { name: 'backend', aliases: ['web', 'api'], dns: true },
      { name: 'frontend', aliases: ['www'], dns: true },
    ]);
    expect(blueprint.networkMode).toBe('OWN');
  });

  it('previews a copy as the engine merges it with another image’s defaults', () => {
    const next: RunSettings = {
      ...NO_SETTINGS,
      env: [
        { name: 'PATH', value: '/usr/bin' },
        { name: 'MODE', value: 'next' },
      ],
      command: ['httpd', '-f', '-v'],
      labels: [{ name: 'maintainer', value: 'next' }],
    };
    const effective = previewOf(blueprint.template, 'registry.test/web:v2', blueprint.ownEnv, {
      id: 'sha256:2222',
      settings: next,
    });
    expect(effective).toMatchObject({
      image: 'registry.test/web:v2',
      imageId: 'sha256:2222',
      env: [
        { name: 'MODE', value: 'own' },
        { name: 'EXTRA', value: '1' },
        { name: 'PATH', value: '/usr/bin' },
      ],
      command: ['httpd', '-f', '-v'],
      healthcheck: null,
      labels: [
        { name: 'maintainer', value: 'next' },
        { name: 'team', value: 'web' },
      ],
    });
  });

  it('merges an own healthcheck without a test into the image’s, as the engine does', () => {
    const merged = mergeWithImage(
      { env: [], labels: [], exposedPorts: [], volumes: [], healthcheck: { test: [], retries: 5 } },
      image,
    );
    expect(merged.healthcheck).toEqual({ test: ['CMD', 'true'], intervalSeconds: 30, retries: 5 });
  });

  it('runs its own command when it sets an entrypoint, not the image’s', () => {
    const merged = mergeWithImage(
      { env: [], labels: [], exposedPorts: [], volumes: [], entrypoint: ['/entry'] },
      image,
    );
    expect(merged).toMatchObject({ entrypoint: ['/entry'], command: [] });
  });
});
