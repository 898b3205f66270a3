import type Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { TEST_LABEL, cleanupLabelled, statusCodeOf, testDocker } from '../harness/docker.js';
import { startBerth, uniqueName, type RunningBerth } from '../support/berth.js';
import {
  CreateContainer,
  CreateVolume,
  ExecInContainer,
  GetVolume,
  ListVolumes,
  PruneVolumes,
  RemoveContainer,
  RemoveVolume,
} from '../support/operations/index.js';

/**
 * Volumes on the real engine: data that outlives its container, removal while in use, pruning
 * that touches only what it is told to, and volume names that can never become host paths.
 * Pruning here always selects by a label this file alone uses: other files' volumes are not ours.
 */

const FILE = 'volumes';
const label = { name: TEST_LABEL, value: FILE };
let berth: RunningBerth;
let docker: Docker;

// Stops at once on SIGTERM, so removals do not wait out a grace period.
const idle = { command: ['sh', '-c', "trap 'exit 0' TERM; sleep 600 & wait"] };

async function createContainer(input: Record<string, unknown>) {
  const { createContainer } = await berth.query(CreateContainer, {
    input: { name: uniqueName('vol-c'), image: inject('testImage'), labels: [label], ...input } as never,
  });
  return createContainer;
}

async function created(input: Record<string, unknown>) {
  const answer = await createContainer(input);
  if (answer.__typename !== 'CreateContainerSuccess')
    throw new Error(`create failed: ${JSON.stringify(answer)}`);
  return answer.container;
}

async function volume(labels: { name: string; value: string }[] = []): Promise<string> {
  const name = uniqueName('vol');
  const { createVolume } = await berth.query(CreateVolume, { name, labels: [label, ...labels] });
  if (createVolume.__typename !== 'CreateVolumeSuccess') throw new Error(JSON.stringify(createVolume));
  return name;
}

async function exec(id: string, script: string) {
  const { execInContainer } = await berth.query(ExecInContainer, {
    id,
    command: ['sh', '-c', script],
    timeoutSeconds: 15,
  });
  if (execInContainer.__typename !== 'ExecInContainerSuccess')
    throw new Error(JSON.stringify(execInContainer));
  return execInContainer.result;
}

async function removeContainer(id: string): Promise<void> {
  const { removeContainer } = await berth.query(RemoveContainer, { id, force: true, removeVolumes: true });
  expect(removeContainer.__typename).toBe('RemoveContainerSuccess');
}

/** Volumes the engine made on its own for a container, which carry no label of ours. */
const unlabelled: string[] = [];

async function removeOwnVolumes(): Promise<void> {
  const { Volumes } = await docker.listVolumes({ filters: { label: [`${TEST_LABEL}=${FILE}`] } });
  await Promise.all(
    [...(Volumes ?? []).map((v) => v.Name), ...unlabelled].map((name) =>
      docker
        .getVolume(name)
        .remove({ force: true })
        .catch((error: unknown) => {
          if (statusCodeOf(error) !== 404) throw error;
        }),
    ),
  );
}

const exists = async (name: string) =>
  docker
    .getVolume(name)
    .inspect()
    .then(
      () => true,
      (error: unknown) => {
        if (statusCodeOf(error) === 404) return false;
        throw error;
      },
    );

beforeAll(async () => {
  docker = testDocker(inject('dockerHost'));
  // What an interrupted run of this file left behind.
  await cleanupLabelled(docker, `${TEST_LABEL}=${FILE}`);
  await removeOwnVolumes();
  berth = await startBerth({}, { label: FILE });
});

afterAll(async () => {
  await berth?.stop();
  await cleanupLabelled(docker, `${TEST_LABEL}=${FILE}`);
  await removeOwnVolumes();
});

describe('named volumes', () => {
  it('keep a file across a container’s removal and re-creation; readOnly mounts cannot write', async () => {
    const name = await volume();
    const inspected = await docker.getVolume(name).inspect();
    expect(inspected).toMatchObject({ Name: name, Driver: 'local', Labels: { [TEST_LABEL]: FILE } });

    const token = uniqueName('token');
    const writer = await created({ ...idle, volumes: [{ name, target: '/data' }] });
    expect(writer.mounts).toEqual([
      {
        type: 'VOLUME',
        name,
        source: inspected.Mountpoint,
        target: '/data',
        readOnly: false,
        driver: 'local',
      },
    ]);
    expect(await exec(writer.id, `echo ${token} > /data/keep.txt`)).toMatchObject({ exitCode: 0 });
    await removeContainer(writer.id);
    await expect(docker.getContainer(writer.id).inspect()).rejects.toSatisfy(
      (error) => statusCodeOf(error) === 404,
    );

    const reader = await created({ ...idle, volumes: [{ name, target: '/restored', readOnly: true }] });
    expect(reader.mounts).toMatchObject([{ type: 'VOLUME', name, target: '/restored', readOnly: true }]);
    expect(await exec(reader.id, 'cat /restored/keep.txt')).toMatchObject({
      exitCode: 0,
      stdout: `${token}\n`,
    });
    const write = await exec(reader.id, 'echo more > /restored/other.txt');
    expect(write.exitCode).not.toBe(0);
    expect(write.stderr).toMatch(/read-only/i);
    const info = await docker.getContainer(reader.id).inspect();
    expect(info.Mounts).toEqual([expect.objectContaining({ Type: 'volume', Name: name, RW: false })]);

    const { volumes } = await berth.query(ListVolumes, { filter: { name } });
    // Engines before 23.0 report the ctime of the volume's directory, which the write above moved.
    const now = (await docker.getVolume(name).inspect()) as { CreatedAt?: string };
    expect(volumes).toEqual([
      {
        name,
        driver: 'local',
        mountpoint: inspected.Mountpoint,
        scope: 'local',
        labels: [label],
        createdAt: new Date(now.CreatedAt ?? NaN).toISOString(),
        usedBy: [{ id: reader.id, name: reader.name }],
      },
    ]);
  });

  it('are made by the engine when a container names one that does not exist yet', async () => {
    const name = uniqueName('implicit');
    unlabelled.push(name);
    const container = await created({ ...idle, start: false, volumes: [{ name, target: '/data' }] });
    expect(await exists(name)).toBe(true);
    const { volume: listed } = await berth.query(GetVolume, { name });
    expect(listed?.usedBy).toEqual([{ id: container.id, name: container.name }]);
    await removeContainer(container.id);
  });
});

describe('createVolume and removeVolume', () => {
  it('refuses a taken name (VOLUME_EXISTS) and keeps the first volume as it was', async () => {
    const name = await volume([{ name: 'first', value: 'yes' }]);
    const again = await berth.query(CreateVolume, { name, labels: [{ name: 'second', value: 'yes' }] });
    expect(again.createVolume).toMatchObject({
      __typename: 'VolumeExistsError',
      code: 'VOLUME_EXISTS',
      name,
    });
    expect((await docker.getVolume(name).inspect()).Labels).toEqual({ [TEST_LABEL]: FILE, first: 'yes' });
  });

  it('refuses to remove a volume a container uses, running or stopped, even with force; then removes it', async () => {
    const name = await volume();
    const user = await created({ ...idle, volumes: [{ name, target: '/data' }] });
    for (const force of [false, true]) {
      const { removeVolume } = await berth.query(RemoveVolume, { name, force });
      expect(removeVolume, `force: ${force}`).toMatchObject({
        __typename: 'VolumeInUseError',
        code: 'VOLUME_IN_USE',
        name,
        containers: [user.id],
      });
    }
    await docker.getContainer(user.id).stop({ t: 1 });
    const stopped = await berth.query(RemoveVolume, { name });
    expect(stopped.removeVolume).toMatchObject({ __typename: 'VolumeInUseError', containers: [user.id] });
    expect(await exists(name)).toBe(true);

    await removeContainer(user.id);
    const { removeVolume } = await berth.query(RemoveVolume, { name });
    expect(removeVolume).toMatchObject({
      __typename: 'RemoveVolumeSuccess',
      volume: { name, labels: [label] },
    });
    expect(await exists(name)).toBe(false);
    const gone = await berth.query(RemoveVolume, { name, force: true });
    expect(gone.removeVolume).toMatchObject({
      __typename: 'VolumeNotFoundError',
      code: 'VOLUME_NOT_FOUND',
      name,
    });
    expect((await berth.query(GetVolume, { name })).volume).toBeNull();
  });
});

describe('pruneVolumes', () => {
  it('removes only the unused volumes with the label, and says how much space that freed', async () => {
    const batch = { name: 'berth.test.prune', value: uniqueName('batch') };
    const selector = `${batch.name}=${batch.value}`;
    const [unusedEmpty, unusedFull, used, otherBatch] = [
      await volume([batch]),
      await volume([batch]),
      await volume([batch]),
      await volume([{ name: batch.name, value: `${batch.value}-other` }]),
    ];
    const unlabelled = await volume();
    // 300 kB of data in one of the unused volumes, written by a container that is then removed.
    const filler = await created({ ...idle, volumes: [{ name: unusedFull, target: '/data' }] });
    expect(await exec(filler.id, 'head -c 300000 /dev/urandom > /data/blob')).toMatchObject({ exitCode: 0 });
    await removeContainer(filler.id);
    // A stopped container still uses its volume.
    const holder = await created({ ...idle, start: false, volumes: [{ name: used, target: '/data' }] });

    const { pruneVolumes } = await berth.query(PruneVolumes, { label: selector });
    expect(pruneVolumes.__typename).toBe('PruneVolumesSuccess');
    if (pruneVolumes.__typename !== 'PruneVolumesSuccess') return;
    expect([...pruneVolumes.deleted].sort()).toEqual([unusedEmpty, unusedFull].sort());
    expect(pruneVolumes.spaceReclaimedBytes).toBeGreaterThanOrEqual(300_000);
    expect(await exists(unusedEmpty)).toBe(false);
    expect(await exists(unusedFull)).toBe(false);
    for (const kept of [used, otherBatch, unlabelled]) expect(await exists(kept), kept).toBe(true);

    const nothing = await berth.query(PruneVolumes, { label: selector });
    expect(nothing.pruneVolumes).toMatchObject({ deleted: [], spaceReclaimedBytes: 0 });
    await removeContainer(holder.id);
  });

  it('needs a well-formed label: INVALID_INPUT, nothing removed', async () => {
    const before = (await docker.listVolumes()).Volumes?.length ?? 0;
    for (const selector of ['', 'not a label', '=value', '!negated']) {
      const { pruneVolumes } = await berth.query(PruneVolumes, { label: selector });
      expect(pruneVolumes, selector).toMatchObject({ __typename: 'InvalidInputError', field: 'label' });
    }
    expect((await docker.listVolumes()).Volumes?.length ?? 0).toBeGreaterThanOrEqual(before);
  });
});

describe('volume names are never host paths', () => {
  it('refuses a path-like or malformed name with INVALID_INPUT, in createContainer and createVolume, leaving nothing', async () => {
    const names = [
      '/etc',
      '/var/run/docker.sock',
      './data',
      '../up',
      '~/home',
      'a/b',
      '.',
      'x',
      'bad name',
      '',
    ];
    for (const name of names) {
      const container = uniqueName('path');
      const answer = await createContainer({
        name: container,
        volumes: [{ name, target: '/host' }],
        start: false,
      });
      expect(answer, name).toMatchObject({ __typename: 'InvalidInputError', field: 'input.volumes.0.name' });
      if (name.includes('/') && answer.__typename === 'InvalidInputError') {
        expect(answer.message).toMatch(/not a host path/);
      }
      expect(await docker.listContainers({ all: true, filters: { name: [container] } })).toEqual([]);

      const { createVolume } = await berth.query(CreateVolume, { name, labels: [label] });
      expect(createVolume, name).toMatchObject({ __typename: 'InvalidInputError', field: 'name' });
    }
    const [one, two] = [uniqueName('never'), uniqueName('never')];
    const targets: [Record<string, unknown>, string][] = [
      [{ volumes: [{ name: one, target: 'relative' }] }, 'input.volumes.0.target'],
      [{ volumes: [{ name: one, target: '/' }] }, 'input.volumes.0.target'],
      [
        {
          volumes: [
            { name: one, target: '/data' },
            { name: two, target: '/data/' },
          ],
        },
        'input.volumes.1.target',
      ],
      [
        {
          mounts: [{ type: 'VOLUME', source: one, target: '/data' }],
          volumes: [{ name: two, target: '/data' }],
        },
        'input.volumes.0.target',
      ],
    ];
    for (const [input, field] of targets) {
      const answer = await createContainer({ ...input, start: false });
      expect(answer, JSON.stringify(input)).toMatchObject({ __typename: 'InvalidInputError', field });
    }
    for (const name of [one, two]) expect(await exists(name), name).toBe(false);
  });

  it('leaves bind mounts to `mounts`, under the create policy (POLICY_VIOLATION)', async () => {
    const answer = await createContainer({ mounts: [{ type: 'BIND', source: '/etc', target: '/host' }] });
    expect(answer).toMatchObject({ __typename: 'PolicyViolationError', field: 'input.mounts.0.source' });
  });
});
