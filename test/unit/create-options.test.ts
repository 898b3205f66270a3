import { describe, expect, it } from 'vitest';
import type { CreateContainerSpec } from '../../src/domain/containers/model.js';
import { endpointConfig, toCreateOptions } from '../../src/engine/mapping.js';

/**
 * The create body berth sends the engine for the fields compose stacks need (issue 12): each one
 * as Docker's API spells it, and nothing at all when the spec leaves it out. (The engine's own
 * reading of them is checked in test/integration/create-extras.test.ts.)
 */

const base: CreateContainerSpec = {
  name: 'web',
  image: 'busybox:latest',
  env: [],
  ports: [],
  labels: [],
  tty: false,
  start: true,
};

const full: CreateContainerSpec = {
  ...base,
  entrypoint: ['/bin/sh', '-c'],
  command: ['exec httpd -f'],
  user: '1000:1000',
  workingDir: '/srv',
  hostname: 'web-1',
  init: true,
  extraHosts: ['db.internal:10.1.2.3', 'gateway:host-gateway'],
  capDrop: ['NET_RAW', 'MKNOD'],
  stopSignal: 'SIGQUIT',
  stopTimeoutSeconds: 25,
  tmpfs: [{ target: '/scratch', sizeBytes: 8 * 1024 * 1024 }, { target: '/run/cache' }],
  volumes: [{ name: 'data', target: '/data', readOnly: false }],
  networks: [
    { name: 'front', aliases: ['web'], ipv4Address: '10.20.0.5' },
    { name: 'back', aliases: [], ipv4Address: '10.21.0.5' },
  ],
};

describe('toCreateOptions: the fields compose stacks need', () => {
  const options = toCreateOptions(full);
  const host = options.HostConfig!;

  it('maps the entrypoint, user, working directory, hostname, stop signal and stop timeout into Config', () => {
    expect(options.Entrypoint).toEqual(['/bin/sh', '-c']);
    expect(options.Cmd).toEqual(['exec httpd -f']);
    expect(options.User).toBe('1000:1000');
    expect(options.WorkingDir).toBe('/srv');
    expect(options.Hostname).toBe('web-1');
    expect(options.StopSignal).toBe('SIGQUIT');
    expect(options.StopTimeout).toBe(25);
  });

  it('maps init, extra hosts and dropped capabilities into HostConfig', () => {
    expect(host.Init).toBe(true);
    expect(host.ExtraHosts).toEqual(['db.internal:10.1.2.3', 'gateway:host-gateway']);
    expect(host.CapDrop).toEqual(['NET_RAW', 'MKNOD']);
    // Dropping is not adding: nothing is added, nothing is privileged.
    expect(host.CapAdd).toBeUndefined();
    expect(host.Privileged).toBeUndefined();
  });

  it('mounts each tmpfs as a tmpfs mount, with its size when given and no host source', () => {
    expect(host.Mounts).toEqual([
      { Type: 'volume', Source: 'data', Target: '/data', ReadOnly: false },
      { Type: 'tmpfs', Target: '/scratch', TmpfsOptions: { SizeBytes: 8 * 1024 * 1024 } },
      { Type: 'tmpfs', Target: '/run/cache' },
    ]);
  });

  it("gives the first network's fixed address in EndpointsConfig, beside its aliases", () => {
    expect(host.NetworkMode).toBe('front');
    expect(options.NetworkingConfig).toEqual({
      EndpointsConfig: { front: { Aliases: ['web'], IPAMConfig: { IPv4Address: '10.20.0.5' } } },
    });
  });

  it('keeps an explicit false and an empty entrypoint (which clears the image one)', () => {
    const cleared = toCreateOptions({ ...base, init: false, entrypoint: [] });
    expect(cleared.HostConfig!.Init).toBe(false);
    expect(cleared.Entrypoint).toEqual([]);
  });

  it('sends none of them when the spec leaves them out', () => {
    const plain = toCreateOptions({ ...base, networks: [{ name: 'front', aliases: [] }] });
    for (const key of ['Entrypoint', 'User', 'WorkingDir', 'Hostname', 'StopSignal', 'StopTimeout']) {
      expect(plain).not.toHaveProperty(key);
    }
    for (const key of ['Init', 'ExtraHosts', 'CapDrop', 'Mounts']) {
      expect(plain.HostConfig).not.toHaveProperty(key);
    }
    expect(plain.NetworkingConfig).toEqual({ EndpointsConfig: { front: {} } });
  });

  it('sends no empty lists for empty extra hosts, dropped capabilities or tmpfs', () => {
    const empty = toCreateOptions({ ...base, extraHosts: [], capDrop: [], tmpfs: [] });
    expect(empty.HostConfig).not.toHaveProperty('ExtraHosts');
    expect(empty.HostConfig).not.toHaveProperty('CapDrop');
    expect(empty.HostConfig).not.toHaveProperty('Mounts');
  });
});

describe('endpointConfig: a network endpoint for a create or a connect', () => {
  it('holds the aliases and the fixed address when asked for, and nothing otherwise', () => {
    expect(endpointConfig({ aliases: [] })).toEqual({});
    expect(endpointConfig({ aliases: ['db'] })).toEqual({ Aliases: ['db'] });
    expect(endpointConfig({ aliases: [], ipv4Address: '10.21.0.5' })).toEqual({
      IPAMConfig: { IPv4Address: '10.21.0.5' },
    });
    expect(endpointConfig({ aliases: ['db', 'db-1'], ipv4Address: '10.21.0.5' })).toEqual({
      Aliases: ['db', 'db-1'],
      IPAMConfig: { IPv4Address: '10.21.0.5' },
    });
  });
});
