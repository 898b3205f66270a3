import { describe, expect, it } from 'vitest';
import { loadStack, type LoadRequest } from '../../src/domain/stacks/compose/load.js';
import { InvalidComposeError, type ComposeProblem } from '../../src/shared/errors.js';

/** The problems of a file the loader refuses (the test fails if it accepts it). */
function problemsOf(request: Partial<LoadRequest> & { compose: string }): ComposeProblem[] {
  try {
    loadStack({ name: 'demo', ...request });
  } catch (error) {
    if (error instanceof InvalidComposeError) return [...error.problems];
    throw error;
  }
  throw new Error('the file was accepted');
}

const load = (compose: string, extra: Partial<LoadRequest> = {}) =>
  loadStack({ name: 'demo', compose, ...extra }).definition;

describe('loadStack: every supported key', () => {
  const compose = `
version: "3.9"
name: demo
x-defaults: &defaults
  restart: on-failure:3
services:
  web:
    <<: *defaults
    image: nginx:1.27
    command: ["nginx", "-g", "daemon off;"]
    entrypoint: /docker-entrypoint.sh --quiet "two words"
    environment: [A=1, FROM_ENV, MISSING]
    env_file: [common.env]
    ports: ["8080:80"]
    volumes:
      - data:/data
      - /srv/static:/static:ro
      - ./conf:/etc/nginx/conf.d
      - { type: volume, source: cache, target: /cache, read_only: true }
      - { type: bind, source: /var/log/web, target: /logs }
      - { type: tmpfs, target: /scratch, tmpfs: { size: 16m } }
    tmpfs: [/run, "/var/run:size=1m"]
    networks:
      front:
      back: { aliases: [www, site] }
    depends_on:
      db: { condition: service_healthy }
      migrate: { condition: service_completed_successfully }
      cache: { condition: service_started }
    healthcheck: { test: ["CMD", "curl", "-f", "http://localhost"], interval: 1m30s, timeout: 500ms, start_period: 2s, retries: 4 }
    labels: { team: web, "com.example.tier": front }
    user: "101:101"
    working_dir: /srv
    hostname: web-host
    init: true
    extra_hosts: ["gateway:10.0.0.1", "v6:fe80::1"]
    cap_add: [NET_ADMIN]
    cap_drop: [ALL]
    stop_grace_period: 1m
    stop_signal: SIGQUIT
    deploy:
      mode: replicated
      replicas: 1
      resources: { limits: { cpus: "0.5", memory: 256m } }
      update_config: { parallelism: 2, delay: 10s, order: start-first, failure_action: rollback }
  db:
    image: postgres:16
    environment: { POSTGRES_DB: app, PORT: 5432, EMPTY: "" }
    mem_limit: 1g
    cpus: 1.5
    restart: always
    networks: { back: { ipv4_address: 172.28.0.10 } }
    healthcheck: { test: pg_isready }
    x-note: ignored
  migrate:
    image: app:1
    restart: "no"
    healthcheck: { disable: true }
    extra_hosts: { registry: 10.0.0.2 }
  cache:
    image: redis
    labels: [tier=cache, flag]
    profiles: [extra]
  tools:
    image: busybox
    profiles: [debug]
networks:
  front: { driver: bridge, attachable: true, labels: [owner=web] }
  back:
    internal: true
    ipam: { config: [{ subnet: 172.28.0.0/16, gateway: 172.28.0.1 }] }
  outside: { external: true }
  legacy: { external: { name: shared-net } }
volumes:
  data: { driver: local, labels: { keep: "yes" } }
  cache: { name: shared-cache }
  old: { external: true, name: archive }
`;
  const definition = load(compose, {
    env: 'FROM_ENV=from the env file\nCOMPOSE_PROFILES=extra',
    readFile: (file) => (file === 'common.env' ? 'SHARED=1\nA=overridden by environment\n' : null),
    workingDir: '/stacks/demo',
  });
  const service = (name: string) => {
    const found = definition.services.find((candidate) => candidate.name === name);
    if (found === undefined) throw new Error(`no service ${name}`);
    return found;
  };

  it('maps a service into its replica template', () => {
    const web = service('web');
    expect(web.container).toMatchObject({
      image: 'nginx:1.27',
      command: ['nginx', '-g', 'daemon off;'],
      entrypoint: ['/docker-entrypoint.sh', '--quiet', 'two words'],
      env: [
        { name: 'SHARED', value: '1' },
        { name: 'A', value: '1' },
        { name: 'FROM_ENV', value: 'from the env file' },
      ],
      labels: [
        { name: 'team', value: 'web' },
        { name: 'com.example.tier', value: 'front' },
      ],
      tty: false,
      restartPolicy: { name: 'ON_FAILURE', maximumRetryCount: 3 },
      healthcheck: {
        test: ['CMD', 'curl', '-f', 'http://localhost'],
        intervalSeconds: 90,
        timeoutSeconds: 0.5,
        startPeriodSeconds: 2,
        retries: 4,
      },
      resources: { cpus: 0.5, memoryBytes: 256 * 1024 ** 2 },
      user: '101:101',
      workingDir: '/srv',
      hostname: 'web-host',
      init: true,
      extraHosts: ['gateway:10.0.0.1', 'v6:fe80::1'],
      capDrop: ['ALL'],
      stopSignal: 'SIGQUIT',
      stopTimeoutSeconds: 60,
      volumes: [
        { name: 'demo_data', target: '/data', readOnly: false },
        { name: 'shared-cache', target: '/cache', readOnly: true },
      ],
      tmpfs: [
        { target: '/scratch', sizeBytes: 16 * 1024 ** 2 },
        { target: '/run' },
        { target: '/var/run', sizeBytes: 1024 ** 2 },
      ],
      privileges: {
        privileged: false,
        hostNamespaces: [],
        capAdd: ['NET_ADMIN'],
        devices: [],
        securityOpt: [],
        mounts: [
          { type: 'bind', source: '/srv/static', target: '/static', readOnly: true },
          { type: 'bind', source: '/stacks/demo/conf', target: '/etc/nginx/conf.d', readOnly: false },
          { type: 'bind', source: '/var/log/web', target: '/logs', readOnly: false },
        ],
      },
    });
    expect(web.ports).toEqual([
      { target: 80, protocol: 'tcp', published: { start: 8080, end: 8080 }, hostIp: null },
    ]);
    expect(web.networks).toEqual([
      { key: 'front', aliases: [], ipv4Address: null },
      { key: 'back', aliases: ['www', 'site'], ipv4Address: null },
    ]);
    expect(web.dependsOn).toEqual([
      { service: 'db', condition: 'SERVICE_HEALTHY' },
      { service: 'migrate', condition: 'SERVICE_COMPLETED_SUCCESSFULLY' },
      { service: 'cache', condition: 'SERVICE_STARTED' },
    ]);
    expect(web.replicas).toBe(1);
    expect(web.update).toEqual({
      parallelism: 2,
      delaySeconds: 10,
      order: 'START_FIRST',
      failureAction: 'ROLLBACK',
    });
    expect(web.configHash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('maps the other forms: map environment, mem_limit and cpus, disabled healthcheck, map extra_hosts', () => {
    expect(service('db').container).toMatchObject({
      env: [
        { name: 'POSTGRES_DB', value: 'app' },
        { name: 'PORT', value: '5432' },
        { name: 'EMPTY', value: '' },
      ],
      resources: { memoryBytes: 1024 ** 3, cpus: 1.5 },
      restartPolicy: { name: 'ALWAYS', maximumRetryCount: 0 },
      healthcheck: { test: ['CMD-SHELL', 'pg_isready'] },
    });
    expect(service('db').container.privileges).toBeUndefined();
    expect(service('db').networks).toEqual([{ key: 'back', aliases: [], ipv4Address: '172.28.0.10' }]);
    expect(service('migrate').container).toMatchObject({
      restartPolicy: { name: 'NO', maximumRetryCount: 0 },
      healthcheck: { test: ['NONE'] },
      extraHosts: ['registry:10.0.0.2'],
    });
    expect(service('migrate').networks).toEqual([{ key: 'default', aliases: [], ipv4Address: null }]);
    expect(service('migrate').update).toEqual({
      parallelism: 1,
      delaySeconds: 0,
      order: 'STOP_FIRST',
      failureAction: 'PAUSE',
    });
    expect(service('cache').container.labels).toEqual([
      { name: 'tier', value: 'cache' },
      { name: 'flag', value: '' },
    ]);
  });

  it('runs the services of the enabled profiles (COMPOSE_PROFILES of the env) and lists the others', () => {
    expect(definition.services.map((s) => s.name)).toEqual(['web', 'db', 'migrate', 'cache']);
    expect(definition.inactive).toEqual(['tools']);
  });

  it('defines the networks and volumes used, the external ones, and default only when used', () => {
    expect(definition.networks).toEqual([
      {
        key: 'front',
        name: 'demo_front',
        external: false,
        driver: 'bridge',
        internal: false,
        attachable: true,
        labels: [{ name: 'owner', value: 'web' }],
        subnet: null,
        gateway: null,
      },
      {
        key: 'back',
        name: 'demo_back',
        external: false,
        driver: null,
        internal: true,
        attachable: false,
        labels: [],
        subnet: '172.28.0.0/16',
        gateway: '172.28.0.1',
      },
      {
        key: 'outside',
        name: 'outside',
        external: true,
        driver: null,
        internal: false,
        attachable: false,
        labels: [],
        subnet: null,
        gateway: null,
      },
      {
        key: 'legacy',
        name: 'shared-net',
        external: true,
        driver: null,
        internal: false,
        attachable: false,
        labels: [],
        subnet: null,
        gateway: null,
      },
      {
        key: 'default',
        name: 'demo_default',
        external: false,
        driver: null,
        internal: false,
        attachable: false,
        labels: [],
        subnet: null,
        gateway: null,
      },
    ]);
    expect(definition.volumes).toEqual([
      {
        key: 'data',
        name: 'demo_data',
        external: false,
        driver: 'local',
        labels: [{ name: 'keep', value: 'yes' }],
      },
      { key: 'cache', name: 'shared-cache', external: false, driver: null, labels: [] },
      { key: 'old', name: 'archive', external: true, driver: null, labels: [] },
    ]);
    expect(
      load('services: { a: { image: x, networks: [n] } }\nnetworks: { n: {} }').networks.map((n) => n.key),
    ).toEqual(['n']);
  });

  it('keeps the texts and names the deploy by the hash of file and env', () => {
    const loaded = loadStack({ name: 'demo', compose: 'services: { a: { image: x } }', env: 'A=1' });
    expect(loaded).toMatchObject({ compose: 'services: { a: { image: x } }', env: 'A=1' });
    expect(loaded.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(loadStack({ name: 'demo', compose: 'services: { a: { image: x } }', env: 'A=2' }).hash).not.toBe(
      loaded.hash,
    );
  });

  it('takes the profiles of the request over COMPOSE_PROFILES, and * for all', () => {
    const file =
      'services: { a: { image: x }, b: { image: x, profiles: [p] }, c: { image: x, profiles: [q] } }';
    expect(load(file, { env: 'COMPOSE_PROFILES=p', profiles: ['q'] }).inactive).toEqual(['b']);
    expect(load(file, { env: 'COMPOSE_PROFILES= p , q' }).inactive).toEqual([]);
    expect(load(file, { profiles: ['*'] }).inactive).toEqual([]);
  });
});

describe('loadStack: what berth refuses', () => {
  it('refuses every unsupported key by name and path, all in one answer', () => {
    const problems = problemsOf({
      compose: `services:
  web:
    image: x
    build: .
    privileged: true
    network_mode: host
    deploy: { resources: { reservations: { cpus: "1" } }, placement: { constraints: [a] } }
    volumes: [{ type: volume, source: data, target: /d, volume: { nocopy: true } }]
    x-fine: ok
volumes: { data: { driver_opts: { type: nfs } } }
secrets: { s: { file: ./s } }
`,
    });
    expect(problems.filter((p) => p.key !== null).map((p) => [p.path, p.key])).toEqual([
      ['services.web.build', 'build'],
      ['services.web.privileged', 'privileged'],
      ['services.web.network_mode', 'network_mode'],
      ['services.web.deploy.resources.reservations', 'reservations'],
      ['services.web.deploy.placement', 'placement'],
      ['services.web.volumes[0].volume', 'volume'],
      ['volumes.data.driver_opts', 'driver_opts'],
      ['secrets', 'secrets'],
    ]);
    expect(problems[0]).toMatchObject({ line: 4, column: 5 });
  });

  it('refuses keys the specification does not know, with their line', () => {
    expect(problemsOf({ compose: 'services:\n  web:\n    image: x\n    imagee: y\n' })).toEqual([
      {
        path: 'services.web.imagee',
        line: 4,
        column: 5,
        key: 'imagee',
        message: expect.stringContaining('Compose Specification'),
      },
    ]);
  });

  it('refuses what berth cannot make: no image, global mode, anonymous and relative volumes, env_file without files', () => {
    const problems = problemsOf({
      compose: `services:
  a: { command: run }
  b: { image: x, deploy: { mode: global } }
  c: { image: x, volumes: [/data, ./here:/here, "~/x:/x", "v:/v:nocopy"], env_file: .env }
volumes: { v: {} }
`,
    });
    expect(problems.map((p) => [p.path, p.message])).toEqual([
      ['services.a', expect.stringContaining('berth does not build images')],
      ['services.b.deploy.mode', expect.stringContaining('global')],
      ['services.c.volumes[0]', expect.stringContaining('anonymous volume')],
      ['services.c.volumes[1]', expect.stringContaining('relative')],
      ['services.c.volumes[2]', expect.stringContaining('home directory')],
      ['services.c.volumes[3]', expect.stringContaining('"nocopy"')],
      ['services.c.env_file', expect.stringContaining('env_file needs a stack with files')],
    ]);
  });

  it('reads env_file only inside the stack', () => {
    const problems = problemsOf({
      compose: 'services: { a: { image: x, env_file: [../secret.env, /etc/passwd, missing.env] } }',
      readFile: () => null,
    });
    expect(problems.map((p) => p.path)).toEqual([
      'services.a.env_file[0]',
      'services.a.env_file[1]',
      'services.a.env_file[2]',
    ]);
  });

  it('accepts a top-level name only when it is the stack name', () => {
    expect(problemsOf({ compose: 'name: other\nservices: { a: { image: x } }' })).toEqual([
      expect.objectContaining({ path: 'name', line: 1, column: 7 }),
    ]);
  });

  it('reads keys named like Object members as keys, and words of the file as nothing more', () => {
    const problems = problemsOf({
      compose:
        'services:\n  __proto__: { image: x, restart: constructor }\n  constructor: { image: y, depends_on: [toString] }\n',
    });
    expect(problems.map((p) => p.path)).toEqual([
      'services.__proto__.restart',
      'services.constructor.depends_on[0]',
    ]);
  });

  it('refuses a stack name Compose would not take, at no line of the file', () => {
    expect(problemsOf({ name: 'Bad Name', compose: 'services: {}' })).toEqual([
      expect.objectContaining({ path: 'name', line: null, column: null }),
    ]);
  });
});

describe('loadStack: errors with their place', () => {
  it('gives a YAML syntax error its line and column', () => {
    const [problem, ...rest] = problemsOf({ compose: 'services:\n  web:\n    image: "x\n' });
    expect(rest).toEqual([]);
    expect(problem).toMatchObject({ path: '', line: expect.any(Number), column: expect.any(Number) });
    expect(problem?.message).toMatch(/^YAML: /);
    expect(problemsOf({ compose: 'a: 1\na: 2\n' })[0]).toMatchObject({ line: 2, column: 1 });
  });

  it('gives a schema error its path and line, and folds the forms of a oneOf into one', () => {
    expect(
      problemsOf({
        compose: 'services:\n  web:\n    image: x\n    ports:\n      - { target: "80" }\n    depends_on: 3\n',
      }),
    ).toEqual([
      { path: 'services.web.ports[0].target', line: 5, column: 19, key: null, message: 'must be an integer' },
      {
        path: 'services.web.depends_on',
        line: 6,
        column: 17,
        key: null,
        message: 'must be a list or a mapping',
      },
    ]);
    expect(problemsOf({ compose: '' })).toEqual([
      expect.objectContaining({ path: '', message: 'must be a mapping' }),
    ]);
  });

  it('refuses dependency cycles by naming them, and unknown or inactive dependencies', () => {
    const problems = problemsOf({
      compose: `services:
  a: { image: x, depends_on: [b] }
  b: { image: x, depends_on: [c] }
  c: { image: x, depends_on: [a] }
  d: { image: x, depends_on: [d, ghost, off] }
  off: { image: x, profiles: [p] }
`,
    });
    expect(problems.map((p) => [p.path, p.message])).toEqual([
      ['services.a.depends_on', 'the dependencies make a cycle: a -> b -> c -> a'],
      ['services.d.depends_on', 'the dependencies make a cycle: d -> d'],
      ['services.d.depends_on[1]', expect.stringContaining('not a service')],
      ['services.d.depends_on[2]', expect.stringContaining('no enabled profile')],
    ]);
  });

  it('refuses networks and volumes a service uses without declaring them, default excepted', () => {
    const problems = problemsOf({
      compose: 'services: { a: { image: x, networks: [default, nope], volumes: ["gone:/g"] } }',
    });
    expect(problems.map((p) => p.path)).toEqual(['services.a.networks[1]', 'services.a.volumes[0]']);
  });

  it('refuses a fixed address shared by replicas, or on a network without a subnet', () => {
    const problems = problemsOf({
      compose: `services:
  a: { image: x, deploy: { replicas: 2 }, networks: { n: { ipv4_address: 10.1.0.5 } } }
  b: { image: x, networks: { m: { ipv4_address: 10.2.0.5 } } }
networks: { n: { ipam: { config: [{ subnet: 10.1.0.0/16 }] } }, m: {} }
`,
    });
    expect(problems.map((p) => [p.path, p.message])).toEqual([
      ['services.a.networks.n.ipv4_address', expect.stringContaining('2 replicas')],
      ['services.b.networks.m.ipv4_address', expect.stringContaining('needs a subnet')],
    ]);
  });
});
