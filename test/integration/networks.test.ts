import type Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { TEST_LABEL, cleanupLabelled, statusCodeOf, testDocker } from '../harness/docker.js';
import { startBerth, uniqueName, type RunningBerth } from '../support/berth.js';
import {
  ConnectContainer,
  CreateContainer,
  CreateNetwork,
  DisconnectContainer,
  ExecInContainer,
  GetContainer,
  GetNetwork,
  ListNetworks,
  RemoveNetwork,
  SetCreatePolicy,
} from '../support/operations/index.js';
import { waitFor } from '../support/wait.js';

/**
 * Networks on the real engine: service discovery by name and alias on a user network, connect and
 * disconnect, removal rules, and the host network kept under the create policy.
 */

const FILE = 'networks';
const label = { name: TEST_LABEL, value: FILE };
let berth: RunningBerth;
let docker: Docker;

type CreatedOnNetworks = Extract<
  Awaited<ReturnType<typeof createOnNetworks>>,
  { __typename: 'CreateContainerSuccess' }
>['container'];

async function createOnNetworks(input: Record<string, unknown>) {
  const { createContainer } = await berth.query(CreateContainer, {
    input: {
      name: uniqueName('net-c'),
      image: inject('testImage'),
      labels: [label],
      ...input,
    } as never,
  });
  return createContainer;
}

async function created(input: Record<string, unknown>): Promise<CreatedOnNetworks> {
  const answer = await createOnNetworks(input);
  if (answer.__typename !== 'CreateContainerSuccess')
    throw new Error(`create failed: ${JSON.stringify(answer)}`);
  return answer.container;
}

async function network(name = uniqueName('net')): Promise<{ id: string; name: string }> {
  const { createNetwork } = await berth.query(CreateNetwork, { name, labels: [label] });
  if (createNetwork.__typename !== 'CreateNetworkSuccess') {
    throw new Error(`createNetwork failed: ${JSON.stringify(createNetwork)}`);
  }
  return createNetwork.network;
}

/**
 * A busybox httpd serving a page written at start, so the answer proves which container answered;
 * a trap makes it stop at once.
 */
function server(page: string) {
  return {
    command: [
      'sh',
      '-c',
      `mkdir -p /srv && echo '${page}' > /srv/page.txt; trap 'exit 0' TERM; httpd -f -p 80 -h /srv & wait`,
    ],
  };
}

const client = { command: ['sh', '-c', "trap 'exit 0' TERM; sleep 600 & wait"] };

/** Runs wget in `from` against `host`; the page, or null when it cannot reach it. */
async function fetchPage(from: string, host: string): Promise<string | null> {
  const { execInContainer } = await berth.query(ExecInContainer, {
    id: from,
    // busybox's own `wget -T` crashes in this build: `timeout` bounds an unreachable peer instead.
    command: ['timeout', '5', 'wget', '-q', '-O', '-', `http://${host}:80/page.txt`],
    timeoutSeconds: 15,
  });
  if (execInContainer.__typename !== 'ExecInContainerSuccess') {
    throw new Error(`exec failed: ${JSON.stringify(execInContainer)}`);
  }
  return execInContainer.result.exitCode === 0 ? execInContainer.result.stdout.trim() : null;
}

async function removeOwnNetworks(): Promise<void> {
  const networks = await docker.listNetworks({ filters: { label: [`${TEST_LABEL}=${FILE}`] } });
  await Promise.all(
    networks.map((n) =>
      docker
        .getNetwork(n.Id)
        .remove()
        .catch((error: unknown) => {
          if (statusCodeOf(error) !== 404) throw error;
        }),
    ),
  );
}

beforeAll(async () => {
  docker = testDocker(inject('dockerHost'));
  // What an interrupted run of this file left behind.
  await cleanupLabelled(docker, `${TEST_LABEL}=${FILE}`);
  await removeOwnNetworks();
  berth = await startBerth({}, { label: FILE });
});

afterAll(async () => {
  await berth?.stop();
  await cleanupLabelled(docker, `${TEST_LABEL}=${FILE}`);
  await removeOwnNetworks();
});

describe('service discovery on a user network', () => {
  it('lets one container fetch the other’s httpd by alias and by name', async () => {
    const net = await network();
    const inspected = await docker.getNetwork(net.id).inspect();
    expect(inspected).toMatchObject({ Name: net.name, Driver: 'bridge', Labels: { [TEST_LABEL]: FILE } });

    const page = `hello from ${uniqueName('page')}`;
    const web = await created({
      ...server(page),
      networks: [{ name: net.name, aliases: ['web', 'www.team'] }],
    });
    const peer = await created({ ...client, networks: [{ name: net.id.slice(0, 12) }] });

    // What berth answers is what the engine says.
    const webInfo = await docker.getContainer(web.id).inspect();
    const endpoint = webInfo.NetworkSettings.Networks[net.name]!;
    expect(web.networks).toEqual([
      {
        name: net.name,
        networkId: net.id,
        aliases: ['web', 'www.team'],
        ipAddress: endpoint.IPAddress,
        ipPrefixLength: endpoint.IPPrefixLen,
        gateway: endpoint.Gateway,
        macAddress: endpoint.MacAddress,
      },
    ]);
    expect(web.networks[0]!.ipAddress).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
    // A network given by id prefix is joined under its name.
    expect(peer.networks.map((n) => n.name)).toEqual([net.name]);

    await waitFor(async () => expect(await fetchPage(peer.id, 'web')).toBe(page), 20_000, 250);
    expect(await fetchPage(peer.id, 'www.team')).toBe(page);
    expect(await fetchPage(peer.id, web.name)).toBe(page);

    const { networks } = await berth.query(ListNetworks, { filter: { label: `${TEST_LABEL}=${FILE}` } });
    const listed = networks.find((n) => n.id === net.id);
    expect(listed).toMatchObject({
      name: net.name,
      driver: 'bridge',
      scope: 'local',
      internal: false,
      builtIn: false,
      labels: [label],
    });
    expect(listed!.containers.map((c) => c.id).sort()).toEqual([web.id, peer.id].sort());
    expect(Date.parse(listed!.createdAt)).toBe(Date.parse(inspected.Created));
  });

  it('joins every listed network before the container starts (older engines take one at create)', async () => {
    const [a, b] = [await network(), await network()];
    const container = await created({
      ...client,
      start: false,
      networks: [
        { name: a.name, aliases: ['first'] },
        { name: b.name, aliases: ['second'] },
      ],
    });
    expect(container.status).toBe('CREATED');
    const info = await docker.getContainer(container.id).inspect();
    expect(info.State.Status).toBe('created');
    expect(Object.keys(info.NetworkSettings.Networks).sort()).toEqual([a.name, b.name].sort());
    expect(container.networks).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ name: a.name, aliases: ['first'], ipAddress: null }),
        expect.objectContaining({ name: b.name, aliases: ['second'], ipAddress: null }),
      ]),
    );

    await docker.getContainer(container.id).start();
    const { container: running } = await waitFor(async () => {
      const answer = await berth.query(GetContainer, { id: container.id });
      expect(answer.container?.status).toBe('RUNNING');
      return answer;
    });
    expect(running!.networks.every((n) => n.ipAddress !== null)).toBe(true);
  });
});

describe('connectContainer and disconnectContainer', () => {
  it('change who can reach the container, and the next query sees the change at once', async () => {
    const net = await network();
    const page = `late joiner ${uniqueName('page')}`;
    const web = await created(server(page)); // on the default bridge only
    const peer = await created({ ...client, networks: [{ name: net.name }] });
    expect(web.networks.map((n) => n.name)).toEqual(['bridge']);
    expect(await fetchPage(peer.id, 'late')).toBeNull();

    const { connectContainer } = await berth.query(ConnectContainer, {
      network: net.name,
      container: web.name,
      aliases: ['late'],
    });
    expect(connectContainer).toMatchObject({ __typename: 'NetworkConnection', network: { id: net.id } });
    if (connectContainer.__typename !== 'NetworkConnection') return;
    expect(connectContainer.container.networks.find((n) => n.name === net.name)).toMatchObject({
      networkId: net.id,
      aliases: ['late'],
    });
    // Read-your-writes: the index answers with the new network, without waiting for any event.
    const after = await berth.query(GetContainer, { id: web.id });
    expect(after.container!.networks.map((n) => n.name).sort()).toEqual(['bridge', net.name].sort());
    const { network: listed } = await berth.query(GetNetwork, { id: net.name });
    expect(listed!.containers.map((c) => c.id).sort()).toEqual([web.id, peer.id].sort());

    await waitFor(async () => expect(await fetchPage(peer.id, 'late')).toBe(page), 20_000, 250);
    expect(await fetchPage(peer.id, web.name)).toBe(page);

    const again = await berth.query(ConnectContainer, { network: net.id, container: web.id });
    expect(again.connectContainer).toMatchObject({ __typename: 'InvalidStateError', code: 'INVALID_STATE' });

    const { disconnectContainer } = await berth.query(DisconnectContainer, {
      network: net.name,
      container: web.id,
    });
    expect(disconnectContainer.__typename).toBe('NetworkConnection');
    if (disconnectContainer.__typename !== 'NetworkConnection') return;
    expect(disconnectContainer.container.networks.map((n) => n.name)).toEqual(['bridge']);
    const info = await docker.getContainer(web.id).inspect();
    expect(Object.keys(info.NetworkSettings.Networks)).toEqual(['bridge']);
    expect((await berth.query(GetContainer, { id: web.id })).container!.networks.map((n) => n.name)).toEqual([
      'bridge',
    ]);
    expect(await fetchPage(peer.id, 'late')).toBeNull();
    expect(await fetchPage(peer.id, web.name)).toBeNull();

    const notThere = await berth.query(DisconnectContainer, { network: net.name, container: web.id });
    expect(notThere.disconnectContainer).toMatchObject({ __typename: 'InvalidStateError' });
  });

  it('answers NETWORK_NOT_FOUND, NOT_FOUND and INVALID_INPUT for what cannot be connected', async () => {
    const net = await network();
    const peer = await created({ ...client, start: false });
    const cases: [{ network: string; container: string; aliases?: string[] }, Record<string, unknown>][] = [
      [{ network: uniqueName('absent'), container: peer.id }, { __typename: 'NetworkNotFoundError' }],
      [{ network: net.name, container: uniqueName('absent') }, { __typename: 'NotFoundError' }],
      [
        { network: 'host', container: peer.id },
        { __typename: 'InvalidInputError', field: 'network' },
      ],
      [
        { network: 'none', container: peer.id },
        { __typename: 'InvalidInputError', field: 'network' },
      ],
      [
        { network: 'bridge', container: peer.id, aliases: ['x'] },
        { __typename: 'InvalidInputError', field: 'aliases' },
      ],
      [
        { network: net.name, container: peer.id, aliases: ['not an alias!'] },
        { __typename: 'InvalidInputError', field: 'aliases.0' },
      ],
      [
        { network: 'no such/network', container: peer.id },
        { __typename: 'InvalidInputError', field: 'network' },
      ],
      [
        { network: net.name, container: '' },
        { __typename: 'InvalidInputError', field: 'container' },
      ],
    ];
    for (const [variables, expected] of cases) {
      const { connectContainer } = await berth.query(ConnectContainer, variables);
      expect(connectContainer, JSON.stringify(variables)).toMatchObject(expected);
    }
    const info = await docker.getContainer(peer.id).inspect();
    expect(Object.keys(info.NetworkSettings.Networks)).toEqual(['bridge']);
  });
});

describe('createNetwork and removeNetwork', () => {
  it('refuses a second network of one name, and OVERLAY on an engine that is no swarm manager', async () => {
    const net = await network();
    const duplicate = await berth.query(CreateNetwork, { name: net.name, labels: [label] });
    expect(duplicate.createNetwork).toMatchObject({
      __typename: 'NetworkExistsError',
      code: 'NETWORK_EXISTS',
      name: net.name,
    });
    expect(await docker.listNetworks({ filters: { name: [net.name] } })).toHaveLength(1);

    // The shared engine is never put in swarm mode (the swarm tests make their own engine).
    const info = (await docker.info()) as { Swarm: { ControlAvailable: boolean } };
    expect(info.Swarm.ControlAvailable).toBe(false);
    const name = uniqueName('overlay');
    const overlay = await berth.query(CreateNetwork, {
      name,
      driver: 'OVERLAY',
      attachable: true,
      labels: [label],
    });
    expect(overlay.createNetwork).toMatchObject({
      __typename: 'NotSwarmManagerError',
      code: 'NOT_SWARM_MANAGER',
    });
    if (overlay.createNetwork.__typename === 'NotSwarmManagerError') {
      expect(overlay.createNetwork.message).toMatch(/swarm init/);
    }
    expect(await docker.listNetworks({ filters: { name: [name] } })).toHaveLength(0);
  });

  it('makes an internal network (the engine cuts its route out) whose containers reach each other', async () => {
    const name = uniqueName('internal');
    const { createNetwork } = await berth.query(CreateNetwork, { name, internal: true, labels: [label] });
    expect(createNetwork).toMatchObject({ __typename: 'CreateNetworkSuccess', network: { internal: true } });
    expect((await docker.getNetwork(name).inspect()).Internal).toBe(true);
    const page = `inside ${uniqueName('page')}`;
    await created({ ...server(page), networks: [{ name, aliases: ['inside'] }] });
    const peer = await created({ ...client, networks: [{ name }] });
    await waitFor(async () => expect(await fetchPage(peer.id, 'inside')).toBe(page), 20_000, 250);
  });

  it('refuses to remove the engine’s own networks and one with containers (running or stopped), then removes it', async () => {
    for (const builtIn of ['bridge', 'host', 'none']) {
      const { removeNetwork } = await berth.query(RemoveNetwork, { id: builtIn });
      expect(removeNetwork, builtIn).toMatchObject({
        __typename: 'BuiltInNetworkError',
        code: 'BUILT_IN_NETWORK',
        name: builtIn,
      });
      await docker.getNetwork(builtIn).inspect();
    }

    const net = await network();
    const member = await created({ ...client, networks: [{ name: net.name }] });
    const running = await berth.query(RemoveNetwork, { id: net.name });
    expect(running.removeNetwork).toMatchObject({
      __typename: 'NetworkInUseError',
      code: 'NETWORK_IN_USE',
      name: net.name,
      containers: [member.id],
    });
    await docker.getContainer(member.id).stop({ t: 1 });
    // The engine would let it go now; the stopped container could then never start again.
    const stopped = await waitFor(async () => {
      const answer = await berth.query(RemoveNetwork, { id: net.id });
      expect(answer.removeNetwork.__typename).toBe('NetworkInUseError');
      return answer;
    });
    expect(stopped.removeNetwork).toMatchObject({ containers: [member.id] });
    await docker.getNetwork(net.id).inspect();

    await docker.getContainer(member.id).remove({ force: true });
    const removed = await waitFor(async () => {
      const answer = await berth.query(RemoveNetwork, { id: net.id.slice(0, 16) });
      expect(answer.removeNetwork.__typename).toBe('RemoveNetworkSuccess');
      return answer;
    });
    expect(removed.removeNetwork).toMatchObject({ network: { id: net.id, name: net.name } });
    await expect(docker.getNetwork(net.id).inspect()).rejects.toSatisfy(
      (error) => statusCodeOf(error) === 404,
    );
    const gone = await berth.query(RemoveNetwork, { id: net.name });
    expect(gone.removeNetwork).toMatchObject({ __typename: 'NetworkNotFoundError', reference: net.name });
    expect((await berth.query(GetNetwork, { id: net.name })).network).toBeNull();
  });
});

describe('createNetwork with a subnet', () => {
  type Addressing = { subnet: string; gateway?: string };

  /**
   * A network on a random range `pick` makes of a number; another run's network may hold the range
   * picked (SUBNET_OVERLAP), and then another is picked.
   */
  async function onFreeRange(pick: (n: number) => Addressing) {
    for (let attempt = 0; ; attempt += 1) {
      const n = 1 + Math.floor(Math.random() * 250);
      const addressing = pick(n);
      const { createNetwork } = await berth.query(CreateNetwork, {
        name: uniqueName('subnet'),
        labels: [label],
        ...addressing,
      });
      if (createNetwork.__typename === 'CreateNetworkSuccess') {
        return { network: createNetwork.network, n, ...addressing };
      }
      if (createNetwork.__typename !== 'SubnetOverlapError' || attempt > 10) {
        throw new Error(`createNetwork failed: ${JSON.stringify(createNetwork)}`);
      }
    }
  }

  it('makes the network with the subnet and gateway asked for, where a container gets an address; an overlap is SUBNET_OVERLAP naming the network', async () => {
    const { network: net, n } = await onFreeRange((third) => ({
      subnet: `10.214.${third}.0/24`,
      gateway: `10.214.${third}.254`,
    }));
    expect(net.ipam).toEqual([{ subnet: `10.214.${n}.0/24`, gateway: `10.214.${n}.254` }]);
    const inspected = await docker.getNetwork(net.id).inspect();
    expect(inspected.IPAM?.Config).toEqual([{ Subnet: `10.214.${n}.0/24`, Gateway: `10.214.${n}.254` }]);
    const listed = (await berth.query(ListNetworks, { filter: { name: net.name } })).networks;
    expect(listed.find((other) => other.id === net.id)?.ipam).toEqual(net.ipam);

    const member = await created({ ...client, networks: [{ name: net.name }] });
    const endpoint = member.networks.find((n) => n.name === net.name)!;
    expect(endpoint.ipAddress).toMatch(new RegExp(`^10\\.214\\.${n}\\.\\d+$`));
    expect(endpoint).toMatchObject({ ipPrefixLength: 24, gateway: `10.214.${n}.254` });

    const inside = uniqueName('overlap');
    const overlap = await berth.query(CreateNetwork, {
      name: inside,
      subnet: `10.214.${n}.128/25`,
      labels: [label],
    });
    expect(overlap.createNetwork).toMatchObject({
      __typename: 'SubnetOverlapError',
      code: 'SUBNET_OVERLAP',
      subnet: `10.214.${n}.128/25`,
    });
    if (overlap.createNetwork.__typename === 'SubnetOverlapError') {
      expect(overlap.createNetwork.networks).toContain(net.name);
      expect(overlap.createNetwork.message).toMatch(/overlaps/i);
    }
    expect(await docker.listNetworks({ filters: { name: [inside] } })).toEqual([]);
  });

  it('shows the range the engine picked for a network made without one, and takes an IPv6 subnet (turning IPv6 on)', async () => {
    const plain = await network();
    const { network: listed } = await berth.query(GetNetwork, { id: plain.id });
    const inspected = await docker.getNetwork(plain.id).inspect();
    expect(listed!.ipam).toEqual(
      (inspected.IPAM?.Config ?? []).map((c) => ({ subnet: c.Subnet, gateway: c.Gateway ?? null })),
    );
    expect(listed!.ipam).toHaveLength(1);
    expect(listed!.ipam[0]!.gateway).toMatch(/^\d+\.\d+\.\d+\.\d+$/);

    const { network: v6, subnet } = await onFreeRange((group) => ({
      subnet: `fd00:b17:${(group * 251 + Math.floor(Math.random() * 251)).toString(16)}::/64`,
    }));
    expect((await docker.getNetwork(v6.id).inspect()).EnableIPv6).toBe(true);
    // The engine adds an IPv4 range of its own beside the IPv6 one asked for.
    expect(v6.ipam).toContainEqual({ subnet, gateway: null });
    expect(v6.ipam.some((range) => /^\d+\.\d+\.\d+\.\d+\/\d+$/.test(range.subnet))).toBe(true);
  });

  it('refuses a malformed subnet or gateway with INVALID_INPUT naming it, creating nothing', async () => {
    const cases: [Addressing | { gateway: string }, string, RegExp][] = [
      [{ subnet: '10.214.0.0' }, 'subnet', /CIDR/],
      [{ subnet: '10.214.300.0/24' }, 'subnet', /CIDR/],
      [{ subnet: '10.214.0.0/33' }, 'subnet', /prefix length/],
      [{ subnet: '10.214.0.5/24' }, 'subnet', /host bits.*10\.214\.0\.0\/24/],
      [{ subnet: '10.214.0.0/31' }, 'subnet', /no room/],
      [{ subnet: 'fd00:b17::/127' }, 'subnet', /no room/],
      [{ gateway: '10.214.0.1' }, 'gateway', /needs a subnet/],
      [{ subnet: '10.214.0.0/24', gateway: 'router' }, 'gateway', /IPv4 or IPv6 address/],
      [{ subnet: '10.214.0.0/24', gateway: '10.215.0.1' }, 'gateway', /inside the subnet/],
      [{ subnet: '10.214.0.0/24', gateway: 'fd00::1' }, 'gateway', /IPv6 address and the subnet an IPv4/],
      [{ subnet: 'fd00:b17::/64', gateway: '10.214.0.1' }, 'gateway', /IPv4 address and the subnet an IPv6/],
      [{ subnet: '10.214.0.0/24', gateway: '10.214.0.0' }, 'gateway', /first/],
      [{ subnet: '10.214.0.0/24', gateway: '10.214.0.255' }, 'gateway', /broadcast/],
    ];
    for (const [addressing, field, message] of cases) {
      const name = uniqueName('bad-subnet');
      const { createNetwork } = await berth.query(CreateNetwork, { name, labels: [label], ...addressing });
      expect(createNetwork, JSON.stringify(addressing)).toMatchObject({
        __typename: 'InvalidInputError',
        code: 'INVALID_INPUT',
        field,
      });
      if (createNetwork.__typename === 'InvalidInputError') expect(createNetwork.message).toMatch(message);
      expect(await docker.listNetworks({ filters: { name: [name] } })).toEqual([]);
    }
  });
});

describe('createContainer with networks', () => {
  it('refuses bad input with INVALID_INPUT naming the field, and an unknown network with NETWORK_NOT_FOUND, leaving nothing', async () => {
    const net = await network();
    const bad: [Record<string, unknown>, string][] = [
      [{ networks: [{ name: 'bad name!' }] }, 'input.networks.0.name'],
      [{ networks: [{ name: '' }] }, 'input.networks.0.name'],
      [{ networks: [{ name: net.name, aliases: ['no spaces allowed'] }] }, 'input.networks.0.aliases.0'],
      [{ networks: [{ name: net.name }, { name: net.name }] }, 'input.networks.1.name'],
      [{ networks: [{ name: net.name }, { name: net.id }] }, 'input.networks.1.name'],
      [{ networks: [{ name: 'bridge', aliases: ['b'] }] }, 'input.networks.0.aliases'],
      [{ networks: [{ name: 'none' }, { name: net.name }] }, 'input.networks.0.name'],
      [{ networks: [{ name: net.name }], hostNamespaces: ['NETWORK'] }, 'input.networks'],
    ];
    for (const [input, field] of bad) {
      const name = uniqueName('bad');
      const answer = await createOnNetworks({ name, ...input, start: false });
      expect(answer, JSON.stringify(input)).toMatchObject({ __typename: 'InvalidInputError', field });
      expect(await docker.listContainers({ all: true, filters: { name: [name] } })).toEqual([]);
    }
    const name = uniqueName('bad');
    const absent = uniqueName('absent');
    const unknown = await createOnNetworks({ name, networks: [{ name: net.name }, { name: absent }] });
    expect(unknown).toMatchObject({
      __typename: 'NetworkNotFoundError',
      code: 'NETWORK_NOT_FOUND',
      reference: absent,
    });
    expect(await docker.listContainers({ all: true, filters: { name: [name] } })).toEqual([]);
  });

  it('keeps the host network under the create policy, by name and by id', async () => {
    const hostId = (await docker.getNetwork('host').inspect()).Id;
    for (const reference of ['host', hostId, hostId.slice(0, 12)]) {
      const name = uniqueName('host');
      const answer = await createOnNetworks({ name, networks: [{ name: reference }], start: false });
      expect(answer, reference).toMatchObject({
        __typename: 'PolicyViolationError',
        code: 'POLICY_VIOLATION',
        field: 'input.networks.0.name',
      });
      expect(await docker.listContainers({ all: true, filters: { name: [name] } })).toEqual([]);
    }

    const { setCreatePolicy } = await berth.query(SetCreatePolicy, { input: { allowHostNamespaces: true } });
    expect(setCreatePolicy.__typename).toBe('SetCreatePolicySuccess');
    try {
      const allowed = await created({ networks: [{ name: hostId.slice(0, 12) }], start: false });
      const info = await docker.getContainer(allowed.id).inspect();
      expect(info.HostConfig.NetworkMode).toBe('host');
      expect(allowed.networks.map((n) => n.name)).toEqual(['host']);
      const mixed = await createOnNetworks({
        networks: [{ name: 'host' }, { name: 'bridge' }],
        start: false,
      });
      expect(mixed).toMatchObject({ __typename: 'InvalidInputError', field: 'input.networks.0.name' });
    } finally {
      await berth.query(SetCreatePolicy, { input: { allowHostNamespaces: false } });
    }
  });
});
