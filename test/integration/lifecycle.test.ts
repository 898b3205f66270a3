import { createServer, type Server } from 'node:net';
import type Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { TEST_LABEL, cleanupLabelled, testDocker } from '../harness/docker.js';
import { startBerth, uniqueName, type RunningBerth } from '../support/berth.js';
import {
  CreateContainer,
  GetContainer,
  ListContainers,
  RemoveContainer,
  RestartContainer,
  StartContainer,
  StopContainer,
} from '../support/operations/index.js';
import { waitFor } from '../support/wait.js';

const label = { name: TEST_LABEL, value: 'lifecycle' };

let berth: RunningBerth;
let docker: Docker;
const image = inject('testImage');

const create = (input: Record<string, unknown>) => berth.create(input);

beforeAll(async () => {
  docker = testDocker(inject('dockerHost'));
  berth = await startBerth({}, { label: 'lifecycle' });
});

afterAll(async () => {
  await berth?.stop();
  await cleanupLabelled(docker, `${TEST_LABEL}=lifecycle`);
});

describe('createContainer', () => {
  it('creates and starts a container with env, ports, restart policy, healthcheck, labels and limits as Docker shows them', async () => {
    const name = uniqueName('full');
    const container = await create({
      name,
      env: [
        { name: 'GREETING', value: 'hello=world' },
        { name: 'EMPTY', value: '' },
      ],
      ports: [{ containerPort: 80, protocol: 'TCP', hostIp: '127.0.0.1' }],
      restartPolicy: { name: 'ON_FAILURE', maximumRetryCount: 3 },
      healthcheck: {
        test: ['CMD-SHELL', 'wget -q -O /dev/null http://127.0.0.1/ || exit 1'],
        intervalSeconds: 1,
        timeoutSeconds: 2,
        retries: 2,
        startPeriodSeconds: 0.5,
      },
      labels: [label, { name: 'team', value: 'berth' }],
      resources: { memoryBytes: 3 * 1024 * 1024 * 1024, cpus: 0.5 },
    });

    expect(container.name).toBe(name);
    expect(container.status).toBe('RUNNING');
    expect(container.exitCode).toBeNull();
    expect(container.cpu).toBeNull();
    expect(container.memory).toBeNull();
    expect(container.resources.memoryBytes).toBe(3 * 1024 * 1024 * 1024);

    const info = await docker.getContainer(container.id).inspect();
    expect(info.Name).toBe(`/${name}`);
    expect(info.State.Running).toBe(true);
    expect(info.Config.Env).toEqual(expect.arrayContaining(['GREETING=hello=world', 'EMPTY=']));
    expect(info.Config.Labels).toMatchObject({ [TEST_LABEL]: 'lifecycle', team: 'berth' });
    expect(info.HostConfig.RestartPolicy).toEqual({ Name: 'on-failure', MaximumRetryCount: 3 });
    expect(info.HostConfig.Memory).toBe(3 * 1024 * 1024 * 1024);
    expect(info.HostConfig.NanoCpus).toBe(500_000_000);
    expect(info.Config.Healthcheck).toEqual({
      Test: ['CMD-SHELL', 'wget -q -O /dev/null http://127.0.0.1/ || exit 1'],
      Interval: 1_000_000_000,
      Timeout: 2_000_000_000,
      Retries: 2,
      StartPeriod: 500_000_000,
    });
    const binding = info.NetworkSettings.Ports['80/tcp']?.[0];
    expect(binding?.HostIp).toBe('127.0.0.1');
    const hostPort = Number(binding?.HostPort);
    expect(container.ports).toContainEqual({
      containerPort: 80,
      protocol: 'TCP',
      hostIp: '127.0.0.1',
      hostPort,
    });

    // The mapped port serves the busybox httpd.
    const page = await waitFor(async () => (await fetch(`http://127.0.0.1:${hostPort}/`)).text());
    expect(page).toContain('berth test page');

    // Health reaches HEALTHY, as Docker's own check decides.
    const healthy = await waitFor(async () => {
      const { container: current } = await berth.query(GetContainer, { id: container.id });
      if (current?.health !== 'HEALTHY') throw new Error(`health is ${current?.health}`);
      return current;
    }, 20_000);
    expect(healthy.health).toBe('HEALTHY');
    expect((await docker.getContainer(container.id).inspect()).State.Health?.Status).toBe('healthy');
  });

  it('creates without starting when start is false, with the given command', async () => {
    const container = await create({ name: uniqueName('nostart'), start: false, command: ['sleep', '300'] });
    expect(container.status).toBe('CREATED');
    const info = await docker.getContainer(container.id).inspect();
    expect(info.State.Status).toBe('created');
    expect(info.Config.Cmd).toEqual(['sleep', '300']);
    expect(container.command).toEqual(['sleep', '300']);
  });

  it('answers NAME_CONFLICT for a name in use', async () => {
    const name = uniqueName('dup');
    await create({ name, start: false });
    const { createContainer } = await berth.query(CreateContainer, {
      input: { name, image, labels: [label] },
    });
    expect(createContainer).toMatchObject({ __typename: 'NameConflictError', code: 'NAME_CONFLICT', name });
  });

  it('gives exactly 1 success and 19 NAME_CONFLICT for 20 concurrent creates with one name', async () => {
    const name = uniqueName('race');
    const results = await Promise.all(
      Array.from({ length: 20 }, () =>
        berth.query(CreateContainer, { input: { name, image, start: false, labels: [label] } }),
      ),
    );
    const kinds = results.map((result) => result.createContainer.__typename);
    expect(kinds.filter((kind) => kind === 'CreateContainerSuccess')).toHaveLength(1);
    expect(kinds.filter((kind) => kind === 'NameConflictError')).toHaveLength(19);
    const matching = await docker.listContainers({ all: true, filters: { name: [`^/${name}$`] } });
    expect(matching).toHaveLength(1);
  });

  it('answers INVALID_INPUT naming the field, before any container exists', async () => {
    const before = (await docker.listContainers({ all: true })).length;
    const cases: [Record<string, unknown>, string][] = [
      [{ name: '-bad' }, 'input.name'],
      [{ image: 'UPPER/Case' }, 'input.image'],
      [{ ports: [{ containerPort: 70000 }] }, 'input.ports.0.containerPort'],
      [{ ports: [{ containerPort: 80, hostPort: 0 }] }, 'input.ports.0.hostPort'],
      [{ ports: [{ containerPort: 80, hostIp: 'localhost' }] }, 'input.ports.0.hostIp'],
      [{ env: [{ name: 'A=B', value: 'x' }] }, 'input.env.0.name'],
      [{ env: [{ name: 'A\u0000', value: 'x' }] }, 'input.env.0.name'],
      [{ resources: { memoryBytes: 1024 } }, 'input.resources.memoryBytes'],
      [{ resources: { cpus: 0 } }, 'input.resources.cpus'],
      [{ restartPolicy: { name: 'ALWAYS', maximumRetryCount: 2 } }, 'input.restartPolicy.maximumRetryCount'],
      [{ healthcheck: { test: ['wget'] } }, 'input.healthcheck.test'],
      [{ healthcheck: { test: ['CMD'], intervalSeconds: 1 } }, 'input.healthcheck.test'],
      [{ healthcheck: { test: ['CMD', 'true'], intervalSeconds: -1 } }, 'input.healthcheck.intervalSeconds'],
      [{ command: [] }, 'input.command'],
    ];
    for (const [input, field] of cases) {
      const { createContainer } = await berth.query(CreateContainer, {
        input: { image, labels: [label], ...input } as never,
      });
      expect(createContainer, JSON.stringify(input)).toMatchObject({
        __typename: 'InvalidInputError',
        code: 'INVALID_INPUT',
        field,
      });
    }
    expect((await docker.listContainers({ all: true })).length).toBe(before);
  });

  it('answers PORT_UNAVAILABLE for a host port already bound, and leaves no container behind', async () => {
    const blocker: Server = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as { port: number }).port;
    try {
      const name = uniqueName('busyport');
      const { createContainer } = await berth.query(CreateContainer, {
        input: {
          name,
          image,
          labels: [label],
          ports: [{ containerPort: 80, hostIp: '127.0.0.1', hostPort: port }],
        },
      });
      expect(createContainer).toMatchObject({ __typename: 'PortUnavailableError', code: 'PORT_UNAVAILABLE' });
      const left = await docker.listContainers({ all: true, filters: { name: [`^/${name}$`] } });
      expect(left).toHaveLength(0);
    } finally {
      blocker.close();
    }
  });
});

describe('containers whose process cannot run', () => {
  it('answers START_FAILED for a command the image lacks, from create (removing it again) and from start', async () => {
    const name = uniqueName('nocmd');
    const { createContainer } = await berth.query(CreateContainer, {
      input: { name, image, labels: [label], command: ['/no/such/program'] },
    });
    expect(createContainer).toMatchObject({ __typename: 'StartFailedError', code: 'START_FAILED' });
    expect(await docker.listContainers({ all: true, filters: { name: [`^/${name}$`] } })).toHaveLength(0);

    const created = await create({ name: uniqueName('nocmd'), command: ['/no/such/program'], start: false });
    const { startContainer } = await berth.query(StartContainer, { id: created.id });
    expect(startContainer).toMatchObject({ __typename: 'StartFailedError', code: 'START_FAILED' });
  });

  it('answers PORT_UNAVAILABLE when the engine cannot publish the port (sctp has no userland proxy)', async () => {
    const name = uniqueName('sctp');
    const { createContainer } = await berth.query(CreateContainer, {
      input: {
        name,
        image,
        labels: [label],
        ports: [{ containerPort: 80, protocol: 'SCTP', hostIp: '127.0.0.1' }],
      },
    });
    if (createContainer.__typename === 'CreateContainerSuccess') {
      // An engine that can publish sctp is fine too; then it must really be published.
      expect(createContainer.container.ports[0]).toMatchObject({ protocol: 'SCTP', hostIp: '127.0.0.1' });
    } else {
      expect(createContainer).toMatchObject({ __typename: 'PortUnavailableError', code: 'PORT_UNAVAILABLE' });
      expect(await docker.listContainers({ all: true, filters: { name: [`^/${name}$`] } })).toHaveLength(0);
    }
  });
});

describe('lifecycle mutations', () => {
  it('stops, starts, restarts and removes, each verified through Docker, idempotently', async () => {
    const container = await create({ name: uniqueName('cycle') });

    const stopped = await berth.query(StopContainer, { id: container.id, timeoutSeconds: 1 });
    expect(stopped.stopContainer).toMatchObject({
      __typename: 'StopContainerSuccess',
      container: { status: 'EXITED' },
    });
    expect((await docker.getContainer(container.id).inspect()).State.Running).toBe(false);
    // Stopping a stopped container succeeds and returns it.
    const again = await berth.query(StopContainer, { id: container.id });
    expect(again.stopContainer).toMatchObject({
      __typename: 'StopContainerSuccess',
      container: { status: 'EXITED' },
    });

    const started = await berth.query(StartContainer, { id: container.name });
    expect(started.startContainer).toMatchObject({
      __typename: 'StartContainerSuccess',
      container: { status: 'RUNNING' },
    });
    expect((await docker.getContainer(container.id).inspect()).State.Running).toBe(true);
    const startedAgain = await berth.query(StartContainer, { id: container.id.slice(0, 12) });
    expect(startedAgain.startContainer).toMatchObject({
      __typename: 'StartContainerSuccess',
      container: { status: 'RUNNING' },
    });

    const before = (await docker.getContainer(container.id).inspect()).State.StartedAt;
    const restarted = await berth.query(RestartContainer, { id: container.id, timeoutSeconds: 1 });
    expect(restarted.restartContainer).toMatchObject({
      __typename: 'RestartContainerSuccess',
      container: { status: 'RUNNING' },
    });
    const after = (await docker.getContainer(container.id).inspect()).State.StartedAt;
    expect(new Date(after).getTime()).toBeGreaterThan(new Date(before).getTime());

    // A running container is not removed without force.
    const refused = await berth.query(RemoveContainer, { id: container.id });
    expect(refused.removeContainer).toMatchObject({ __typename: 'InvalidStateError', code: 'INVALID_STATE' });
    expect((await docker.getContainer(container.id).inspect()).State.Running).toBe(true);

    const removed = await berth.query(RemoveContainer, {
      id: container.id,
      force: true,
      removeVolumes: true,
    });
    expect(removed.removeContainer).toMatchObject({
      __typename: 'RemoveContainerSuccess',
      container: { id: container.id },
    });
    await expect(docker.getContainer(container.id).inspect()).rejects.toMatchObject({ statusCode: 404 });
  });

  it('answers NOT_FOUND for an unknown container on every mutation, and null from the query', async () => {
    const id = uniqueName('ghost');
    for (const result of [
      (await berth.query(StartContainer, { id })).startContainer,
      (await berth.query(StopContainer, { id })).stopContainer,
      (await berth.query(RestartContainer, { id })).restartContainer,
      (await berth.query(RemoveContainer, { id })).removeContainer,
    ]) {
      expect(result).toMatchObject({ code: 'NOT_FOUND' });
    }
    expect((await berth.query(GetContainer, { id })).container).toBeNull();
  });

  it('answers AMBIGUOUS_ID for an id prefix shared by two containers', async () => {
    const ids: string[] = [];
    // Ids are random hex: with enough containers two share a first character.
    let shared: string | undefined;
    while (!shared) {
      const { id } = await create({ name: uniqueName('prefix'), start: false });
      const prefix = ids.find((other) => other[0] === id[0]);
      ids.push(id);
      if (prefix) shared = id[0];
    }
    const { stopContainer } = await berth.query(StopContainer, { id: shared });
    expect(stopContainer).toMatchObject({ __typename: 'AmbiguousIdError', code: 'AMBIGUOUS_ID' });
  });

  it('answers INVALID_INPUT for a malformed id or timeout', async () => {
    expect((await berth.query(StopContainer, { id: '' })).stopContainer).toMatchObject({
      code: 'INVALID_INPUT',
      field: 'id',
    });
    expect((await berth.query(StopContainer, { id: 'a b' })).stopContainer).toMatchObject({
      code: 'INVALID_INPUT',
      field: 'id',
    });
    expect((await berth.query(StopContainer, { id: 'x', timeoutSeconds: -1 })).stopContainer).toMatchObject({
      code: 'INVALID_INPUT',
      field: 'timeoutSeconds',
    });
  });
});

describe('queries', () => {
  it('finds a container by full id, unique prefix and name, with every field', async () => {
    const created = await create({ name: uniqueName('lookup'), start: false });
    for (const id of [created.id, created.id.slice(0, 16), created.name]) {
      const { container } = await berth.query(GetContainer, { id });
      expect(container).toEqual(created);
    }
  });

  it('filters containers by status, name, label and image', async () => {
    const tag = uniqueName('filter');
    const running = await create({ name: `${tag}-run`, labels: [label, { name: 'filter', value: tag }] });
    const created = await create({
      name: `${tag}-new`,
      start: false,
      labels: [label, { name: 'filter', value: tag }],
    });

    const byLabel = await berth.query(ListContainers, { filter: { label: `filter=${tag}` } });
    expect(byLabel.containers.map((c) => c.id).sort()).toEqual([running.id, created.id].sort());

    const byStatus = await berth.query(ListContainers, {
      filter: { label: `filter=${tag}`, status: 'CREATED' },
    });
    expect(byStatus.containers.map((c) => c.id)).toEqual([created.id]);

    const byName = await berth.query(ListContainers, { filter: { name: `${tag}-ru` } });
    expect(byName.containers.map((c) => c.id)).toEqual([running.id]);

    const byImage = await berth.query(ListContainers, { filter: { image, label: `filter=${tag}` } });
    expect(byImage.containers).toHaveLength(2);
    const otherImage = await berth.query(ListContainers, {
      filter: { image: 'nothing/here:1', label: `filter=${tag}` },
    });
    expect(otherImage.containers).toHaveLength(0);

    // This file's containers, as berth lists them, are Docker's own list (other files run in parallel).
    const mine = await berth.query(ListContainers, { filter: { label: `${TEST_LABEL}=lifecycle` } });
    const dockers = await docker.listContainers({
      all: true,
      filters: { label: [`${TEST_LABEL}=lifecycle`] },
    });
    expect(new Set(mine.containers.map((c) => c.id))).toEqual(new Set(dockers.map((c) => c.Id)));
  });
});
