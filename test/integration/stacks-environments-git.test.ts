import { createHmac, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { TEST_LABEL, cleanupLabelled, testDocker } from '../harness/docker.js';
import { ensureTestImage, startEngine, stopEngine, type StartedEngine } from '../harness/engine.js';
import { startBerth, uniqueName, type BerthClient, type RunningBerth } from '../support/berth.js';
import { addSocketEnvironment } from '../support/environments.js';
import { startGitDaemon, WorkingRepo, type GitServer } from '../support/git-server.js';
import {
  CreateDeployToken,
  DeployStackFromGit,
  RotateStackWebhook,
  StackSource,
  SyncStack,
} from '../support/operations/index.js';
import { waitFor } from '../support/wait.js';

/**
 * Stacks from git per environment: a stack deployed from a repository (`git daemon` on loopback)
 * into a second private engine runs there; its webhook lives at
 * /hooks/environments/<env>/stacks/<name> and a push signed as GitHub signs it syncs that
 * environment's stack; polling syncs into it too; a SYNC_STACK token is held to it.
 */

const LABEL = uniqueName('git-envs');
const SECOND = uniqueName('second').toLowerCase();
const POLL_MINUTE_MS = 400;

let second: StartedEngine;
let berth: RunningBerth;
let admin: BerthClient;
let daemon: GitServer;
const repos: WorkingRepo[] = [];

beforeAll(async () => {
  second = await startEngine({ isolatedBridge: true, extraArgs: ['--shutdown-timeout=2'] });
  await ensureTestImage(second.dockerHost);
  daemon = await startGitDaemon();
  berth = await startBerth(
    { BERTH_AUTH: 'on', BERTH_SECRET_KEY: randomBytes(32).toString('base64') },
    { label: LABEL, gitPollMinuteMs: POLL_MINUTE_MS },
  );
  admin = berth.asRole('admin', uniqueName('git-envs-admin'));
  await addSocketEnvironment(berth.app, SECOND, second.dockerHost);
}, 120_000);

afterAll(async () => {
  // berth stops first (its polls end), then the second engine goes with the stacks' containers.
  await berth?.stop();
  await daemon?.stop();
  for (const repo of repos) await repo.remove();
  await cleanupLabelled(testDocker(inject('dockerHost')), `${TEST_LABEL}=${LABEL}`);
  if (second) await stopEngine(second);
}, 120_000);

/** Two long-running services whose configuration is their ROLE. */
function composeFile(roles: { a: string; b: string }): string {
  const service = (role: string) => `
    image: ${inject('testImage')}
    command: ["sh", "-c", "exec sleep 3600"]
    init: true
    environment:
      ROLE: ${role}
    labels:
      ${TEST_LABEL}: ${LABEL}`;
  return `services:\n  a:${service(roles.a)}\n  b:${service(roles.b)}\n`;
}

/** A stack deployed from its own repository into the second environment. */
async function gitStack(prefix: string, pollMinutes: number) {
  const name = uniqueName(prefix).replace(/^berth-test-/, 'bt-');
  const repo = await WorkingRepo.create(daemon.root, `${name}-repo`);
  repos.push(repo);
  await repo.write({ 'compose.yaml': composeFile({ a: 'one', b: 'one' }) });
  const commit = await repo.commitAndPush('first');
  const { deployStackFromGit } = await admin.query(DeployStackFromGit, {
    environment: SECOND,
    input: { name, repository: daemon.url(repo.name), ref: 'main', timeoutSeconds: 30, pollMinutes },
  });
  if (deployStackFromGit.__typename !== 'DeployStackFromGitSuccess' || !deployStackFromGit.deploy.ok) {
    throw new Error(`deploy failed: ${JSON.stringify(deployStackFromGit)}`);
  }
  return { name, repo, commit };
}

/** Each service's container id on an engine, asked of the engine itself. */
async function containerIds(dockerHost: string, stack: string): Promise<Record<string, string>> {
  const containers = await testDocker(dockerHost).listContainers({
    all: true,
    filters: { label: [`com.docker.compose.project=${stack}`] },
  });
  return Object.fromEntries(
    containers.map((container) => [container.Labels['com.docker.compose.service'] ?? '', container.Id]),
  );
}

const commitOf = async (stack: string, environment: string) =>
  (await admin.query(StackSource, { name: stack, environment })).stack?.source?.commit;

async function deliver(path: string, secret: string, body: string) {
  const response = await fetch(`${new URL(berth.url).origin}${path}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-github-event': 'push',
      'x-hub-signature-256': `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`,
    },
    body,
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe('stacks from git per environment', () => {
  it('deploys from git into the second environment, and its webhook there syncs that stack', async () => {
    const { name, repo, commit: first } = await gitStack('git-there', 0);
    const before = await containerIds(second.dockerHost, name);
    expect(Object.keys(before).sort()).toEqual(['a', 'b']);
    expect(await containerIds(inject('dockerHost'), name)).toEqual({});
    expect(await commitOf(name, SECOND)).toBe(first);
    expect((await admin.query(StackSource, { name })).stack).toBeNull();

    const { rotateStackWebhook } = await admin.query(RotateStackWebhook, {
      stack: name,
      environment: SECOND,
    });
    if (rotateStackWebhook.__typename !== 'RotateStackWebhookSuccess')
      throw new Error(JSON.stringify(rotateStackWebhook));
    const path = `/hooks/environments/${SECOND}/stacks/${name}`;
    expect(rotateStackWebhook.webhook.url).toBe(path);
    // Local has no webhook for that name: its path refuses the same delivery.
    const { rotateStackWebhook: local } = await admin.query(RotateStackWebhook, { stack: name });
    expect(local).toMatchObject({ __typename: 'StackNotFoundError' });

    await repo.write({ 'compose.yaml': composeFile({ a: 'one', b: 'two' }) });
    const next = await repo.commitAndPush('b: two');
    const body = JSON.stringify({ ref: 'refs/heads/main', before: first, after: next, deleted: false });
    expect(await deliver(`/hooks/stacks/${name}`, rotateStackWebhook.secret, body)).toMatchObject({
      status: 401,
    });
    expect(
      await deliver(`/hooks/environments/nowhere/stacks/${name}`, rotateStackWebhook.secret, body),
    ).toMatchObject({ status: 401 });
    expect(await deliver(path, rotateStackWebhook.secret, body)).toMatchObject({
      status: 202,
      body: { accepted: true },
    });
    await waitFor(async () => (await commitOf(name, SECOND)) === next, 60_000, 250);
    const after = await containerIds(second.dockerHost, name);
    expect(after['a']).toBe(before['a']);
    expect(after['b']).not.toBe(before['b']);
    expect(after['b']).toBeDefined();

    // A SYNC_STACK token made for the second environment syncs there and is refused on local.
    const { createDeployToken } = await admin.query(CreateDeployToken, {
      name: uniqueName('sync-second'),
      operation: 'SYNC_STACK',
      target: name,
      environment: SECOND,
    });
    if (createDeployToken.__typename !== 'CreateDeployTokenSuccess')
      throw new Error(JSON.stringify(createDeployToken));
    const deployer = berth.as(createDeployToken.created.secret);
    // Wait out the webhook's sync: a second one of the same stack would be STACK_BUSY.
    const synced = await waitFor(async () => {
      const { syncStack } = await deployer.query(SyncStack, { name, environment: SECOND });
      expect(syncStack.__typename).toBe('SyncStackSuccess');
      return syncStack;
    }, 30_000);
    expect(synced).toMatchObject({ changed: false, commit: next });
    const here = await deployer.graphql(SyncStack, { name });
    expect(here.errors?.map((error) => error.extensions?.['code'])).toEqual(['FORBIDDEN']);
  }, 120_000);

  it('polls a git stack of the second environment into that environment', async () => {
    const { name, repo } = await gitStack('git-poll', 1);
    const before = await containerIds(second.dockerHost, name);
    await repo.write({ 'compose.yaml': composeFile({ a: 'two', b: 'one' }) });
    const next = await repo.commitAndPush('a: two');
    await waitFor(async () => (await commitOf(name, SECOND)) === next, 60_000, 250);
    const after = await containerIds(second.dockerHost, name);
    expect(after['a']).not.toBe(before['a']);
    expect(after['b']).toBe(before['b']);
    expect(await containerIds(inject('dockerHost'), name)).toEqual({});
  }, 120_000);
});
