import type Docker from 'dockerode';
import { TEST_LABEL, followProgress } from '../harness/docker.js';

/**
 * Images made here and pushed to the harness's local registry, for tests of image-update
 * detection: two images under one tag are what "a newer image is in the registry" looks like.
 */

/**
 * Runs `base` with `script` and commits what it wrote as a new image, with Dockerfile-like
 * `changes` (CMD, HEALTHCHECK); answers its id.
 */
export async function commitImage(
  docker: Docker,
  base: string,
  label: string,
  script: string,
  changes: string[] = [],
): Promise<string> {
  const container = await docker.createContainer({
    Image: base,
    Cmd: ['sh', '-c', script],
    Labels: { [TEST_LABEL]: label },
  });
  try {
    await container.start();
    await container.wait();
    const { Id } = (await container.commit(changes.length > 0 ? { changes } : {})) as { Id: string };
    return Id;
  } finally {
    await container.remove({ force: true });
  }
}

/** Tags `imageId` as `reference` (`host:port/repo:tag`) and pushes it; the engine keeps the tag. */
export async function pushAs(docker: Docker, imageId: string, reference: string): Promise<void> {
  const colon = reference.lastIndexOf(':');
  const repo = reference.slice(0, colon);
  const tag = reference.slice(colon + 1);
  await docker.getImage(imageId).tag({ repo, tag });
  // Docker 20.10 rejects a push without an X-Registry-Auth header; an empty one is fine here.
  await followProgress(await docker.getImage(repo).push({ tag, authconfig: {} }));
}

/**
 * Pushes `newer` under `reference` and points the engine's tag back at `current`, as if someone
 * had pushed `newer` from elsewhere: the registry now has an image the engine has not pulled.
 */
export async function pushNewerElsewhere(
  docker: Docker,
  reference: string,
  current: string,
  newer: string,
): Promise<void> {
  await pushAs(docker, newer, reference);
  const colon = reference.lastIndexOf(':');
  await docker.getImage(current).tag({ repo: reference.slice(0, colon), tag: reference.slice(colon + 1) });
}
