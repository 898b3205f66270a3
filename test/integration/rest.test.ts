import { createServer, type Server } from 'node:net';
import type Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { testDocker } from '../harness/docker.js';
import { startBerth, uniqueName, type RunningBerth } from '../support/berth.js';
import { waitFor } from '../support/wait.js';

// The REST shim cannot set labels, so everything this file creates is named `${prefix}-…` and
// removed by name afterwards.
const prefix = uniqueName('rest');
const image = inject('testImage');

let berth: RunningBerth;
let docker: Docker;

const SEED_FIELDS = ['ID', 'Name', 'Image', 'Status', 'CreatedAt', 'Health', 'CPU', 'Memory', 'RestartCount'];
/** A stack trace, raw or inside a JSON string. */
const STACK_TRACE = /(\\n|\n)\s+at \S|node_modules\/|\.ts:\d+/;
const RFC_3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

interface SeedContainer {
  ID: string;
  Name: string;
  Image: string;
  Status: string;
  CreatedAt: string;
  Health: string;
  CPU: number | null;
  Memory: number | null;
  RestartCount: number;
}

/** Everything but the live figures, which appear once a stats sample exists. */
function withoutFigures({
  CPU: _cpu,
  Memory: _memory,
  ...rest
}: SeedContainer): Omit<SeedContainer, 'CPU' | 'Memory'> {
  return rest;
}

/** The seed's field types: CPU and Memory are null until a sample exists, never a made-up number. */
function expectSeedShape(container: SeedContainer): void {
  expect(Object.keys(container).sort()).toEqual([...SEED_FIELDS].sort());
  expect(container.ID).toMatch(/^[0-9a-f]{64}$/);
  expect(container.CreatedAt).toMatch(RFC_3339);
  expect(['created', 'running', 'paused', 'restarting', 'removing', 'exited', 'dead']).toContain(
    container.Status,
  );
  expect(['none', 'starting', 'healthy', 'unhealthy']).toContain(container.Health);
  if (container.CPU !== null) expect(container.CPU).toBeGreaterThanOrEqual(0);
  if (container.Memory !== null)
    expect(Number.isInteger(container.Memory) && container.Memory >= 0).toBe(true);
  expect(Number.isInteger(container.RestartCount)).toBe(true);
}

interface ErrorBody {
  error: { code: string; message: string; field?: string };
}

interface Answer<T> {
  status: number;
  headers: Headers;
  body: T;
}

async function send<T>(
  method: string,
  path: string,
  init: RequestInit = {},
  base = berth.url,
): Promise<Answer<T>> {
  const response = await fetch(`${base}${path}`, { method, ...init });
  const text = await response.text();
  return {
    status: response.status,
    headers: response.headers,
    body: (text === '' ? undefined : JSON.parse(text)) as T,
  };
}

function post<T>(body: unknown, base = berth.url): Promise<Answer<T>> {
  return send<T>(
    'POST',
    '/containers',
    {
      headers: { 'content-type': 'application/json' },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    },
    base,
  );
}

/** The seed's error envelope: a code, a message for people, `field` for INVALID_INPUT, never a stack trace. */
function expectError(answer: Answer<unknown>, status: number, code: string, field?: string): void {
  expect(answer.status, JSON.stringify(answer.body)).toBe(status);
  expect(answer.headers.get('content-type')).toMatch(/^application\/json/);
  const { error } = answer.body as ErrorBody;
  expect(error.code).toBe(code);
  expect(error.message).toEqual(expect.any(String));
  expect(error.message).not.toBe('');
  expect(JSON.stringify(answer.body)).not.toMatch(STACK_TRACE);
  expect(Object.keys(error).sort()).toEqual(
    field === undefined ? ['code', 'message'] : ['code', 'field', 'message'],
  );
  if (field !== undefined) expect(error.field).toBe(field);
}

/** A loopback port nothing listens on right now. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function containersNamed(name: string): Promise<Docker.ContainerInfo[]> {
  return docker.listContainers({ all: true, filters: { name: [`^/${name}$`] } });
}

/** Creates a running container through the shim, failing the test on anything but 201. */
async function createRunning(suffix: string): Promise<SeedContainer> {
  const answer = await post<SeedContainer>({ name: `${prefix}-${suffix}`, image });
  expect(answer.status, JSON.stringify(answer.body)).toBe(201);
  return answer.body;
}

beforeAll(async () => {
  docker = testDocker(inject('dockerHost'));
  berth = await startBerth();
});

afterAll(async () => {
  await berth?.stop();
  const leftovers = await docker.listContainers({ all: true, filters: { name: [prefix] } });
  await Promise.all(
    leftovers.map((info) =>
      docker
        .getContainer(info.Id)
        .remove({ force: true, v: true })
        .catch(() => undefined),
    ),
  );
});

describe('POST /containers', () => {
  it('creates and starts the container, with env and port as Docker shows them, and answers 201 with the seed JSON', async () => {
    const name = `${prefix}-web`;
    const port = await freePort();
    const answer = await post<SeedContainer>({
      name,
      image,
      env: { K: 'v', GREETING: 'hello=world' },
      ports: { '80/tcp': `127.0.0.1:${port}` },
    });

    expect(answer.status, JSON.stringify(answer.body)).toBe(201);
    expect(answer.headers.get('content-type')).toMatch(/^application\/json/);
    const container = answer.body;
    expectSeedShape(container);
    expect(withoutFigures(container)).toEqual({
      ID: expect.stringMatching(/^[0-9a-f]{64}$/),
      Name: name,
      Image: image,
      Status: 'running',
      CreatedAt: expect.stringMatching(RFC_3339),
      Health: 'none',
      RestartCount: 0,
    });

    const info = await docker.getContainer(container.ID).inspect();
    // The engine's own creation time (to the millisecond), not one berth made up.
    expect(new Date(container.CreatedAt).getTime()).toBe(new Date(info.Created).getTime());
    expect(info.Name).toBe(`/${name}`);
    expect(info.State.Running).toBe(true);
    expect(info.Config.Env).toEqual(expect.arrayContaining(['K=v', 'GREETING=hello=world']));
    expect(info.HostConfig.PortBindings).toEqual({
      '80/tcp': [{ HostIp: '127.0.0.1', HostPort: String(port) }],
    });
    expect(info.NetworkSettings.Ports['80/tcp']).toEqual([{ HostIp: '127.0.0.1', HostPort: String(port) }]);

    const page = await waitFor(async () => (await fetch(`http://127.0.0.1:${port}/`)).text());
    expect(page).toContain('berth test page');
  });

  it('matches keys case-insensitively, takes the last duplicate as Go does, and defaults a bare port to tcp', async () => {
    const name = `${prefix}-keys`;
    const port = await freePort();
    // Raw text: a JS object cannot hold the same key twice, and the order of keys matters here.
    const body = `{
      "name": "${prefix}-not-this-one", "Name": "${name}",
      "image": "UPPER/Case is invalid", "IMAGE": "${image}",
      "env": { "DROPPED": "1" }, "Env": { "KEPT": "2", "KEPT": "3" },
      "ports": { "81/tcp": "127.0.0.1:1" }, "PORTS": { "80": "127.0.0.1:${port}" },
      "unknown": "ignored, as Go ignores it"
    }`;
    const answer = await post<SeedContainer>(body);
    expect(answer.status, JSON.stringify(answer.body)).toBe(201);
    expect(answer.body).toMatchObject({ Name: name, Image: image, Status: 'running' });

    const info = await docker.getContainer(answer.body.ID).inspect();
    expect(info.Name).toBe(`/${name}`);
    expect(info.Config.Env).toContain('KEPT=3');
    expect(info.Config.Env).not.toContain('KEPT=2');
    expect(info.Config.Env?.some((entry) => entry.startsWith('DROPPED='))).toBe(false);
    expect(info.HostConfig.PortBindings).toEqual({
      '80/tcp': [{ HostIp: '127.0.0.1', HostPort: String(port) }],
    });
    expect(await containersNamed(`${prefix}-not-this-one`)).toHaveLength(0);

    const page = await waitFor(async () => (await fetch(`http://127.0.0.1:${port}/`)).text());
    expect(page).toContain('berth test page');
  });

  it('lets a later null leave the name as an earlier key set it, and empty the ports, as Go does', async () => {
    const name = `${prefix}-nulls`;
    const answer = await post<SeedContainer>(
      `{"name": "${name}", "NAME": null, "image": "${image}", "ports": {"80": "127.0.0.1:1"}, "Ports": null}`,
    );
    expect(answer.status, JSON.stringify(answer.body)).toBe(201);
    expect(answer.body.Name).toBe(name);
    const info = await docker.getContainer(answer.body.ID).inspect();
    expect(info.HostConfig.PortBindings).toEqual({});
  });

  it('answers 409 NAME_CONFLICT for a name in use, and leaves the first container alone', async () => {
    const first = await createRunning('taken');
    const again = await post({ name: first.Name, image });
    expectError(again, 409, 'NAME_CONFLICT');
    expect(await containersNamed(first.Name)).toEqual([expect.objectContaining({ Id: first.ID })]);
  });

  it('answers 409 PORT_UNAVAILABLE for a host port already bound, and leaves no container behind', async () => {
    const blocker: Server = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const { port } = blocker.address() as { port: number };
    try {
      const name = `${prefix}-busyport`;
      const answer = await post({ name, image, ports: { '80/tcp': `127.0.0.1:${port}` } });
      expectError(answer, 409, 'PORT_UNAVAILABLE');
      expect(await containersNamed(name)).toHaveLength(0);
    } finally {
      await new Promise<void>((resolve) => blocker.close(() => resolve()));
    }
  });
});

describe('GET /containers', () => {
  it('answers 200 with a JSON array holding the created container and exactly the containers Docker lists', async () => {
    const created = await createRunning('listed');
    const answer = await send<SeedContainer[]>('GET', '/containers');
    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-type')).toMatch(/^application\/json/);
    expect(Array.isArray(answer.body)).toBe(true);
    expect(answer.body.map(withoutFigures)).toContainEqual(withoutFigures(created));
    for (const container of answer.body) expectSeedShape(container);

    // Other test files create and remove containers meanwhile: compare when Docker's list held still.
    await waitFor(async () => {
      const before = new Set((await docker.listContainers({ all: true })).map((info) => info.Id));
      const listed = await send<SeedContainer[]>('GET', '/containers');
      const after = new Set((await docker.listContainers({ all: true })).map((info) => info.Id));
      expect(after).toEqual(before);
      expect(new Set(listed.body.map((container) => container.ID))).toEqual(before);
    });
  });
});

describe('GET /containers/{id}', () => {
  it('answers 200 with the container by full id, unique id prefix and name', async () => {
    const created = await createRunning('lookup');
    for (const reference of [created.ID, created.ID.slice(0, 16), created.Name]) {
      const answer = await send<SeedContainer>('GET', `/containers/${encodeURIComponent(reference)}`);
      expect(answer.status, reference).toBe(200);
      expectSeedShape(answer.body);
      expect(withoutFigures(answer.body)).toEqual(withoutFigures(created));
    }
  });

  it('answers 404 NOT_FOUND for an unknown container, on every method', async () => {
    const ghost = `${prefix}-ghost`;
    expectError(await send('GET', `/containers/${ghost}`), 404, 'NOT_FOUND');
    expectError(await send('POST', `/containers/${ghost}`), 404, 'NOT_FOUND');
    expectError(await send('DELETE', `/containers/${ghost}`), 404, 'NOT_FOUND');
  });

  it('answers 400 INVALID_INPUT naming the id for a malformed one', async () => {
    expectError(await send('GET', '/containers/a%20b'), 400, 'INVALID_INPUT', 'id');
    expectError(await send('GET', '/containers/-x'), 400, 'INVALID_INPUT', 'id');
    // A `%` that starts no escape is the client's mistake too, not a fault of the server.
    expectError(await send('GET', '/containers/%E0%A4%A'), 400, 'INVALID_INPUT', 'id');
    expectError(await send('DELETE', '/containers/100%'), 400, 'INVALID_INPUT', 'id');
  });
});

describe('POST /containers/{id}', () => {
  it('stops the container: 200 with Status exited, Docker agrees, and stopping again answers 200 too', async () => {
    const created = await createRunning('stop');
    // The test image's httpd runs as PID 1 and ignores SIGTERM: the stop waits out Docker's 10 s grace.
    const stopped = await send<SeedContainer>('POST', `/containers/${created.ID}`);
    expect(stopped.status, JSON.stringify(stopped.body)).toBe(200);
    expect(stopped.body).toMatchObject({ ID: created.ID, Name: created.Name, Status: 'exited' });
    expect((await docker.getContainer(created.ID).inspect()).State.Running).toBe(false);

    const again = await send<SeedContainer>('POST', `/containers/${created.Name}`);
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ ID: created.ID, Status: 'exited' });
    expect((await docker.getContainer(created.ID).inspect()).State.Status).toBe('exited');
  }, 40_000);
});

describe('DELETE /containers/{id}', () => {
  it('removes a running container: 204 with no body, then Docker no longer knows it', async () => {
    const created = await createRunning('remove');
    expect((await docker.getContainer(created.ID).inspect()).State.Running).toBe(true);
    const answer = await send('DELETE', `/containers/${created.ID.slice(0, 12)}`);
    expect(answer.status).toBe(204);
    expect(answer.body).toBeUndefined();
    await expect(docker.getContainer(created.ID).inspect()).rejects.toMatchObject({ statusCode: 404 });
    expectError(await send('DELETE', `/containers/${created.ID}`), 404, 'NOT_FOUND');
  });
});

describe('bad requests', () => {
  it('answers 400 MALFORMED_JSON for a body that is not JSON', async () => {
    for (const body of ['{"name": ', '', '{name: "x"}', '{"a":1}}', '\u0000']) {
      expectError(await post(body), 400, 'MALFORMED_JSON');
    }
  });

  it('answers 400 INVALID_INPUT naming the field, and creates nothing', async () => {
    const name = `${prefix}-invalid`;
    const cases: [unknown, string][] = [
      [{ name: '-bad', image }, 'name'],
      [{ name: 'a', image }, 'name'],
      [{ name: 42, image }, 'name'],
      [{ name, image: 'UPPER/Case' }, 'image'],
      [{ name, image: 'busy box' }, 'image'],
      [{ name }, 'image'],
      [{ name, image: ['x'] }, 'image'],
      [{ name, image, ports: { 'abc/tcp': '127.0.0.1:8080' } }, 'ports.abc/tcp'],
      [{ name, image, ports: { '80/tcp': '127.0.0.1:70000' } }, 'ports.80/tcp'],
      [{ name, image, ports: { '80/tcp': '70000' } }, 'ports.80/tcp'],
      [{ name, image, ports: { '0/tcp': '127.0.0.1:8080' } }, 'ports.0/tcp'],
      [{ name, image, ports: { '80/icmp': '127.0.0.1:8080' } }, 'ports.80/icmp'],
      [{ name, image, ports: { '80/tcp': 'localhost:8080' } }, 'ports.80/tcp'],
      [{ name, image, ports: { '80/tcp': 8080 } }, 'ports.80/tcp'],
      [{ name, image, ports: ['80/tcp'] }, 'ports'],
      [{ name, image, env: { K: 1 } }, 'env.K'],
      [{ name, image, env: { 'A=B': 'x' } }, 'env.A=B'],
      [{ name, image, env: { 'NUL\u0000': 'x' } }, 'env.NUL\u0000'],
      [{ name, image, env: 'K=v' }, 'env'],
      [[{ name, image }], 'body'],
      ['just a string', 'body'],
      [null, 'body'],
    ];
    for (const [body, field] of cases) {
      const answer = await post(JSON.stringify(body));
      expectError(answer, 400, 'INVALID_INPUT', field);
    }
    expect(await containersNamed(name)).toHaveLength(0);
  });

  it('answers 413 PAYLOAD_TOO_LARGE for a body over 1 MiB, with a Content-Length and chunked', async () => {
    const name = `${prefix}-large`;
    const body = JSON.stringify({ name, image, env: { BIG: 'x'.repeat(1024 * 1024) } });
    expectError(await post(body), 413, 'PAYLOAD_TOO_LARGE');

    // Without a length the server only finds out while reading, and must still answer rather than reset.
    const bytes = new TextEncoder().encode(body);
    const chunked = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let at = 0; at < bytes.length; at += 64 * 1024)
          controller.enqueue(bytes.subarray(at, at + 64 * 1024));
        controller.close();
      },
    });
    const answer = await send('POST', '/containers', {
      headers: { 'content-type': 'application/json' },
      body: chunked,
      duplex: 'half',
    } as RequestInit);
    expectError(answer, 413, 'PAYLOAD_TOO_LARGE');
    expect(await containersNamed(name)).toHaveLength(0);

    // Just under the limit is read, and judged on its content.
    const under = JSON.stringify({ name, image: 'UPPER/Case', env: { BIG: 'x'.repeat(1024 * 1024 - 200) } });
    expect(under.length).toBeLessThanOrEqual(1024 * 1024);
    expectError(await post(under), 400, 'INVALID_INPUT', 'image');
  });

  it('answers 415 UNSUPPORTED_MEDIA_TYPE for a body that is not declared as JSON', async () => {
    const body = JSON.stringify({ name: `${prefix}-media`, image });
    for (const headers of [
      { 'content-type': 'text/plain' },
      { 'content-type': 'application/x-www-form-urlencoded' },
      {},
    ]) {
      expectError(await send('POST', '/containers', { headers, body }), 415, 'UNSUPPORTED_MEDIA_TYPE');
    }
    expect(await containersNamed(`${prefix}-media`)).toHaveLength(0);
  });

  it('answers 405 METHOD_NOT_ALLOWED with an Allow header', async () => {
    const collection = await send('PUT', '/containers', {
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    expectError(collection, 405, 'METHOD_NOT_ALLOWED');
    expect(collection.headers.get('allow')).toBe('GET, POST');
    const item = await send('PATCH', `/containers/${prefix}-any`);
    expectError(item, 405, 'METHOD_NOT_ALLOWED');
    expect(item.headers.get('allow')).toBe('GET, POST, DELETE');
  });

  it('answers 404 ROUTE_NOT_FOUND below a container', async () => {
    expectError(await send('GET', `/containers/${prefix}-any/no-such-endpoint`), 404, 'ROUTE_NOT_FOUND');
    expectError(await send('GET', `/containers/${prefix}-any/a/b/c`), 404, 'ROUTE_NOT_FOUND');
  });
});

describe('with the engine unreachable', () => {
  let offline: RunningBerth;

  beforeAll(async () => {
    // A socket path nothing listens on: the server starts anyway and says the engine is down.
    offline = await startBerth({ DOCKER_HOST: 'unix:///tmp/berth-no-engine.sock' }, { waitForEngine: false });
  });

  afterAll(async () => {
    await offline?.stop();
  });

  it('answers 503 ENGINE_UNAVAILABLE on every endpoint, and /healthz says the engine is down', async () => {
    const url = offline.url;
    expectError(await send('GET', '/containers', {}, url), 503, 'ENGINE_UNAVAILABLE');
    expectError(await post({ name: `${prefix}-offline`, image }, url), 503, 'ENGINE_UNAVAILABLE');
    expectError(await send('GET', `/containers/${prefix}-offline`, {}, url), 503, 'ENGINE_UNAVAILABLE');
    expectError(await send('POST', `/containers/${prefix}-offline`, {}, url), 503, 'ENGINE_UNAVAILABLE');
    expectError(await send('DELETE', `/containers/${prefix}-offline`, {}, url), 503, 'ENGINE_UNAVAILABLE');
    // Input is still judged first: a bad body is the client's mistake whatever the engine does.
    expectError(await post({ name: '-bad', image }, url), 400, 'INVALID_INPUT', 'name');

    const health = await send<unknown>('GET', '/healthz', {}, url);
    expect(health.status).toBe(200);
    expect(health.body).toMatchObject({ status: 'ok', engine: 'down' });
    expect((await send<unknown>('GET', '/healthz')).body).toMatchObject({ status: 'ok', engine: 'up' });
  });
});
