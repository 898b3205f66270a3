import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { DeployStackFromGitMutationVariables } from '../gql/graphql.js';
import { TEST_LABEL, cleanupLabelled, testDocker } from '../harness/docker.js';
import { startBerth, uniqueName, type RunningBerth } from '../support/berth.js';
import {
  startGitDaemon,
  startHttpGitServer,
  startSshGitServer,
  WorkingRepo,
  type GitServer,
} from '../support/git-server.js';
import { recordingLogger } from '../support/log.js';
import {
  Backup,
  DeployStack,
  DeployStackFromGit,
  RemoveStack,
  Restore,
  StackHistory,
  StackSource,
  SyncStack,
} from '../support/operations/index.js';
import { waitFor } from '../support/wait.js';

// Stacks from git against real git servers on loopback and the real engine: the checkout's files
// are what the containers get, a push recreates only the service it changed, and the credentials
// berth is given appear nowhere.

const FILE = `stacks-git-${process.pid}`;
const SECRET_KEY = 'stacks-git-test-secret-key-0123456789-abcdef';
/** A "minute" of pollMinutes in this file's berth. */
const POLL_MINUTE_MS = 300;

let berth: RunningBerth;
let docker: Docker;
let dataDir: string;
let daemon: GitServer;
const log = recordingLogger();
const stacks: string[] = [];
const repos: WorkingRepo[] = [];

beforeAll(async () => {
  docker = testDocker(inject('dockerHost'));
  dataDir = await mkdtemp(join(tmpdir(), 'berth-data-git-'));
  berth = await startBerth(
    { BERTH_DATA_DIR: dataDir, BERTH_SECRET_KEY: SECRET_KEY },
    { label: FILE, logger: log.logger, gitPollMinuteMs: POLL_MINUTE_MS },
  );
  daemon = await startGitDaemon();
}, 60_000);

afterAll(async () => {
  for (const name of stacks) await berth?.query(RemoveStack, { name, volumes: true }).catch(() => undefined);
  await berth?.stop();
  if (docker) await cleanupLabelled(docker, `${TEST_LABEL}=${FILE}`);
  await daemon?.stop();
  for (const repo of repos) await repo.remove();
  await rm(dataDir, { recursive: true, force: true });
});

function stackName(prefix: string): string {
  const name = uniqueName(prefix).replace(/^berth-test-/, 'bt-');
  stacks.push(name);
  return name;
}

async function repoIn(server: GitServer, prefix: string): Promise<WorkingRepo> {
  const repo = await WorkingRepo.create(server.root, `${prefix}-${repos.length}`);
  repos.push(repo);
  return repo;
}

/** Two long-running services: web reads an env_file and a bind-mounted file of the repository. */
function composeFile(workerRole: string): string {
  const image = inject('testImage');
  return `services:
  web:
    image: ${image}
    command: ["sh", "-c", "exec sleep 3600"]
    init: true
    env_file: ./config/web.env
    environment:
      GREETING: \${GREETING}
      EXTRA: \${EXTRA:-none}
    volumes:
      - ./site/index.html:/www/index.html:ro
    labels:
      ${TEST_LABEL}: ${FILE}
  worker:
    image: ${image}
    command: ["sh", "-c", "exec sleep 3600"]
    init: true
    environment:
      ROLE: ${workerRole}
    labels:
      ${TEST_LABEL}: ${FILE}
`;
}

const REPO_FILES = {
  'config/web.env': 'WEB_MESSAGE=from-the-env-file\n',
  'site/index.html': '<p>hello from git</p>\n',
  '.env': 'GREETING=from-the-repository\n',
};

async function deploy(input: DeployStackFromGitMutationVariables['input']) {
  const { deployStackFromGit } = await berth.query(DeployStackFromGit, { input });
  return deployStackFromGit;
}

async function deployed(input: DeployStackFromGitMutationVariables['input']) {
  const answer = await deploy(input);
  if (answer.__typename !== 'DeployStackFromGitSuccess')
    throw new Error(`deploy failed: ${JSON.stringify(answer)}`);
  if (!answer.deploy.ok) throw new Error(`deploy did not succeed: ${JSON.stringify(answer.deploy.outcomes)}`);
  return answer;
}

async function sync(name: string) {
  const { syncStack } = await berth.query(SyncStack, { name });
  if (syncStack.__typename !== 'SyncStackSuccess')
    throw new Error(`sync failed: ${JSON.stringify(syncStack)}`);
  return syncStack;
}

async function containerIds(stack: string): Promise<Record<string, string>> {
  const list = await docker.listContainers({
    all: true,
    filters: { label: [`com.docker.compose.project=${stack}`] },
  });
  return Object.fromEntries(list.map((info) => [info.Labels['com.docker.compose.service'] ?? '', info.Id]));
}

describe('deployStackFromGit and syncStack from git daemon', () => {
  it('deploys the checkout, records its commit, and a sync recreates only what a push changed', async () => {
    const repo = await repoIn(daemon, 'app');
    await repo.write({ ...REPO_FILES, 'compose.yaml': composeFile('first') });
    const first = await repo.commitAndPush('first');
    const name = stackName('git');

    const answer = await deployed({
      name,
      repository: daemon.url(repo.name),
      env: 'EXTRA=given-at-deploy\n',
    });
    expect(answer.source).toMatchObject({
      repository: daemon.url(repo.name),
      ref: 'main',
      path: 'compose.yaml',
      commit: first,
      auth: 'NONE',
      pollMinutes: 0,
    });
    const { stack } = await berth.query(StackSource, { name });
    expect(stack?.source?.commit).toBe(first);

    const checkout = join(dataDir, 'git-stacks', name, 'checkout');
    const ids = await containerIds(name);
    const web = await docker.getContainer(ids['web']!).inspect();
    expect(web.Mounts).toContainEqual(
      expect.objectContaining({
        Type: 'bind',
        Source: join(checkout, 'site/index.html'),
        Destination: '/www/index.html',
      }),
    );
    expect(web.Config.Env).toEqual(
      expect.arrayContaining([
        'WEB_MESSAGE=from-the-env-file',
        'GREETING=from-the-repository',
        'EXTRA=given-at-deploy',
      ]),
    );
    expect(await readFile(join(checkout, 'site/index.html'), 'utf8')).toBe(REPO_FILES['site/index.html']);

    // A push that changes only the worker.
    await repo.write({ 'compose.yaml': composeFile('second') });
    const second = await repo.commitAndPush('second');
    const synced = await sync(name);
    expect(synced).toMatchObject({ changed: true, commit: second, previousCommit: first });
    expect(synced.deploy?.ok).toBe(true);
    const after = await containerIds(name);
    expect(after['web']).toBe(ids['web']);
    expect(after['worker']).not.toBe(ids['worker']);
    const worker = await docker.getContainer(after['worker']!).inspect();
    expect(worker.Config.Env).toContain('ROLE=second');

    // Nothing new: nothing touched.
    const again = await sync(name);
    expect(again).toMatchObject({ changed: false, commit: second, previousCommit: second, deploy: null });
    expect(await containerIds(name)).toEqual(after);

    const { stackHistory } = await berth.query(StackHistory, { name });
    if (stackHistory.__typename !== 'StackHistorySuccess') throw new Error(JSON.stringify(stackHistory));
    const [latest, earliest] = [stackHistory.data[0]!, stackHistory.data.at(-1)!];
    expect(latest).toMatchObject({ action: 'SYNC', ok: true });
    expect(latest.summary).toContain(`commit ${second.slice(0, 12)} (was ${first.slice(0, 12)})`);
    expect(earliest).toMatchObject({ action: 'DEPLOY', ok: true });
    expect(earliest.summary).toContain(`commit ${first.slice(0, 12)}`);

    // A stack from git changes through git.
    const { deployStack } = await berth.query(DeployStack, {
      input: { name, compose: composeFile('by-hand') },
    });
    expect(deployStack).toMatchObject({ __typename: 'InvalidInputError', code: 'INVALID_INPUT' });
    expect(await containerIds(name)).toEqual(after);

    // Removing the stack removes its source and its checkout.
    await berth.query(RemoveStack, { name, volumes: true });
    await expect(readdir(join(dataDir, 'git-stacks', name))).rejects.toThrow(/ENOENT/);
    const { syncStack } = await berth.query(SyncStack, { name });
    expect(syncStack).toMatchObject({ __typename: 'StackNotFoundError' });
  }, 120_000);

  it('answers GIT_FAILED for a ref the repository lacks, and keeps nothing', async () => {
    const repo = await repoIn(daemon, 'noref');
    await repo.write({ ...REPO_FILES, 'compose.yaml': composeFile('x') });
    await repo.commitAndPush('only');
    const name = stackName('gitref');
    const answer = await deploy({ name, repository: daemon.url(repo.name), ref: 'no-such-branch' });
    expect(answer).toMatchObject({
      __typename: 'GitFailedError',
      code: 'GIT_FAILED',
      reason: 'REF_NOT_FOUND',
    });
    await expect(readdir(join(dataDir, 'git-stacks', name))).rejects.toThrow(/ENOENT/);
    const missing = await deploy({ name, repository: daemon.url('no-such-repository') });
    expect(missing).toMatchObject({
      __typename: 'GitFailedError',
      code: 'GIT_FAILED',
      reason: 'UNREACHABLE',
    });
  }, 60_000);

  it('refuses a bind source or env_file that leads out of the checkout, by .. or by a symbolic link', async () => {
    const repo = await repoIn(daemon, 'escape');
    const image = inject('testImage');
    await repo.write({
      'compose.yaml': `services:
  app:
    image: ${image}
    volumes:
      - ../../outside:/outside
      - ./etc-link/hostname:/host-name
    env_file: ./env-link
`,
    });
    await symlink('/etc', join(repo.work, 'etc-link'));
    await symlink('/etc/hostname', join(repo.work, 'env-link'));
    await repo.commitAndPush('escapes');
    const name = stackName('gitesc');
    const answer = await deploy({ name, repository: daemon.url(repo.name) });
    if (answer.__typename !== 'InvalidComposeError') throw new Error(JSON.stringify(answer));
    expect(answer.problems).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          path: 'services.app.volumes[0]',
          line: 5,
          message: expect.stringMatching(/leads out/),
        }),
        expect.objectContaining({
          path: 'services.app.volumes[1]',
          line: 6,
          message: expect.stringMatching(/leads out/),
        }),
        expect.objectContaining({
          path: 'services.app.env_file',
          line: 7,
          message: expect.stringMatching(/leads out/),
        }),
      ]),
    );
    expect(await containerIds(name)).toEqual({});
    await expect(readdir(join(dataDir, 'git-stacks', name))).rejects.toThrow(/ENOENT/);
  }, 60_000);
});

describe('polling', () => {
  it('picks up a push without any sync call', async () => {
    const repo = await repoIn(daemon, 'poll');
    await repo.write({ ...REPO_FILES, 'compose.yaml': composeFile('before') });
    await repo.commitAndPush('before');
    const name = stackName('gitpoll');
    await deployed({ name, repository: daemon.url(repo.name), pollMinutes: 1 });
    const before = await containerIds(name);

    await repo.write({ 'compose.yaml': composeFile('after-poll') });
    const pushed = await repo.commitAndPush('after');
    await waitFor(async () => {
      const { stack } = await berth.query(StackSource, { name });
      expect(stack?.source?.commit).toBe(pushed);
    }, 60_000);
    const after = await containerIds(name);
    expect(after['web']).toBe(before['web']);
    expect(after['worker']).not.toBe(before['worker']);
    const { stackHistory } = await berth.query(StackHistory, { name });
    if (stackHistory.__typename !== 'StackHistorySuccess') throw new Error(JSON.stringify(stackHistory));
    expect(stackHistory.data[0]).toMatchObject({ action: 'SYNC', ok: true, actor: 'git-poll' });
  }, 120_000);
});

describe('HTTPS-like with a token (git http-backend)', () => {
  it('fails with GIT_FAILED without the token, deploys and syncs with it, and the token appears nowhere', async () => {
    const token = `tok-${randomBytes(18).toString('hex')}`;
    const http = await startHttpGitServer(token);
    try {
      const repo = await repoIn(http, 'private');
      await repo.write({ ...REPO_FILES, 'compose.yaml': composeFile('private') });
      const first = await repo.commitAndPush('first');
      const name = stackName('gittok');
      const repository = http.url(repo.name);

      const refused = await deploy({ name, repository });
      expect(refused).toMatchObject({
        __typename: 'GitFailedError',
        code: 'GIT_FAILED',
        reason: 'AUTH_REFUSED',
      });
      const wrong = await deploy({ name, repository, auth: { token: 'not-the-token' } });
      expect(wrong).toMatchObject({ __typename: 'GitFailedError', reason: 'AUTH_REFUSED' });
      expect(JSON.stringify(wrong)).not.toContain('not-the-token');

      const answer = await deployed({ name, repository, auth: { token, username: 'ci' } });
      expect(answer.source).toMatchObject({ commit: first, auth: 'TOKEN' });
      expect(http.authorizations).toContain(`Basic ${Buffer.from(`ci:${token}`).toString('base64')}`);

      await repo.write({ 'compose.yaml': composeFile('private-2') });
      const second = await repo.commitAndPush('second');
      expect(await sync(name)).toMatchObject({ changed: true, commit: second });

      // A redirect to another host is not followed, so the token never reaches it.
      const other = await startHttpGitServer(token);
      const redirecting = await startHttpGitServer(token, { redirectTo: other.base });
      try {
        const moved = await deploy({
          name: stackName('gitmoved'),
          repository: redirecting.url(repo.name),
          auth: { token },
        });
        expect(moved).toMatchObject({ __typename: 'GitFailedError', code: 'GIT_FAILED' });
        expect(redirecting.authorizations.length).toBeGreaterThan(0);
        expect(other.authorizations).toEqual([]);
      } finally {
        await redirecting.stop();
        await other.stop();
      }

      // Where the token could leak: the answers, the database, berth's files, its logs, a backup.
      const { backup } = await berth.query(Backup, {});
      const kept = (backup as { sections: { stacks: { name: string; git?: unknown }[] } }).sections.stacks;
      expect(kept.find((stack) => stack.name === name)?.git).toMatchObject({ repository, auth: 'TOKEN' });
      const answers = [
        JSON.stringify(answer),
        JSON.stringify(await berth.query(StackSource, { name })),
        JSON.stringify(backup),
      ];
      const basic = Buffer.from(`ci:${token}`).toString('base64');
      for (const text of answers) {
        expect(text).not.toContain(token);
        expect(text).not.toContain(basic);
      }
      for (const file of await filesUnder(dataDir)) {
        const bytes = await readFile(file);
        expect(bytes.includes(token), file).toBe(false);
        expect(bytes.includes(basic), file).toBe(false);
      }
      const logged = log.lines.map((line) => line.text).join('\n');
      expect(logged).not.toContain(token);
      expect(logged).not.toContain(basic);
    } finally {
      await http.stop();
    }
  }, 120_000);

  it('refuses a credential without BERTH_SECRET_KEY, and stores nothing', async () => {
    const keyless = await startBerth({}, { label: FILE });
    try {
      const name = stackName('gitnokey');
      const { deployStackFromGit } = await keyless.query(DeployStackFromGit, {
        input: { name, repository: 'https://127.0.0.1:1/none.git', auth: { token: 'some-token-value' } },
      });
      expect(deployStackFromGit).toMatchObject({
        __typename: 'SecretKeyMissingError',
        code: 'SECRET_KEY_MISSING',
      });
      const { stack } = await keyless.query(StackSource, { name });
      expect(stack).toBeNull();
    } finally {
      await keyless.stop();
    }
  }, 60_000);
});

/** Every file under `directory`, recursively. */
async function filesUnder(directory: string): Promise<string[]> {
  const entries = await readdir(directory, { withFileTypes: true, recursive: true });
  return entries.filter((entry) => entry.isFile()).map((entry) => join(entry.parentPath, entry.name));
}

describe('SSH with a deploy key (sshd)', () => {
  it('fails with GIT_FAILED without the key, deploys and syncs with it, records the host key, and the key appears nowhere', async () => {
    const ssh = await startSshGitServer();
    try {
      const repo = await repoIn(ssh, 'ssh');
      await repo.write({ ...REPO_FILES, 'compose.yaml': composeFile('ssh') });
      const first = await repo.commitAndPush('first');
      const name = stackName('gitssh');
      const repository = ssh.url(repo.name);

      const refused = await deploy({ name, repository });
      expect(refused).toMatchObject({
        __typename: 'GitFailedError',
        code: 'GIT_FAILED',
        reason: 'AUTH_REFUSED',
      });

      const answer = await deployed({ name, repository, auth: { sshPrivateKey: ssh.privateKey } });
      expect(answer.source).toMatchObject({ commit: first, auth: 'SSH_KEY' });
      const knownHosts = await readFile(join(dataDir, 'git-stacks', name, 'known_hosts'), 'utf8');
      expect(knownHosts).toContain(ssh.hostKey);

      await repo.write({ 'compose.yaml': composeFile('ssh-2') });
      const second = await repo.commitAndPush('second');
      expect(await sync(name)).toMatchObject({ changed: true, commit: second });

      // The key's body, line by line (its armour lines are the same in every key).
      const lines = ssh.privateKey.split('\n').filter((line) => line !== '' && !line.startsWith('-----'));
      const texts = [
        JSON.stringify(answer),
        JSON.stringify(await berth.query(StackSource, { name })),
        JSON.stringify((await berth.query(Backup, {})).backup),
        log.lines.map((line) => line.text).join('\n'),
      ];
      for (const line of lines) for (const text of texts) expect(text).not.toContain(line);
      for (const file of await filesUnder(dataDir)) {
        const bytes = await readFile(file);
        for (const line of lines) expect(bytes.includes(line), file).toBe(false);
      }
      // The key file lived in a private directory for the fetch alone.
      const left = (await readdir(tmpdir())).filter((entry) => entry.startsWith('berth-git-'));
      for (const entry of left) {
        const inside = await readdir(join(tmpdir(), entry)).catch(() => []);
        expect(inside, entry).not.toContain('deploy-key');
      }
    } finally {
      await ssh.stop();
    }
  }, 120_000);
});

describe('backup and restore', () => {
  it('keeps a git stack as its source and fetches it again on restore; one that needs a credential is reported', async () => {
    const repo = await repoIn(daemon, 'restore');
    await repo.write({ ...REPO_FILES, 'compose.yaml': composeFile('restored') });
    const commit = await repo.commitAndPush('first');
    const name = stackName('gitbak');
    await deployed({ name, repository: daemon.url(repo.name), env: 'EXTRA=kept\n', pollMinutes: 0 });
    const { backup } = await berth.query(Backup, {});
    const document = backup as { sections: { stacks: { name: string; env: string; git?: unknown }[] } };
    const entry = document.sections.stacks.find((stack) => stack.name === name)!;
    expect(entry).toMatchObject({
      env: 'EXTRA=kept\n',
      git: { repository: daemon.url(repo.name), ref: 'main', path: 'compose.yaml', auth: 'NONE' },
    });
    const needsToken = { ...entry, name: `${name}-tok`, git: { ...(entry.git as object), auth: 'TOKEN' } };
    stacks.push(needsToken.name);

    await berth.query(RemoveStack, { name, volumes: true });
    const { restore } = await berth.query(Restore, {
      document: { ...document, sections: { stacks: [entry, needsToken] } },
    });
    if (restore.__typename !== 'RestoreSuccess') throw new Error(JSON.stringify(restore));
    expect(restore.report.items).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ section: 'stacks', item: name, outcome: 'RESTORED' }),
        expect.objectContaining({
          section: 'stacks',
          item: needsToken.name,
          outcome: 'NOT_RESTORABLE',
          reason: expect.stringMatching(/deployStackFromGit.*token/),
        }),
      ]),
    );
    const { stack } = await berth.query(StackSource, { name });
    expect(stack?.source).toMatchObject({ commit, auth: 'NONE' });
    const web = await docker.getContainer((await containerIds(name))['web']!).inspect();
    expect(web.Config.Env).toContain('EXTRA=kept');
  }, 120_000);
});
