import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Environments } from '../../src/domain/environments/environments.js';
import type { EnvironmentDefinition, EnvironmentRuntime } from '../../src/domain/environments/model.js';
import { EnvironmentService } from '../../src/domain/environments/service.js';
import { EnvironmentStore } from '../../src/domain/environments/store.js';
import type { DockerContext } from '../../src/platform/docker-contexts.js';
import { SecretBox } from '../../src/platform/secrets/secret-box.js';
import { BerthDatabase } from '../../src/platform/store/database.js';
import { makeCertificates, type TestCertificates } from '../support/certificates.js';
import { makeSshKey } from '../support/sshd.js';

/**
 * The rules of adding, storing and removing environments, with runtimes that never reach an engine
 * (the registry never looks inside them; test/integration/environments.test.ts runs real ones).
 */

const silent = { debug() {}, info() {}, warn() {}, error() {} };

function runtime(definition: EnvironmentDefinition): EnvironmentRuntime {
  const state = {
    status: 'CONNECTING',
    downSince: null,
    lastError: null,
    engineVersion: null,
    swarmRole: null,
  };
  return {
    definition,
    services: {
      name: definition.name,
      system: { engineState: () => state, onEngineStateChange: () => () => undefined },
    } as never,
    start: async () => undefined,
    stop: async () => undefined,
  };
}

let dir: string;
let certificates: TestCertificates;
const opened: BerthDatabase[] = [];

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'berth-environment-service-'));
  certificates ??= await makeCertificates(dir);
});

afterEach(async () => {
  for (const db of opened.splice(0)) db.close();
  await rm(dir, { recursive: true, force: true });
});

function service(
  options: {
    box?: SecretBox;
    contexts?: DockerContext[];
    declared?: EnvironmentDefinition[];
    sshKey?: { privateKey: Buffer };
  } = {},
) {
  const db = BerthDatabase.open({ dataDir: join(dir, 'data') });
  opened.push(db);
  const local = runtime({
    name: 'local',
    endpoint: 'unix:///var/run/docker.sock',
    connection: { kind: 'socket', socketPath: '/var/run/docker.sock' },
    source: 'LOCAL',
  });
  const environments = new Environments(local, runtime);
  return new EnvironmentService(environments, new EnvironmentStore(db), options.box, {
    declared: options.declared ?? [],
    contexts: () => options.contexts ?? [],
    sshKey: options.sshKey,
    log: silent,
  });
}

const tls = () => ({
  ca: certificates.ca.toString(),
  cert: certificates.client.cert.toString(),
  key: certificates.client.key.toString(),
});

describe('EnvironmentService', () => {
  it('stores a unix-socket environment without a secret key, and refuses TLS material without one', async () => {
    const environments = service();
    await environments.load();
    await expect(
      environments.add({ name: 'side', endpoint: 'unix:///run/side.sock' }),
    ).resolves.toMatchObject({
      kind: 'SOCKET',
      source: 'API',
    });
    await expect(
      environments.add({ name: 'edge', endpoint: 'tcp://127.0.0.1:2376', tls: tls() }),
    ).rejects.toMatchObject({ code: 'SECRET_KEY_MISSING' });
    await expect(environments.add({ name: 'Side', endpoint: 'unix:///s' })).rejects.toMatchObject({
      code: 'INVALID_INPUT',
      field: 'name',
    });
    await expect(environments.add({ name: 'local', endpoint: 'unix:///s' })).rejects.toMatchObject({
      code: 'ENVIRONMENT_EXISTS',
    });

    const again = service();
    await again.load();
    expect(again.list().map((environment) => environment.name)).toEqual(['local', 'side']);
  });

  it('refuses to remove local and the file’s environments, and lets a stored one shadowed by the file be', async () => {
    const box = SecretBox.fromSetting('environment-service-test-key-of-32-characters');
    await service({ box }).add({ name: 'filed', endpoint: 'unix:///run/stored.sock' });
    const declared: EnvironmentDefinition = {
      name: 'filed',
      endpoint: 'unix:///run/filed.sock',
      connection: { kind: 'socket', socketPath: '/run/filed.sock' },
      source: 'FILE',
    };
    const environments = service({ box, declared: [declared] });
    await environments.load();
    expect(environments.list()).toMatchObject([
      { name: 'local' },
      { name: 'filed', endpoint: 'unix:///run/filed.sock', source: 'FILE' },
    ]);
    await expect(environments.remove('filed')).rejects.toMatchObject({ code: 'ENVIRONMENT_PROTECTED' });
    await expect(environments.remove('local')).rejects.toMatchObject({ code: 'ENVIRONMENT_PROTECTED' });
    await expect(environments.remove('nowhere')).rejects.toMatchObject({ code: 'ENVIRONMENT_NOT_FOUND' });
  });

  it('keeps the host key an ssh environment added without one first trusted, across a restart', async () => {
    const box = SecretBox.fromSetting('environment-service-test-key-of-32-characters');
    const first = service({ box });
    await first.load();
    const privateKey = (await makeSshKey(join(dir, 'id_ed25519'), 'environment-service-test')).privateKey;
    await first.add({ name: 'edge', endpoint: 'ssh://deploy@127.0.0.1:2222', ssh: { privateKey } });
    expect(first.list()).toMatchObject([
      { name: 'local', hostKeySha256: null },
      { name: 'edge', hostKeySha256: null },
    ]);

    first.recordHostKey('edge', 'SHA256:first');
    first.recordHostKey('edge', 'SHA256:second');
    expect(first.list()[1]).toMatchObject({ name: 'edge', hostKeySha256: 'SHA256:first' });

    const restarted = service({ box });
    await restarted.load();
    expect(restarted.list()[1]).toMatchObject({ name: 'edge', hostKeySha256: 'SHA256:first' });
  });

  it('imports contexts; without a secret key a tcp one refuses the import whole', async () => {
    const contexts: DockerContext[] = [
      {
        name: 'prod',
        host: 'tcp://127.0.0.1:2376',
        skipTlsVerify: false,
        tls: { ca: certificates.ca, cert: certificates.client.cert, key: certificates.client.key },
      },
      { name: 'insecure', host: 'tcp://127.0.0.1:2376', skipTlsVerify: true, tls: {} },
      { name: 'My.Laptop', host: 'unix:///var/run/docker.sock', skipTlsVerify: false, tls: {} },
    ];
    await expect(service({ contexts }).importDockerContexts()).rejects.toMatchObject({
      code: 'SECRET_KEY_MISSING',
    });
    const box = SecretBox.fromSetting('environment-service-test-key-of-32-characters');
    const { imported, skipped } = await service({ box, contexts }).importDockerContexts();
    expect(imported.map((environment) => [environment.name, environment.source])).toEqual([
      ['prod', 'DOCKER_CONTEXT'],
    ]);
    expect(skipped).toEqual([
      { context: 'insecure', code: 'SKIPS_TLS_VERIFY', reason: expect.stringMatching(/SkipTLSVerify/) },
      {
        context: 'My.Laptop',
        code: 'INVALID_NAME',
        reason: expect.stringMatching(/not an environment's name/),
      },
    ]);
  });

  it('imports an ssh context with BERTH_SSH_KEY_FILE’s key, skips it (NO_SSH_KEY) without one, and needs the secret key to store it', async () => {
    const contexts: DockerContext[] = [
      { name: 'remote', host: 'ssh://deploy@127.0.0.1:2222', skipTlsVerify: false, tls: {} },
      // The Docker CLI takes ssh://host with the user from ~/.ssh/config; berth needs the user.
      { name: 'nouser', host: 'ssh://127.0.0.1', skipTlsVerify: false, tls: {} },
    ];
    const keyless = await service({
      contexts,
      box: SecretBox.fromSetting('environment-service-test-key-of-32-characters'),
    }).importDockerContexts();
    expect(keyless.imported).toEqual([]);
    expect(keyless.skipped.map(({ context, code }) => [context, code])).toEqual([
      ['remote', 'NO_SSH_KEY'],
      ['nouser', 'NO_SSH_KEY'],
    ]);

    const sshKey = {
      privateKey: Buffer.from((await makeSshKey(join(dir, 'id_ed25519'), 'context-test')).privateKey),
    };
    await expect(service({ contexts, sshKey }).importDockerContexts()).rejects.toMatchObject({
      code: 'SECRET_KEY_MISSING',
    });
    const box = SecretBox.fromSetting('environment-service-test-key-of-32-characters');
    const { imported, skipped } = await service({ box, contexts, sshKey }).importDockerContexts();
    expect(imported).toMatchObject([
      {
        name: 'remote',
        kind: 'SSH',
        source: 'DOCKER_CONTEXT',
        endpoint: 'ssh://deploy@127.0.0.1:2222',
        hostKeySha256: null,
      },
    ]);
    expect(skipped).toEqual([
      { context: 'nouser', code: 'INVALID_ENDPOINT', reason: expect.stringMatching(/ssh:\/\/user@host/) },
    ]);
  });
});
