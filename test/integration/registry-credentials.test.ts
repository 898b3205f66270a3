import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { cleanupLabelled, TEST_LABEL, testDocker } from '../harness/docker.js';
import { findExecutable, registryConfig, splitReference } from '../harness/engine.js';
import { startBerth, uniqueName, type RunningBerth } from '../support/berth.js';
import { recordingLogger } from '../support/log.js';
import {
  AuditLog,
  Backup,
  CreateContainer,
  PullPrivateImage,
  RegistryCredentials,
  RemoveRegistryCredential,
  SaveRegistryCredential,
} from '../support/operations/index.js';
import { CheckImageUpdates } from '../support/operations/updates.js';
import { waitFor } from '../support/wait.js';

/**
 * A second local registry, this one with htpasswd authentication, on its own loopback port: berth
 * pulls from it only with the credential saved for its host, and the password is found nowhere
 * berth writes or answers.
 */

const LABEL = 'registry-credentials';
const USERNAME = 'berth-ci';
// Random per run, so a match in a file can only be this run's password.
const PASSWORD = `pw-${randomBytes(12).toString('hex')}`;
const SECRET_KEY = randomBytes(32).toString('base64');

const docker = testDocker(inject('dockerHost'));
let registry: { address: string; dir: string; child: ChildProcess };
let image: string;
let withKey: RunningBerth;
let withoutKey: RunningBerth;
let dataDir: string;
const log = recordingLogger();
/** Every GraphQL answer this file receives, as its bytes, to look for the password in. */
const answers: string[] = [];

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

async function startAuthenticatedRegistry(): Promise<typeof registry> {
  const binary = await findExecutable('docker-registry');
  if (binary === undefined)
    throw new Error('docker-registry is not installed (apt-get install docker-registry)');
  const dir = await mkdtemp(join(tmpdir(), 'berth-auth-registry-'));
  const address = `127.0.0.1:${await freePort()}`;
  // bcrypt, the one hash the registry's htpasswd accepts; python3's crypt makes it without apache2-utils.
  const hash = execFileSync('python3', [
    '-W',
    'ignore',
    '-c',
    'import crypt, sys; print(crypt.crypt(sys.argv[1], crypt.mksalt(crypt.METHOD_BLOWFISH)))',
    PASSWORD,
  ])
    .toString()
    .trim();
  await writeFile(join(dir, 'htpasswd'), `${USERNAME}:${hash}\n`);
  await writeFile(
    join(dir, 'config.yml'),
    registryConfig(join(dir, 'data'), { address, htpasswd: join(dir, 'htpasswd') }),
  );
  const child = spawn(binary, ['serve', join(dir, 'config.yml')], { stdio: 'ignore' });
  await waitFor(async () => {
    const response = await fetch(`http://${address}/v2/`).catch(() => undefined);
    await response?.body?.cancel();
    return response?.status === 401;
  }, 15_000);
  return { address, dir, child };
}

/** Pushes the test image to the registry with the credential, then drops every local name of it. */
async function pushPrivate(reference: string): Promise<void> {
  const [repo, tag] = splitReference(reference);
  await docker.getImage(inject('testImage')).tag({ repo, tag });
  const stream = await docker
    .getImage(repo)
    .push({ tag, authconfig: { username: USERNAME, password: PASSWORD, serveraddress: registry.address } });
  const failure = await new Promise<string | undefined>((resolve, reject) => {
    docker.modem.followProgress(stream, (error: Error | null, output: { error?: string }[]) =>
      error ? reject(error) : resolve(output.find((line) => line.error)?.error),
    );
  });
  if (failure !== undefined) throw new Error(`push to ${registry.address} failed: ${failure}`);
  await dropLocal(reference);
}

/** The engine forgets the image's name (its layers stay with the test image), so a create must pull. */
async function dropLocal(reference: string): Promise<void> {
  const [repo] = splitReference(reference);
  const info = await docker
    .getImage(inject('testImage'))
    .inspect()
    .catch(() => undefined);
  const names = [reference, ...(info?.RepoDigests ?? []).filter((name) => name.startsWith(`${repo}@`))];
  for (const name of names) {
    await docker
      .getImage(name)
      .remove()
      .catch(() => undefined);
  }
}

/** Runs an operation and keeps the answer's bytes. */
async function ask<TResult, TVariables>(
  berth: RunningBerth,
  document: TypedDocumentNode<TResult, TVariables>,
  variables?: TVariables,
): Promise<TResult> {
  const response = await berth.graphql(document, variables);
  answers.push(JSON.stringify(response));
  if (response.errors?.length || !response.data)
    throw new Error(`GraphQL errors: ${JSON.stringify(response.errors)}`);
  return response.data;
}

/** What checkImageUpdates answers for `reference`. */
async function updateOf(reference: string) {
  const { checkImageUpdates } = await ask(withKey, CheckImageUpdates);
  if (checkImageUpdates.__typename !== 'CheckImageUpdatesSuccess') throw new Error(checkImageUpdates.message);
  return checkImageUpdates.updates.find((update) => update.reference === reference);
}

function createInput(name: string) {
  return {
    name,
    image,
    start: false,
    labels: [{ name: TEST_LABEL, value: LABEL }],
  };
}

beforeAll(async () => {
  registry = await startAuthenticatedRegistry();
  image = `${registry.address}/berth-test/private:v1`;
  await pushPrivate(image);
  dataDir = await mkdtemp(join(tmpdir(), 'berth-data-registries-'));
  withKey = await startBerth(
    { BERTH_SECRET_KEY: SECRET_KEY, BERTH_DATA_DIR: dataDir, LOG_LEVEL: 'debug' },
    { label: LABEL, logger: log.logger },
  );
  withoutKey = await startBerth({}, { label: LABEL, logger: log.logger });
});

afterAll(async () => {
  await withKey?.stop();
  await withoutKey?.stop();
  await cleanupLabelled(docker, `${TEST_LABEL}=${LABEL}`);
  if (image !== undefined) await dropLocal(image);
  if (registry !== undefined) {
    registry.child.kill('SIGTERM');
    await rm(registry.dir, { recursive: true, force: true });
  }
  if (dataDir !== undefined) await rm(dataDir, { recursive: true, force: true });
});

describe('registry credentials', () => {
  it('a pull and a create of a private image fail with REGISTRY_UNAUTHORIZED while no credential is saved', async () => {
    const { pullImage } = await ask(withKey, PullPrivateImage, { reference: image });
    expect(pullImage).toMatchObject({
      __typename: 'RegistryUnauthorizedError',
      code: 'REGISTRY_UNAUTHORIZED',
      registry: registry.address,
    });
    const { createContainer } = await ask(withKey, CreateContainer, {
      input: createInput(uniqueName(LABEL)) as never,
    });
    expect(createContainer).toMatchObject({
      __typename: 'RegistryUnauthorizedError',
      code: 'REGISTRY_UNAUTHORIZED',
    });
  });

  it('without BERTH_SECRET_KEY, saving a credential is refused with SECRET_KEY_MISSING and nothing is stored', async () => {
    const { saveRegistryCredential } = await ask(withoutKey, SaveRegistryCredential, {
      registry: registry.address,
      username: USERNAME,
      password: PASSWORD,
    });
    expect(saveRegistryCredential).toMatchObject({
      __typename: 'SecretKeyMissingError',
      code: 'SECRET_KEY_MISSING',
    });
    expect((await ask(withoutKey, RegistryCredentials)).registryCredentials).toEqual([]);
  });

  it('refuses a registry that is not a host with INVALID_INPUT', async () => {
    const { saveRegistryCredential } = await ask(withKey, SaveRegistryCredential, {
      registry: 'ghcr.io/team/app',
      username: USERNAME,
      password: PASSWORD,
    });
    expect(saveRegistryCredential).toMatchObject({ code: 'INVALID_INPUT', field: 'registry' });
  });

  it('a wrong password is REGISTRY_UNAUTHORIZED too', async () => {
    await ask(withKey, SaveRegistryCredential, {
      registry: registry.address,
      username: USERNAME,
      password: 'not-the-password',
    });
    const { pullImage } = await ask(withKey, PullPrivateImage, { reference: image });
    expect(pullImage).toMatchObject({ __typename: 'RegistryUnauthorizedError', registry: registry.address });
  });

  it('with the credential saved, the pull and a create that pulls succeed, and the list shows no secret', async () => {
    const { saveRegistryCredential } = await ask(withKey, SaveRegistryCredential, {
      registry: registry.address,
      username: USERNAME,
      password: PASSWORD,
    });
    expect(saveRegistryCredential).toMatchObject({
      __typename: 'SaveRegistryCredentialSuccess',
      credential: { registry: registry.address, username: USERNAME },
    });

    const { pullImage } = await ask(withKey, PullPrivateImage, { reference: image });
    expect(pullImage).toMatchObject({
      __typename: 'PullImageSuccess',
      image: { tags: expect.arrayContaining([image]) },
    });

    // The engine forgets the image again: the create has to pull it itself.
    await dropLocal(image);
    const name = uniqueName(LABEL);
    const { createContainer } = await ask(withKey, CreateContainer, { input: createInput(name) as never });
    expect(createContainer).toMatchObject({
      __typename: 'CreateContainerSuccess',
      container: { name, image },
    });

    // The image-update check asks the registry for the tag's digest with the same credential.
    expect(await updateOf(image)).toMatchObject({ status: 'UP_TO_DATE', error: null });

    const { registryCredentials } = await ask(withKey, RegistryCredentials);
    expect(registryCredentials).toEqual([
      {
        registry: registry.address,
        username: USERNAME,
        createdAt: expect.any(String),
        updatedAt: expect.any(String),
        lastUsedAt: expect.any(String),
      },
    ]);
  });

  it('the password is nowhere: database files, logs, audit log, backup, GraphQL answers', async () => {
    const { auditLog } = await ask(withKey, AuditLog, { first: 200 });
    // Audited by the registry it names, with nothing of its other arguments.
    const saves = auditLog.entries.filter((entry) => entry.action === 'saveRegistryCredential');
    expect(saves.map((entry) => entry.target)).toContain(registry.address);
    const { backup } = await ask(withKey, Backup);

    const needles = [
      PASSWORD,
      Buffer.from(PASSWORD).toString('base64'),
      Buffer.from(PASSWORD).toString('base64url'),
      Buffer.from(PASSWORD).toString('hex'),
    ];
    const files = (await readdir(dataDir)).filter((file) => file.startsWith('berth.db'));
    expect(files).toContain('berth.db');
    const haystacks: [string, string][] = [
      ...(await Promise.all(
        files.map(async (file): Promise<[string, string]> => [
          file,
          (await readFile(join(dataDir, file))).toString('latin1'),
        ]),
      )),
      ['logs', log.lines.map((line) => line.text).join('\n')],
      ['audit log', JSON.stringify(auditLog)],
      ['backup', JSON.stringify(backup)],
      ['GraphQL answers', answers.join('\n')],
    ];
    // Something was written to look in: the credential row, the log of the pulls.
    const database = haystacks
      .filter(([where]) => where.startsWith('berth.db'))
      .map(([, text]) => text)
      .join('');
    expect(database).toContain(USERNAME);
    expect(database).toMatch(/v1\.[\w-]{16}\.[\w-]+/);
    expect(log.lines.some((line) => line.text.includes(`${USERNAME}@${registry.address}`))).toBe(true);
    for (const [where, text] of haystacks) {
      for (const needle of needles) expect(text.includes(needle), `${where} holds the password`).toBe(false);
    }
  });

  it('removing the credential makes the pull fail again; removing it twice is REGISTRY_CREDENTIAL_NOT_FOUND', async () => {
    const { removeRegistryCredential } = await ask(withKey, RemoveRegistryCredential, {
      registry: registry.address,
    });
    expect(removeRegistryCredential).toMatchObject({
      __typename: 'RemoveRegistryCredentialSuccess',
      credential: { registry: registry.address, username: USERNAME },
    });
    const { pullImage } = await ask(withKey, PullPrivateImage, { reference: image });
    expect(pullImage).toMatchObject({
      __typename: 'RegistryUnauthorizedError',
      code: 'REGISTRY_UNAUTHORIZED',
    });

    // Anonymous again, the registry refuses the check too: the tag's state cannot be known.
    expect(await updateOf(image)).toMatchObject({ status: 'UNKNOWN', error: expect.stringMatching(/401/) });

    const again = await ask(withKey, RemoveRegistryCredential, { registry: registry.address });
    expect(again.removeRegistryCredential).toMatchObject({
      code: 'REGISTRY_CREDENTIAL_NOT_FOUND',
      registry: registry.address,
    });
  });
});
