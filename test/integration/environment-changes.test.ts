import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from 'graphql-ws';
import { print } from 'graphql';
import type { EnvironmentChangedSubscription } from '../gql/graphql.js';
import { statusCodeOf, testDocker } from '../harness/docker.js';
import { haltEngine, restartEngine, startEngine, stopEngine, type StartedEngine } from '../harness/engine.js';
import { startBerth, uniqueName, type BerthClient, type RunningBerth } from '../support/berth.js';
import { addSocketEnvironment } from '../support/environments.js';
import { freePort } from '../support/git-server.js';
import { CreateToken, EnvironmentChanged, ListEnvironments } from '../support/operations/index.js';
import { subscribe, type Subscription } from '../support/subscriptions.js';
import { waitFor } from '../support/wait.js';

/**
 * The `environmentChanged` stream against a second, private engine added to a running berth: it
 * is added (ADDED, then UP), halted (DOWN), restarted (UP), put into a swarm with the Docker CLI
 * behind berth's back (UPDATED, swarmRole manager, found by the periodic read of what the engine
 * is), taken out again, and removed (REMOVED). A token limited to `local` hears none of it; each
 * subscriber that leaves is let go. Over graphql-ws and over Server-Sent Events.
 */

type Change = EnvironmentChangedSubscription['environmentChanged'];

const SECOND = uniqueName('second').toLowerCase();
const GONE = uniqueName('gone').toLowerCase();
const execFileAsync = promisify(execFile);

let second: StartedEngine;
let berth: RunningBerth;
let admin: BerthClient;
let adminWs: Client;
let limitedWs: Client;
let changes: Subscription<EnvironmentChangedSubscription>;
let limitedChanges: Subscription<EnvironmentChangedSubscription>;

/** The admin stream's next change of `name` (others', such as local's, are passed over). */
async function nextChangeOf(name: string, timeoutMs = 30_000): Promise<Change> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const left = deadline - Date.now();
    if (left <= 0) throw new Error(`no change of ${name} within ${timeoutMs} ms`);
    const { environmentChanged } = await changes.next(left);
    if (environmentChanged.environment.name === name) return environmentChanged;
  }
}

function listeners(): number {
  return berth.app.context.environments.listeners();
}

beforeAll(async () => {
  second = await startEngine({ isolatedBridge: true, extraArgs: ['--shutdown-timeout=2'] });
  // What the engine is, read every second: the swarm joined with the CLI shows up within seconds.
  berth = await startBerth({ BERTH_AUTH: 'on' }, { engineFactsRefreshMs: 1000 });
  admin = berth.asRole('admin', uniqueName('env-changes-admin'));
  const { createToken } = await admin.query(CreateToken, {
    name: uniqueName('only-local'),
    role: 'VIEWER',
    environments: ['local'],
  });
  if (createToken.__typename !== 'CreateTokenSuccess') throw new Error(JSON.stringify(createToken));
  adminWs = admin.ws();
  limitedWs = berth.as(createToken.created.secret).ws();
  changes = subscribe(adminWs, EnvironmentChanged);
  limitedChanges = subscribe(limitedWs, EnvironmentChanged);
  // Both subscribers are listening before anything changes.
  await waitFor(async () => expect(listeners()).toBe(2), 10_000);
}, 120_000);

afterAll(async () => {
  changes?.unsubscribe();
  limitedChanges?.unsubscribe();
  await berth?.stop();
  if (second) {
    await leaveSwarm(second.dockerHost).catch(() => undefined);
    await stopEngine(second);
  }
}, 120_000);

async function leaveSwarm(dockerHost: string): Promise<void> {
  try {
    await testDocker(dockerHost).swarmLeave({ force: true });
  } catch (error) {
    // 503: the engine is not in a swarm (any more).
    if (statusCodeOf(error) !== 503) throw error;
  }
}

describe('environmentChanged', () => {
  it('says an added environment is ADDED, then UP with its engine’s version', async () => {
    await addSocketEnvironment(berth.app, SECOND, second.dockerHost);
    const added = await nextChangeOf(SECOND);
    expect(added).toMatchObject({
      kind: 'ADDED',
      environment: { name: SECOND, kind: 'SOCKET', source: 'API' },
    });
    const up = await nextChangeOf(SECOND);
    expect(up).toMatchObject({ kind: 'UP', environment: { status: 'UP', downSince: null, swarmRole: null } });
    expect(up.environment.engineVersion).toMatch(/^\d+\.\d+/);
    // The same as `environments` answers it.
    const { environments } = await admin.query(ListEnvironments, {});
    expect(environments.find((environment) => environment.name === SECOND)).toEqual(up.environment);
  }, 60_000);

  it('says DOWN with since when and why when its engine stops, and UP when it is back', async () => {
    await haltEngine(second);
    const down = await nextChangeOf(SECOND);
    expect(down).toMatchObject({ kind: 'DOWN', environment: { name: SECOND, status: 'DOWN' } });
    expect(down.environment.downSince).not.toBeNull();
    expect(down.environment.lastError).toContain(second.dockerHost.replace(/^unix:\/\//, ''));

    second = await restartEngine(second);
    const up = await nextChangeOf(SECOND, 60_000);
    expect(up).toMatchObject({ kind: 'UP', environment: { status: 'UP', downSince: null } });
    expect(up.environment.engineVersion).not.toBeNull();
  }, 120_000);

  it('says UPDATED with swarmRole manager when `docker swarm init` is run on the host with the CLI, and standalone again after it leaves', async () => {
    const docker = testDocker(second.dockerHost);
    // The swarm's gateway bridge under a name of its own, so it never meets another engine's docker_gwbridge.
    await docker.createNetwork({
      Name: 'docker_gwbridge',
      Driver: 'bridge',
      Options: {
        'com.docker.network.bridge.name': `berthgw${Math.floor(Math.random() * 0xffffff).toString(16)}`,
        'com.docker.network.bridge.enable_icc': 'false',
        'com.docker.network.bridge.enable_ip_masquerade': 'true',
      },
    });
    const port = await freePort();
    await execFileAsync('docker', [
      '-H',
      second.dockerHost,
      'swarm',
      'init',
      '--listen-addr',
      `127.0.0.1:${port}`,
      '--advertise-addr',
      `127.0.0.1:${port}`,
      '--data-path-port',
      String(40_000 + Math.floor(Math.random() * 9_000)),
    ]);
    const joined = await nextChangeOf(SECOND);
    expect(joined).toMatchObject({ kind: 'UPDATED', environment: { status: 'UP', swarmRole: 'manager' } });

    await execFileAsync('docker', ['-H', second.dockerHost, 'swarm', 'leave', '--force']);
    const left = await nextChangeOf(SECOND);
    expect(left).toMatchObject({ kind: 'UPDATED', environment: { status: 'UP', swarmRole: null } });
  }, 60_000);

  it('streams over Server-Sent Events too, and lets the reader go when it leaves', async () => {
    const abort = new AbortController();
    const response = await admin.fetch('/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
      body: JSON.stringify({ query: print(EnvironmentChanged) }),
      signal: abort.signal,
    });
    expect(response.headers.get('content-type')).toContain('text/event-stream');
    await waitFor(async () => expect(listeners()).toBe(3), 10_000);
    // Nothing listens on its socket: ADDED, then DOWN.
    await addSocketEnvironment(berth.app, GONE, `unix:///tmp/${GONE}-nobody.sock`, { waitForSync: false });
    const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
    let text = '';
    try {
      while (!/"kind":"DOWN"/.test(text)) {
        const { value, done } = await reader.read();
        if (done) throw new Error(`stream ended: ${text}`);
        text += value;
      }
    } finally {
      abort.abort();
    }
    const kinds = text
      .split('\n')
      .filter((line) => line.startsWith('data: '))
      .map((line) => JSON.parse(line.slice('data: '.length)) as { data: { environmentChanged: Change } })
      .map(({ data }) => [data.environmentChanged.environment.name, data.environmentChanged.kind]);
    expect(kinds).toEqual([
      [GONE, 'ADDED'],
      [GONE, 'DOWN'],
    ]);
    await waitFor(async () => expect(listeners()).toBe(2), 10_000);
    expect((await nextChangeOf(GONE)).kind).toBe('ADDED');
    expect((await nextChangeOf(GONE)).kind).toBe('DOWN');
  }, 60_000);

  it('says REMOVED with the environment as it was', async () => {
    await berth.app.context.environments.remove(SECOND);
    const removed = await nextChangeOf(SECOND);
    expect(removed).toMatchObject({ kind: 'REMOVED', environment: { name: SECOND, status: 'UP' } });
  });

  it('tells a token limited to local nothing of the others; each subscriber that leaves is let go', async () => {
    // Everything above reached the admin's stream; the limited one's got none of it.
    expect(limitedChanges.pending).toEqual([]);
    expect(limitedChanges.errors).toEqual([]);
    changes.unsubscribe();
    limitedChanges.unsubscribe();
    await waitFor(async () => expect(listeners()).toBe(0), 10_000);
  });
});
