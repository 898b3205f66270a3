import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Docker from 'dockerode';
import {
  getNamedType,
  isEnumType,
  isInputObjectType,
  isLeafType,
  isListType,
  isNonNullType,
  type GraphQLField,
  type GraphQLInputType,
} from 'graphql';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { schema } from '../../src/api/graphql/index.js';
import { TEST_LABEL, cleanupLabelled, parseDockerHost, testDocker } from '../harness/docker.js';
import { startBerth, uniqueName, type BerthClient, type RunningBerth } from '../support/berth.js';
import { EngineRecorder } from '../support/engine-recorder.js';
import {
  AuditLog,
  CreateDeployToken,
  DeployStack,
  ListTokens,
  RedeployContainer,
  RedeployStack,
  RemoveStack,
  RevokeToken,
  SyncStack,
} from '../support/operations/index.js';

// Deploy tokens against a real berth and engine: a token scoped to one operation on one thing does
// that, and every other root field, subscription and route answers FORBIDDEN without running.

const FILE = `deploy-tokens-${process.pid}`;

let dir: string;
let recorder: EngineRecorder;
let berth: RunningBerth;
let docker: Docker;
let admin: BerthClient;
const stacks: string[] = [];

const compose = `services:
  app:
    image: ${inject('testImage')}
    command: ["sleep", "3600"]
    init: true
    stop_grace_period: 1s
    labels:
      ${TEST_LABEL}: ${FILE}
`;

function stackName(prefix: string): string {
  const name = uniqueName(prefix).replace(/^berth-test-/, 'bt-');
  stacks.push(name);
  return name;
}

async function deployStack(name: string): Promise<void> {
  const { deployStack } = await admin.query(DeployStack, { input: { name, compose } });
  expect(deployStack).toMatchObject({ __typename: 'DeployStackResult', ok: true });
}

/** A deploy token made through the API, and a client that sends it. */
async function deployToken(
  operation: 'REDEPLOY_STACK' | 'SYNC_STACK' | 'REDEPLOY_CONTAINER',
  target: string,
): Promise<BerthClient & { name: string }> {
  const name = uniqueName('deploy').slice(0, 60);
  const { createDeployToken } = await admin.query(CreateDeployToken, { name, operation, target });
  if (createDeployToken.__typename !== 'CreateDeployTokenSuccess') {
    throw new Error(JSON.stringify(createDeployToken));
  }
  expect(createDeployToken.created.token.scope).toEqual({ operation, target });
  return Object.assign(berth.as(createDeployToken.created.secret), { name });
}

async function auditOf(tokenName: string) {
  const { auditLog } = await admin.query(AuditLog, { first: 200 });
  return auditLog.entries.filter((entry) => entry.tokenName === tokenName);
}

/** The least arguments that pass GraphQL's validation: required ones only, each its type's plainest value. */
function minimalValue(type: GraphQLInputType): unknown {
  if (isNonNullType(type)) return minimalValue(type.ofType);
  if (isListType(type)) return [];
  if (isEnumType(type)) return type.getValues()[0]?.name;
  if (isInputObjectType(type)) {
    return Object.fromEntries(
      Object.values(type.getFields())
        .filter((field) => isNonNullType(field.type))
        .map((field) => [field.name, minimalValue(field.type)]),
    );
  }
  const scalars: Record<string, unknown> = {
    String: 'berth-deploy-token-none',
    ID: 'berth-deploy-token-none',
    Int: 1,
    SafeInt: 1,
    Float: 1,
    Boolean: false,
    DateTime: new Date().toISOString(),
    JSONObject: {},
  };
  const name = getNamedType(type).name;
  if (!(name in scalars)) throw new Error(`no minimal value for scalar ${name}`);
  return scalars[name];
}

/** One operation on `field` with its required arguments as variables (the fuzzer's way, at its least). */
function operationOn(kind: 'query' | 'mutation' | 'subscription', field: GraphQLField<unknown, unknown>) {
  const args = field.args.filter((arg) => isNonNullType(arg.type));
  const variables = Object.fromEntries(args.map((arg) => [arg.name, minimalValue(arg.type)]));
  const definitions = args.map((arg) => `$${arg.name}: ${String(arg.type)}`).join(', ');
  const call = args.map((arg) => `${arg.name}: $${arg.name}`).join(', ');
  // Only the type's name: what is answered does not matter, only that nothing is.
  const selection = isLeafType(getNamedType(field.type)) ? '' : '{ __typename }';
  const query = `${kind} Walk${definitions ? `(${definitions})` : ''} { ${field.name}${call ? `(${call})` : ''} ${selection} }`;
  return { query, variables };
}

/** The engine requests that change something (anything but GET and HEAD), from `from` on. */
const engineWrites = (from: number) =>
  recorder.requests.slice(from).filter((request) => request.method !== 'GET' && request.method !== 'HEAD');

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'berth-deploy-tokens-'));
  const engine = parseDockerHost(inject('dockerHost'));
  if (engine.kind !== 'unix') throw new Error('this test records engine requests on a unix socket');
  recorder = new EngineRecorder(join(dir, 'docker.sock'), engine.socketPath);
  await recorder.listen();
  docker = testDocker(inject('dockerHost'));
  berth = await startBerth(
    {
      BERTH_AUTH: 'on',
      DOCKER_HOST: `unix://${join(dir, 'docker.sock')}`,
      BERTH_RATE_LIMIT_PER_MINUTE: '100000',
      BERTH_IMAGE_UPDATE_CHECK_MINUTES: '0',
    },
    { label: FILE },
  );
  admin = berth.asRole('admin', 'deploy-tokens-admin');
}, 60_000);

afterAll(async () => {
  for (const name of stacks) await admin?.query(RemoveStack, { name, volumes: true }).catch(() => undefined);
  await berth?.stop();
  await recorder?.close();
  if (docker) await cleanupLabelled(docker, `${TEST_LABEL}=${FILE}`);
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('a deploy token scoped REDEPLOY_STACK', () => {
  let stack: string;
  let other: string;
  let token: BerthClient & { name: string };

  beforeAll(async () => {
    stack = stackName('dt');
    other = stackName('dt-other');
    await deployStack(stack);
    await deployStack(other);
    token = await deployToken('REDEPLOY_STACK', stack);
  }, 120_000);

  it('redeploys its stack, under its name in the audit log, and is listed with its scope', async () => {
    const { redeployStack } = await token.query(RedeployStack, { name: stack, pull: false });
    expect(redeployStack).toMatchObject({ __typename: 'DeployStackResult', ok: true });
    expect(await auditOf(token.name)).toContainEqual(
      expect.objectContaining({ action: 'redeployStack', target: stack, result: 'ok' }),
    );
    const { tokens } = await admin.query(ListTokens, {});
    expect(tokens.find((listed) => listed.name === token.name)).toMatchObject({
      scope: { operation: 'REDEPLOY_STACK', target: stack },
    });
  }, 60_000);

  it('is FORBIDDEN for another stack, saying what it may do, and the refusal is audited', async () => {
    const answer = await token.graphql(RedeployStack, { name: other, pull: false });
    expect(answer.errors?.[0]?.extensions?.['code']).toBe('FORBIDDEN');
    expect(answer.errors?.[0]?.message).toContain(`redeployStack(name: "${stack}")`);
    expect(await auditOf(token.name)).toContainEqual(
      expect.objectContaining({ action: 'redeployStack', target: other, result: 'denied' }),
    );
  });

  it('is FORBIDDEN for every root field of the schema, and none of them runs', async () => {
    const before = recorder.requests.length;
    const answers: { field: string; code: unknown }[] = [];
    for (const [kind, type] of [
      ['query', schema.getQueryType()],
      ['mutation', schema.getMutationType()],
    ] as const) {
      for (const field of Object.values(type!.getFields())) {
        const { query, variables } = operationOn(kind, field);
        const response = await token.fetch('/graphql', {
          method: 'POST',
          headers: { 'content-type': 'application/json', accept: 'application/json' },
          body: JSON.stringify({ query, variables }),
        });
        const body = (await response.json()) as { errors?: { extensions?: { code?: unknown } }[] };
        answers.push({ field: `${kind} ${field.name}`, code: body.errors?.[0]?.extensions?.code });
      }
    }
    const subscriptions = Object.values(schema.getSubscriptionType()!.getFields());
    const ws = token.ws();
    for (const field of subscriptions) {
      const { query, variables } = operationOn('subscription', field);
      // Server-Sent Events, as Yoga serves subscriptions over HTTP.
      const response = await token.fetch('/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
        body: JSON.stringify({ query, variables }),
      });
      const text = await response.text();
      const data = text.split('\n').find((line) => line.startsWith('data: '));
      const sse = data ? (JSON.parse(data.slice('data: '.length)) as { errors?: unknown[] }) : {};
      answers.push({
        field: `sse ${field.name}`,
        code: (sse.errors?.[0] as { extensions?: { code?: unknown } } | undefined)?.extensions?.code,
      });
      // graphql-ws.
      const refused = await new Promise<unknown>((resolve) => {
        const stop = ws.subscribe(
          { query, variables },
          {
            next: (message) => resolve(message.errors?.[0]?.extensions?.['code']),
            error: (error) =>
              resolve(
                (Array.isArray(error) ? (error[0] as { extensions?: { code?: unknown } }) : undefined)
                  ?.extensions?.code ?? error,
              ),
            complete: () => resolve('completed without an answer'),
          },
        );
        setTimeout(() => (stop(), resolve('no answer')), 5_000);
      });
      answers.push({ field: `ws ${field.name}`, code: refused });
    }
    await ws.dispose();
    const roots = [schema.getQueryType()!, schema.getMutationType()!].map(
      (type) => Object.keys(type.getFields()).length,
    );
    expect(answers.length).toBe(roots[0]! + roots[1]! + 2 * subscriptions.length);
    expect(answers.filter((answer) => answer.code !== 'FORBIDDEN')).toEqual([]);
    expect(engineWrites(before)).toEqual([]);
    // Every refusal is in the audit log under the token's name.
    const audited = await auditOf(token.name);
    expect(audited.filter((entry) => entry.result === 'denied').length).toBeGreaterThan(50);
  }, 120_000);

  it('is FORBIDDEN on the REST shim and /metrics, audited, and nothing runs', async () => {
    const before = recorder.requests.length;
    for (const [method, path] of [
      ['GET', '/containers'],
      ['POST', '/containers'],
      ['GET', '/containers/berth-deploy-token-none'],
      ['POST', '/containers/berth-deploy-token-none'],
      ['DELETE', '/containers/berth-deploy-token-none'],
      ['GET', '/containers/berth-deploy-token-none/logs'],
      ['GET', '/metrics'],
    ] as const) {
      const response = await token.fetch(path, {
        method,
        ...(method === 'POST' && { headers: { 'content-type': 'application/json' }, body: '{}' }),
      });
      expect(response.status, `${method} ${path}`).toBe(403);
      const body = (await response.json()) as { error: { code: string; message: string } };
      expect(body.error.code).toBe('FORBIDDEN');
      expect(body.error.message).toContain(`redeployStack(name: "${stack}")`);
    }
    expect(engineWrites(before)).toEqual([]);
    expect((await auditOf(token.name)).map((entry) => entry.action)).toContain('DELETE /containers/{id}');
  });

  it('is UNAUTHENTICATED once revoked', async () => {
    const { revokeToken } = await admin.query(RevokeToken, { reference: token.name });
    expect(revokeToken.__typename).toBe('RevokeTokenSuccess');
    const answer = await token.graphql(RedeployStack, { name: stack, pull: false });
    expect(answer.errors?.[0]?.extensions?.['code']).toBe('UNAUTHENTICATED');
  });
});

describe('a deploy token scoped SYNC_STACK', () => {
  it('reaches syncStack for its stack only (a stack not from git answers its typed error), nothing else', async () => {
    const stack = stackName('dt-sync');
    await deployStack(stack);
    const token = await deployToken('SYNC_STACK', stack);
    const before = recorder.requests.length;
    const { syncStack } = await token.query(SyncStack, { name: stack });
    // The field ran for it: a stack deployed from a file has no repository to fetch.
    expect(syncStack.__typename).not.toBe('SyncStackSuccess');
    expect(syncStack).toMatchObject({ code: expect.any(String) });
    expect(await auditOf(token.name)).toContainEqual(
      expect.objectContaining({ action: 'syncStack', target: stack }),
    );
    for (const answer of [
      await token.graphql(SyncStack, { name: `${stack}-other` }),
      await token.graphql(RedeployStack, { name: stack }),
    ]) {
      expect(answer.errors?.[0]?.extensions?.['code']).toBe('FORBIDDEN');
      expect(answer.errors?.[0]?.message).toContain(`syncStack(name: "${stack}")`);
    }
    expect(engineWrites(before)).toEqual([]);
  }, 60_000);
});

describe('a deploy token scoped REDEPLOY_CONTAINER', () => {
  it('redeploys its container only, and not onto another image', async () => {
    const names = [uniqueName('dt-c'), uniqueName('dt-c-other')];
    for (const name of names) {
      const container = await docker.createContainer({
        name,
        Image: inject('testImage'),
        Cmd: ['sh', '-c', "trap 'exit 0' TERM; while :; do sleep 1; done"],
        Labels: { [TEST_LABEL]: FILE },
      });
      await container.start();
    }
    const [mine, theirs] = names as [string, string];
    const token = await deployToken('REDEPLOY_CONTAINER', mine);

    const { redeployContainer } = await token.query(RedeployContainer, { id: mine, drainSeconds: 0 });
    expect(redeployContainer.__typename).toBe('RedeployContainerSuccess');
    expect(await auditOf(token.name)).toContainEqual(
      expect.objectContaining({ action: 'redeployContainer', target: mine, result: 'ok' }),
    );

    const before = recorder.requests.length;
    for (const variables of [
      { id: theirs },
      { id: mine, image: 'berth-deploy-token-other:latest' },
      { id: mine, env: [{ name: 'A', value: 'b' }] },
    ]) {
      const answer = await token.graphql(RedeployContainer, variables);
      expect(answer.errors?.[0]?.extensions?.['code'], JSON.stringify(variables)).toBe('FORBIDDEN');
      expect(answer.errors?.[0]?.message).toContain(`redeployContainer(id: "${mine}")`);
    }
    const stack = await token.graphql(RedeployStack, { name: 'bt-any' });
    expect(stack.errors?.[0]?.extensions?.['code']).toBe('FORBIDDEN');
    expect(engineWrites(before)).toEqual([]);
  }, 120_000);

  it('answers the typed not-found when its container does not exist', async () => {
    const token = await deployToken('REDEPLOY_CONTAINER', `${FILE}-gone`);
    const { redeployContainer } = await token.query(RedeployContainer, { id: `${FILE}-gone` });
    expect(redeployContainer).toMatchObject({ code: 'NOT_FOUND' });
  });
});
