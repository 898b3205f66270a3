import { readFile } from 'node:fs/promises';
import { buildSchema, print, validate } from 'graphql';
import { describe, expect, it } from 'vitest';
import * as operations from '../../web/src/operations.js';
import { FormError, parseKeyValues, parsePorts, splitCommand } from '../../web/src/parse.js';
import { ALL_HOSTS, href, parseRoute } from '../../web/src/router.js';
import { CHART_SECONDS, DashboardStore } from '../../web/src/store.js';
import type { Container, StatsSample } from '../../web/src/operations.js';

describe('the dashboard’s GraphQL documents', () => {
  const documents = [
    operations.CONTAINERS,
    operations.WHO_AM_I,
    operations.STATS_HISTORY,
    operations.STATS_BATCHES,
    operations.CONTAINER_EVENTS,
    operations.CONTAINER_LOGS,
    operations.CREATE_CONTAINER,
    ...Object.values(operations.LIFECYCLE),
    operations.CHECK_IMAGE_UPDATES,
    operations.IMAGE_UPDATES,
    operations.REGISTRY_CREDENTIALS,
    operations.SAVE_REGISTRY_CREDENTIAL,
    operations.REMOVE_REGISTRY_CREDENTIAL,
    operations.SYNC_STACK,
    operations.DEPLOY_STACK_FROM_GIT,
    operations.STACK_WEBHOOK,
    operations.ROTATE_STACK_WEBHOOK,
    operations.ENVIRONMENTS,
    operations.ENVIRONMENT_CHANGES,
  ];

  // Codegen validates them when it writes web/src/gql/; this holds them to the schema as it is now.
  it('are valid against the checked-in schema.graphql', async () => {
    const schema = buildSchema(await readFile(new URL('../../schema.graphql', import.meta.url), 'utf8'));
    for (const document of documents) {
      expect(
        validate(schema, document).map((error) => error.message),
        print(document),
      ).toEqual([]);
    }
  });
});

describe('the create form’s fields', () => {
  it('splits a command as a shell would, quotes and escapes included', () => {
    expect(splitCommand(`sh -c 'while :; do :; done'`)).toEqual(['sh', '-c', 'while :; do :; done']);
    expect(splitCommand(`sh -c "trap 'exit 0' TERM; echo \\"hi\\""`)).toEqual([
      'sh',
      '-c',
      `trap 'exit 0' TERM; echo "hi"`,
    ]);
    expect(splitCommand(`echo a\\ b '' "" c`)).toEqual(['echo', 'a b', '', '', 'c']);
    expect(splitCommand('   ')).toEqual([]);
    expect(() => splitCommand(`echo 'open`)).toThrow(FormError);
    expect(() => splitCommand('echo \\')).toThrow(/backslash/);
  });

  it('reads NAME=value lines, values with = in them, and skips blanks and comments', () => {
    expect(parseKeyValues('A=1\n\n# note\n B = x=y \nEMPTY=', 'env')).toEqual([
      { name: 'A', value: '1' },
      { name: 'B ', value: ' x=y' },
      { name: 'EMPTY', value: '' },
    ]);
    expect(() => parseKeyValues('A=1\nnot a pair', 'labels')).toThrow(
      expect.objectContaining({ field: 'labels', message: expect.stringContaining('line 2') }),
    );
    expect(() => parseKeyValues('=value', 'env')).toThrow(FormError);
  });

  it('reads ports in docker -p syntax', () => {
    expect(parsePorts('80, 8081:80 127.0.0.1:8082:80/udp,127.0.0.1::53/SCTP [::1]:9000:90')).toEqual([
      { containerPort: 80, protocol: 'TCP' },
      { containerPort: 80, protocol: 'TCP', hostPort: 8081 },
      { containerPort: 80, protocol: 'UDP', hostPort: 8082, hostIp: '127.0.0.1' },
      { containerPort: 53, protocol: 'SCTP', hostIp: '127.0.0.1' },
      { containerPort: 90, protocol: 'TCP', hostPort: 9000, hostIp: '::1' },
    ]);
    expect(parsePorts('')).toEqual([]);
    for (const bad of ['http', '80/icmp', 'a:b:c:80', ':80', '80:']) {
      expect(() => parsePorts(bad), bad).toThrow(FormError);
    }
  });
});

function container(
  id: string,
  name: string,
  status: Container['status'] = 'RUNNING',
  environment = 'local',
): Container {
  return {
    id,
    name,
    environment,
    image: 'busybox',
    command: [],
    status,
    health: 'NONE',
    restartCount: 0,
    exitCode: null,
    createdAt: '2026-11-29T10:00:00.000Z',
    startedAt: '2026-11-29T10:00:00.000Z',
    ports: [],
    restartPolicy: { name: 'NO', maximumRetryCount: 0 },
    imageUpdate: null,
  };
}

function sample(
  containerId: string,
  second: number,
  cpuPercent: number | null,
  memoryUsageBytes = 1024,
): StatsSample {
  return {
    containerId,
    at: new Date(Date.UTC(2026, 10, 29, 10, 0, second)).toISOString(),
    cpuPercent,
    memoryUsageBytes,
    memoryLimitBytes: 1 << 30,
  };
}

describe('the dashboard’s store', () => {
  it('re-renders the table on a tick only when a row’s text changed, and keeps unchanged rows as they were', () => {
    const store = new DashboardStore();
    store.load([container('a', 'alpha'), container('b', 'beta')]);
    let renders = 0;
    store.on('stats', () => (renders += 1));

    store.applyBatch([sample('a', 1, 10.01), sample('b', 1, 0.5)]);
    expect(renders).toBe(1);
    const beta = store.stats.get('b');
    // 10.04% still reads "10%", 0.52% "0.5%": nothing to draw.
    store.applyBatch([sample('a', 2, 10.04), sample('b', 2, 0.52)]);
    expect(renders).toBe(1);
    store.applyBatch([sample('a', 3, 55), sample('b', 3, 0.5)]);
    expect(renders).toBe(2);
    expect(store.stats.get('a')).toMatchObject({ cpu: '55%', memory: '1.0 KiB', cpuBar: 55 });
    expect(store.stats.get('b')).toBe(beta);
    // A sample for a container the list does not (yet) have draws nothing.
    store.applyBatch([sample('zzz', 4, 99)]);
    expect(renders).toBe(2);
  });

  it('forgets the figures of a container that stops, and the selection of one removed', () => {
    const store = new DashboardStore();
    store.load([container('a', 'alpha')]);
    store.applyBatch([sample('a', 1, 10)]);
    store.select('a');
    store.upsert(container('a', 'alpha', 'EXITED'));
    expect(store.stats.has('a')).toBe(false);
    store.applyEvent({
      cursor: '1',
      environment: 'local',
      type: 'DESTROY',
      at: '2026-11-29T10:00:05.000Z',
      containerId: 'a',
      exitCode: null,
      health: null,
      container: container('a', 'alpha', 'EXITED'),
    });
    expect(store.containers.size).toBe(0);
    expect(store.selectedId).toBeNull();
    expect(store.events).toHaveLength(1);
  });

  it('puts a tag’s new check result on the containers that showed one for it, and says when none did', () => {
    const store = new DashboardStore();
    const checked = (status: 'UP_TO_DATE' | 'AVAILABLE', localDigest = `sha256:${'1'.repeat(64)}`) => ({
      reference: 'busybox:latest',
      status,
      localDigest,
      since: status === 'AVAILABLE' ? '2026-11-29T10:05:00.000Z' : null,
      checkedAt: '2026-11-29T10:05:00.000Z',
      error: null,
    });
    store.load([
      { ...container('a', 'alpha'), imageUpdate: checked('UP_TO_DATE') },
      { ...container('b', 'beta'), imageUpdate: checked('UP_TO_DATE') },
      { ...container('c', 'gamma'), image: 'nginx:alpine' },
    ]);
    let renders = 0;
    store.on('containers', () => (renders += 1));

    expect(store.applyImageUpdate(checked('AVAILABLE'))).toBe(true);
    expect(renders).toBe(1);
    expect(store.containers.get('a')?.imageUpdate?.status).toBe('AVAILABLE');
    expect(store.containers.get('b')?.imageUpdate?.status).toBe('AVAILABLE');
    expect(store.containers.get('c')?.imageUpdate).toBeNull();
    // A tag no container showed yet: the caller reads the list again.
    expect(store.applyImageUpdate({ ...checked('AVAILABLE'), reference: 'nginx:alpine' })).toBe(false);
    expect(renders).toBe(1);
    // The tag now names another image (a pull): a container may still run the old one, and only
    // berth knows which, so the caller reads the list again and nothing is overwritten meanwhile.
    const pulled = checked('UP_TO_DATE', `sha256:${'2'.repeat(64)}`);
    expect(store.applyImageUpdate(pulled)).toBe(false);
    expect(renders).toBe(1);
    expect(store.containers.get('a')?.imageUpdate?.status).toBe('AVAILABLE');
  });

  it('charts the selected container: history first, then live samples, within the chart’s span', () => {
    const store = new DashboardStore();
    store.load([container('b', 'beta'), container('a', 'alpha')]);
    expect(store.sorted().map((c) => c.name)).toEqual(['alpha', 'beta']);
    store.select('a');
    const series = store.series!;
    // Live samples arrive before the history answer does.
    store.applyBatch([sample('a', 10, 5), sample('b', 10, 7)]);
    store.applyBatch([sample('a', 11, 6)]);
    store.applyBatch([sample('a', 11, 6)]); // the same tick twice is one point
    series.loadHistory([sample('a', 8, 1), sample('a', 9, 2), sample('a', 10, 3)]);
    expect(series.cpu).toEqual([1, 2, 5, 6]);
    expect(series.times).toEqual([...series.times].sort((x, y) => x - y));
    expect(series.history).toEqual({ state: 'loaded', points: 3 });

    for (let second = 12; second < 12 + CHART_SECONDS; second += 1)
      store.applyBatch([sample('a', second, 1)]);
    expect(series.length).toBe(CHART_SECONDS);
    expect(series.memory).toHaveLength(CHART_SECONDS);
  });

  it('names the environments left out of the list or the latest batch, and starts afresh on another scope', () => {
    const store = new DashboardStore();
    let hosts = 0;
    store.on('hosts', () => (hosts += 1));
    store.setScope(ALL_HOSTS);
    store.load([container('a', 'alpha'), container('b', 'beta', 'RUNNING', 'edge')]);
    store.setListLeftOut(['gone']);
    store.applyBatch([sample('a', 1, 10)], ['slow', 'gone']);
    expect(store.leftOut).toEqual(['gone', 'slow']);
    const before = hosts;
    // The same names again tell no one.
    store.applyBatch([sample('a', 2, 10)], ['gone', 'slow']);
    expect(hosts).toBe(before);
    store.applyBatch([sample('a', 3, 10)], []);
    expect(store.leftOut).toEqual(['gone']);
    expect(store.listLeftOut).toEqual(['gone']);

    store.select('b');
    store.setScope('edge');
    expect(store.containers.size).toBe(0);
    expect(store.selectedId).toBeNull();
    expect(store.leftOut).toEqual([]);
    expect(store.stats.size).toBe(0);
  });

  it('keeps the switcher’s environments current from environmentChanged: local first, then by name', () => {
    const store = new DashboardStore();
    let hosts = 0;
    store.on('hosts', () => (hosts += 1));
    const up = (name: string) => ({ name, status: 'UP' as const, downSince: null, lastError: null });
    store.setEnvironments([up('local'), up('edge')]);
    store.applyEnvironmentChange({
      kind: 'ADDED',
      environment: { name: 'alpha', status: 'CONNECTING', downSince: null, lastError: null },
    });
    expect(store.environments.map(({ name, status }) => `${name} ${status}`)).toEqual([
      'local UP',
      'alpha CONNECTING',
      'edge UP',
    ]);
    const down = {
      name: 'edge',
      status: 'DOWN' as const,
      downSince: '2026-12-04T14:00:00.000Z',
      lastError: 'gone',
    };
    store.applyEnvironmentChange({ kind: 'DOWN', environment: down });
    expect(store.environments[2]).toEqual(down);
    store.applyEnvironmentChange({ kind: 'REMOVED', environment: up('alpha') });
    expect(store.environments.map(({ name }) => name)).toEqual(['local', 'edge']);
    expect(hosts).toBe(4);
  });

  it('selects a container asked for before the list that holds it is loaded', () => {
    const store = new DashboardStore();
    store.setScope('edge');
    store.load([container('b', 'beta', 'RUNNING', 'edge')]);
    store.selectWhenListed('a');
    expect(store.selectedId).toBeNull();
    store.setScope('local');
    store.load([container('a', 'alpha')]);
    expect(store.selectedId).toBe('a');
  });
});

describe('the dashboard’s routes', () => {
  it('keeps the environment in the fragment: #/ is local, #/all every host, #/env/<name> one', () => {
    expect(parseRoute('')).toEqual({ page: 'containers', environment: 'local' });
    expect(parseRoute('#/')).toEqual({ page: 'containers', environment: 'local' });
    expect(parseRoute('#/all')).toEqual({ page: 'containers', environment: ALL_HOSTS });
    expect(parseRoute('#/env/edge-1')).toEqual({ page: 'containers', environment: 'edge-1' });
    expect(parseRoute('#/stacks/web')).toEqual({ page: 'stacks', stack: 'web' });
    for (const environment of ['local', ALL_HOSTS, 'edge-1'])
      expect(parseRoute(href({ page: 'containers', environment }))).toEqual({
        page: 'containers',
        environment,
      });
  });
});
