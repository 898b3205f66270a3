import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { TEST_LABEL, cleanupLabelled, testDocker } from '../harness/docker.js';
import {
  ensureTestImage,
  haltEngine,
  startEngine,
  stopEngine,
  type StartedEngine,
} from '../harness/engine.js';
import { startBerth, uniqueName, type BerthClient, type RunningBerth } from '../support/berth.js';
import { addSocketEnvironment } from '../support/environments.js';
import {
  CreateDeployToken,
  DeployStack,
  RedeployStack,
  RemoveStack,
  ScaleStackService,
  StackDeployProgressSubscription,
  StackHistory,
  StackQuery,
  Stacks,
  StartStack,
} from '../support/operations/index.js';
import { subscribe } from '../support/subscriptions.js';
import { waitFor } from '../support/wait.js';

/**
 * Compose stacks per environment: a stack is a Compose project on one Docker host, so the same
 * name on a second private engine (its own bridge, added through berth's registry in process) is
 * another stack. Each side is checked against its engine directly and, on the second, with the
 * Compose CLI (docker-compose 1.29) pointed at it.
 */

const LABEL = uniqueName('stack-envs');
const SECOND = uniqueName('second').toLowerCase();
/** One project name on both engines (Compose's rule: lowercase letters, digits, dashes). */
const NAME = uniqueName('both').replace(/^berth-test-/, 'bt-');
const COMPOSE_CLI = '/usr/bin/docker-compose';

let second: StartedEngine;
let berth: RunningBerth;
let admin: BerthClient;
let client: Client;
let dir: string;

const compose = (image: string) => `
services:
  web:
    image: ${image}
    command: ["sh", "-c", "hostname > /www/index.html && exec httpd -f -p 80 -h /www"]
    init: true
    labels:
      ${TEST_LABEL}: ${LABEL}
  worker:
    image: ${image}
    command: ["sleep", "3600"]
    init: true
    labels:
      ${TEST_LABEL}: ${LABEL}
`;

beforeAll(async () => {
  second = await startEngine({ isolatedBridge: true, extraArgs: ['--shutdown-timeout=2'] });
  await ensureTestImage(second.dockerHost);
  dir = await mkdtemp(join(tmpdir(), 'berth-stack-envs-'));
  berth = await startBerth({ BERTH_AUTH: 'on' }, { label: LABEL });
  admin = berth.asRole('admin', uniqueName('stack-envs-admin'));
  await addSocketEnvironment(berth.app, SECOND, second.dockerHost);
  client = admin.ws();
}, 120_000);

afterAll(async () => {
  await client?.dispose();
  await admin?.query(RemoveStack, { name: NAME, volumes: true }).catch(() => undefined);
  await berth?.stop();
  const local = testDocker(inject('dockerHost'));
  await cleanupLabelled(local, `com.docker.compose.project=${NAME}`);
  await cleanupLabelled(local, `${TEST_LABEL}=${LABEL}`);
  if (second) await stopEngine(second);
  if (dir) await rm(dir, { recursive: true, force: true });
}, 120_000);

/** The project's containers on an engine, asked of the engine itself: `service` → how many run. */
async function onEngine(dockerHost: string): Promise<Record<string, number>> {
  const containers = await testDocker(dockerHost).listContainers({
    all: true,
    filters: { label: [`com.docker.compose.project=${NAME}`] },
  });
  const counts: Record<string, number> = {};
  for (const container of containers) {
    const service = container.Labels['com.docker.compose.service'] ?? '?';
    counts[service] = (counts[service] ?? 0) + (container.State === 'running' ? 1 : 0);
  }
  return counts;
}

/** `docker-compose -p NAME -f <file> ps` against the engine at `dockerHost`: its rows' names. */
async function composePs(dockerHost: string): Promise<string[]> {
  const file = join(dir, 'compose.yml');
  await writeFile(file, compose(inject('testImage')));
  const output = await new Promise<string>((resolve, reject) => {
    execFile(
      COMPOSE_CLI,
      ['-p', NAME, '-f', file, '--ansi', 'never', 'ps'],
      {
        cwd: dir,
        env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: dir, DOCKER_HOST: dockerHost },
        timeout: 60_000,
      },
      (error, stdout, stderr) => (error ? reject(new Error(`${error.message}\n${stderr}`)) : resolve(stdout)),
    );
  });
  const lines = output.split('\n').filter((line) => line.trim() !== '');
  const rule = lines.findIndex((line) => /^-+$/.test(line.trim()));
  expect(rule, output).toBeGreaterThan(0);
  return lines
    .slice(rule + 1)
    .filter((line) => /\sUp(\s|$)/.test(line))
    .map((line) => line.trim().split(/\s+/)[0]!)
    .sort();
}

async function deploy(environment: string) {
  const { deployStack } = await admin.query(DeployStack, {
    environment,
    input: { name: NAME, compose: compose(inject('testImage')) },
  });
  if (deployStack.__typename !== 'DeployStackResult') throw new Error(JSON.stringify(deployStack));
  expect(deployStack.ok, JSON.stringify(deployStack.outcomes)).toBe(true);
  return deployStack;
}

describe('stacks per environment', () => {
  it('deploys a two-service stack to the second environment: it runs there, not on local, and Compose sees it', async () => {
    const progress = subscribe(client, StackDeployProgressSubscription, { name: NAME, environment: SECOND });
    const localProgress = subscribe(client, StackDeployProgressSubscription, { name: NAME });
    expect((await progress.next(10_000)).stackDeployProgress.step).toBe('IDLE');
    expect((await localProgress.next(10_000)).stackDeployProgress.step).toBe('IDLE');

    await deploy(SECOND);
    const steps: string[] = [];
    while (!['DONE', 'FAILED'].includes(steps.at(-1) ?? '')) {
      steps.push((await progress.next(30_000)).stackDeployProgress.step);
    }
    expect(steps.at(-1)).toBe('DONE');

    expect(await onEngine(second.dockerHost)).toEqual({ web: 1, worker: 1 });
    expect(await onEngine(inject('dockerHost'))).toEqual({});
    expect(await composePs(second.dockerHost)).toEqual([`${NAME}-web-1`, `${NAME}-worker-1`]);
    expect(await composePs(inject('dockerHost'))).toEqual([]);

    const { stack } = await admin.query(StackQuery, { name: NAME, environment: SECOND });
    expect(stack).toMatchObject({ name: NAME, environment: SECOND, managed: true, status: 'RUNNING' });
    expect((await admin.query(StackQuery, { name: NAME })).stack).toBeNull();

    // The local stack of the same name has a progress board of its own: what it follows next is
    // its own deploy, begun after the second's ended.
    const localStart = new Date();
    await deploy('local');
    const first = (await localProgress.next(30_000)).stackDeployProgress;
    expect(new Date(first.at).getTime()).toBeGreaterThanOrEqual(localStart.getTime());
    while ((await localProgress.next(30_000)).stackDeployProgress.step !== 'DONE');
    progress.unsubscribe();
    localProgress.unsubscribe();
    expect(await onEngine(inject('dockerHost'))).toEqual({ web: 1, worker: 1 });
  }, 120_000);

  it('lists both stacks of the name with allEnvironments, each saying where it is', async () => {
    const all = await admin.graphql(Stacks, { allEnvironments: true });
    expect(all.errors).toBeUndefined();
    const ours = all.data?.stacks.filter((stack) => stack.name === NAME);
    expect(ours?.map((stack) => [stack.environment, stack.status])).toEqual([
      ['local', 'RUNNING'],
      [SECOND, 'RUNNING'],
    ]);
    const { stacks: secondOnly } = await admin.query(Stacks, { environment: SECOND });
    expect(secondOnly.map((stack) => [stack.name, stack.environment])).toEqual([[NAME, SECOND]]);
  });

  it('keeps the two independent: scaling one, its history, and removing one leave the other', async () => {
    const { scaleStackService } = await admin.query(ScaleStackService, {
      stack: NAME,
      service: 'web',
      replicas: 2,
      environment: SECOND,
    });
    expect(scaleStackService.__typename).toBe('Stack');
    expect(await onEngine(second.dockerHost)).toEqual({ web: 2, worker: 1 });
    expect(await onEngine(inject('dockerHost'))).toEqual({ web: 1, worker: 1 });

    const history = async (environment: string) => {
      const { stackHistory } = await admin.query(StackHistory, { name: NAME, environment });
      if (stackHistory.__typename !== 'StackHistorySuccess') throw new Error(stackHistory.__typename);
      return stackHistory.data.map((entry) => entry.action);
    };
    expect(await history(SECOND)).toEqual(['SCALE', 'DEPLOY']);
    expect(await history('local')).toEqual(['DEPLOY']);

    // A deploy token for the second environment's stack redeploys that one, and only there.
    const { createDeployToken } = await admin.query(CreateDeployToken, {
      name: uniqueName('deploy-second'),
      operation: 'REDEPLOY_STACK',
      target: NAME,
      environment: SECOND,
    });
    if (createDeployToken.__typename !== 'CreateDeployTokenSuccess')
      throw new Error(JSON.stringify(createDeployToken));
    const deployer = berth.as(createDeployToken.created.secret);
    const { redeployStack } = await deployer.query(RedeployStack, {
      name: NAME,
      environment: SECOND,
      pull: false,
    });
    expect(redeployStack).toMatchObject({ __typename: 'DeployStackResult', ok: true });
    const here = await deployer.graphql(RedeployStack, { name: NAME, pull: false });
    expect(here.errors?.map((e) => e.extensions?.['code'])).toEqual(['FORBIDDEN']);
    expect(await history(SECOND)).toEqual(['REDEPLOY', 'SCALE', 'DEPLOY']);

    const { removeStack } = await admin.query(RemoveStack, { name: NAME, environment: SECOND });
    expect(removeStack.__typename).toBe('Stack');
    expect(await onEngine(second.dockerHost)).toEqual({});
    expect(await composePs(second.dockerHost)).toEqual([]);
    expect(await onEngine(inject('dockerHost'))).toEqual({ web: 1, worker: 1 });
    const { stack } = await admin.query(StackQuery, { name: NAME });
    expect(stack).toMatchObject({ environment: 'local', managed: true, status: 'RUNNING' });
    expect((await admin.query(StackQuery, { name: NAME, environment: SECOND })).stack).toBeNull();
  }, 120_000);

  it('refuses a token limited to local on the second (FORBIDDEN) and an unknown environment (ENVIRONMENT_NOT_FOUND)', async () => {
    const { token } = berth.app.tokens.create({
      name: uniqueName('local-only'),
      role: 'operator',
      environments: ['local'],
    });
    const limited = berth.as(token);
    const list = await limited.graphql(Stacks, { environment: SECOND });
    expect(list.errors?.map((e) => e.extensions?.['code'])).toEqual(['FORBIDDEN']);
    const deployThere = await limited.graphql(DeployStack, {
      environment: SECOND,
      input: { name: NAME, compose: compose(inject('testImage')) },
    });
    expect(deployThere.errors?.map((e) => e.extensions?.['code'])).toEqual(['FORBIDDEN']);
    const progress = subscribe(limited.ws(), StackDeployProgressSubscription, {
      name: NAME,
      environment: SECOND,
    });
    await expect(progress.completed).rejects.toThrow(/FORBIDDEN/);
    // Spanning, it sees only what it may use.
    const spanning = await limited.query(Stacks, { allEnvironments: true });
    expect(spanning.stacks.filter((stack) => stack.name === NAME).map((stack) => stack.environment)).toEqual([
      'local',
    ]);
    expect(spanning.stacks.filter((stack) => stack.environment !== 'local')).toEqual([]);

    const { startStack } = await admin.query(StartStack, { name: NAME, environment: 'nowhere' });
    expect(startStack).toMatchObject({
      __typename: 'EnvironmentNotFoundError',
      code: 'ENVIRONMENT_NOT_FOUND',
    });
    const { deployStack } = await admin.query(DeployStack, {
      environment: 'nowhere',
      input: { name: NAME, compose: compose(inject('testImage')) },
    });
    expect(deployStack).toMatchObject({
      __typename: 'EnvironmentNotFoundError',
      code: 'ENVIRONMENT_NOT_FOUND',
    });
    const query = await admin.graphql(Stacks, { environment: 'nowhere' });
    expect(query.errors?.[0]?.extensions?.['code']).toBe('ENVIRONMENT_NOT_FOUND');
  });

  it('answers local’s stacks at once with the second engine halted, and one ENGINE_UNAVAILABLE naming it', async () => {
    // A stack on the second again, so that halting it loses one.
    await deploy(SECOND);
    await haltEngine(second);
    const partial = await waitFor(async () => {
      const answer = await admin.graphql(Stacks, { allEnvironments: true });
      expect(answer.errors).toHaveLength(1);
      return answer;
    }, 20_000);
    expect(partial.data?.stacks.filter((stack) => stack.name === NAME).map((s) => s.environment)).toEqual([
      'local',
    ]);
    expect(partial.errors?.[0]?.extensions).toMatchObject({
      code: 'ENGINE_UNAVAILABLE',
      environment: SECOND,
    });

    // Removed and added again (its engine still down), the environment has its stacks' records back.
    await berth.app.context.environments.remove(SECOND);
    const { stackHistory: gone } = await admin.query(StackHistory, { name: NAME, environment: SECOND });
    expect(gone).toMatchObject({ __typename: 'EnvironmentNotFoundError', code: 'ENVIRONMENT_NOT_FOUND' });
    await addSocketEnvironment(berth.app, SECOND, second.dockerHost, { waitForSync: false });
    const { stackHistory } = await admin.query(StackHistory, { name: NAME, environment: SECOND });
    if (stackHistory.__typename !== 'StackHistorySuccess') throw new Error(stackHistory.__typename);
    expect(stackHistory.data.map((entry) => entry.action)).toEqual([
      'DEPLOY',
      'REMOVE',
      'REDEPLOY',
      'SCALE',
      'DEPLOY',
    ]);
  }, 60_000);
});
