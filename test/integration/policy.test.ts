import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Docker from 'dockerode';
import fc from 'fast-check';
import { print } from 'graphql';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { TEST_LABEL, cleanupLabelled, parseDockerHost, testDocker } from '../harness/docker.js';
import { startBerth, uniqueName, type RunningBerth } from '../support/berth.js';
import type { CreatePolicyInput } from '../gql/graphql.js';
import { CreateContainer, SetCreatePolicy } from '../support/operations/index.js';
import { SocketForwarder } from '../support/socket-forwarder.js';

/**
 * The create policy: dangerous requests never reach the engine's /containers/create (counted on a
 * socket that forwards to the real engine), and whatever is accepted is harmless in `docker inspect`.
 */

const image = 'berth-test/busybox:latest';
const label = { name: TEST_LABEL, value: 'policy' };
let dir: string;
let forwarder: SocketForwarder;
let berth: RunningBerth;
let docker: Docker;

type GraphQLAnswer = {
  data?: Record<string, any> | null;
  errors?: { message: string; extensions?: Record<string, unknown> }[];
};

/** A request body sent as text, for bodies no typed client would make (see rawGraphql below). */
async function graphqlText(body: string): Promise<{ status: number; answer: GraphQLAnswer }> {
  const response = await fetch(`${berth.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body,
  });
  return { status: response.status, answer: (await response.json()) as GraphQLAnswer };
}

// Random fields (fast-check) as the input: GraphQL may refuse them, so the whole answer is kept.
const create = async (input: Record<string, unknown>) => ({
  answer: await berth.graphql(CreateContainer, {
    input: { name: uniqueName('pol'), image, labels: [label], start: false, ...input } as never,
  }),
});

/** The id of the container `create` made; fails the test with the answer when it made none. */
function createdId({ answer }: Awaited<ReturnType<typeof create>>): string {
  const payload = answer.data?.createContainer;
  if (payload?.__typename !== 'CreateContainerSuccess') throw new Error(JSON.stringify(answer));
  return payload.container.id;
}

const setPolicy = async (input: CreatePolicyInput) => {
  const { setCreatePolicy } = await berth.query(SetCreatePolicy, { input });
  expect(setCreatePolicy.__typename).toBe('SetCreatePolicySuccess');
};

const creates = () => forwarder.requests.filter((request) => /\/containers\/create/.test(request)).length;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'berth-policy-'));
  const engine = parseDockerHost(inject('dockerHost'));
  if (engine.kind !== 'unix')
    throw new Error('this test counts requests on a forwarded unix socket; the harness engine is on tcp');
  forwarder = new SocketForwarder(join(dir, 'docker.sock'), engine.socketPath);
  await forwarder.listen();
  docker = testDocker(inject('dockerHost'));
  berth = await startBerth({ DOCKER_HOST: `unix://${join(dir, 'docker.sock')}` }, { label: 'policy' });
});

afterAll(async () => {
  await berth?.stop();
  await forwarder?.cut();
  await rm(dir, { recursive: true, force: true });
  await cleanupLabelled(docker, `${TEST_LABEL}=policy`);
});

describe('the default create policy', () => {
  it('refuses 60 dangerous create payloads through GraphQL and REST: 0 reach /containers/create', async () => {
    const graphql: Record<string, unknown>[] = [
      { privileged: true },
      ...['NETWORK', 'PID', 'IPC', 'UTS', 'USERNS', 'CGROUP'].map((ns) => ({ hostNamespaces: [ns] })),
      { hostNamespaces: ['NETWORK', 'PID', 'IPC', 'UTS', 'USERNS', 'CGROUP'] },
      ...['NET_ADMIN', 'SYS_ADMIN', 'sys_admin', 'CAP_SYS_ADMIN', 'cap_sys_module', 'ALL', 'Sys_Ptrace'].map(
        (cap) => ({ capAdd: [cap] }),
      ),
      ...['/dev/sda', '/dev/mem', '/dev/fuse', '/dev/../dev/kmsg'].map((device) => ({ devices: [device] })),
      ...[
        'seccomp=unconfined',
        'apparmor=unconfined',
        'label=disable',
        'label:disable',
        'no-new-privileges=false',
        'systempaths=unconfined',
        'SECCOMP=UNCONFINED',
      ].map((option) => ({ securityOpt: [option] })),
      ...[
        '/',
        '/etc',
        '/var/run/docker.sock',
        '/run/docker.sock',
        '/var/run',
        '/run',
        '/var/run/../run/docker.sock',
        '//var//run//docker.sock',
        '/tmp/../',
        '/home',
        '/proc',
        '/sys',
      ].map((source) => ({ mounts: [{ type: 'BIND', source, target: '/host' }] })),
      {
        mounts: [
          { type: 'VOLUME', source: 'data', target: '/data' },
          { type: 'BIND', source: '/root', target: '/r', readOnly: true },
        ],
      },
    ];
    // Bodies as text, which a typed client cannot send: a string for a boolean, and duplicate keys
    // (the last one wins in JSON.parse).
    const query = JSON.stringify(print(CreateContainer));
    const rawGraphql = [
      `{"query": ${query}, "variables": {"input": {"image": "${image}", "privileged": "true"}}}`,
      `{"query": ${query}, "variables": {"input": {"image": "${image}", "privileged": false, "privileged": true}}}`,
    ];
    const rest: (Record<string, unknown> | string)[] = [
      { image, privileged: true },
      { image, Privileged: 'true' },
      { image, PRIVILEGED: 1 },
      { image, HostConfig: { Privileged: true } },
      { image, hostconfig: { NetworkMode: 'host' } },
      { image, Binds: ['/:/host'] },
      { image, Mounts: [{ Type: 'bind', Source: '/var/run/docker.sock', Target: '/s' }] },
      { image, Volumes: { '/host': {} } },
      { image, Devices: [{ PathOnHost: '/dev/mem' }] },
      { image, CapAdd: ['SYS_ADMIN'] },
      { image, cap_add: ['ALL'] },
      { image, SecurityOpt: ['seccomp=unconfined'] },
      { image, 'security-opt': ['apparmor=unconfined'] },
      { image, NetworkMode: 'host' },
      { image, network_mode: 'host' },
      { image, PidMode: 'host' },
      { image, IpcMode: 'host' },
      { image, UTSMode: 'host' },
      { image, UsernsMode: 'host' },
      { image, CgroupnsMode: 'host' },
      `{"image": "${image}", "privileged": false, "privileged": true}`,
    ];
    const before = creates();
    let refused = 0;
    for (const input of graphql) {
      const { answer } = await create(input);
      const payload = answer.data?.['createContainer'];
      expect(payload?.__typename ?? answer.errors?.[0]?.message, JSON.stringify(input)).toMatch(
        /PolicyViolationError|InvalidInputError/,
      );
      refused += 1;
    }
    for (const body of rawGraphql) {
      const { status, answer } = await graphqlText(body);
      expect(
        status < 500 && (answer.errors?.length ?? 0) + (answer.data?.['createContainer']?.code ? 1 : 0) > 0,
        body,
      ).toBe(true);
      refused += 1;
    }
    for (const body of rest) {
      const response = await fetch(`${berth.url}/containers`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: typeof body === 'string' ? body : JSON.stringify(body),
      });
      expect(response.status, JSON.stringify(body)).toBe(403);
      expect(await response.json()).toMatchObject({ error: { code: 'POLICY_VIOLATION' } });
      refused += 1;
    }
    expect(refused).toBeGreaterThanOrEqual(60);
    expect(creates() - before).toBe(0);
  });

  it('accepts whatever random input it accepts only without privilege, host namespace or host path (docker inspect)', async () => {
    const privilegeFields = fc.record(
      {
        privileged: fc.boolean(),
        hostNamespaces: fc.subarray(['NETWORK', 'PID', 'IPC', 'UTS', 'USERNS', 'CGROUP']),
        capAdd: fc.array(fc.constantFrom('NET_ADMIN', 'SYS_ADMIN', 'CHOWN', 'ALL', 'sys_ptrace'), {
          maxLength: 2,
        }),
        devices: fc.array(fc.constantFrom('/dev/mem', '/dev/fuse', '/dev/null'), { maxLength: 2 }),
        securityOpt: fc.array(
          fc.constantFrom(
            'no-new-privileges',
            'seccomp=unconfined',
            'label=disable',
            'no-new-privileges:true',
          ),
          {
            maxLength: 2,
          },
        ),
        mounts: fc.array(
          fc.record({
            type: fc.constantFrom('BIND', 'VOLUME'),
            source: fc.constantFrom('/', '/etc', '/var/run/docker.sock', 'berthpolicyvol', '/tmp', 'data1'),
            target: fc.constantFrom('/mnt/a', '/mnt/b'),
          }),
          { maxLength: 2 },
        ),
      },
      { requiredKeys: [] },
    );
    let accepted = 0;
    await fc.assert(
      fc.asyncProperty(privilegeFields, async (fields) => {
        const { answer } = await create({ ...fields });
        const payload = answer.data?.['createContainer'];
        if (payload?.__typename !== 'CreateContainerSuccess') return;
        accepted += 1;
        const info = await docker.getContainer(payload.container.id).inspect();
        const host = info.HostConfig as Record<string, unknown>;
        expect(host['Privileged']).toBe(false);
        for (const mode of ['NetworkMode', 'PidMode', 'IpcMode', 'UTSMode', 'UsernsMode', 'CgroupnsMode']) {
          expect(host[mode], mode).not.toBe('host');
        }
        expect(host['CapAdd'] ?? []).toEqual([]);
        expect(host['Devices'] ?? []).toEqual([]);
        expect((host['SecurityOpt'] as string[] | null) ?? []).toEqual(
          expect.not.arrayContaining([expect.stringMatching(/unconfined|disable/)]),
        );
        expect(info.Mounts.filter((mount) => mount.Type === 'bind')).toEqual([]);
        await docker.getContainer(payload.container.id).remove({ force: true, v: true });
      }),
      { numRuns: 150, seed: 0x5ec0de },
    );
    expect(accepted).toBeGreaterThan(0);
  });
});

describe('an admin policy', () => {
  it('lets through what it allows, keeps the Docker socket out unless named, and applies defaults and a cap', async () => {
    await setPolicy({
      allowPrivileged: true,
      bindMountPrefixes: ['/tmp'],
      allowedCapabilities: ['NET_ADMIN'],
    });
    const id = createdId(
      await create({
        privileged: true,
        capAdd: ['net_admin'],
        mounts: [{ type: 'BIND', source: '/tmp', target: '/host-tmp', readOnly: true }],
      }),
    );
    const info = await docker.getContainer(id).inspect();
    expect(info.HostConfig.Privileged).toBe(true);
    expect(info.HostConfig.CapAdd).toEqual(['NET_ADMIN']);
    expect(info.Mounts).toContainEqual(
      expect.objectContaining({ Type: 'bind', Source: '/tmp', Destination: '/host-tmp', RW: false }),
    );

    await setPolicy({ bindMountPrefixes: ['/'] });
    const socket = await create({ mounts: [{ type: 'BIND', source: '/var/run/docker.sock', target: '/s' }] });
    expect(socket.answer.data?.['createContainer']).toMatchObject({
      __typename: 'PolicyViolationError',
      field: 'input.mounts.0.source',
    });

    await setPolicy({
      defaultMemoryBytes: 64 * 1024 * 1024,
      defaultCpus: 0.5,
      bindMountPrefixes: [],
      allowPrivileged: false,
    });
    const defaults = await create({});
    const limited = await docker.getContainer(createdId(defaults)).inspect();
    expect(limited.HostConfig.Memory).toBe(64 * 1024 * 1024);
    expect(limited.HostConfig.NanoCpus).toBe(500_000_000);

    const count = (await docker.listContainers({ all: true })).length;
    await setPolicy({ maxContainers: count });
    const capped = await create({});
    expect(capped.answer.data?.['createContainer']).toMatchObject({
      __typename: 'QuotaExceededError',
      code: 'QUOTA_EXCEEDED',
    });
    await setPolicy({
      maxContainers: null,
      defaultMemoryBytes: null,
      defaultCpus: null,
      allowedCapabilities: [],
    });
  });
});
