import type Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { TEST_LABEL, cleanupLabelled, testDocker } from '../harness/docker.js';
import { pushToRegistry } from '../harness/engine.js';
import { startBerth, uniqueName, type RunningBerth } from '../support/berth.js';
import { DeployStack, RedeployStack, RemoveStack, StackHistory } from '../support/operations/index.js';

// redeployStack against the real engine and the harness's registry on loopback: a new image pushed
// under the same tag is pulled and only the service that uses it is recreated on it.

const FILE = `stack-redeploy-${process.pid}`;

let berth: RunningBerth;
let docker: Docker;
const stacks: string[] = [];
/** Images this file made or pulled, removed at the end. */
const images: string[] = [];

beforeAll(async () => {
  docker = testDocker(inject('dockerHost'));
  berth = await startBerth({}, { label: FILE });
}, 60_000);

afterAll(async () => {
  for (const name of stacks) await berth?.query(RemoveStack, { name, volumes: true }).catch(() => undefined);
  await berth?.stop();
  if (!docker) return;
  await cleanupLabelled(docker, `${TEST_LABEL}=${FILE}`);
  for (const image of images.reverse())
    await docker
      .getImage(image)
      .remove({ force: true })
      .catch(() => undefined);
});

/** The test image with `version` written into it, made by commit; answers its id. */
async function commitImage(version: string): Promise<string> {
  const container = await docker.createContainer({
    Image: inject('testImage'),
    Cmd: ['sh', '-c', `echo ${version} > /version`],
    Labels: { [TEST_LABEL]: FILE },
  });
  try {
    await container.start();
    await container.wait();
    // Tagged: pushToRegistry drops the registry tag, which would delete an image with no other name.
    const tag = `${process.pid}-${version}-${Date.now().toString(36)}`;
    const { Id } = (await container.commit({ repo: 'berth-test/stack-redeploy', tag })) as { Id: string };
    images.push(Id, `berth-test/stack-redeploy:${tag}`);
    return Id;
  } finally {
    await container.remove({ force: true });
  }
}

async function serviceContainers(stack: string, service: string): Promise<Docker.ContainerInfo[]> {
  return docker.listContainers({
    all: true,
    filters: { label: [`com.docker.compose.project=${stack}`, `com.docker.compose.service=${service}`] },
  });
}

const sleeper = (image: string) =>
  `    image: ${image}\n    command: ["sleep", "3600"]\n    init: true\n    stop_grace_period: 1s\n`;

describe('redeployStack', () => {
  it('recreates the service whose tag now names a new image, keeps the other, and then changes nothing', async () => {
    const stack = uniqueName('redeploy').replace(/^berth-test-/, 'bt-');
    stacks.push(stack);
    // Both services' images come from the registry on loopback: a redeploy pulls every one.
    const repository = `${inject('registry')}/berth-test/stack-redeploy-${process.pid}-${Date.now().toString(36)}`;
    const reference = `${repository}:app`;
    const otherReference = `${repository}:other`;
    images.push(reference, otherReference);
    const first = await commitImage('one');
    await pushToRegistry(inject('dockerHost'), first, reference);
    await pushToRegistry(inject('dockerHost'), await commitImage('other'), otherReference);

    const compose = `services:\n  app:\n${sleeper(reference)}  other:\n${sleeper(otherReference)}`;
    const { deployStack } = await berth.query(DeployStack, { input: { name: stack, compose } });
    expect(deployStack).toMatchObject({ __typename: 'DeployStackResult', ok: true });
    const [app] = await serviceContainers(stack, 'app');
    const [other] = await serviceContainers(stack, 'other');
    expect(app?.ImageID).toBe(first);

    // A second image goes to the registry under the same tag; the engine's tag is dropped, so only
    // a pull can find it.
    const second = await commitImage('two');
    await pushToRegistry(inject('dockerHost'), second, reference);

    const { redeployStack } = await berth.query(RedeployStack, { name: stack, pull: true });
    if (redeployStack.__typename !== 'DeployStackResult') throw new Error(JSON.stringify(redeployStack));
    expect(redeployStack.ok).toBe(true);
    const actions = Object.fromEntries(redeployStack.plan.services.map((s) => [s.service, s.action]));
    expect(actions).toEqual({ app: 'RECREATE', other: 'UNCHANGED' });
    const [newApp, ...extra] = await serviceContainers(stack, 'app');
    expect(extra).toEqual([]);
    expect(newApp?.ImageID).toBe(second);
    expect(newApp?.Id).not.toBe(app?.Id);
    expect((await serviceContainers(stack, 'other')).map((c) => c.Id)).toEqual([other?.Id]);

    const again = (await berth.query(RedeployStack, { name: stack })).redeployStack;
    if (again.__typename !== 'DeployStackResult') throw new Error(JSON.stringify(again));
    expect(again.ok).toBe(true);
    expect(again.plan.changes).toBe(false);
    expect((await serviceContainers(stack, 'app')).map((c) => c.Id)).toEqual([newApp?.Id]);
    expect((await serviceContainers(stack, 'other')).map((c) => c.Id)).toEqual([other?.Id]);

    const { stackHistory } = await berth.query(StackHistory, { name: stack });
    if (stackHistory.__typename !== 'StackHistorySuccess') throw new Error(JSON.stringify(stackHistory));
    expect(stackHistory.data.map((entry) => [entry.action, entry.ok])).toEqual([
      ['REDEPLOY', true],
      ['REDEPLOY', true],
      ['DEPLOY', true],
    ]);
  }, 180_000);

  it('refuses a stack the Compose CLI started (no file) as STACK_NOT_REDEPLOYABLE, and an unknown one as STACK_NOT_FOUND', async () => {
    const stack = uniqueName('cli').replace(/^berth-test-/, 'bt-');
    const container = await docker.createContainer({
      Image: inject('testImage'),
      Cmd: ['sleep', '3600'],
      Labels: {
        [TEST_LABEL]: FILE,
        'com.docker.compose.project': stack,
        'com.docker.compose.service': 'web',
        'com.docker.compose.container-number': '1',
      },
    });
    await container.start();
    const refused = (await berth.query(RedeployStack, { name: stack })).redeployStack;
    expect(refused).toMatchObject({
      __typename: 'StackNotRedeployableError',
      code: 'STACK_NOT_REDEPLOYABLE',
    });
    if (refused.__typename === 'StackNotRedeployableError') expect(refused.reason).toContain('deployStack');
    expect((await docker.getContainer(container.id).inspect()).State.Running).toBe(true);

    const missing = (await berth.query(RedeployStack, { name: `${stack}-none` })).redeployStack;
    expect(missing).toMatchObject({ __typename: 'StackNotFoundError', code: 'STACK_NOT_FOUND' });
  });
});
