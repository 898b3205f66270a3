import type Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { TEST_LABEL, cleanupLabelled, statusCodeOf, testDocker } from '../harness/docker.js';
import { pushToRegistry } from '../harness/engine.js';
import { startBerth, uniqueName, type RunningBerth } from '../support/berth.js';
import { CreateContainer } from '../support/operations/index.js';

const label = { name: TEST_LABEL, value: 'images' };
let berth: RunningBerth;
let docker: Docker;

beforeAll(async () => {
  docker = testDocker(inject('dockerHost'));
  berth = await startBerth();
});

afterAll(async () => {
  await berth?.stop();
  await cleanupLabelled(docker, `${TEST_LABEL}=images`);
});

describe('createContainer and images the engine lacks', () => {
  it('pulls an absent image from the local registry, then creates and starts', async () => {
    const tag = `t${Date.now().toString(36)}${process.pid}`;
    const reference = `${inject('registry')}/berth-test/pullme:${tag}`;
    await pushToRegistry(inject('dockerHost'), inject('testImage'), reference);
    // The harness removed the local copy: the create below has to pull.
    await expect(docker.getImage(reference).inspect()).rejects.toSatisfy(
      (error) => statusCodeOf(error) === 404,
    );

    const { createContainer } = await berth.query(CreateContainer, {
      input: { name: uniqueName('pulled'), image: reference, labels: [label], command: ['sleep', '60'] },
    });
    expect(createContainer).toMatchObject({
      __typename: 'CreateContainerSuccess',
      container: { image: reference, status: 'RUNNING' },
    });
    const image = await docker.getImage(reference).inspect();
    expect(image.RepoTags).toContain(reference);
    await docker
      .getImage(reference)
      .remove({ force: true })
      .catch(() => undefined);
  });

  it('answers IMAGE_NOT_FOUND when the registry does not have the image, and creates nothing', async () => {
    const name = uniqueName('absent');
    const image = `${inject('registry')}/berth-test/absent:nope`;
    const { createContainer } = await berth.query(CreateContainer, {
      input: { name, image, labels: [label] },
    });
    expect(createContainer).toMatchObject({
      __typename: 'ImageNotFoundError',
      code: 'IMAGE_NOT_FOUND',
      image,
    });
    expect(await docker.listContainers({ all: true, filters: { name: [`^/${name}$`] } })).toHaveLength(0);
  });

  it('answers REGISTRY_UNAVAILABLE when the registry cannot be reached', async () => {
    // Nothing listens on port 1 of loopback: the engine's pull is refused at once.
    const image = '127.0.0.1:1/berth-test/unreachable:1';
    const { createContainer } = await berth.query(CreateContainer, { input: { image, labels: [label] } });
    expect(createContainer).toMatchObject({
      __typename: 'RegistryUnavailableError',
      code: 'REGISTRY_UNAVAILABLE',
      image,
    });
  });
});
