import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { TEST_LABEL, cleanupLabelled, parseDockerHost, testDocker } from '../harness/docker.js';
import { startBerth, uniqueName, type RunningBerth } from '../support/berth.js';
import { SocketForwarder } from '../support/socket-forwarder.js';
import { waitFor } from '../support/wait.js';
import { AuditLog, type AuditEntry } from '../../src/platform/audit/log.js';
import { BerthDatabase } from '../../src/platform/store/database.js';

/**
 * Creates cut by a crash: a real berth process is killed with SIGKILL while two creates are in
 * flight, held at a socket that forwards to the real engine, one whose request the engine had
 * acted on (its answer held back) and one the engine never saw. The audit log then holds both
 * intents, outcome unknown; a second berth on the same data directory reconciles them with the
 * engine at start.
 */

const LABEL = 'create-crash';
const REPO = new URL('../..', import.meta.url).pathname;

let dir: string;
let forwarder: SocketForwarder;
let docker: Docker;
const children: ChildProcess[] = [];
let second: RunningBerth | undefined;

/** berth as `npm start` runs it, in its own process; resolves with its URL once it listens. */
async function spawnBerth(env: Record<string, string>): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: REPO,
    env: { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? '/root', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  const output: string[] = [];
  const url = await new Promise<string>((resolve, reject) => {
    for (const stream of [child.stdout, child.stderr]) {
      createInterface({ input: stream! }).on('line', (line) => {
        output.push(line);
        const listening = /berth listening on (http:\/\/\S+) /.exec(line);
        if (listening) resolve(listening[1]!);
      });
    }
    child.once('exit', (code) =>
      reject(new Error(`berth exited (${code}) before listening:\n${output.join('\n')}`)),
    );
  });
  return { child, url };
}

function createContainer(url: string, name: string): Promise<unknown> {
  return fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      query: 'mutation($i: CreateContainerInput!) { createContainer(input: $i) { __typename } }',
      variables: { i: { name, image: inject('testImage'), labels: [{ name: TEST_LABEL, value: LABEL }] } },
    }),
  }).catch((error: unknown) => error);
}

/** The audit log of a data directory no berth has open. */
function auditOf(dataDir: string): AuditEntry[] {
  const db = BerthDatabase.open({ dataDir });
  try {
    return new AuditLog(db).query({ first: 200 }).entries;
  } finally {
    db.close();
  }
}

beforeAll(async () => {
  docker = testDocker(inject('dockerHost'));
  dir = await mkdtemp(join(tmpdir(), 'berth-crash-'));
  const engine = parseDockerHost(inject('dockerHost'));
  if (engine.kind !== 'unix') throw new Error('this test holds requests on a forwarded unix socket');
  forwarder = new SocketForwarder(join(dir, 'docker.sock'), engine.socketPath);
  await forwarder.listen();
});

afterAll(async () => {
  for (const child of children)
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await second?.stop();
  await forwarder?.cut();
  await rm(dir, { recursive: true, force: true });
  await cleanupLabelled(docker, `${TEST_LABEL}=${LABEL}`);
});

describe('a create cut by kill -9', () => {
  it('leaves its intent audited, outcome unknown, and the next start records what the engine did', async () => {
    const dataDir = join(dir, 'data');
    const { child, url } = await spawnBerth({
      DOCKER_HOST: `unix://${forwarder.path}`,
      BERTH_DATA_DIR: dataDir,
      BERTH_AUTH: 'off',
      HOST: '127.0.0.1',
      PORT: '0',
    });
    const made = uniqueName('crash-made');
    const lost = uniqueName('crash-lost');
    const answerHeld = forwarder.holdAnswer(new RegExp(`/containers/create\\?name=${made}$`));
    const requestHeld = forwarder.holdRequest(new RegExp(`/containers/create\\?name=${lost}$`));
    const pending = [createContainer(url, made), createContainer(url, lost)];
    await Promise.all([answerHeld, requestHeld]);
    // The engine made the first; berth has not heard so. The second never left the socket.
    const container = await waitFor(() => docker.getContainer(made).inspect());

    const exited = once(child, 'exit');
    child.kill('SIGKILL');
    expect(await exited).toEqual([null, 'SIGKILL']);
    await forwarder.cut();
    await Promise.all(pending);

    const intentOf = (entry: AuditEntry | undefined) =>
      /intent ([0-9a-f-]{36})/.exec(entry?.detail ?? '')?.[1];
    const before = auditOf(dataDir).filter((entry) => entry.target === made || entry.target === lost);
    expect(before.map(({ action, target, result }) => ({ action, target, result }))).toEqual(
      expect.arrayContaining([
        { action: 'createContainer', target: made, result: 'started' },
        { action: 'createContainer', target: lost, result: 'started' },
      ]),
    );
    expect(before).toHaveLength(2);
    // The container the engine made carries the intent's id.
    const madeIntent = intentOf(before.find((entry) => entry.target === made));
    expect(container.Config.Labels['berth.create-intent']).toBe(madeIntent);

    // A second berth on the same data directory, straight to the engine.
    second = await startBerth({ BERTH_DATA_DIR: dataDir }, { label: LABEL });
    const outcomes = await waitFor(async () => {
      const entries = second!.app.context.audit
        .query({ first: 200 })
        .entries.filter(
          (entry) => entry.result !== 'started' && (entry.target === made || entry.target === lost),
        );
      if (entries.length < 2) throw new Error('not reconciled yet');
      return entries;
    });
    expect(outcomes).toHaveLength(2);
    expect(outcomes.find((entry) => entry.target === made)).toMatchObject({
      action: 'createContainer',
      result: 'ok',
      detail: expect.stringContaining(container.Id.slice(0, 12)),
    });
    expect(intentOf(outcomes.find((entry) => entry.target === made))).toBe(madeIntent);
    expect(outcomes.find((entry) => entry.target === lost)).toMatchObject({
      action: 'createContainer',
      result: 'interrupted',
      detail: expect.stringMatching(/no container/),
    });
    await expect(docker.getContainer(lost).inspect()).rejects.toMatchObject({ statusCode: 404 });

    // Reconciled once: a third start adds nothing.
    await second.stop();
    second = await startBerth({ BERTH_DATA_DIR: dataDir }, { label: LABEL });
    await new Promise((resolve) => setTimeout(resolve, 500));
    const again = second.app.context.audit
      .query({ first: 200 })
      .entries.filter((entry) => entry.target === made || entry.target === lost);
    expect(again).toHaveLength(4);
  });

  it('records intent and outcome of a create that ends, and nothing twice', async () => {
    second ??= await startBerth({ BERTH_DATA_DIR: join(dir, 'data-plain') }, { label: LABEL });
    const name = uniqueName('crash-plain');
    const response = await createContainer(second.url, name);
    expect(response).toBeInstanceOf(Response);
    const entries = second.app.context.audit
      .query({ first: 200 })
      .entries.filter((entry) => entry.target === name);
    expect(entries.map(({ action, result }) => ({ action, result }))).toEqual([
      { action: 'createContainer', result: 'ok' },
      { action: 'createContainer', result: 'started' },
    ]);

    // The REST shim's create too (it takes no labels: removed by name).
    const restName = uniqueName('crash-rest');
    try {
      const rest = await fetch(`${second.url}/containers`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ name: restName, image: inject('testImage') }),
      });
      expect(rest.status).toBe(201);
      const restEntries = second.app.context.audit
        .query({ first: 200 })
        .entries.filter((entry) => entry.target === restName);
      expect(restEntries.map(({ action, result }) => ({ action, result }))).toEqual([
        { action: 'POST /containers', result: 'ok' },
        { action: 'POST /containers', result: 'started' },
      ]);
    } finally {
      await docker
        .getContainer(restName)
        .remove({ force: true })
        .catch(() => undefined);
    }
  });
});
