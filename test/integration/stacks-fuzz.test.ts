import type Docker from 'dockerode';
import fc from 'fast-check';
import { print } from 'graphql';
import { stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ERROR_CODES } from '../../src/shared/errors.js';
import { TEST_LABEL, cleanupLabelled, testDocker } from '../harness/docker.js';
import { startBerth, type RunningBerth } from '../support/berth.js';
import { DeployStack, RemoveStack, StackQuery } from '../support/operations/index.js';

/**
 * deployStack on generated compose files, over HTTP against a real engine: 200+ documents built
 * with fast-check, each sent to a stack name of its own. Plausible ones are made of the keys berth
 * supports with random values (most as dry runs, ~a dozen deployed for real, some of those made to
 * fail: a memory limit or CPU count the engine refuses, a user the image lacks, an image that is
 * nowhere, a dependency that exits or never turns healthy); hostile ones have unknown keys, wrong
 * types, huge numbers, odd names, broken YAML, `${VAR:?}` without the variable, cycles.
 *
 * Asserted for each: no answer of 500 or more; the answer is a DeployStackResult or a typed error
 * whose code is the catalog's (never an internal fault); when it is not ok, nothing labelled
 * `com.docker.compose.project=<name>` is on the engine (a failed first deploy removes what it made)
 * and berth has no such stack; when it is ok and applied, removeStack leaves nothing either.
 *
 * Images are the test image or names no registry answers without network access (a pull fails at
 * once); no host port is fixed, no bind mount passes the default create policy, and subnets of
 * deployed files are in 10.213.0.0/16, which nothing else here uses.
 *
 * Replay: the seed is printed; BERTH_FUZZ_SEED=<seed> generates the same documents. BERTH_FUZZ_DEBUG=1
 * prints why the loader refused each plausible one (to keep the generators reaching the engine).
 */

const SEED = process.env['BERTH_FUZZ_SEED'] ? Number(process.env['BERTH_FUZZ_SEED']) : Date.now() % 2 ** 31;
const FILE = `stacks-fuzz-${process.pid}`;
const PREFIX = `bf${process.pid.toString(36)}${(SEED % 1296).toString(36)}`;
const MISSING = 'berth-test/missing:nope';
const CATALOG = new Set(Object.keys(ERROR_CODES));
const INTERNAL = new Set(['INTERNAL', 'INTERNAL_SERVER_ERROR']);
const QUERY = print(DeployStack);

let berth: RunningBerth;
let docker: Docker;
const image = inject('testImage');
const names: string[] = [];

interface Case {
  kind: string;
  name: string;
  compose: string;
  env?: string;
  dryRun: boolean;
  profiles?: string[];
  timeoutSeconds?: number;
}

const tally = {
  kinds: new Map<string, number>(),
  answers: new Map<string, number>(),
  real: { ok: 0, failed: 0 },
};
const count = (map: Map<string, number>, key: string) => map.set(key, (map.get(key) ?? 0) + 1);

beforeAll(async () => {
  console.info(
    `[stacks-fuzz] seed ${SEED}; replay: BERTH_FUZZ_SEED=${SEED} BERTH_TEST_SHARED_ENGINE=1 ` +
      'npx vitest run test/integration/stacks-fuzz.test.ts',
  );
  docker = testDocker(inject('dockerHost'));
  berth = await startBerth({}, { label: FILE });
}, 60_000);

afterAll(async () => {
  console.info(
    `[stacks-fuzz] seed ${SEED}: ${JSON.stringify({
      kinds: Object.fromEntries(tally.kinds),
      answers: Object.fromEntries(tally.answers),
      real: tally.real,
    })}`,
  );
  for (const name of names) {
    if (!/^[a-z0-9][a-z0-9_-]*$/.test(name)) continue;
    await berth?.query(RemoveStack, { name, volumes: true }).catch(() => undefined);
  }
  await berth?.stop();
  if (!docker) return;
  await cleanupLabelled(docker, `${TEST_LABEL}=${FILE}`);
  // Whatever a failure left behind: this run's projects all start with PREFIX.
  const label = 'com.docker.compose.project';
  const ours = (labels: Record<string, string> | null | undefined) =>
    labels?.[label]?.startsWith(`${PREFIX}-`);
  for (const c of await docker.listContainers({ all: true, filters: { label: [label] } }))
    if (ours(c.Labels))
      await docker
        .getContainer(c.Id)
        .remove({ force: true, v: true })
        .catch(() => undefined);
  for (const n of await docker.listNetworks({ filters: { label: [label] } }))
    if (ours(n.Labels))
      await docker
        .getNetwork(n.Id)
        .remove()
        .catch(() => undefined);
  for (const v of (await docker.listVolumes({ filters: { label: [label] } })).Volumes ?? [])
    if (ours(v.Labels))
      await docker
        .getVolume(v.Name)
        .remove()
        .catch(() => undefined);
}, 180_000);

// ---------------------------------------------------------------- generators

const serviceNames = ['web', 'db', 'worker', 'a-b', 'x_1'];
const envKey = fc.stringMatching(/^[A-Z_][A-Z0-9_]{0,8}$/);
const smallText = fc.stringMatching(/^[a-zA-Z0-9 ._:/-]{0,16}$/);

/** The pieces of a plausible service; `real` keeps to what is harmless on a shared engine. */
function serviceOf(others: string[], real: boolean, networks: string[], volumes: string[]) {
  /** Mostly a valid value; in dry runs, now and then one of `bad`. */
  const pick = <T, U>(valid: readonly T[], bad: readonly U[] = []): fc.Arbitrary<T | U> =>
    real || bad.length === 0
      ? fc.constantFrom(...valid)
      : fc.oneof(
          { weight: 15, arbitrary: fc.constantFrom(...valid) },
          { weight: 1, arbitrary: fc.constantFrom(...bad) },
        );
  const images = real
    ? fc.constantFrom(image, image, image, image, image, MISSING)
    : pick([image, image, MISSING, 'busybox:latest', '${IMAGE:-' + image + '}'], ['UPPER/case', '']);
  const port: fc.Arbitrary<unknown> = real
    ? fc.oneof(
        fc.constantFrom('80', '127.0.0.1::80', '8080/udp'),
        fc.record({ target: fc.integer({ min: 1, max: 65535 }), host_ip: fc.constant('127.0.0.1') }),
      )
    : fc.oneof(
        pick(['80', '8080:80', '127.0.0.1:30000-30002:80'], ['70000:80', '80-79:80', 'x']),
        fc.record(
          {
            target: fc.oneof(
              { weight: 15, arbitrary: fc.integer({ min: 1, max: 65535 }) },
              pick([-1, 70000]),
            ),
            published: fc.oneof(fc.integer({ min: 1, max: 65535 }), pick(['30000-30003'], [0, 70000])),
            protocol: pick(['tcp', 'udp', 'sctp'], ['icmp']),
            host_ip: pick(['127.0.0.1', '::1'], ['nope']),
          },
          { requiredKeys: ['target'] },
        ),
      );
  const named = volumes.length > 0 ? [fc.constantFrom(...volumes.map((key) => `${key}:/cache`))] : [];
  const volume: fc.Arbitrary<unknown> = fc.oneof(
    ...named.map((arbitrary) => ({ weight: 4, arbitrary })),
    {
      weight: 4,
      arbitrary: fc.record({
        type: fc.constant('tmpfs'),
        target: fc.constantFrom('/scratch', '/tmp/t'),
        tmpfs: fc.record({ size: fc.oneof(fc.integer({ min: 1, max: 1 << 24 }), fc.constant('1m')) }),
      }),
    },
    ...(real
      ? []
      : [
          {
            weight: 1,
            arbitrary: fc.constantFrom(
              'undeclared:/x',
              '/tmp/anon',
              '/srv:/srv:ro',
              './rel:/rel',
              '/:/host',
              'data:relative',
            ),
          },
        ]),
  );
  const network = networks.length > 0 ? fc.constantFrom(...networks) : fc.constant('default');
  const dependsOn = others.length === 0 ? fc.constant(undefined) : fc.constantFrom(...others);
  const condition = pick(
    ['service_started', 'service_healthy', 'service_completed_successfully'],
    ['service_done'],
  );
  const record = fc.record(
    {
      image: images,
      command: real
        ? fc.constantFrom(['sleep', '3600'], 'sleep 3600', ['sh', '-c', 'exit 3'], ['sh', '-c', 'sleep 1'])
        : fc.oneof(pick([['sleep', '3600'], 'echo $$HOME', ''], ['sleep "3600']), fc.array(smallText)),
      entrypoint: pick([['/bin/sh', '-c', 'exec "$$@"', '--'], '/bin/sh -c'], [null, ['exec "$@"']]),
      init: real ? fc.constant(true) : pick([true, false], ['yes']),
      environment: fc.oneof(
        fc.dictionary(envKey, fc.oneof(smallText, fc.integer(), fc.constant(null), pick([''], [true])), {
          maxKeys: 4,
        }),
        fc.array(
          fc.tuple(envKey, smallText).map(([k, v]) => `${k}=${v}`),
          { maxLength: 4 },
        ),
      ),
      labels: fc.oneof(
        fc.dictionary(fc.stringMatching(/^[a-z][a-z0-9.-]{0,12}$/), smallText, { maxKeys: 3 }),
        fc.constant(['com.docker.compose.project=hijack', 'tier=front']),
      ),
      ports: fc.array(port, { maxLength: 2 }),
      volumes: fc
        .array(volume, { maxLength: 2 })
        .map((list) => [...new Set(list.map((v) => JSON.stringify(v)))].map((v) => JSON.parse(v) as unknown)),
      tmpfs: fc.constantFrom('/run', ['/run', '/var/cache'], ['/run:size=1m']),
      networks: fc.oneof(
        fc.array(network, { maxLength: 2 }).map((list) => [...new Set(list)]),
        fc
          .tuple(network, fc.array(fc.stringMatching(/^[a-z][a-z0-9-]{0,8}$/), { maxLength: 2 }))
          .map(([key, aliases]) => ({ [key]: { aliases } })),
      ),
      depends_on: fc.oneof(
        dependsOn.map((name) => (name ? [name] : [])),
        fc.tuple(dependsOn, condition).map(([name, cond]) => (name ? { [name]: { condition: cond } } : {})),
      ),
      healthcheck: fc.oneof(
        fc.record({
          test: pick([['CMD', 'true'], ['CMD-SHELL', 'exit 1'], 'true', ['NONE']], [[], 5]),
          interval: pick(['1s', '500ms'], ['0s', 'soon']),
          timeout: pick(['1s', '2s']),
          retries: fc.integer({ min: 1, max: 3 }),
        }),
        fc.constant({ disable: true }),
      ),
      restart: pick(['no', 'always', 'on-failure', 'unless-stopped', 'on-failure:3'], ['sometimes']),
      user: real ? pick(['1000:1000', '0', 'nobody-here']) : pick(['1000:1000', 'root', ''], [-5]),
      working_dir: pick(['/tmp', '/', '/no/such/dir'], ['relative']),
      hostname: fc.oneof(fc.stringMatching(/^[a-z][a-z0-9-]{0,20}$/), pick(['h'], ['a'.repeat(70)])),
      extra_hosts: pick([['db.local:10.1.2.3'], { 'db.local': '10.1.2.3' }], [['bad']]),
      cap_add: real ? pick([[], ['NET_ADMIN']]) : pick([[], ['NET_ADMIN'], ['ALL']], [['NOT_A_CAP']]),
      cap_drop: pick([[], ['NET_RAW'], ['ALL']]),
      mem_limit: pick(['64m', '1k', '1g', 67108864], [0, '2e9', 'lots', 1e30]),
      cpus: pick([0.5, 0.001, 1000, '1.5'], [-1, 'many']),
      deploy: fc.record(
        {
          replicas: real
            ? fc.integer({ min: 0, max: 3 })
            : fc.oneof({ weight: 15, arbitrary: fc.integer({ min: 0, max: 5 }) }, pick([200, -2, 1e12])),
          resources: fc.record({
            limits: fc.record(
              { memory: fc.constantFrom('32m', '1b', '1t'), cpus: pick(['0.5', '1'], ['0']) },
              { requiredKeys: [] },
            ),
          }),
          update_config: fc.record(
            {
              parallelism: fc.integer({ min: 0, max: 3 }),
              delay: pick(['1s', '500ms', '0s'], [1, '1x', -1]),
              order: pick(['start-first', 'stop-first'], ['sideways']),
              failure_action: fc.constantFrom('pause', 'continue', 'rollback'),
            },
            { requiredKeys: [] },
          ),
          mode: pick(['replicated'], ['global']),
        },
        { requiredKeys: [] },
      ),
      stop_grace_period: pick(['1s', '2s'], ['1m30s', '1x', 1, -1]),
      stop_signal: pick(['SIGTERM', 'SIGINT', 'SIGKILL'], ['SIGNOPE', 9]),
      profiles: pick([[]], [['debug'], ['a', 'b']]),
    },
    { requiredKeys: ['image'] },
  );
  // Limits given twice (mem_limit and deploy's, cpus and deploy's) must agree: mostly only one is kept.
  return fc.tuple(record, fc.integer({ min: 0, max: 3 })).map(([service, keepBoth]) => {
    const deploy = service.deploy as { resources?: unknown } | undefined;
    if (keepBoth > 0 && deploy && (service.mem_limit !== undefined || service.cpus !== undefined))
      delete deploy.resources;
    return service;
  });
}

/** A plausible document: 1 to 3 services, maybe networks and volumes of the file. */
function plausible(real: boolean) {
  return fc
    .record({
      count: fc.integer({ min: 1, max: 3 }),
      networks: fc.subarray(['back', 'front']),
      volumes: fc.subarray(['data', 'cache']),
      subnet: fc.integer({ min: 0, max: 255 }),
      ipam: fc.boolean(),
      internal: fc.boolean(),
    })
    .chain(({ count: many, networks, volumes, subnet, ipam, internal }) => {
      const services = serviceNames.slice(0, many);
      const serviceArbs = Object.fromEntries(
        services.map((name, index) => [
          name,
          // Depending only on earlier services: the cycles are cases of their own.
          serviceOf(services.slice(0, index), real, networks, volumes),
        ]),
      );
      return fc.record(serviceArbs).map((generated) => {
        const doc: Record<string, unknown> = { services: generated };
        if (networks.length > 0) {
          doc['networks'] = Object.fromEntries(
            networks.map((key, index) => [
              key,
              {
                internal,
                labels: { purpose: 'fuzz' },
                ...(ipam && {
                  ipam: {
                    config: [
                      { subnet: real ? `10.213.${(subnet + index) % 256}.0/24` : `10.${subnet}.0.0/16` },
                    ],
                  },
                }),
              },
            ]),
          );
        }
        if (volumes.length > 0)
          doc['volumes'] = Object.fromEntries(volumes.map((key) => [key, { labels: { a: 'b' } }]));
        return doc;
      });
    });
}

/**
 * Keeps a deployed document harmless and quick: fewer keys per service (a random subset of what was
 * generated), no fixed address; and every document that starts containers stops them quickly.
 */
const trimmed = (doc: Record<string, unknown>, keep: number[]) => {
  const services = doc['services'] as Record<string, Record<string, unknown>>;
  for (const [index, service] of Object.values(services).entries()) {
    const keys = Object.keys(service).filter((key) => key !== 'image' && key !== 'command' && key !== 'init');
    const wanted = new Set(keys.filter((_, i) => (keep[index] ?? 0) & (1 << (i % 30))));
    for (const key of keys) if (!wanted.has(key)) delete service[key];
    if (service['command'] === undefined) service['command'] = ['sleep', '3600'];
  }
  return doc;
};

const oddString = fc.oneof(
  fc.string(),
  fc.string({ unit: 'grapheme' }),
  fc.constantFrom(
    '${X}',
    '${X:?gone}',
    '$',
    '$$',
    '${',
    '__proto__',
    'constructor',
    '-1',
    ' ',
    '../../etc',
    '\u0000',
  ),
);
const oddNumber = fc.oneof(
  fc.integer(),
  fc.double(),
  fc.constantFrom(0, -1, 65536, 2 ** 53, Number.MAX_SAFE_INTEGER, 1e308),
);
const anything = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.oneof(oddString, oddNumber, fc.boolean(), fc.constant(null)),
    fc.array(tie('value'), { maxLength: 3 }),
    fc.dictionary(oddString, tie('value'), { maxKeys: 3 }),
  ),
})).value;

/** Unknown keys, wrong types and huge numbers around a plausible core. */
const hostile = fc
  .tuple(
    plausible(false),
    fc.dictionary(
      fc.constantFrom(
        'build',
        'privileged',
        'sysctls',
        'secrets',
        'container_name',
        'x-ok',
        'links',
        'image',
        'ports',
        'deploy',
      ),
      anything,
      { maxKeys: 3 },
    ),
    fc.dictionary(fc.constantFrom('configs', 'secrets', 'version', 'name', 'services', 'x-top'), anything, {
      maxKeys: 2,
    }),
  )
  .map(([doc, serviceExtra, topExtra]) => {
    const services = doc['services'] as Record<string, Record<string, unknown>>;
    const first = Object.keys(services)[0]!;
    services[first] = { ...services[first], ...serviceExtra };
    return stringify({ ...doc, ...topExtra });
  });

const mangled = fc
  .tuple(
    plausible(false),
    fc.nat(),
    fc.oneof(fc.string({ maxLength: 4 }), fc.constantFrom(':', '- ', '\t', '&a', '*a', '{', '"', '\n  ')),
  )
  .map(([doc, at, junk]) => {
    const text = stringify(doc);
    const cut = at % (text.length + 1);
    return text.slice(0, cut) + junk + text.slice(cut);
  });

const interpolation = fc
  .record({
    form: fc.constantFrom(
      '${IMAGE:?set IMAGE}',
      '${IMAGE?}',
      '${IMAGE:-' + '${TAG}}',
      '${IMAGE}',
      '$${IMAGE}',
      '${',
      '${IMA GE}',
      '${IMAGE:+x}',
    ),
    env: fc.oneof(
      fc.constant(''),
      fc.constant('IMAGE='),
      fc.constant('OTHER=1'),
      fc.string({ maxLength: 20 }),
    ),
  })
  .map(({ form, env }) => ({
    compose: `services:\n  a:\n    image: "${form}"\n    command: ["sleep", "3600"]\n`,
    env,
  }));

const cycles = fc.integer({ min: 2, max: 4 }).map((length) => {
  const services: Record<string, unknown> = {};
  for (let i = 0; i < length; i += 1)
    services[`s${i}`] = { image: MISSING, depends_on: [`s${(i + 1) % length}`] };
  return stringify({ services });
});

const oddNames = fc.oneof(
  // Stack names berth refuses before anything else.
  fc.constantFrom('', 'Upper', '-lead', '_lead', 'a b', 'a.b', 'x'.repeat(64), 'ä', 'a/b', '..'),
  // Service, network and volume keys the schema or the engine may refuse.
  fc.constantFrom('UPPER', 'a b', 'a.b', '-x', 'ä', 'x'.repeat(200), '__proto__', '1'),
);

// ---------------------------------------------------------------- the cases

const seedOf = (label: string) => {
  let hash = SEED;
  for (const char of label) hash = (Math.imul(hash, 31) + char.charCodeAt(0)) | 0;
  return hash;
};
const sample = <T>(label: string, arbitrary: fc.Arbitrary<T>, numRuns: number): T[] =>
  fc.sample(arbitrary, { seed: seedOf(label), numRuns });

let counter = 0;
function fresh(): string {
  counter += 1;
  const name = `${PREFIX}-${counter}`;
  names.push(name);
  return name;
}

function cases(): Case[] {
  const all: Case[] = [];
  const add = (kind: string, fields: Omit<Case, 'kind' | 'name'> & { name?: string }) =>
    all.push({ kind, name: fields.name ?? fresh(), ...fields });

  const dryKeeps = sample('dry-keep', fc.array(fc.nat(), { minLength: 3, maxLength: 3 }), 80);
  for (const [index, doc] of sample('plausible-dry', plausible(false), 80).entries()) {
    // Half of them with every generated key, half with a random few.
    const compose = stringify(index % 2 === 0 ? doc : trimmed(doc, dryKeeps[index]!));
    add('plausible (dry run)', { compose, dryRun: true, env: 'TAG=1\n' });
  }
  const keeps = sample('keep', fc.array(fc.nat(), { minLength: 3, maxLength: 3 }), 12);
  for (const [index, doc] of sample('plausible-real', plausible(true), 12).entries())
    add('plausible (deployed)', {
      compose: stringify(trimmed(doc, keeps[index]!)),
      dryRun: false,
      timeoutSeconds: 6,
    });
  for (const compose of sample('hostile', hostile, 60))
    add('hostile keys and values', { compose, dryRun: true });
  for (const compose of sample('mangled', mangled, 30)) add('broken YAML', { compose, dryRun: false });
  for (const { compose, env } of sample('interpolation', interpolation, 15))
    add('interpolation', { compose, env, dryRun: false });
  for (const compose of sample('cycles', cycles, 4)) add('cycle', { compose, dryRun: false });
  for (const [index, odd] of sample('odd', oddNames, 12).entries()) {
    if (index % 2 === 0)
      add('odd stack name', { name: odd, compose: `services:\n  a:\n    image: ${image}\n`, dryRun: true });
    else
      add('odd keys', {
        compose: stringify({
          services: { [odd]: { image, networks: [odd] } },
          networks: { [odd]: {} },
          volumes: { [odd]: {} },
        }),
        dryRun: index % 4 === 1,
      });
  }
  for (const text of sample('random', fc.oneof(fc.string(), fc.string({ unit: 'binary' })), 10))
    add('random text', { compose: text, dryRun: false });

  // Hand-made ones that reach the engine and fail there, or that stress the edges.
  const service = (extra = '') =>
    `    image: ${image}\n    command: ["sleep", "3600"]\n    init: true\n${extra}`;
  add('missing image', {
    compose: `services:\n  ok:\n${service()}  gone:\n    image: ${MISSING}\n    depends_on: [ok]\n`,
    dryRun: false,
  });
  add('address outside its subnet', {
    compose:
      `services:\n  a:\n${service('    networks:\n      one:\n        ipv4_address: 10.213.252.10\n')}` +
      'networks:\n  one:\n    ipam:\n      config: [{subnet: 10.213.251.0/24}]\nvolumes:\n  data: {}\n',
    dryRun: false,
  });
  add('dependency exits', {
    compose:
      `services:\n  job:\n    image: ${image}\n    command: ["sh", "-c", "exit 3"]\n` +
      `  app:\n${service('    depends_on:\n      job:\n        condition: service_completed_successfully\n')}`,
    dryRun: false,
    timeoutSeconds: 5,
  });
  add('never healthy', {
    compose: `services:\n  a:\n${service('    healthcheck:\n      test: ["CMD-SHELL", "exit 1"]\n      interval: 500ms\n      retries: 1\n')}volumes:\n  data: {}\n`,
    dryRun: false,
    timeoutSeconds: 3,
  });
  add('huge numbers', {
    compose: `services:\n  a:\n    image: ${image}\n    deploy:\n      replicas: 99999999999999999999\n    mem_limit: 99999999999999999999g\n    cpus: 1e308\n`,
    dryRun: false,
  });
  add('many replicas, dry run', {
    compose: `services:\n  a:\n    image: ${image}\n    deploy:\n      replicas: 100000\n`,
    dryRun: true,
  });
  add('name key that differs', {
    compose: `name: other\nservices:\n  a:\n    image: ${image}\n`,
    dryRun: false,
  });
  add('missing external network', {
    compose: `services:\n  a:\n${service('    networks: [ext]\n')}networks:\n  ext:\n    external: true\n    name: ${PREFIX}-absent\n`,
    dryRun: false,
  });
  add('profiles asked for', {
    compose: `services:\n  a:\n${service('    profiles: [x]\n')}`,
    dryRun: true,
    profiles: ['x', ''],
  });
  add('empty file', { compose: '', dryRun: false });
  add('no services', { compose: 'services: {}\n', dryRun: false });
  add('alias bomb', {
    compose: [
      'a: &a ["x","x","x","x","x","x","x","x","x"]',
      ...'bcdefgh'.split('').map((c, i) => `${c}: &${c} [${Array(9).fill(`*${'abcdefgh'[i]}`).join(',')}]`),
    ].join('\n'),
    dryRun: false,
  });
  add('just under 1 MiB', {
    compose: `services:\n  a:\n    image: ${image}\n# ${'x'.repeat(1024 * 1024 - 64)}\n`,
    dryRun: true,
  });
  return all;
}

// ---------------------------------------------------------------- the checks

interface Answer {
  __typename: string;
  code?: string;
  message?: string;
  ok?: boolean;
  applied?: boolean;
  outcomes?: { service: string; outcome: string; message: string | null }[];
  problems?: { path: string; message: string }[];
}

async function deploy(
  c: Case,
): Promise<{ status: number; text: string; answer: Answer | null; errors: unknown[] }> {
  const input = {
    name: c.name,
    compose: c.compose,
    dryRun: c.dryRun,
    ...(c.env !== undefined && { env: c.env }),
    ...(c.profiles !== undefined && { profiles: c.profiles }),
    ...(c.timeoutSeconds !== undefined && { timeoutSeconds: c.timeoutSeconds }),
  };
  const response = await fetch(`${berth.url}/graphql`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/graphql-response+json, application/json',
    },
    body: JSON.stringify({ query: QUERY, variables: { input } }),
  });
  const text = await response.text();
  let body: { data?: { deployStack?: Answer } | null; errors?: unknown[] } = {};
  try {
    body = JSON.parse(text) as typeof body;
  } catch {
    // Reported by the caller with the text.
  }
  return { status: response.status, text, answer: body.data?.deployStack ?? null, errors: body.errors ?? [] };
}

/** What the engine holds of the project: containers, networks and volumes by Compose's label. */
async function leftovers(name: string): Promise<string[]> {
  const filters = { label: [`com.docker.compose.project=${name}`] };
  const containers = await docker.listContainers({ all: true, filters });
  const networks = await docker.listNetworks({ filters });
  const volumes = (await docker.listVolumes({ filters })).Volumes ?? [];
  return [
    ...containers.map((c) => `container ${c.Names[0] ?? c.Id}`),
    ...networks.map((n) => `network ${n.Name}`),
    ...volumes.map((v) => `volume ${v.Name}`),
  ];
}

const validName = (name: string) => /^[a-z0-9][a-z0-9_-]*$/.test(name) && name.length <= 63;

/** Sends one case and answers what is wrong with how berth took it (nothing: an empty list). */
async function check(c: Case): Promise<string[]> {
  count(tally.kinds, c.kind);
  const problems: string[] = [];
  const where = `${c.kind} ${c.name} (seed ${SEED}): ${JSON.stringify(c.compose.slice(0, 600))}`;
  const { status, text, answer, errors } = await deploy(c);
  if (status >= 500) return [`${status} for ${where}: ${text.slice(0, 500)}`];
  if (errors.length > 0 || !answer) {
    count(tally.answers, `HTTP ${status}`);
    // Only a body over the HTTP limit is refused before GraphQL, with its catalog code.
    if (status === 413 && text.includes('PAYLOAD_TOO_LARGE')) return [];
    return [`GraphQL errors (HTTP ${status}) for ${where}: ${text.slice(0, 500)}`];
  }
  const label =
    answer.__typename === 'DeployStackResult'
      ? `result ok=${answer.ok} applied=${answer.applied}`
      : String(answer.code);
  count(tally.answers, label);
  if (process.env['BERTH_FUZZ_DEBUG'] && c.kind.startsWith('plausible'))
    for (const p of answer.problems ?? []) console.info(`[debug] ${c.kind}: ${p.path}: ${p.message}`);
  if (
    answer.__typename !== 'DeployStackResult' &&
    (!answer.__typename.endsWith('Error') ||
      !CATALOG.has(String(answer.code)) ||
      INTERNAL.has(String(answer.code)))
  ) {
    problems.push(`not a catalog error for ${where}: ${JSON.stringify(answer)}`);
  }
  if (!validName(c.name)) return problems;
  const applied = answer.__typename === 'DeployStackResult' && answer.applied === true;
  if (applied) {
    if (answer.ok) tally.real.ok += 1;
    else tally.real.failed += 1;
  }
  if (applied && answer.ok) {
    const removed = await berth.query(RemoveStack, { name: c.name, volumes: true });
    if (removed.removeStack.__typename !== 'Stack') {
      problems.push(`removeStack answered ${JSON.stringify(removed.removeStack)} for ${where}`);
    }
  }
  const left = await leftovers(c.name);
  if (left.length > 0) {
    problems.push(
      `left ${left.join(', ')} after ${label} ${JSON.stringify(answer.outcomes ?? answer.message)} for ${where}`,
    );
  } else if (!(applied && answer.ok)) {
    // A stack that failed its first deploy, or was never deployed, is not berth's either.
    const { stack } = await berth.query(StackQuery, { name: c.name });
    if (stack !== null) problems.push(`berth still has stack ${c.name} after ${label} for ${where}`);
  }
  return problems;
}

describe('deployStack on generated compose files', () => {
  const all = cases();

  it(`answers ${all.length} documents with a result or a typed error, and leaves no half-made stack`, async () => {
    expect(all.length).toBeGreaterThanOrEqual(200);
    const problems: string[] = [];
    for (const c of all) problems.push(...(await check(c)));
    // The generators must reach the engine's paths too, not only the loader's refusals.
    expect(
      tally.real.ok + tally.real.failed,
      JSON.stringify(Object.fromEntries(tally.answers)),
    ).toBeGreaterThan(3);
    expect(problems).toEqual([]);
  }, 600_000);

  it('removes the network a first deploy made when the next one of the file is refused', async () => {
    // The engine refuses the second network (its subnet overlaps the first's) after the first was made.
    const service = `    image: ${image}\n    command: ["sleep", "3600"]\n    init: true\n    networks: [one, two]\n`;
    const problems = await check({
      kind: 'same subnet twice',
      name: fresh(),
      compose:
        `services:\n  a:\n${service}` +
        'networks:\n  one:\n    ipam:\n      config: [{subnet: 10.213.250.0/24}]\n' +
        '  two:\n    ipam:\n      config: [{subnet: 10.213.250.0/24}]\n',
      dryRun: false,
    });
    expect(problems).toEqual([]);
  });
});
