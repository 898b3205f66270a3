import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { TEST_LABEL, cleanupLabelled, parseDockerHost, testDocker } from '../harness/docker.js';
import { startBerth, uniqueName, type RunningBerth } from '../support/berth.js';
import { SocketForwarder } from '../support/socket-forwarder.js';
import { validateCreateSpec } from '../../src/domain/lifecycle/validation.js';
import { toDomainError } from '../../src/engine/errors.js';
import { BerthError, InvalidInputError } from '../../src/shared/errors.js';

/**
 * The size of a create, against the real engine: berth's own limits on env, command and labels sit
 * below what the engine and the kernel accept (each limit is tried at its maximum, which must run,
 * and one byte over, which berth refuses before any engine call); templates holding large specs
 * create as createContainer does; and an engine 4xx berth has no rule for is a typed error.
 */

const label = { name: TEST_LABEL, value: 'create-limits' };
const KiB = 1024;
/** The kernel's bound on one string a process is started with (MAX_ARG_STRLEN, its NUL included). */
const MAX_STRING = 128 * KiB - 1;

let dir: string;
let forwarder: SocketForwarder;
let berth: RunningBerth;
let docker: Docker;

const creates = () => forwarder.requests.filter((line) => line.includes('/containers/create')).length;

async function gql(query: string, variables: Record<string, unknown>) {
  const response = await fetch(`${berth.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query, variables }),
  });
  expect(response.status).toBe(200);
  return (await response.json()) as { data?: Record<string, any>; errors?: unknown[] };
}

/** `count` variables `NAME=value` of exactly `bytes` bytes each. */
function variables(prefix: string, count: number, bytes: number) {
  return Array.from({ length: count }, (_, i) => {
    const name = `${prefix}${String(i).padStart(3, '0')}`;
    return { name, value: 'x'.repeat(bytes - name.length - 1) };
  });
}

/** What a container printed (with the engine's frame headers) and how it ended, after it exited. */
async function ran(id: string): Promise<{ exitCode: number; output: string }> {
  const container = docker.getContainer(id);
  const { StatusCode } = (await container.wait()) as { StatusCode: number };
  const output = (await container.logs({ stdout: true, stderr: true })).toString('latin1');
  return { exitCode: StatusCode, output };
}

beforeAll(async () => {
  docker = testDocker(inject('dockerHost'));
  dir = await mkdtemp(join(tmpdir(), 'berth-limits-'));
  const engine = parseDockerHost(inject('dockerHost'));
  if (engine.kind !== 'unix') throw new Error('this test counts requests on a forwarded unix socket');
  forwarder = new SocketForwarder(join(dir, 'docker.sock'), engine.socketPath);
  await forwarder.listen();
  berth = await startBerth(
    { DOCKER_HOST: `unix://${join(dir, 'docker.sock')}`, BERTH_DATA_DIR: join(dir, 'data') },
    { label: 'create-limits' },
  );
});

afterAll(async () => {
  await berth?.stop();
  await forwarder?.cut();
  await rm(dir, { recursive: true, force: true });
  await cleanupLabelled(docker, `${TEST_LABEL}=create-limits`);
});

describe("berth's limits on a create, against what the engine accepts", () => {
  it('runs a container at every maximum at once: 1 MiB of env, 128 KiB - 1 a variable and an argument, 1 MiB of labels', async () => {
    // Eight variables at the kernel's bound, then smaller ones up to 1 MiB in all (each with its NUL).
    const large = variables('BIG', 8, MAX_STRING);
    const used = large.reduce((sum, v) => sum + v.name.length + 1 + v.value.length + 1, 0);
    const small = variables('FILL', Math.floor((1024 * KiB - used) / 1000), 999);
    const env = [...large, ...small];
    expect(env.reduce((sum, v) => sum + v.name.length + v.value.length + 2, 0)).toBeLessThanOrEqual(
      1024 * KiB,
    );
    const labels = [label, ...variables('label.', 8, 128 * KiB - 100)];
    const spec = validateCreateSpec({
      name: uniqueName('max'),
      image: inject('testImage'),
      env,
      labels,
      // The longest argument berth takes, then as many as fit the 256 KiB of command.
      command: ['sh', '-c', 'echo "$BIG007" | wc -c', 'x'.repeat(MAX_STRING), 'y'.repeat(100 * KiB)],
    });
    const created = await berth.app.context.environments.local.containers.create(spec);
    // The longest variable reached the process whole (its value and echo's newline).
    expect(await ran(created.id)).toEqual({
      exitCode: 0,
      output: expect.stringContaining(`${MAX_STRING - 'BIG007='.length + 1}\n`),
    });
  });

  it.each([
    [
      'a variable one byte past the kernel’s bound',
      { env: variables('V', 1, MAX_STRING + 1) },
      'input.env.0.value',
    ],
    [
      'env one byte past 1 MiB',
      { env: [...variables('V', 8, MAX_STRING), ...variables('W', 25, 1000)] },
      'input.env',
    ],
    [
      'an argument one byte past the bound',
      { command: ['echo', 'x'.repeat(MAX_STRING + 1)] },
      'input.command.1',
    ],
    [
      'a command past 256 KiB',
      { command: ['echo', 'x'.repeat(MAX_STRING), 'y'.repeat(MAX_STRING)] },
      'input.command',
    ],
    ['labels past 1 MiB', { labels: [label, ...variables('l.', 9, 128 * KiB - 100)] }, 'input.labels'],
    [
      'a healthcheck argument past the bound',
      { healthcheck: { test: ['CMD', 'x'.repeat(MAX_STRING + 1)] } },
      'input.healthcheck.test.1',
    ],
  ])('refuses %s as INVALID_INPUT naming the field, before any engine call', async (_, input, field) => {
    const before = creates();
    let error: unknown;
    try {
      await berth.app.context.environments.local.containers.create(
        validateCreateSpec({ image: inject('testImage'), labels: [label], ...input }, ['input']),
      );
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(InvalidInputError);
    expect((error as InvalidInputError).field).toBe(field);
    expect(creates()).toBe(before);
  });
});

describe('templates holding large specs', () => {
  it('create from a template of several hundred KB, and refuse a merge past the limits by field', async () => {
    const template = uniqueName('tpl-large');
    const json = (i: number) => `{"a":"${i}"}`.repeat(1000).slice(0, 10_000);
    const saved = await gql(
      'mutation($n: String!, $s: CreateContainerInput!) { saveTemplate(name: $n, spec: $s) { __typename ... on Error { code message } } }',
      {
        n: template,
        s: {
          image: inject('testImage'),
          env: Array.from({ length: 40 }, (_, i) => ({ name: `CONFIG_${i}`, value: json(i) })),
          labels: [label, ...Array.from({ length: 20 }, (_, i) => ({ name: `big.${i}`, value: json(i) }))],
          start: false,
        },
      },
    );
    expect(saved.data?.['saveTemplate']).toEqual({ __typename: 'SaveTemplateSuccess' });

    const create = (overrides: Record<string, unknown>) =>
      gql(
        'mutation($n: String!, $o: ContainerOverridesInput) { createContainerFromTemplate(name: $n, overrides: $o) { __typename ... on Error { code message } ... on InvalidInputError { field } } }',
        { n: template, o: overrides },
      );
    const name = uniqueName('from-large');
    const made = await create({ name, env: [{ name: 'EXTRA', value: json(99) }] });
    expect(made.errors).toBeUndefined();
    expect(made.data?.['createContainerFromTemplate']).toEqual({
      __typename: 'CreateContainerFromTemplateSuccess',
    });
    expect((await docker.getContainer(name).inspect()).Config.Env).toContain(`CONFIG_39=${json(39)}`);

    // Overrides that fit one request, merged with the template's, pass berth's bound on env.
    const before = creates();
    const tooMuch = await create({
      name: uniqueName('from-large'),
      env: Array.from({ length: 70 }, (_, i) => ({ name: `MORE_${i}`, value: 'z'.repeat(10_000) })),
    });
    expect(tooMuch.data?.['createContainerFromTemplate']).toMatchObject({
      __typename: 'InvalidInputError',
      code: 'INVALID_INPUT',
      field: 'spec.env',
    });
    expect(creates()).toBe(before);
  });
});

describe('an engine refusal berth has no rule for', () => {
  it('is ENGINE_REFUSED with the engine’s words, never an untyped (internal) error', async () => {
    // A real refusal: the engine answers 431 to a request line over 1 MiB, which berth itself no
    // longer sends; here dockerode is made to send one.
    const refusal = await docker
      .listContainers({ filters: JSON.stringify({ label: [`x=${'y'.repeat(2 * 1024 * KiB)}`] }) })
      .then(
        () => undefined,
        (error: unknown) => error,
      );
    expect((refusal as { statusCode?: number }).statusCode).toBe(431);
    for (const operation of ['create', 'list', 'network.create', 'volume.create', 'start'] as const) {
      const mapped = toDomainError(refusal, operation, 'subject');
      expect(mapped, operation).toBeInstanceOf(BerthError);
      expect((mapped as BerthError).code, operation).toBe('ENGINE_REFUSED');
      expect(mapped.message, operation).toMatch(/431/);
    }
  });
});
