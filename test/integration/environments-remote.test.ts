import type { Client } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_LABEL } from '../harness/docker.js';
import { TEST_IMAGE } from '../harness/engine.js';
import { startSshEngine, startTlsEngine, type SshEngine, type TlsEngine } from '../harness/remote-engines.js';
import { startBerth, uniqueName, type BerthClient, type RunningBerth } from '../support/berth.js';
import {
  AddEnvironment,
  ContainerEventsSubscription,
  ContainerLogs,
  ContainerStatsSubscription,
  CreateContainer,
  ListContainers,
  ListEnvironments,
  RemoveContainer,
  StartContainer,
  StopContainer,
} from '../support/operations/index.js';
import { subscribe } from '../support/subscriptions.js';
import { waitFor } from '../support/wait.js';

/**
 * The container lifecycle, logs, stats and events through berth's API on remote environments, the
 * way a user reaches other hosts: one engine over tcp:// with mutual TLS, one over ssh:// (the
 * remote runs `docker system dial-stdio`), both added with addEnvironment. Each passes the same test.
 */

const LABEL = uniqueName('remote-envs');
const TLS = uniqueName('tls').toLowerCase();
const SSH = uniqueName('ssh').toLowerCase();

let tlsEngine: TlsEngine;
let sshEngine: SshEngine;
let berth: RunningBerth;
let admin: BerthClient;
let client: Client;

beforeAll(async () => {
  [tlsEngine, sshEngine] = await Promise.all([startTlsEngine(), startSshEngine()]);
  berth = await startBerth(
    { BERTH_AUTH: 'on', BERTH_SECRET_KEY: 'environments-remote-test-secret-key-of-32-characters' },
    { label: LABEL },
  );
  admin = berth.asRole('admin', uniqueName('remote-admin'));
  const added = await Promise.all([
    admin.query(AddEnvironment, {
      name: TLS,
      endpoint: tlsEngine.dockerHost,
      tls: { ca: tlsEngine.ca.toString(), cert: tlsEngine.cert.toString(), key: tlsEngine.key.toString() },
    }),
    admin.query(AddEnvironment, {
      name: SSH,
      endpoint: sshEngine.endpoint,
      ssh: { privateKey: sshEngine.privateKey.toString(), hostKeySha256: sshEngine.hostKeySha256 },
    }),
  ]);
  for (const { addEnvironment } of added) {
    if (addEnvironment.__typename !== 'AddEnvironmentSuccess')
      throw new Error(JSON.stringify(addEnvironment));
  }
  await waitFor(async () => {
    const { environments } = await admin.query(ListEnvironments, {});
    const up = environments.filter((e) => e.status === 'UP').map((e) => e.name);
    expect(up).toEqual(expect.arrayContaining([TLS, SSH]));
  }, 60_000);
  client = admin.ws();
}, 180_000);

afterAll(async () => {
  await client?.dispose();
  await berth?.stop();
  await Promise.allSettled([tlsEngine?.stop(), sshEngine?.stop()]);
}, 120_000);

describe.each([
  ['tcp:// with mutual TLS', () => TLS],
  ['ssh:// with dial-stdio', () => SSH],
])('a remote environment over %s', (_, name) => {
  it('runs a container through berth: create, start, logs, stats, events, stop, remove', async () => {
    const environment = name();
    const events = subscribe(client, ContainerEventsSubscription, {
      environment,
      filter: { types: ['CREATE', 'START', 'DIE', 'DESTROY'] },
    });
    const { createContainer } = await admin.query(CreateContainer, {
      environment,
      input: {
        name: uniqueName('remote'),
        image: TEST_IMAGE,
        command: ['sh', '-c', 'trap "exit 0" TERM; echo hello from $HOSTNAME; while :; do sleep 1; done'],
        labels: [{ name: TEST_LABEL, value: LABEL }],
        start: false,
      },
    });
    if (createContainer.__typename !== 'CreateContainerSuccess')
      throw new Error(JSON.stringify(createContainer));
    const { id } = createContainer.container;
    expect(createContainer.container.environment).toBe(environment);
    // The container is on that engine only.
    const { containers: local } = await admin.query(ListContainers, {
      filter: { label: `${TEST_LABEL}=${LABEL}` },
    });
    expect(local.map((c) => c.id)).not.toContain(id);

    const { startContainer } = await admin.query(StartContainer, { id, environment });
    expect(startContainer).toMatchObject({ __typename: 'StartContainerSuccess' });
    await waitFor(async () => {
      const { container } = await admin.query(ContainerLogs, { id, environment });
      expect(container?.logs.map((line) => line.text).join('\n')).toContain('hello from');
    }, 15_000);

    const stats = subscribe(client, ContainerStatsSubscription, { id, environment });
    expect((await stats.next(30_000)).containerStats.containerId).toBe(id);
    stats.unsubscribe();

    const { stopContainer } = await admin.query(StopContainer, { id, environment });
    expect(stopContainer).toMatchObject({
      __typename: 'StopContainerSuccess',
      container: { status: 'EXITED' },
    });
    const { removeContainer } = await admin.query(RemoveContainer, { id, environment });
    expect(removeContainer).toMatchObject({ __typename: 'RemoveContainerSuccess' });

    const seen: string[] = [];
    while (!seen.includes('DESTROY')) {
      const { containerEvents } = await events.next(15_000);
      if (containerEvents.containerId === id) seen.push(containerEvents.type);
    }
    events.unsubscribe();
    expect(seen).toEqual(['CREATE', 'START', 'DIE', 'DESTROY']);
  }, 120_000);
});
