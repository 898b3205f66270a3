import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { haltEngine, restartEngine, startEngine, stopEngine, type StartedEngine } from '../harness/engine.js';
import { startSshEngine, startTlsEngine, type SshEngine, type TlsEngine } from '../harness/remote-engines.js';
import { startBerth, type BerthClient, type RunningBerth } from '../support/berth.js';
import {
  AddEnvironment,
  AuditLog,
  CreateToken,
  ImportDockerContexts,
  ListEnvironments,
  RemoveEnvironment,
} from '../support/operations/index.js';
import { waitFor } from '../support/wait.js';

/**
 * Environments added, watched and removed through the API, against real engines: a private dockerd
 * on a unix socket (halted and restarted), one on tcp:// with mutual TLS, one over SSH; one declared
 * by BERTH_ENVIRONMENTS_FILE; Docker CLI contexts imported from a DOCKER_CONFIG this test writes.
 */

const SECRET_KEY = 'environments-test-secret-key-of-at-least-32-characters';

let socketEngine: StartedEngine;
let tlsEngine: TlsEngine;
let sshEngine: SshEngine;
let dir: string;
let dataDir: string;
let berth: RunningBerth;
let admin: BerthClient;

async function environments(client: BerthClient = admin) {
  return (await client.query(ListEnvironments, {})).environments;
}

async function environment(name: string) {
  const found = (await environments()).find((candidate) => candidate.name === name);
  if (!found) throw new Error(`no environment "${name}" listed`);
  return found;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'berth-environments-'));
  dataDir = join(dir, 'data');
  [socketEngine, tlsEngine, sshEngine] = await Promise.all([
    startEngine({ isolatedBridge: true, extraArgs: ['--shutdown-timeout=2'] }),
    startTlsEngine(),
    startSshEngine(),
  ]);
  // The file declares the shared engine again, under another name: what it points at does not matter here.
  await writeFile(
    join(dir, 'environments.yaml'),
    `environments:\n  - name: filed\n    endpoint: ${inject('dockerHost')}\n`,
  );
  await writeDockerContexts(join(dir, 'docker'));
  berth = await startBerth({
    BERTH_AUTH: 'on',
    BERTH_DATA_DIR: dataDir,
    BERTH_SECRET_KEY: SECRET_KEY,
    BERTH_ENVIRONMENTS_FILE: join(dir, 'environments.yaml'),
    DOCKER_CONFIG: join(dir, 'docker'),
  });
  admin = berth.asRole('admin', 'environments-admin');
}, 180_000);

afterAll(async () => {
  await berth?.stop();
  await Promise.allSettled([socketEngine && stopEngine(socketEngine), tlsEngine?.stop(), sshEngine?.stop()]);
  if (dir) await rm(dir, { recursive: true, force: true });
}, 120_000);

/** Contexts as `docker context create` stores them: meta under the SHA-256 of the name, TLS files beside. */
async function writeDockerContexts(configDir: string): Promise<void> {
  const write = async (name: string, host: string, tls?: { ca: Buffer; cert: Buffer; key: Buffer }) => {
    const id = createHash('sha256').update(name).digest('hex');
    const meta = join(configDir, 'contexts', 'meta', id);
    await mkdir(meta, { recursive: true });
    await writeFile(
      join(meta, 'meta.json'),
      JSON.stringify({
        Name: name,
        Metadata: {},
        Endpoints: { docker: { Host: host, SkipTLSVerify: false } },
      }),
    );
    if (!tls) return;
    const files = join(configDir, 'contexts', 'tls', id, 'docker');
    await mkdir(files, { recursive: true });
    await Promise.all([
      writeFile(join(files, 'ca.pem'), tls.ca),
      writeFile(join(files, 'cert.pem'), tls.cert),
      writeFile(join(files, 'key.pem'), tls.key),
    ]);
  };
  await write('ctx-tls', tlsEngine.dockerHost, tlsEngine);
  await write('ctx-ssh', sshEngine.endpoint);
  await write('ctx-plain', 'tcp://127.0.0.1:2375');
}

describe('environments', () => {
  it('lists local first and the file’s environment, which cannot be removed; nor can local', async () => {
    const listed = await environments();
    expect(listed.map((e) => e.name)).toEqual(['local', 'filed']);
    expect(listed[0]).toMatchObject({ source: 'LOCAL', kind: 'SOCKET' });
    await waitFor(
      async () => expect(await environment('filed')).toMatchObject({ source: 'FILE', status: 'UP' }),
      30_000,
    );
    for (const name of ['filed', 'local']) {
      const { removeEnvironment } = await admin.query(RemoveEnvironment, { name });
      expect(removeEnvironment).toMatchObject({
        __typename: 'EnvironmentProtectedError',
        code: 'ENVIRONMENT_PROTECTED',
      });
    }
  });

  it('adds a unix-socket engine: UP with its version; halted it is DOWN with since when and why; restarted, UP again', async () => {
    const { addEnvironment } = await admin.query(AddEnvironment, {
      name: 'socket',
      endpoint: socketEngine.dockerHost,
    });
    expect(addEnvironment).toMatchObject({ __typename: 'AddEnvironmentSuccess' });
    const up = await waitFor(async () => {
      const found = await environment('socket');
      expect(found).toMatchObject({ status: 'UP', kind: 'SOCKET', source: 'API', downSince: null });
      expect(found.engineVersion).toMatch(/^\d+\.\d+/);
      return found;
    }, 30_000);
    expect(up.swarmRole).toBeNull();

    const again = await admin.query(AddEnvironment, { name: 'socket', endpoint: socketEngine.dockerHost });
    expect(again.addEnvironment).toMatchObject({ code: 'ENVIRONMENT_EXISTS' });

    await haltEngine(socketEngine);
    const down = await waitFor(async () => {
      const found = await environment('socket');
      expect(found.status).toBe('DOWN');
      return found;
    }, 30_000);
    expect(new Date(String(down.downSince)).getTime()).toBeGreaterThan(0);
    expect(down.lastError).toContain(socketEngine.dockerHost.replace('unix://', ''));
    // The others answer meanwhile.
    expect((await environment('local')).status).toBe('UP');

    socketEngine = await restartEngine(socketEngine);
    await waitFor(
      async () => expect(await environment('socket')).toMatchObject({ status: 'UP', downSince: null }),
      30_000,
    );
  }, 120_000);

  it('adds a tcp:// engine with client certificates, and refuses one without them, typed', async () => {
    const refused = await admin.query(AddEnvironment, { name: 'bare-tcp', endpoint: tlsEngine.dockerHost });
    expect(refused.addEnvironment).toMatchObject({ code: 'INVALID_INPUT', field: 'tls' });
    const mismatched = await admin.query(AddEnvironment, {
      name: 'mismatched',
      endpoint: tlsEngine.dockerHost,
      tls: {
        ca: tlsEngine.ca.toString(),
        cert: tlsEngine.cert.toString(),
        key: sshEngine.privateKey.toString(),
      },
    });
    expect(mismatched.addEnvironment).toMatchObject({ code: 'INVALID_INPUT', field: 'tls.key' });
    expect(JSON.stringify(mismatched)).not.toContain(sshEngine.privateKey.toString().split('\n')[1]);

    const { addEnvironment } = await admin.query(AddEnvironment, {
      name: 'tls',
      endpoint: tlsEngine.dockerHost,
      tls: { ca: tlsEngine.ca.toString(), cert: tlsEngine.cert.toString(), key: tlsEngine.key.toString() },
    });
    expect(addEnvironment).toMatchObject({
      __typename: 'AddEnvironmentSuccess',
      environment: { kind: 'TCP', endpoint: `tcp://127.0.0.1:${tlsEngine.port}` },
    });
    await waitFor(async () => {
      const found = await environment('tls');
      expect(found.status).toBe('UP');
      expect(found.engineVersion).toMatch(/^\d+\.\d+/);
    }, 30_000);
  }, 60_000);

  it('adds an ssh:// engine with a private key and the host key', async () => {
    const { addEnvironment } = await admin.query(AddEnvironment, {
      name: 'ssh',
      endpoint: sshEngine.endpoint,
      ssh: { privateKey: sshEngine.privateKey.toString(), hostKeySha256: sshEngine.hostKeySha256 },
    });
    expect(addEnvironment).toMatchObject({
      __typename: 'AddEnvironmentSuccess',
      environment: { kind: 'SSH' },
    });
    await waitFor(async () => {
      const found = await environment('ssh');
      expect(found.status).toBe('UP');
      expect(found.engineVersion).toMatch(/^\d+\.\d+/);
    }, 30_000);
  }, 60_000);

  it('adds an ssh:// engine without a host key, and keeps the first one it met', async () => {
    const { addEnvironment } = await admin.query(AddEnvironment, {
      name: 'ssh-first-key',
      endpoint: sshEngine.endpoint,
      ssh: { privateKey: sshEngine.privateKey.toString() },
    });
    expect(addEnvironment).toMatchObject({ __typename: 'AddEnvironmentSuccess' });
    await waitFor(async () => {
      const found = await environment('ssh-first-key');
      expect(found.status).toBe('UP');
      expect(found.hostKeySha256).toBe(sshEngine.hostKeySha256);
    }, 30_000);
    const { removeEnvironment } = await admin.query(RemoveEnvironment, { name: 'ssh-first-key' });
    expect(removeEnvironment).toMatchObject({ __typename: 'RemoveEnvironmentSuccess' });
  }, 60_000);

  it('keeps no key or certificate in the clear in the database file', async () => {
    const files = await Promise.all(
      ['berth.db', 'berth.db-wal'].map((file) => readFile(join(dataDir, file)).catch(() => Buffer.alloc(0))),
    );
    const stored = Buffer.concat(files);
    expect(stored.length).toBeGreaterThan(0);
    // A line of each PEM body: long enough to be unique, short enough to sit within one page.
    for (const pem of [tlsEngine.key, tlsEngine.cert, tlsEngine.ca, sshEngine.privateKey]) {
      const line = pem.toString().split('\n')[2] ?? '';
      expect(line.length).toBeGreaterThan(40);
      expect(stored.includes(line)).toBe(false);
    }
  });

  it('audits each mutation by the environment’s name, without its key material', async () => {
    const { auditLog } = await admin.query(AuditLog, { filter: { action: 'addEnvironment' }, first: 50 });
    const outcomes = auditLog.entries.map((entry) => `${entry.target} ${entry.result}`);
    expect(outcomes).toEqual(
      expect.arrayContaining([
        'tls ok',
        'ssh ok',
        'socket ok',
        'bare-tcp error:INVALID_INPUT',
        'socket error:ENVIRONMENT_EXISTS',
      ]),
    );
    const text = JSON.stringify(auditLog);
    for (const pem of [tlsEngine.key, sshEngine.privateKey])
      expect(text).not.toContain(pem.toString().split('\n')[1]);
  });

  it('imports the Docker CLI contexts: a tcp one with its TLS files; ssh (no BERTH_SSH_KEY_FILE) and plain tcp ones skipped with why', async () => {
    const { importDockerContexts } = await admin.query(ImportDockerContexts, {});
    if (importDockerContexts.__typename !== 'ImportDockerContextsSuccess')
      throw new Error(JSON.stringify(importDockerContexts));
    const { imported, skipped } = importDockerContexts.result;
    expect(imported.map((e) => [e.name, e.source, e.kind])).toEqual([['ctx-tls', 'DOCKER_CONTEXT', 'TCP']]);
    expect(skipped.map((s) => s.context).sort()).toEqual(['ctx-plain', 'ctx-ssh']);
    // This berth has no BERTH_SSH_KEY_FILE: the ssh context has nothing to log in with.
    expect(skipped.find((s) => s.context === 'ctx-ssh')).toMatchObject({
      code: 'NO_SSH_KEY',
      reason: expect.stringMatching(/no private key.*BERTH_SSH_KEY_FILE/),
    });
    expect(skipped.find((s) => s.context === 'ctx-plain')).toMatchObject({
      code: 'NO_TLS_CERTIFICATES',
      reason: expect.stringMatching(/TLS client certificates/),
    });
    await waitFor(async () => expect((await environment('ctx-tls')).status).toBe('UP'), 30_000);
    // Imported once: a second import skips it by name.
    const second = await admin.query(ImportDockerContexts, {});
    expect(JSON.stringify(second)).toContain('already named');
  }, 60_000);

  it('shows a token limited to one environment only that one; unknown names are refused', async () => {
    const { createToken } = await admin.query(CreateToken, {
      name: 'only-filed',
      role: 'VIEWER',
      environments: ['filed'],
    });
    if (createToken.__typename !== 'CreateTokenSuccess') throw new Error(JSON.stringify(createToken));
    expect(createToken.created.token.environments).toEqual(['filed']);
    const limited = berth.as(createToken.created.secret);
    expect((await environments(limited)).map((e) => e.name)).toEqual(['filed']);
    // The REST shim drives the local engine alone: refused to a token limited elsewhere.
    const rest = await limited.fetch('/containers');
    expect(rest.status).toBe(403);
    expect(await rest.text()).toContain('limited to other environments');

    const unknown = await admin.query(CreateToken, {
      name: 'nowhere',
      role: 'VIEWER',
      environments: ['nowhere'],
    });
    expect(unknown.createToken).toMatchObject({ code: 'ENVIRONMENT_NOT_FOUND' });
  });

  it('removes an environment and stops its streams; a restarted berth loads the stored ones again', async () => {
    const { removeEnvironment } = await admin.query(RemoveEnvironment, { name: 'socket' });
    expect(removeEnvironment).toMatchObject({
      __typename: 'RemoveEnvironmentSuccess',
      environment: { name: 'socket' },
    });
    expect((await environments()).map((e) => e.name)).not.toContain('socket');
    const missing = await admin.query(RemoveEnvironment, { name: 'socket' });
    expect(missing.removeEnvironment).toMatchObject({ code: 'ENVIRONMENT_NOT_FOUND' });

    // Every engine's streams end with berth: its stop resolves.
    await berth.stop();
    berth = await startBerth({
      BERTH_AUTH: 'on',
      BERTH_DATA_DIR: dataDir,
      BERTH_SECRET_KEY: SECRET_KEY,
      BERTH_ENVIRONMENTS_FILE: join(dir, 'environments.yaml'),
    });
    admin = berth.asRole('admin', 'environments-admin-2');
    const listed = await environments();
    expect(listed.map((e) => [e.name, e.source])).toEqual([
      ['local', 'LOCAL'],
      ['ctx-tls', 'DOCKER_CONTEXT'],
      ['filed', 'FILE'],
      ['ssh', 'API'],
      ['tls', 'API'],
    ]);
    await waitFor(async () => {
      for (const name of ['tls', 'ssh']) expect((await environment(name)).status).toBe('UP');
    }, 30_000);
  }, 120_000);

  it('closes the SSH connection when its environment is removed', async () => {
    // sshd serves each connection with a child process: berth's is there, then gone.
    const sessions = async () =>
      (
        await promisify(execFile)('pgrep', ['-P', String(sshEngine.sshd.pid)]).catch(() => ({ stdout: '' }))
      ).stdout.trim();
    await waitFor(async () => expect(await sessions()).not.toBe(''), 30_000);
    const { removeEnvironment } = await admin.query(RemoveEnvironment, { name: 'ssh' });
    expect(removeEnvironment.__typename).toBe('RemoveEnvironmentSuccess');
    await waitFor(async () => expect(await sessions()).toBe(''), 30_000);
  }, 60_000);

  it('lists a stored environment whose keys another BERTH_SECRET_KEY sealed as DOWN, and removes it', async () => {
    await berth.stop();
    berth = await startBerth({
      BERTH_AUTH: 'on',
      BERTH_DATA_DIR: dataDir,
      BERTH_SECRET_KEY: 'another-secret-key-of-at-least-32-characters',
    });
    admin = berth.asRole('admin', 'environments-admin-3');
    const tls = await environment('tls');
    expect(tls).toMatchObject({ status: 'DOWN', source: 'API' });
    expect(tls.lastError).toMatch(/does not open with this BERTH_SECRET_KEY/);
    const { removeEnvironment } = await admin.query(RemoveEnvironment, { name: 'tls' });
    expect(removeEnvironment.__typename).toBe('RemoveEnvironmentSuccess');
    expect((await environments()).map((e) => e.name)).toEqual(['local', 'ctx-tls']);
  }, 60_000);
});
