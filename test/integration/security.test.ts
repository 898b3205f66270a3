import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { print } from 'graphql';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import WebSocket from 'ws';
import { TEST_LABEL, cleanupLabelled, parseDockerHost, testDocker } from '../harness/docker.js';
import { startBerth, uniqueName, type RunningBerth } from '../support/berth.js';
import {
  AuditLog,
  ContainerEventsSubscription,
  CreateContainer,
  CreateNetwork,
  CreateToken,
  CreateVolume,
  ListContainers,
  ListTokens,
  PruneImages,
  RemoveContainer,
  RemoveNetwork,
  RemoveVolume,
  RevokeToken,
  SystemQuery,
} from '../support/operations/index.js';
import { SocketForwarder } from '../support/socket-forwarder.js';
import { subscribe } from '../support/subscriptions.js';
import { waitFor } from '../support/wait.js';

/**
 * Authentication and roles on every route, counted: berth reaches the engine through a socket
 * that forwards to the real engine and counts every request, so "0 Docker calls" is measured.
 */

let dir: string;
let forwarder: SocketForwarder;
let berth: RunningBerth;
const tokens: Record<'admin' | 'operator' | 'viewer' | 'revoked', string> = {
  admin: '',
  operator: '',
  viewer: '',
  revoked: '',
};
const label = { name: TEST_LABEL, value: 'security' };

/** Authentication on, the engine behind the counting socket, state kept in this file's directory. */
function securedEnv(extra: Record<string, string> = {}): Record<string, string> {
  return {
    BERTH_AUTH: 'on',
    DOCKER_HOST: `unix://${join(dir, 'docker.sock')}`,
    BERTH_DATA_DIR: join(dir, 'data'),
    BERTH_AUTH_FAILURES_PER_MINUTE: '100000',
    ...extra,
  };
}

/**
 * A request with whatever Authorization value (or none) the test makes up: for credentials that
 * must be refused. A client with a real token is `berth.as(token)`.
 */
async function call(
  method: string,
  path: string,
  options: { authorization?: string | undefined; body?: unknown; accept?: string } = {},
): Promise<Response> {
  const headers: Record<string, string> = {};
  if (options.authorization !== undefined) headers['authorization'] = options.authorization;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  headers['accept'] = options.accept ?? 'application/json';
  return fetch(`${berth.url}${path}`, {
    method,
    headers,
    ...(options.body !== undefined && { body: JSON.stringify(options.body) }),
  });
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'berth-sec-'));
  const engine = parseDockerHost(inject('dockerHost'));
  if (engine.kind !== 'unix')
    throw new Error('this test counts requests on a forwarded unix socket; the harness engine is on tcp');
  forwarder = new SocketForwarder(join(dir, 'docker.sock'), engine.socketPath);
  await forwarder.listen();
  berth = await startBerth(securedEnv(), { label: 'security' });
  for (const role of ['admin', 'operator', 'viewer'] as const) tokens[role] = berth.asRole(role).token;
  tokens.revoked = berth.asRole('admin', 'test-revoked').token;
  berth.app.tokens.revoke('test-revoked');
  // berth's own start-up calls (the list, the events stream, the stats source) are done first.
  await waitFor(async () => {
    if (berth.app.stats.sourceKind === 'undetected') throw new Error('stats source not chosen yet');
  });
});

afterAll(async () => {
  await berth?.stop();
  await forwarder?.cut();
  await rm(dir, { recursive: true, force: true });
  await cleanupLabelled(testDocker(inject('dockerHost')), `${TEST_LABEL}=security`);
});

describe('every route refuses bad credentials before any engine call', () => {
  const routes: { method: string; path: string; body?: unknown }[] = [
    { method: 'POST', path: '/graphql', body: { query: print(ListContainers) } },
    {
      method: 'POST',
      path: '/graphql',
      body: { query: print(CreateContainer), variables: { input: { image: 'berth-test/busybox' } } },
    },
    { method: 'GET', path: '/graphql?query=%7B%20containers%20%7B%20id%20%7D%20%7D' },
    { method: 'GET', path: '/containers' },
    { method: 'POST', path: '/containers', body: { name: 'sec-x', image: 'berth-test/busybox' } },
    { method: 'GET', path: '/containers/whatever' },
    { method: 'POST', path: '/containers/whatever' },
    { method: 'DELETE', path: '/containers/whatever' },
    { method: 'GET', path: '/containers/whatever/logs' },
    { method: 'GET', path: '/containers/whatever/logs?follow=1' },
  ];

  it('answers 401 (or 400 for a token in the URL) for every route × every kind of bad credential, with 0 engine calls', async () => {
    const random = `berth_${'0'.repeat(12)}_${'A'.repeat(43)}`;
    const credentials: { name: string; authorization?: string; query?: string }[] = [
      { name: 'no header' },
      { name: 'empty', authorization: '' },
      { name: 'malformed', authorization: 'Bearer' },
      { name: 'wrong', authorization: `Bearer ${random}` },
      { name: 'revoked', authorization: `Bearer ${tokens.revoked}` },
      { name: 'constructor', authorization: 'Bearer constructor' },
      { name: '__proto__', authorization: 'Bearer __proto__' },
      { name: 'token in the query string', query: `token=${tokens.admin}` },
      { name: 'wrong scheme', authorization: `Basic ${tokens.admin}` },
    ];
    const before = forwarder.requests.length;
    let refused = 0;
    for (const route of routes) {
      for (const credential of credentials) {
        const path = credential.query
          ? `${route.path}${route.path.includes('?') ? '&' : '?'}${credential.query}`
          : route.path;
        const response = await call(route.method, path, {
          authorization: credential.authorization,
          body: route.body,
        });
        const expected = credential.query ? 400 : 401;
        expect(response.status, `${route.method} ${path} with ${credential.name}`).toBe(expected);
        const text = await response.text();
        expect(text).not.toMatch(/at .*\.ts:\d+/); // no stack trace
        refused += 1;
      }
    }
    expect(refused).toBe(routes.length * credentials.length);
    expect(forwarder.requests.slice(before)).toEqual([]);
  });

  it('refuses every root field without a token', async () => {
    // Every root field of the schema, bare: text made from the schema, not a test document.
    const { schema } = await import('../../src/api/graphql/index.js');
    const fields = [
      ...Object.keys(schema.getQueryType()!.getFields()).map((f) => `query { ${f} }`),
      ...Object.keys(schema.getMutationType()!.getFields()).map((f) => `mutation { ${f} }`),
      ...Object.keys(schema.getSubscriptionType()!.getFields()).map((f) => `subscription { ${f} }`),
    ];
    const before = forwarder.requests.length;
    for (const query of fields) {
      const response = await call('POST', '/graphql', { body: { query } });
      expect(response.status, query).toBe(401);
      expect(await response.json()).toMatchObject({ errors: [{ extensions: { code: 'UNAUTHENTICATED' } }] });
    }
    expect(forwarder.requests.slice(before)).toEqual([]);
  });

  it('keeps /healthz open, saying only up or down', async () => {
    const response = await call('GET', '/healthz');
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok', engine: 'up' });
  });
});

describe('roles', () => {
  it('allows each operation exactly where the role table says, refusing before any engine call', async () => {
    const table: {
      name: string;
      run: (token: string) => Promise<boolean>;
      needs: 'viewer' | 'operator' | 'admin';
    }[] = [
      {
        name: 'containers query',
        needs: 'viewer',
        run: async (t) => !(await berth.as(t).graphql(ListContainers)).errors,
      },
      {
        name: 'system query',
        needs: 'viewer',
        run: async (t) => !(await berth.as(t).graphql(SystemQuery)).errors,
      },
      {
        name: 'REST list',
        needs: 'viewer',
        run: async (t) => (await berth.as(t).fetch('/containers')).status === 200,
      },
      {
        name: 'createContainer',
        needs: 'operator',
        run: async (t) =>
          !(
            await berth.as(t).graphql(CreateContainer, {
              input: {
                name: uniqueName('role'),
                image: 'berth-test/busybox:latest',
                labels: [label],
                start: false,
              },
            })
          ).errors,
      },
      {
        name: 'REST create',
        needs: 'operator',
        run: async (t) =>
          (
            await berth.as(t).fetch('/containers', {
              method: 'POST',
              headers: { 'content-type': 'application/json' },
              body: JSON.stringify({ name: `${uniqueName('rest')}`, image: 'no such image!' }),
            })
          ).status !== 403,
      },
      {
        name: 'pruneImages',
        needs: 'operator',
        run: async (t) => !(await berth.as(t).graphql(PruneImages)).errors,
      },
      {
        name: 'tokens query',
        needs: 'admin',
        run: async (t) => !(await berth.as(t).graphql(ListTokens)).errors,
      },
      {
        name: 'auditLog query',
        needs: 'admin',
        run: async (t) => !(await berth.as(t).graphql(AuditLog)).errors,
      },
      {
        name: 'createToken',
        needs: 'admin',
        run: async (t) =>
          !(await berth.as(t).graphql(CreateToken, { name: uniqueName('tok').slice(0, 60), role: 'VIEWER' }))
            .errors,
      },
    ];
    const rank = { viewer: 1, operator: 2, admin: 3 } as const;
    for (const role of ['viewer', 'operator', 'admin'] as const) {
      for (const operation of table) {
        const allowed = rank[role] >= rank[operation.needs];
        const before = forwarder.requests.length;
        expect(await operation.run(tokens[role]), `${role} ${operation.name}`).toBe(allowed);
        if (!allowed) expect(forwarder.requests.slice(before), `${role} ${operation.name}`).toEqual([]);
      }
    }
    const refused = await berth.as(tokens.viewer).graphql(PruneImages);
    expect(refused.errors?.[0]?.extensions).toMatchObject({ code: 'FORBIDDEN' });
  });
});

describe('the role table, for every root field', () => {
  it('allows each role exactly the root fields its rank reaches (executed in process, checks before resolvers)', async () => {
    const graphql = await import('graphql');
    const { execute, subscribe, parse, getNamedType, isLeafType } = graphql;
    // A literal for any required input type, so the role check (not argument coercion) decides.
    const literal = (type: import('graphql').GraphQLInputType): string => {
      if (graphql.isNonNullType(type)) return literal(type.ofType);
      if (graphql.isListType(type)) return `[${literal(type.ofType)}]`;
      if (graphql.isEnumType(type)) return type.getValues()[0]!.name;
      if (graphql.isInputObjectType(type)) {
        const required = Object.values(type.getFields()).filter((f) => graphql.isNonNullType(f.type));
        return `{ ${required.map((f) => `${f.name}: ${literal(f.type)}`).join(', ')} }`;
      }
      const scalar: Record<string, string> = {
        Int: '1',
        Float: '1',
        Boolean: 'false',
        SafeInt: '1',
        DateTime: '"2026-01-01T00:00:00Z"',
        JSONObject: '{}',
      };
      // Strings are invalid names and references, so an allowed call stops at validation, pulls nothing.
      return scalar[(type as import('graphql').GraphQLScalarType).name] ?? '"Not Valid!"';
    };
    const { schema } = await import('../../src/api/graphql/index.js');
    const ADMIN_FIELDS = new Set([
      'tokens',
      'auditLog',
      'createPolicy',
      'createToken',
      'createDeployToken',
      'revokeToken',
      'setCreatePolicy',
      'alertRules',
      'createAlertRule',
      'updateAlertRule',
      'deleteAlertRule',
      'backup',
      'restore',
      'registryCredentials',
      'saveRegistryCredential',
      'removeRegistryCredential',
      'rotateStackWebhook',
      'addEnvironment',
      'removeEnvironment',
      'importDockerContexts',
    ]);
    // Queries that show what only those who change things need (a webhook's URL and last delivery).
    const OPERATOR_QUERIES = new Set(['stackWebhook']);
    const rank = { viewer: 1, operator: 2, admin: 3 } as const;
    const roots = [
      ['query', schema.getQueryType()!],
      ['mutation', schema.getMutationType()!],
      ['subscription', schema.getSubscriptionType()!],
    ] as const;
    let checked = 0;
    for (const role of ['viewer', 'operator', 'admin'] as const) {
      const contextValue = {
        ...berth.app.context,
        principal: { tokenId: `matrix-${role}`, name: role, role },
      };
      for (const [operation, type] of roots) {
        for (const [name, field] of Object.entries(type.getFields())) {
          const needs = ADMIN_FIELDS.has(name)
            ? 'admin'
            : operation === 'mutation' || OPERATOR_QUERIES.has(name)
              ? 'operator'
              : 'viewer';
          const selection = isLeafType(getNamedType(field.type)) ? '' : ' { __typename }';
          // Only required arguments, with placeholder values: the role check runs before any resolver.
          const required = field.args.filter((arg) => graphql.isNonNullType(arg.type));
          const args = required.length
            ? `(${required.map((arg) => `${arg.name}: ${literal(arg.type)}`).join(', ')})`
            : '';
          const document = parse(`${operation} { ${name}${args}${selection} }`);
          const before = forwarder.requests.length;
          const result =
            operation === 'subscription'
              ? await subscribe({ schema, document, contextValue })
              : await execute({ schema, document, contextValue });
          if (Symbol.asyncIterator in result) await (result as AsyncIterableIterator<unknown>).return?.();
          const errors = 'errors' in result ? (result.errors ?? []) : [];
          const forbidden = errors.some(
            (error) => (error.originalError as { code?: string } | undefined)?.code === 'FORBIDDEN',
          );
          expect(forbidden, `${role} ${operation} ${name}`).toBe(rank[role] < rank[needs]);
          if (forbidden) expect(forwarder.requests.slice(before), `${role} ${name}`).toEqual([]);
          checked += 1;
        }
      }
    }
    expect(checked).toBeGreaterThan(60);
  });
});

// Hand-written graphql-transport-ws peers: these tests are about the frames themselves (what comes
// before connection_init, its size, the upgrade URL), so they write them, query and all, as text.
describe('WebSocket', () => {
  const url = () => `${berth.url.replace(/^http/, 'ws')}/graphql`;
  const closeOf = (socket: WebSocket) =>
    new Promise<number>((resolve) => socket.once('close', (code) => resolve(code)));
  const open = async () => {
    const socket = new WebSocket(url(), 'graphql-transport-ws');
    await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
    return socket;
  };

  it('closes 4408 without connection_init, 4403 for a bad token, 4401 for subscribe before ack', async () => {
    const idle = await open();
    expect(await closeOf(idle)).toBe(4408);

    const bad = await open();
    bad.send(JSON.stringify({ type: 'connection_init', payload: { authorization: 'Bearer nope' } }));
    expect(await closeOf(bad)).toBe(4403);

    const early = await open();
    early.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query: '{ containers { id } }' } }));
    expect(await closeOf(early)).toBe(4401);
  }, 20_000);

  it('closes a connection that sends a frame over 1 MiB', async () => {
    const socket = await open();
    socket.send(
      JSON.stringify({
        type: 'connection_init',
        payload: { authorization: `Bearer ${tokens.viewer}`, pad: 'x'.repeat(1024 * 1024 + 10) },
      }),
    );
    expect(await closeOf(socket)).toBe(1009);
  });

  it('refuses a token in the upgrade URL', async () => {
    const socket = new WebSocket(`${url()}?token=${tokens.admin}`, 'graphql-transport-ws');
    const status = await new Promise<number>((resolve) =>
      socket
        .once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0))
        .once('error', () => resolve(-1)),
    );
    expect(status).toBe(400);
  });

  it('ends the open subscriptions of a token when it is revoked', async () => {
    let closedWith = 0;
    // Lazy: the close that ends it is expected, not an error for graphql-ws to print.
    const client = berth.asRole('viewer', 'to-revoke').ws({
      lazy: true,
      on: { closed: (event) => (closedWith = (event as { code: number }).code) },
    });
    let ended = false;
    const end = () => (ended = true);
    void subscribe(client, ContainerEventsSubscription).completed.then(end, end);
    await waitFor(async () => {
      if (berth.app.websocketClients() < 1) throw new Error('not connected');
    });
    await new Promise((resolve) => setTimeout(resolve, 300));
    const { revokeToken } = await berth.as(tokens.admin).query(RevokeToken, { reference: 'to-revoke' });
    expect(revokeToken.__typename).toBe('RevokeTokenSuccess');
    await waitFor(async () => {
      if (!ended) throw new Error('still open');
    });
    expect(closedWith).toBe(4403);
    await client.dispose();
  });
});

describe('the audit log', () => {
  it('holds every change and every denial, and survives a restart', async () => {
    const name = uniqueName('audited');
    await berth.as(tokens.operator).graphql(CreateContainer, {
      input: { name, image: 'berth-test/busybox:latest', labels: [label], start: false },
    });
    await berth.as(tokens.viewer).graphql(RemoveContainer, { id: name, force: true });
    await call('GET', '/containers', { authorization: 'Bearer nonsense' });
    const rest = await berth.as(tokens.operator).fetch(`/containers/${name}`, { method: 'DELETE' });
    expect(rest.status).toBe(204);

    const { entries } = (await berth.as(tokens.admin).query(AuditLog, { first: 50 })).auditLog;
    expect(entries).toContainEqual(
      expect.objectContaining({
        action: 'createContainer',
        target: name,
        result: 'ok',
        tokenName: 'test-operator',
      }),
    );
    expect(entries).toContainEqual(
      expect.objectContaining({
        action: 'removeContainer',
        target: name,
        result: 'denied',
        tokenName: 'test-viewer',
      }),
    );
    // Refusals are counted per address, route, reason and minute: this one may have joined the
    // entry an earlier refusal of the minute made, further down the log.
    const refused = await berth.as(tokens.admin).query(AuditLog, {
      first: 5,
      filter: { action: 'GET /containers', result: 'denied' },
    });
    expect(refused.auditLog.entries[0]).toMatchObject({
      tokenName: null,
      count: expect.any(Number),
    });
    expect(entries).toContainEqual(
      expect.objectContaining({
        action: 'DELETE /containers/{id}',
        target: name,
        result: 'ok',
        tokenName: 'test-operator',
      }),
    );
    expect(JSON.stringify(entries)).not.toContain(tokens.operator.slice(20));

    // A new berth on the same data directory has the same log.
    await berth.stop();
    berth = await startBerth(securedEnv(), { label: 'security' });
    const kept = (await berth.as(tokens.admin).query(AuditLog, { first: 200 })).auditLog.entries;
    expect(kept).toContainEqual(
      expect.objectContaining({ action: 'createContainer', target: name, result: 'ok' }),
    );
    expect(kept.length).toBeGreaterThanOrEqual(entries.length);
  });
});

describe('what reaches the engine of a create', () => {
  it('sends env and labels in the body only: a create of several hundred KB succeeds, its request line names no value', async () => {
    const secret = `secret-${crypto.randomUUID()}`;
    // 600 KB of JSON-ish values, as secrets and configs often are: in a URL every quote and brace
    // takes 3 to 6 bytes, and the engine refuses a request line over 1 MiB (431).
    const value = (i: number) => `{"key":"${secret}-${i}","pem":"a/b+c=="}`.repeat(250).slice(0, 10_000);
    const json = (i: number) => `{"a":"${i}"}`.repeat(1000).slice(0, 10_000);
    const env = Array.from({ length: 40 }, (_, i) => ({ name: `CONFIG_${i}`, value: value(i) }));
    const labels = [label, ...Array.from({ length: 20 }, (_, i) => ({ name: `big.${i}`, value: json(i) }))];
    const name = uniqueName('large');
    const before = forwarder.requests.length;
    const result = await berth.as(tokens.operator).graphql(CreateContainer, {
      input: { name, image: 'berth-test/busybox:latest', env, labels, start: true },
    });
    expect(result.errors).toBeUndefined();
    expect(result.data?.['createContainer']).toMatchObject({
      __typename: 'CreateContainerSuccess',
      container: { status: 'RUNNING' },
    });
    const sent = forwarder.requests.slice(before);
    expect(sent.filter((line) => line.includes('/containers/create'))).toEqual([
      expect.stringMatching(new RegExp(`^POST (/v[\\d.]+)?/containers/create\\?name=${name}$`)),
    ]);
    expect(sent.join('\n')).not.toContain(secret);
    expect(sent.join('\n')).not.toMatch(/CONFIG_|big\./);
    const inspected = await testDocker(inject('dockerHost')).getContainer(name).inspect();
    expect(inspected.Config.Env).toEqual(expect.arrayContaining(env.map((e) => `${e.name}=${e.value}`)));
    expect(inspected.Config.Labels['big.19']).toBe(json(19));
  });

  it('sends network and volume labels in the body only', async () => {
    const secret = `secret-${crypto.randomUUID()}`;
    const labels = [{ name: 'berth.secret-label', value: secret }];
    const admin = berth.as(tokens.admin);
    const network = uniqueName('net-labels');
    const volume = uniqueName('vol-labels');
    const before = forwarder.requests.length;
    try {
      const made = await admin.graphql(CreateNetwork, { name: network, labels });
      expect(made.data?.['createNetwork']).toMatchObject({ __typename: 'CreateNetworkSuccess' });
      const kept = await admin.graphql(CreateVolume, { name: volume, labels });
      expect(kept.data?.['createVolume']).toMatchObject({ __typename: 'CreateVolumeSuccess' });
      const sent = forwarder.requests.slice(before);
      expect(sent.filter((line) => /\/(networks|volumes)\/create/.test(line))).toHaveLength(2);
      expect(sent.join('\n')).not.toContain(secret);
      expect(sent.join('\n')).not.toContain('berth.secret-label');
      const engine = testDocker(inject('dockerHost'));
      expect((await engine.getNetwork(network).inspect()).Labels).toMatchObject({
        'berth.secret-label': secret,
      });
      expect((await engine.getVolume(volume).inspect()).Labels).toMatchObject({
        'berth.secret-label': secret,
      });
    } finally {
      await admin.graphql(RemoveNetwork, { id: network });
      await admin.graphql(RemoveVolume, { name: volume, force: true });
    }
  });
});

describe('the audit log under a flood of refusals', () => {
  it('keeps one row per (address, reason, minute) with a count, whatever paths the flood varies', async () => {
    const flooded = await startBerth(securedEnv({ BERTH_DATA_DIR: join(dir, 'data-flood') }), {
      label: 'security',
    });
    try {
      const admin = flooded.asRole('admin', 'flood-admin');
      const paths = (i: number) => [
        `/containers/x${i}`,
        `/nothing-${i}/y`,
        '/graphql',
        `/containers/x${i}/logs`,
      ];
      // 20 clients, 50 refused requests each, on paths that never repeat.
      await Promise.all(
        Array.from({ length: 20 }, async (_, client) => {
          for (let i = 0; i < 50; i += 1) {
            const path = paths(client * 50 + i)[i % 4]!;
            const response = await fetch(`${flooded.url}${path}`, {
              headers: { authorization: 'Bearer wrong' },
            });
            expect(response.status).toBe(401);
          }
        }),
      );
      const page = await admin.query(AuditLog, { first: 200, filter: { result: 'denied' } });
      const { entries } = page.auditLog;
      // One row per route shape, and two of each at most (the flood may cross a minute).
      expect(entries.length).toBeLessThanOrEqual(8);
      expect(new Set(entries.map((e) => e.action))).toEqual(
        new Set(['GET /containers/{id}', 'GET (another path)', 'GET /graphql', 'GET /containers/{id}/logs']),
      );
      expect(entries.reduce((sum, e) => sum + e.count, 0)).toBe(1000);
      expect(entries.every((e) => e.detail === 'UNAUTHENTICATED from 127.0.0.1')).toBe(true);
    } finally {
      await flooded.stop();
    }
  });
});

describe('rate limits', () => {
  it('answers 429 with Retry-After after too many failed authentications from one address, and 1013 (retryable) on WebSocket', async () => {
    const limited = await startBerth(
      securedEnv({ BERTH_AUTH_FAILURES_PER_MINUTE: '3', BERTH_DATA_DIR: join(dir, 'data-limited') }),
      {
        label: 'security',
      },
    );
    try {
      for (let i = 0; i < 3; i += 1) {
        expect(
          (await fetch(`${limited.url}/containers`, { headers: { authorization: 'Bearer wrong' } })).status,
        ).toBe(401);
      }
      const refused = await fetch(`${limited.url}/containers`, {
        headers: { authorization: 'Bearer wrong' },
      });
      expect(refused.status).toBe(429);
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
      const socket = new WebSocket(`${limited.url.replace(/^http/, 'ws')}/graphql`, 'graphql-transport-ws');
      await new Promise((resolve) => socket.once('open', resolve));
      socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization: 'Bearer wrong' } }));
      // "Try Again Later", which clients retry: graphql-ws's own 4429 would end its client for good.
      const [code, reason] = await new Promise<[number, string]>((resolve) =>
        socket.once('close', (closeCode, closeReason) => resolve([closeCode, closeReason.toString()])),
      );
      expect(code).toBe(1013);
      expect(reason).toMatch(/too many failed authentications from this address; retry after \d+ s/);
    } finally {
      await limited.stop();
    }
  });

  it("never locks a valid token out for its address's failed attempts, over HTTP or graphql-ws", async () => {
    const limited = await startBerth(
      securedEnv({ BERTH_AUTH_FAILURES_PER_MINUTE: '3', BERTH_DATA_DIR: join(dir, 'data-lockout') }),
      { label: 'security' },
    );
    try {
      const valid = limited.asRole('viewer', 'valid');
      const wrong = async () =>
        (await fetch(`${limited.url}/containers`, { headers: { authorization: 'Bearer wrong' } })).status;
      const failures: number[] = [];
      for (let i = 0; i < 6; i += 1) failures.push(await wrong());
      expect(failures).toEqual([401, 401, 401, 429, 429, 429]);

      // The same address, a valid token: answered, and not counted as a failure either.
      expect((await valid.fetch('/containers')).status).toBe(200);
      const client = valid.ws();
      try {
        const { containers } = await subscribe(client, ListContainers).next();
        expect(containers).toEqual(expect.any(Array));
      } finally {
        await client.dispose();
      }
      // Failures from the address are still refused.
      expect(await wrong()).toBe(429);
    } finally {
      await limited.stop();
    }
  });

  it('closes a graphql-ws connection past its own token rate with 1013, which graphql-ws retries', async () => {
    const limited = await startBerth(
      securedEnv({ BERTH_RATE_LIMIT_PER_MINUTE: '2', BERTH_DATA_DIR: join(dir, 'data-ws-rate') }),
      { label: 'security' },
    );
    try {
      const busy = limited.asRole('viewer', 'busy-ws');
      for (let i = 0; i < 2; i += 1) await busy.fetch('/containers');
      const closes: number[] = [];
      const client = busy.ws({
        lazy: true,
        retryAttempts: 2,
        retryWait: async () => undefined,
        on: { closed: (event) => closes.push((event as { code: number }).code) },
      });
      // The raw sink: the test wants the close event graphql-ws ends the subscription with.
      const failure = await new Promise<unknown>((resolve) =>
        client.subscribe(
          { query: print(ListContainers) },
          { next() {}, error: resolve, complete: () => resolve(null) },
        ),
      );
      await client.dispose();
      expect((failure as { code?: number }).code).toBe(1013);
      // Tried again after each close, as graphql-ws does for a transient refusal, not given up at once.
      expect(closes).toEqual([1013, 1013, 1013]);
    } finally {
      await limited.stop();
    }
  });

  it('answers 429 to a token past its requests per minute', async () => {
    const limited = await startBerth(
      securedEnv({ BERTH_RATE_LIMIT_PER_MINUTE: '5', BERTH_DATA_DIR: join(dir, 'data-rate') }),
      {
        label: 'security',
      },
    );
    try {
      const busy = limited.asRole('viewer', 'busy');
      const statuses: number[] = [];
      for (let i = 0; i < 7; i += 1) statuses.push((await busy.fetch('/containers')).status);
      expect(statuses).toEqual([200, 200, 200, 200, 200, 429, 429]);
    } finally {
      await limited.stop();
    }
  });
});

describe('GraphQL hardening', () => {
  // Hostile bodies, written as text on purpose: no typed document is this deep, wide or broken.
  it('refuses deep, wide, huge and malformed requests with 4xx, never 500, never a stack trace', async () => {
    const nested = (depth: number) => {
      let selection = 'id';
      for (let i = 0; i < depth; i += 1) selection = `container { ${selection} }`;
      return `subscription { containerEvents { ${selection} } }`;
    };
    const bodies: { name: string; init: RequestInit }[] = [];
    for (const depth of [7, 10, 20, 50]) {
      bodies.push({
        name: `depth ${depth}`,
        init: {
          body: JSON.stringify({
            query: `{ containers { ${'labels { name } '.repeat(1)} } } ${nested(depth)}`,
          }),
        },
      });
      bodies.push({
        name: `query depth ${depth}`,
        init: {
          body: JSON.stringify({
            query: `{ ${'system { engine { '.repeat(depth)} up ${'} } '.repeat(depth)} }`,
          }),
        },
      });
    }
    bodies.push({
      name: '1000 aliases',
      init: {
        body: JSON.stringify({
          query: `{ ${Array.from({ length: 1000 }, (_, i) => `a${i}: containers { id }`).join(' ')} }`,
        }),
      },
    });
    bodies.push({
      name: 'huge body',
      init: { body: JSON.stringify({ query: `{ containers { id } } # ${'x'.repeat(2 * 1024 * 1024)}` }) },
    });
    bodies.push({ name: 'bad JSON', init: { body: '{"query": "{ containers { id } }"' } });
    bodies.push({ name: 'not an object', init: { body: '[1, 2, 3]' } });
    bodies.push({
      name: 'batch',
      init: {
        body: JSON.stringify([{ query: '{ containers { id } }' }, { query: '{ system { statsSource } }' }]),
      },
    });
    bodies.push({
      name: 'suggestion bait',
      init: { body: JSON.stringify({ query: '{ containerz { id } }' }) },
    });

    for (const { name, init } of bodies) {
      const response = await berth.as(tokens.admin).fetch('/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        ...init,
      });
      expect(response.status, name).toBeLessThan(500);
      const text = await response.text();
      expect(text, name).not.toMatch(/\.ts:\d+|at [A-Za-z.<>]+ \(/);
      expect(text, name).not.toMatch(/Did you mean/i);
      if (name !== 'bad JSON' && name !== 'huge body')
        expect(JSON.parse(text).errors?.length ?? 0, name).toBeGreaterThan(0);
    }
  });

  it('turns introspection and GraphiQL off when NODE_ENV=production', async () => {
    const production = await startBerth(
      securedEnv({ NODE_ENV: 'production', BERTH_DATA_DIR: join(dir, 'data-production') }),
      {
        label: 'security',
      },
    );
    try {
      // Introspection, which no test document asks for.
      const introspection = await production.asRole('viewer', 'prod').fetch('/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: '{ __schema { types { name } } }' }),
      });
      expect((await introspection.json()).errors?.length).toBeGreaterThan(0);
      const page = await fetch(`${production.url}/graphql`, { headers: { accept: 'text/html' } });
      expect(await page.text()).not.toContain('GraphiQL');
    } finally {
      await production.stop();
    }
  });
});
