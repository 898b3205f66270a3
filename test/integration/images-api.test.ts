import type Docker from 'dockerode';
import type { Client } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { ImagePullProgressSubscription as Progress } from '../gql/graphql.js';
import { TEST_LABEL, cleanupLabelled, followProgress, statusCodeOf, testDocker } from '../harness/docker.js';
import { pushToRegistry } from '../harness/engine.js';
import { startBerth, uniqueName, type RunningBerth } from '../support/berth.js';
import {
  CreateContainer,
  ImagePullProgressSubscription,
  ImagesQuery,
  PruneImages,
  PullImage,
  RemoveImage,
} from '../support/operations/index.js';
import { subscribe, wsClient, type Subscription } from '../support/subscriptions.js';
import { waitFor } from '../support/wait.js';

type Snapshot = Progress['imagePullProgress'];

const labels = { [TEST_LABEL]: 'images-api' };
const label = { name: TEST_LABEL, value: 'images-api' };
let berth: RunningBerth;
let docker: Docker;
let client: Client;
/** Every reference this file published, removed again at the end. */
const published: string[] = [];

beforeAll(async () => {
  docker = testDocker(inject('dockerHost'));
  berth = await startBerth();
  client = wsClient(berth.url);
});

afterAll(async () => {
  await client?.dispose();
  await berth?.stop();
  await cleanupLabelled(docker, `${TEST_LABEL}=images-api`);
  await Promise.all(
    published.map((ref) =>
      docker
        .getImage(ref)
        .remove({ force: true })
        .catch(() => undefined),
    ),
  );
});

/** Runs the test image with `script` to its end and commits what it wrote as a new layer. */
async function commitLayer(script: string, as?: { repo: string; tag: string }): Promise<string> {
  const container = await docker.createContainer({
    Image: inject('testImage'),
    Cmd: ['sh', '-c', script],
    Labels: labels,
  });
  try {
    await container.start();
    await container.wait();
    const { Id } = (await container.commit(as ?? {})) as { Id: string };
    return Id;
  } finally {
    await container.remove({ force: true });
  }
}

let publishedCount = 0;
/**
 * A reference in the local registry whose top layer the engine lacks, so a pull of it really
 * downloads: 3 MB of random bytes (gzip cannot shrink them), and the test image beneath.
 */
async function publish(name: string, tag?: string): Promise<string> {
  publishedCount += 1;
  const unique = `${Date.now().toString(36)}${process.pid}${publishedCount}`;
  const reference = `${inject('registry')}/berth-test/${name}-${unique}:${tag ?? 'v1'}`;
  const local = { repo: `berth-test/layered-${unique}`, tag: 'v1' };
  await commitLayer('head -c 3000000 /dev/urandom > /blob', local);
  await pushToRegistry(inject('dockerHost'), `${local.repo}:${local.tag}`, reference);
  await docker.getImage(`${local.repo}:${local.tag}`).remove(); // the layer leaves the engine with it
  await expect(docker.getImage(reference).inspect()).rejects.toSatisfy(
    (error) => statusCodeOf(error) === 404,
  );
  published.push(reference);
  return reference;
}

/** Takes messages until the one in state DONE (the last), and the completion after it. */
async function untilDone(progress: Subscription<Progress>): Promise<Snapshot[]> {
  const seen: Snapshot[] = [];
  for (;;) {
    const { imagePullProgress } = await progress.next(20_000);
    seen.push(imagePullProgress);
    if (imagePullProgress.state === 'DONE') break;
  }
  await progress.completed;
  return seen;
}

/**
 * Docker's own count of pulls: the engine logs an image `pull` event for every pull it serves,
 * read back here for the window [sinceMs, now].
 */
async function pullEvents(reference: string, sinceMs: number): Promise<number> {
  const stream = await docker.getEvents({
    since: sinceMs / 1000,
    until: Date.now() / 1000,
    filters: { type: ['image'], event: ['pull'] },
  });
  let text = '';
  for await (const chunk of stream) text += String(chunk);
  const events = text
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as { id: string });
  return events.filter((event) => event.id === reference).length;
}

describe('pullImage and imagePullProgress', () => {
  it('pulls from the local registry with per-layer and total progress, ending DONE', async () => {
    const reference = await publish('progress');
    const progress = subscribe(client, ImagePullProgressSubscription, { reference });
    const first = await progress.next();
    expect(first.imagePullProgress).toMatchObject({ reference, state: 'WAITING', layers: [] });

    const started = Date.now();
    const { pullImage } = await berth.query(PullImage, { reference });
    const pullMs = Date.now() - started;
    const seen = await untilDone(progress);

    expect(pullImage.__typename).toBe('PullImageSuccess');
    if (pullImage.__typename !== 'PullImageSuccess') return;
    const image = await docker.getImage(reference).inspect();
    expect(pullImage.image).toMatchObject({ id: image.Id, sizeBytes: image.Size, containers: 0 });
    expect(pullImage.image.tags).toContain(reference);

    expect(seen.some((s) => s.state === 'PULLING')).toBe(true);
    const done = seen.at(-1)!;
    // The new layer was downloaded in full; the test image's layer beneath it was there already.
    const downloaded = done.layers.find((layer) => layer.totalBytes > 0)!;
    expect(downloaded).toMatchObject({ status: 'Pull complete' });
    expect(downloaded.totalBytes).toBeGreaterThan(2_900_000);
    expect(done.layers.some((layer) => layer.status === 'Already exists')).toBe(true);
    // Only layers: Docker's "Pulling from <repo>" line carries an id too (the tag).
    for (const layer of done.layers) expect(layer.id).toMatch(/^[0-9a-f]{12}$/);
    expect(done.currentBytes).toBe(done.totalBytes);
    // Totals only grow, and never pass the total.
    for (const [at, snapshot] of seen.entries()) {
      expect(snapshot.currentBytes).toBeLessThanOrEqual(Math.max(snapshot.totalBytes, 0));
      if (at > 0) expect(snapshot.currentBytes).toBeGreaterThanOrEqual(seen[at - 1]!.currentBytes);
    }
    console.info(`[images] pull of a 3 MB layer: ${pullMs} ms, ${seen.length} progress messages received`);

    // Nothing runs now and the engine has it: a new subscriber hears DONE at once, and only that.
    const late = subscribe(client, ImagePullProgressSubscription, { reference });
    expect(await untilDone(late)).toMatchObject([{ state: 'DONE' }]);
  });

  it('ends an unknown reference in IMAGE_NOT_FOUND, for the mutation and for the subscriber', async () => {
    const reference = `${inject('registry')}/berth-test/absent:nope`;
    const progress = subscribe(client, ImagePullProgressSubscription, { reference });
    expect((await progress.next()).imagePullProgress.state).toBe('WAITING');

    const { pullImage } = await berth.query(PullImage, { reference });
    expect(pullImage).toMatchObject({
      __typename: 'ImageNotFoundError',
      code: 'IMAGE_NOT_FOUND',
      missing: reference,
    });
    await expect(progress.completed).rejects.toThrow();
    expect(progress.errors[0]?.extensions?.['code']).toBe('IMAGE_NOT_FOUND');
  });

  it('refuses bad references with INVALID_INPUT before any engine call', async () => {
    for (const reference of ['Not A Reference!', '', `sha256:${'a'.repeat(64)}`]) {
      const { pullImage } = await berth.query(PullImage, { reference });
      expect(pullImage, reference).toMatchObject({
        __typename: 'InvalidInputError',
        code: 'INVALID_INPUT',
        field: 'reference',
      });
    }
    const { removeImage } = await berth.query(RemoveImage, { reference: 'UPPER/case' });
    expect(removeImage).toMatchObject({ __typename: 'InvalidInputError', field: 'reference' });
    const progress = subscribe(client, ImagePullProgressSubscription, { reference: 'no spaces allowed' });
    await expect(progress.completed).rejects.toThrow();
    expect(progress.errors[0]?.extensions?.['code']).toBe('INVALID_INPUT');
  });

  it('shares one Docker pull between two clients pulling one reference (`repo` and `repo:latest`)', async () => {
    const reference = await publish('shared', 'latest');
    const bare = reference.slice(0, -':latest'.length);
    const other = wsClient(berth.url);
    try {
      // Two subscribers, on two connections and under both spellings.
      const watchers = [
        subscribe(client, ImagePullProgressSubscription, { reference: bare }),
        subscribe(other, ImagePullProgressSubscription, { reference }),
      ];
      for (const watcher of watchers) expect((await watcher.next()).imagePullProgress.state).toBe('WAITING');

      const since = Date.now();
      const answers = await Promise.all([
        berth.query(PullImage, { reference: bare }),
        berth.query(PullImage, { reference }),
      ]);
      const [one, two] = await Promise.all(watchers.map(untilDone));
      expect(answers.map((a) => a.pullImage.__typename)).toEqual(['PullImageSuccess', 'PullImageSuccess']);
      expect(one!.at(-1)).toEqual(two!.at(-1));
      expect(one!.at(-1)).toMatchObject({ reference, state: 'DONE' });
      expect(await pullEvents(reference, since)).toBe(1);

      // The count sees every Docker pull: two pulls made straight at the engine count two.
      await docker.getImage(reference).remove();
      const direct = Date.now();
      await Promise.all(
        [docker.pull(reference), docker.pull(reference)].map(async (stream) => followProgress(await stream)),
      );
      expect(await pullEvents(reference, direct)).toBe(2);
    } finally {
      await other.dispose();
    }
  });

  it('reports createContainer’s implicit pull through imagePullProgress', async () => {
    const reference = await publish('implicit');
    const progress = subscribe(client, ImagePullProgressSubscription, { reference });
    expect((await progress.next()).imagePullProgress.state).toBe('WAITING');

    const { createContainer } = await berth.query(CreateContainer, {
      input: {
        name: uniqueName('implicit'),
        image: reference,
        labels: [label],
        command: ['sleep', '60'],
        start: false,
      },
    });
    expect(createContainer).toMatchObject({
      __typename: 'CreateContainerSuccess',
      container: { image: reference },
    });
    const seen = await untilDone(progress);
    expect(seen.at(-1)!.layers.some((layer) => layer.status === 'Pull complete')).toBe(true);
  });

  it('releases a subscriber that leaves while it waits', async () => {
    const reference = `${inject('registry')}/berth-test/never-pulled:${Date.now()}`;
    const progress = subscribe(client, ImagePullProgressSubscription, { reference });
    expect((await progress.next()).imagePullProgress.state).toBe('WAITING');
    expect(berth.app.context.environments.local.images.watchers(reference)).toBe(1);
    progress.unsubscribe();
    await waitFor(async () =>
      expect(berth.app.context.environments.local.images.watchers(reference)).toBe(0),
    );
  });
});

describe('images, removeImage and pruneImages', () => {
  it('lists the test image with its size, tags and how many containers use it', async () => {
    await berth.query(CreateContainer, {
      input: { name: uniqueName('user'), image: inject('testImage'), labels: [label], start: false },
    });
    const inspected = await docker.getImage(inject('testImage')).inspect();
    const users = (await docker.listContainers({ all: true })).filter(
      (c) => c.ImageID === inspected.Id,
    ).length;
    expect(users).toBeGreaterThan(0);

    const { images } = await berth.query(ImagesQuery, {});
    const listed = images.find((image) => image.id === inspected.Id);
    expect(listed).toMatchObject({ sizeBytes: inspected.Size, containers: users });
    expect(listed?.tags).toContain(inject('testImage'));
    expect(Date.parse(listed!.createdAt)).toBe(Math.floor(Date.parse(inspected.Created) / 1000) * 1000);
  });

  it('refuses to remove an image a container uses (IMAGE_IN_USE), removes it with force, then IMAGE_NOT_FOUND', async () => {
    const reference = await publish('remove');
    expect((await berth.query(PullImage, { reference })).pullImage.__typename).toBe('PullImageSuccess');
    const { Id: imageId } = await docker.getImage(reference).inspect();
    const { createContainer } = await berth.query(CreateContainer, {
      input: { name: uniqueName('holder'), image: reference, labels: [label], start: false },
    });
    expect(createContainer.__typename).toBe('CreateContainerSuccess');

    const refused = await berth.query(RemoveImage, { reference });
    expect(refused.removeImage).toMatchObject({ __typename: 'ImageInUseError', code: 'IMAGE_IN_USE' });
    expect((await docker.getImage(reference).inspect()).Id).toBe(imageId);

    const forced = await berth.query(RemoveImage, { reference, force: true });
    expect(forced.removeImage).toMatchObject({ __typename: 'RemoveImageSuccess' });
    if (forced.removeImage.__typename !== 'RemoveImageSuccess') return;
    expect(forced.removeImage.untagged).toContain(reference);
    expect(forced.removeImage.deleted).toContain(imageId);
    await expect(docker.getImage(imageId).inspect()).rejects.toSatisfy(
      (error) => statusCodeOf(error) === 404,
    );

    const again = await berth.query(RemoveImage, { reference });
    expect(again.removeImage).toMatchObject({ __typename: 'ImageNotFoundError', code: 'IMAGE_NOT_FOUND' });
  });

  it('prunes dangling images and reports the space reclaimed', async () => {
    const dangling = await commitLayer('head -c 1000000 /dev/urandom > /blob');
    expect((await docker.getImage(dangling).inspect()).RepoTags ?? []).toEqual([]);
    const { images } = await berth.query(ImagesQuery, {});
    expect(images.find((image) => image.id === dangling)?.tags).toEqual([]);

    const { pruneImages } = await berth.query(PruneImages, {});
    expect(pruneImages.__typename).toBe('PruneImagesSuccess');
    if (pruneImages.__typename !== 'PruneImagesSuccess') return;
    expect(pruneImages.deleted).toContain(dangling);
    expect(pruneImages.spaceReclaimedBytes).toBeGreaterThanOrEqual(1_000_000);
    await expect(docker.getImage(dangling).inspect()).rejects.toSatisfy(
      (error) => statusCodeOf(error) === 404,
    );
  });
});
