import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Docker from 'dockerode';
import fc from 'fast-check';
import type { GraphQLField } from 'graphql';
import { createClient, type Client } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import WebSocket from 'ws';
import { schema } from '../../src/api/graphql/index.js';
import { ERROR_CODES, HTTP_ERROR_CODES } from '../../src/shared/errors.js';
import { TEST_LABEL, cleanupLabelled, parseDockerHost, testDocker } from '../harness/docker.js';
import { startBerth, type RunningBerth } from '../support/berth.js';
import { EngineRecorder, type EngineRequest } from '../support/engine-recorder.js';
import { recordingLogger } from '../support/log.js';
import { operationsOf, type FuzzOperation, type RootKind, type Targets } from '../support/schema-fuzz.js';
import { waitFor } from '../support/wait.js';

/**
 * Schema-driven fuzzing: for every root field (queries and mutations over HTTP, subscriptions over
 * graphql-ws and over SSE), BERTH_FUZZ_RUNS (20) operations generated with fast-check from the
 * field's argument types, hostile strings and numbers among them. berth runs with authentication
 * on, behind a socket that records every request that reaches the engine, body included.
 *
 * Asserted: no answer of 500 or more; every error (top-level, subscription, or a mutation's typed
 * error) carries a code of the error catalog, none of them an internal fault; nothing in berth's
 * log at error level; and no create that reaches the engine asks for privileges, a host path, a
 * host namespace, capabilities, devices or unconfined security.
 *
 * Harmless on an engine other tests share: mutations act on names that do not exist or on what
 * this file made, images are local or from the test registry (nothing is pulled from outside
 * loopback), webhooks point at a closed loopback port, new things carry this run's prefix or label
 * and are removed after, host ports are left to the engine, and the create policy may only stay
 * as tight as it starts. pruneImages, which would prune every dangling image of the engine, is
 * sent with a viewer's token (refused by role).
 *
 * Replay: the seed is printed; BERTH_FUZZ_SEED=<seed> generates the same operations.
 */

const RUNS = Number(process.env['BERTH_FUZZ_RUNS'] ?? 20);
const SEED = process.env['BERTH_FUZZ_SEED'] ? Number(process.env['BERTH_FUZZ_SEED']) : Date.now() % 2 ** 31;
const LABEL = 'fuzz';
const PREFIX = `berth-fuzz-${process.pid}-`;
/** How long a subscription is watched for its first message before it is left. */
const WINDOW_MS = 300;
/** Per-item fields that would start a stats collector for every container of the shared engine. */
const SKIP = new Set(['Container.stats', 'Container.cpu', 'Container.memory']);
const CATALOG = new Set([...Object.keys(ERROR_CODES), ...Object.keys(HTTP_ERROR_CODES)]);
const INTERNAL = new Set(['INTERNAL', 'INTERNAL_SERVER_ERROR']);

let dir: string;
let recorder: EngineRecorder;
let berth: RunningBerth;
let docker: Docker;
let admin: string;
let viewer: string;
let ws: Client;
let engineBaseline = 0;
const log = recordingLogger();
const closes: { code: number; reason: string }[] = [];
const consoleError = vi.spyOn(console, 'error');

/** What the fuzzer tried and how berth answered, per transport. */
const tally = {
  http: { tried: 0, refused: 0, answered: 0 },
  websocket: { tried: 0, refused: 0, answered: 0, silent: 0 },
  sse: { tried: 0, refused: 0, answered: 0, silent: 0 },
  codes: new Map<string, number>(),
};

let targets: Targets;

beforeAll(async () => {
  console.info(
    `[fuzz] seed ${SEED}, ${RUNS} operations per field; replay: BERTH_FUZZ_SEED=${SEED} ` +
      'BERTH_TEST_SHARED_ENGINE=1 npx vitest run test/integration/fuzz.test.ts',
  );
  dir = await mkdtemp(join(tmpdir(), 'berth-fuzz-'));
  const engine = parseDockerHost(inject('dockerHost'));
  if (engine.kind !== 'unix') throw new Error('the fuzzer records engine requests on a unix socket');
  recorder = new EngineRecorder(join(dir, 'docker.sock'), engine.socketPath);
  await recorder.listen();
  docker = testDocker(inject('dockerHost'));

  // One container of the test's own, for the operations that act on something to reach it.
  const target = await docker.createContainer({
    name: `${PREFIX}target`,
    Image: inject('testImage'),
    Cmd: ['sh', '-c', "trap 'exit 0' TERM; while :; do sleep 1; done"],
    Labels: { [TEST_LABEL]: LABEL },
  });
  await target.start();

  berth = await startBerth(
    {
      BERTH_AUTH: 'on',
      DOCKER_HOST: `unix://${join(dir, 'docker.sock')}`,
      BERTH_RATE_LIMIT_PER_MINUTE: '1000000',
      BERTH_AUTH_FAILURES_PER_MINUTE: '1000000',
      BERTH_STATS_SAMPLE: 'watched',
    },
    { logger: log.logger, label: LABEL },
  );
  admin = berth.app.tokens.create({ name: 'fuzz-admin', role: 'admin' }).token;
  viewer = berth.app.tokens.create({ name: 'fuzz-viewer', role: 'viewer' }).token;
  await waitFor(async () => expect(berth.app.index.peek(`${PREFIX}target`)).toBeDefined()).catch(
    () => undefined,
  );

  const registry = inject('registry');
  targets = {
    own: [`${PREFIX}target`],
    readable: [inject('testImage'), 'bridge'],
    localImage: inject('testImage'),
    images: [
      `${registry}/berth-fuzz-absent:latest`,
      `${registry}/berth-fuzz-absent@sha256:${'0'.repeat(64)}`,
    ],
    namePrefix: PREFIX,
    label: { name: TEST_LABEL, value: LABEL },
    urls: [
      'http://127.0.0.1:9/hook',
      'https://127.0.0.1:9/hook',
      'ftp://127.0.0.1/x',
      'not a url',
      'http://[::1]:9/',
    ],
  };
  ws = createClient({
    url: `${berth.url.replace(/^http/, 'ws')}/graphql`,
    webSocketImpl: WebSocket,
    connectionParams: { authorization: `Bearer ${admin}` },
    lazy: false,
    retryAttempts: 0,
    on: { closed: (event) => closes.push(event as { code: number; reason: string }) },
  });
  // A control: a plain create through berth, which the recorder must see whole.
  engineBaseline = recorder.requests.length;
  const control = await graphqlAs(admin, {
    query: 'mutation($input: CreateContainerInput!) { createContainer(input: $input) { __typename } }',
    variables: {
      input: { name: `${PREFIX}control`, image: inject('testImage'), start: false, labels: [targets.label] },
    },
  });
  expect(control).toEqual({ data: { createContainer: { __typename: 'CreateContainerSuccess' } } });
  const seen = recorder.requests.slice(engineBaseline).filter(isCreate).map(specsOf);
  expect(seen.flat().map((spec) => spec['Image'])).toContain(inject('testImage'));
  engineBaseline = recorder.requests.length;
});

async function graphqlAs(token: string, body: Record<string, unknown>): Promise<unknown> {
  const response = await fetch(`${berth.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify(body),
  });
  return response.json();
}

afterAll(async () => {
  console.info(`[fuzz] seed ${SEED}: ${JSON.stringify(summary())}`);
  await ws?.dispose();
  await berth?.stop();
  await recorder?.close();
  if (docker) await removeWhatTheFuzzerMade(docker);
  if (dir) await rm(dir, { recursive: true, force: true });
  consoleError.mockRestore();
});

function summary() {
  const reached = recorder.requests.slice(engineBaseline);
  return {
    http: tally.http,
    websocket: tally.websocket,
    sse: tally.sse,
    engine: {
      requests: reached.length,
      creates: reached.filter(isCreate).length,
      dangerousCreates: reached.filter((request) => dangerOf(request).length > 0).length,
    },
    codes: Object.fromEntries([...tally.codes].sort(([, a], [, b]) => b - a)),
  };
}

/** A per-field seed from the run's: one field can be replayed alone with the same BERTH_FUZZ_SEED. */
function seedOf(name: string): number {
  let hash = SEED;
  for (const char of name) hash = (Math.imul(hash, 31) + char.charCodeAt(0)) | 0;
  return hash;
}

function samples(kind: RootKind, field: GraphQLField<unknown, unknown>): FuzzOperation[] {
  return fc.sample(operationsOf(kind, field, targets, { skip: SKIP }), {
    seed: seedOf(`${kind}.${field.name}`),
    numRuns: RUNS,
  });
}

function describeOperation(operation: FuzzOperation): string {
  return `${operation.shape} ${operation.query} ${JSON.stringify(operation.variables)} (seed ${SEED})`;
}

interface ErrorShape {
  message?: string;
  extensions?: { code?: unknown };
}

/** Every error's code is the catalog's and none is a fault; counted for the summary. */
function checkErrors(errors: readonly ErrorShape[] | undefined, context: string): void {
  for (const error of errors ?? []) {
    const code = String(error.extensions?.code);
    tally.codes.set(code, (tally.codes.get(code) ?? 0) + 1);
    expect(CATALOG, `${code} (${error.message}) for ${context}`).toContain(code);
    expect(INTERNAL, `an internal fault for ${context}: ${error.message}`).not.toContain(code);
  }
}

/** Typed errors inside `data` (a mutation's `... on XError { code }`): catalog codes too. */
function typedErrorCodes(data: unknown): string[] {
  if (Array.isArray(data)) return data.flatMap(typedErrorCodes);
  if (data === null || typeof data !== 'object') return [];
  const record = data as Record<string, unknown>;
  const own =
    typeof record['__typename'] === 'string' && record['__typename'].endsWith('Error') && 'code' in record
      ? [String(record['code'])]
      : [];
  return [...own, ...Object.values(record).flatMap(typedErrorCodes)];
}

async function runOverHttp(kind: RootKind, operation: FuzzOperation): Promise<void> {
  const context = describeOperation(operation);
  const token = operation.field === 'pruneImages' ? viewer : admin;
  const response = await fetch(`${berth.url}/graphql`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/graphql-response+json, application/json',
      authorization: `Bearer ${token}`,
    },
    body: JSON.stringify({
      query: operation.query,
      variables: operation.variables,
      ...(operation.shape !== 'literals' && { operationName: 'Fuzz' }),
    }),
  });
  tally.http.tried += 1;
  const text = await response.text();
  expect(response.status, `${response.status} ${text} for ${context}`).toBeLessThan(500);
  const body = JSON.parse(text) as { data?: unknown; errors?: ErrorShape[] };
  checkErrors(body.errors, context);
  const typed = typedErrorCodes(body.data);
  for (const code of typed) {
    tally.codes.set(code, (tally.codes.get(code) ?? 0) + 1);
    expect(Object.keys(ERROR_CODES), `${code} in the data of ${context}`).toContain(code);
  }
  if ((body.errors?.length ?? 0) > 0 || typed.length > 0) tally.http.refused += 1;
  else tally.http.answered += 1;
  void kind;
}

/** The first message of a subscription over graphql-ws (or nothing within the window), then leave. */
async function runOverWebSocket(operation: FuzzOperation): Promise<void> {
  const context = describeOperation(operation);
  tally.websocket.tried += 1;
  const outcome = await new Promise<{ data?: unknown; errors?: ErrorShape[]; failure?: unknown }>(
    (resolve) => {
      let done = false;
      const finish = (value: { data?: unknown; errors?: ErrorShape[]; failure?: unknown }) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        // Left for the next turn of the event loop: graphql-ws's client (6.4) releases a
        // subscription twice when it is unsubscribed from inside `next` and its `complete` or
        // `error` frame arrived in the same chunk, and the second release drops its connection
        // lock to zero, so the client closes its own socket (1000 "Normal Closure"). By the next
        // turn the client has seen that frame and the unsubscribe is a no-op.
        setImmediate(unsubscribe);
        resolve(value);
      };
      const timer = setTimeout(() => finish({}), WINDOW_MS);
      const unsubscribe = ws.subscribe(
        {
          query: operation.query,
          variables: operation.variables,
          ...(operation.shape !== 'literals' && { operationName: 'Fuzz' }),
        },
        {
          next: (message) => finish({ data: message.data, errors: message.errors as ErrorShape[] }),
          error: (error) =>
            finish(Array.isArray(error) ? { errors: error as ErrorShape[] } : { failure: error }),
          complete: () => finish({}),
        },
      );
    },
  );
  expect(outcome.failure, `the connection failed for ${context}`).toBeUndefined();
  checkErrors(outcome.errors, context);
  if ((outcome.errors?.length ?? 0) > 0) tally.websocket.refused += 1;
  else if (outcome.data !== undefined) tally.websocket.answered += 1;
  else tally.websocket.silent += 1;
}

/** The same over Server-Sent Events: the status, and the first event's errors, if any. */
async function runOverSse(operation: FuzzOperation): Promise<void> {
  const context = describeOperation(operation);
  tally.sse.tried += 1;
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), WINDOW_MS);
  let text = '';
  let status = 0;
  try {
    const response = await fetch(`${berth.url}/graphql`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'text/event-stream',
        authorization: `Bearer ${admin}`,
      },
      body: JSON.stringify({
        query: operation.query,
        variables: operation.variables,
        ...(operation.shape !== 'literals' && { operationName: 'Fuzz' }),
      }),
      signal: abort.signal,
    });
    status = response.status;
    const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
    while (!/^data: \{/m.test(text) && !/^event: complete/m.test(text)) {
      const { value, done } = await reader.read();
      if (done) break;
      text += value;
    }
    await reader.cancel().catch(() => undefined);
  } catch (error) {
    if (!abort.signal.aborted) throw error;
  } finally {
    clearTimeout(timer);
    abort.abort();
  }
  expect(status, `${status} ${text} for ${context}`).toBeLessThan(500);
  const first = /^data: (\{.*\})$/m.exec(text)?.[1];
  const body = (first ? JSON.parse(first) : text.startsWith('{') ? JSON.parse(text) : {}) as {
    data?: unknown;
    errors?: ErrorShape[];
  };
  checkErrors(body.errors, context);
  if ((body.errors?.length ?? 0) > 0) tally.sse.refused += 1;
  else if (body.data !== undefined) tally.sse.answered += 1;
  else tally.sse.silent += 1;
}

const roots = (kind: RootKind) => {
  const type =
    kind === 'query'
      ? schema.getQueryType()
      : kind === 'mutation'
        ? schema.getMutationType()
        : schema.getSubscriptionType();
  return Object.values(type?.getFields() ?? {}).map((field) => ({ name: field.name, field }));
};

describe('queries over HTTP', () => {
  it.each(roots('query'))('$name', async ({ field }) => {
    for (const operation of samples('query', field)) await runOverHttp('query', operation);
  });
});

describe('mutations over HTTP, with harmless arguments', () => {
  it.each(roots('mutation'))('$name', async ({ field }) => {
    for (const operation of samples('mutation', field)) await runOverHttp('mutation', operation);
  });
});

describe('subscriptions', () => {
  it.each(roots('subscription'))('$name over graphql-ws and over SSE', async ({ field }) => {
    const operations = samples('subscription', field);
    // Watched side by side: most are refused at once, the rest are left after the window.
    await Promise.all(operations.map((operation) => runOverWebSocket(operation)));
    await Promise.all(operations.map((operation) => runOverSse(operation)));
  });
});

describe('after the fuzzing', () => {
  it('kept the WebSocket open, logged no error, and let no dangerous create reach the engine', () => {
    expect(closes).toEqual([]);
    expect(log.errors()).toEqual([]);
    expect(consoleError).not.toHaveBeenCalled();
    const dangerous = recorder.requests
      .slice(engineBaseline)
      .map((request) => ({ request: `${request.method} ${request.path}`, danger: dangerOf(request) }))
      .filter((create) => create.danger.length > 0);
    expect(dangerous).toEqual([]);
  });
});

function isCreate(request: EngineRequest): boolean {
  return request.method === 'POST' && /\/containers\/create(\?|$)/.test(request.path);
}

/** The create config a request carried: its JSON body, or (where an engine gateway put it) its URL. */
function specsOf(request: EngineRequest): Record<string, unknown>[] {
  const texts = [request.body, ...new URL(request.path, 'http://engine').searchParams.values()];
  return texts.flatMap((text) => {
    try {
      const value = JSON.parse(text) as unknown;
      return value !== null && typeof value === 'object' ? [value as Record<string, unknown>] : [];
    } catch {
      return [];
    }
  });
}

/** What a create sent to the engine asks of the host. */
function dangerOf(request: EngineRequest): string[] {
  if (!isCreate(request)) return [];
  const dangers: string[] = [];
  for (const spec of specsOf(request)) {
    const host = (spec['HostConfig'] ?? {}) as Record<string, unknown>;
    if (host['Privileged'] === true) dangers.push('Privileged');
    if (Array.isArray(host['Binds']) && host['Binds'].length > 0)
      dangers.push(`Binds ${String(host['Binds'])}`);
    for (const mount of (host['Mounts'] as { Type?: string; Source?: string }[] | undefined) ?? []) {
      if (mount.Type === 'bind') dangers.push(`bind mount ${mount.Source}`);
    }
    for (const mode of ['NetworkMode', 'PidMode', 'IpcMode', 'UTSMode', 'UsernsMode', 'CgroupnsMode']) {
      if (host[mode] === 'host') dangers.push(`${mode}=host`);
    }
    if (Array.isArray(host['CapAdd']) && host['CapAdd'].length > 0)
      dangers.push(`CapAdd ${String(host['CapAdd'])}`);
    if (Array.isArray(host['Devices']) && host['Devices'].length > 0) dangers.push('Devices');
    if (Array.isArray(host['SecurityOpt']) && host['SecurityOpt'].length > 0) {
      dangers.push(`SecurityOpt ${String(host['SecurityOpt'])}`);
    }
  }
  return dangers;
}

/** Containers by label; networks, volumes and services by this run's prefix. */
async function removeWhatTheFuzzerMade(engine: Docker): Promise<void> {
  await cleanupLabelled(engine, `${TEST_LABEL}=${LABEL}`);
  const containers = await engine.listContainers({ all: true, filters: { name: [PREFIX] } });
  await Promise.allSettled(containers.map((info) => engine.getContainer(info.Id).remove({ force: true })));
  const services = await engine.listServices({ filters: { name: [PREFIX] } }).catch(() => []);
  await Promise.allSettled(services.map((service) => engine.getService(service.ID!).remove()));
  const networks = await engine.listNetworks({ filters: { name: [PREFIX] } });
  await Promise.allSettled(networks.map((network) => engine.getNetwork(network.Id).remove()));
  const { Volumes: volumes } = await engine.listVolumes({ filters: { name: [PREFIX] } });
  await Promise.allSettled((volumes ?? []).map((volume) => engine.getVolume(volume.Name).remove()));
}
