import type Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { CreateContainerSpec } from '../../src/domain/containers/model.js';
import type { Network } from '../../src/domain/networks/model.js';
import { DockerEngine } from '../../src/engine/engine.js';
import { InvalidInputError, InvalidStateError, SubnetOverlapError } from '../../src/shared/errors.js';
import { TEST_LABEL, cleanupLabelled, testDocker } from '../harness/docker.js';
import { startBerth, uniqueName, type RunningBerth } from '../support/berth.js';

/**
 * The create fields compose stacks need (issue 12), made through the domain's ContainerService
 * (no GraphQL) on a real engine, and read back from the engine itself: each lands where Docker
 * keeps it, fixed addresses on the network joined at create and on the one joined after.
 */

const FILE = 'create-extras';
const label = { name: TEST_LABEL, value: FILE };
const MiB = 1024 * 1024;

let berth: RunningBerth;
let docker: Docker;
const networks: string[] = [];

beforeAll(async () => {
  docker = testDocker(inject('dockerHost'));
  berth = await startBerth({}, { label: FILE });
});

afterAll(async () => {
  await berth?.stop();
  if (docker) {
    await cleanupLabelled(docker, `${TEST_LABEL}=${FILE}`);
    for (const name of networks) {
      await docker
        .getNetwork(name)
        .remove()
        .catch(() => undefined);
    }
  }
});

/**
 * A user network with a /24 of its own in `10.<second>.n.0`, n picked at random; another run (on
 * a shared engine) may hold the range, and then another is picked.
 */
async function networkWithSubnet(second: number): Promise<{ network: Network; prefix: string }> {
  for (let attempt = 0; ; attempt += 1) {
    const prefix = `10.${second}.${1 + Math.floor(Math.random() * 250)}`;
    try {
      const network = await berth.app.context.environments.local.networks.create({
        name: uniqueName(`${FILE}-net`),
        driver: 'BRIDGE',
        internal: false,
        attachable: false,
        labels: [label],
        ipam: { subnet: `${prefix}.0/24`, gateway: null },
      });
      networks.push(network.name);
      return { network, prefix };
    } catch (error) {
      if (!(error instanceof SubnetOverlapError) || attempt > 10) throw error;
    }
  }
}

describe('createContainer with the fields compose stacks need', () => {
  it('lands entrypoint, user, working dir, hostname, init, extra hosts, cap drop, stop signal and timeout, sized tmpfs and fixed addresses on two networks in the engine', async () => {
    const [front, back] = await Promise.all([networkWithSubnet(216), networkWithSubnet(217)]);
    const frontAddress = `${front.prefix}.41`;
    const backAddress = `${back.prefix}.42`;
    const spec: CreateContainerSpec = {
      name: uniqueName(FILE),
      image: inject('testImage'),
      env: [],
      ports: [],
      labels: [label],
      tty: false,
      start: true,
      entrypoint: ['/bin/sh', '-c'],
      command: ['exec sleep 300'],
      user: '1000:1000',
      workingDir: '/tmp',
      hostname: 'extras-host',
      init: true,
      extraHosts: ['db.extras.test:10.1.2.3'],
      capDrop: ['NET_RAW', 'MKNOD'],
      stopSignal: 'SIGUSR1',
      stopTimeoutSeconds: 7,
      tmpfs: [{ target: '/scratch', sizeBytes: 8 * MiB }, { target: '/cache' }],
      networks: [
        { name: front.network.name, aliases: ['extras-front'], ipv4Address: frontAddress },
        { name: back.network.name, aliases: ['extras-back'], ipv4Address: backAddress },
      ],
    };

    const container = await berth.app.context.environments.local.containers.create(spec);
    expect(container.status).toBe('RUNNING');

    const info = await docker.getContainer(container.id).inspect();
    const config = info.Config as Docker.ContainerInspectInfo['Config'] & {
      StopTimeout?: number;
      StopSignal?: string;
    };
    expect(info.State.Running).toBe(true);
    expect(config.Entrypoint).toEqual(['/bin/sh', '-c']);
    expect(config.Cmd).toEqual(['exec sleep 300']);
    expect(config.User).toBe('1000:1000');
    expect(config.WorkingDir).toBe('/tmp');
    expect(config.Hostname).toBe('extras-host');
    expect(config.StopSignal).toBe('SIGUSR1');
    expect(config.StopTimeout).toBe(7);
    const host = info.HostConfig as Docker.HostConfig;
    expect(host.Init).toBe(true);
    expect(host.ExtraHosts).toEqual(['db.extras.test:10.1.2.3']);
    expect(host.CapDrop).toEqual(['NET_RAW', 'MKNOD']);
    expect(host.CapAdd ?? null).toBeNull();
    expect(host.Privileged).toBe(false);
    expect(host.Mounts).toEqual([
      expect.objectContaining({ Type: 'tmpfs', Target: '/scratch', TmpfsOptions: { SizeBytes: 8 * MiB } }),
      expect.objectContaining({ Type: 'tmpfs', Target: '/cache' }),
    ]);
    expect(info.Mounts).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ Type: 'tmpfs', Destination: '/scratch' }),
        expect.objectContaining({ Type: 'tmpfs', Destination: '/cache' }),
      ]),
    );

    const endpoints = info.NetworkSettings.Networks;
    expect(endpoints[front.network.name]).toMatchObject({
      IPAddress: frontAddress,
      IPAMConfig: { IPv4Address: frontAddress },
      Aliases: expect.arrayContaining(['extras-front']),
    });
    expect(endpoints[back.network.name]).toMatchObject({
      IPAddress: backAddress,
      IPAMConfig: { IPv4Address: backAddress },
      Aliases: expect.arrayContaining(['extras-back']),
    });

    // The process itself sees them: its user, working directory, hostname, hosts file and tmpfs size.
    const engine = new DockerEngine(docker);
    const seen = await engine.exec(container.id, {
      command: ['sh', '-c', 'id -u; pwd; hostname; grep db.extras.test /etc/hosts; df -k /scratch | tail -1'],
      env: [],
      timeoutMs: 10_000,
      maxOutputBytes: 64 * 1024,
    });
    expect(seen.exitCode).toBe(0);
    const [uid, cwd, hostname, hostsLine, scratch] = seen.stdout.trim().split('\n');
    expect(uid).toBe('1000');
    expect(cwd).toBe('/tmp');
    expect(hostname).toBe('extras-host');
    expect(hostsLine).toMatch(/^10\.1\.2\.3\s+db\.extras\.test$/);
    expect(scratch?.split(/\s+/)[1]).toBe(String((8 * MiB) / 1024));

    // The engine's read-back (what backups and redeploys copy a container from) keeps them all.
    const readBack = await engine.readBack.readBack(container.id);
    expect(readBack.settings).toMatchObject({
      entrypoint: ['/bin/sh', '-c'],
      user: '1000:1000',
      workingDir: '/tmp',
      stopSignal: 'SIGUSR1',
    });
    expect(readBack.hostname).toBe('extras-host');
    expect(readBack.stopTimeoutSeconds).toBe(7);
    expect(readBack.carried).toMatchObject({
      Init: true,
      ExtraHosts: ['db.extras.test:10.1.2.3'],
      CapDrop: ['NET_RAW', 'MKNOD'],
      Mounts: host.Mounts,
    });
  });

  it('joins a network at a fixed address with aliases through NetworkService.connect, as the stacks deployer moves a replica', async () => {
    const [first, second] = await Promise.all([networkWithSubnet(216), networkWithSubnet(217)]);
    const container = await berth.app.context.environments.local.containers.create({
      name: uniqueName(FILE),
      image: inject('testImage'),
      env: [],
      ports: [],
      labels: [label],
      tty: false,
      start: true,
      networks: [{ name: first.network.name, aliases: [] }],
    });
    const address = `${second.prefix}.77`;

    const connected = await berth.app.context.environments.local.networks.connect(
      second.network.name,
      container.id,
      ['svc', 'svc-1'],
      address,
    );
    expect(connected.container.networks.find(({ name }) => name === second.network.name)).toMatchObject({
      ipAddress: address,
      aliases: expect.arrayContaining(['svc', 'svc-1']),
    });
    const endpoint = (await docker.getContainer(container.id).inspect()).NetworkSettings.Networks[
      second.network.name
    ];
    expect(endpoint).toMatchObject({ IPAddress: address, IPAMConfig: { IPv4Address: address } });

    // Off and on again without the aliases, at the same address: what moving the names off a replica does.
    await berth.app.context.environments.local.networks.disconnect(second.network.name, container.id, false);
    await berth.app.context.environments.local.networks.connect(
      second.network.name,
      container.id,
      [],
      address,
    );
    const again = (await docker.getContainer(container.id).inspect()).NetworkSettings.Networks[
      second.network.name
    ];
    expect(again?.IPAddress).toBe(address);
    expect(again?.Aliases ?? []).not.toContain('svc');
  });

  it('refuses a fixed address that is taken (INVALID_STATE) or outside the subnet (INVALID_INPUT), at create and at a connect, leaving no container behind', async () => {
    const [net] = await Promise.all([networkWithSubnet(216)]);
    const taken = `${net.prefix}.9`;
    const base: CreateContainerSpec = {
      image: inject('testImage'),
      env: [],
      ports: [],
      labels: [label],
      tty: false,
      start: true,
    };
    const holder = await berth.app.context.environments.local.containers.create({
      ...base,
      name: uniqueName(FILE),
      networks: [{ name: net.network.name, aliases: [], ipv4Address: taken }],
    });

    const refusals: [string, unknown][] = [
      [taken, InvalidStateError],
      ['10.99.250.5', InvalidInputError],
    ];
    for (const [address, kind] of refusals) {
      const name = uniqueName(FILE);
      const refused = await berth.app.context.environments.local.containers
        .create({ ...base, name, networks: [{ name: net.network.name, aliases: [], ipv4Address: address }] })
        .then(
          () => null,
          (error: unknown) => error,
        );
      expect(refused, address).toBeInstanceOf(kind);
      if (refused instanceof InvalidInputError) expect(refused.field).toBe('input.networks');
      expect(await docker.listContainers({ all: true, filters: { name: [name] } })).toEqual([]);
    }

    const other = await berth.app.context.environments.local.containers.create({
      ...base,
      name: uniqueName(FILE),
    });
    const connect = (address: string) =>
      berth.app.context.environments.local.networks.connect(net.network.name, other.id, [], address).then(
        () => null,
        (error: unknown) => error,
      );
    expect(await connect(taken)).toBeInstanceOf(InvalidStateError);
    const outside = await connect('10.99.250.5');
    expect(outside).toBeInstanceOf(InvalidInputError);
    expect((outside as InvalidInputError).field).toBe('ipv4Address');
    expect(holder.status).toBe('RUNNING');
  });
});
