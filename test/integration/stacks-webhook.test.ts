import { createHmac, randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { TEST_LABEL, cleanupLabelled, testDocker } from '../harness/docker.js';
import { startBerth, uniqueName, type BerthClient, type RunningBerth } from '../support/berth.js';
import { startGitDaemon, WorkingRepo, type GitServer } from '../support/git-server.js';
import { recordingLogger } from '../support/log.js';
import {
  AuditLog,
  DeployStack,
  DeployStackFromGit,
  RemoveStack,
  RotateStackWebhook,
  StackHistory,
  StackSource,
  StackWebhookQuery,
} from '../support/operations/index.js';
import { waitFor } from '../support/wait.js';

/**
 * Push webhooks of stacks, over real HTTP on loopback, for stacks deployed from a real git server
 * (`git daemon` on loopback): a forge's delivery is signed as GitHub signs it (HMAC-SHA256 of the
 * raw body) or carries GitLab's token, computed here as the forge would; a push syncs only what it
 * changed. Every refusal looks the same from outside, is audited and counts against the address.
 */

const FILE = `stacks-webhook-${process.pid}`;
const BASE_PATH = '/berth';
const FAILURES_PER_MINUTE = 5;
const SECRET_KEY = randomBytes(32).toString('base64');
const ROUTE = 'POST /hooks/stacks/{name}';

let berth: RunningBerth;
let dataDir: string;
let admin: BerthClient;
let docker: Docker;
let daemon: GitServer;
const repos: WorkingRepo[] = [];
const stacks: string[] = [];
/** Every GraphQL answer this file receives, as text, to look for secrets in. */
const answers: string[] = [];
const log = recordingLogger();
let addressCounter = 0;

/** A fresh client address (berth trusts loopback's X-Forwarded-For here), so limits stay per test. */
const nextAddress = () => `192.0.2.${(addressCounter += 1)}`;

beforeAll(async () => {
  docker = testDocker(inject('dockerHost'));
  dataDir = await mkdtemp(join(tmpdir(), 'berth-webhook-data-'));
  daemon = await startGitDaemon();
  berth = await startBerth(
    {
      BERTH_DATA_DIR: dataDir,
      BERTH_AUTH: 'on',
      BERTH_SECRET_KEY: SECRET_KEY,
      BERTH_BASE_PATH: BASE_PATH,
      BERTH_TRUSTED_PROXIES: '127.0.0.1/32',
      BERTH_AUTH_FAILURES_PER_MINUTE: String(FAILURES_PER_MINUTE),
    },
    { label: FILE, logger: log.logger },
  );
  const client = berth.asRole('admin', 'webhook-admin');
  admin = {
    ...client,
    async graphql(document, variables) {
      const answer = await client.graphql(document, variables);
      answers.push(JSON.stringify(answer));
      return answer;
    },
    async query(document, variables) {
      const answer = await client.query(document, variables);
      answers.push(JSON.stringify(answer));
      return answer;
    },
  };
}, 60_000);

afterAll(async () => {
  for (const name of stacks) await admin?.query(RemoveStack, { name, volumes: true }).catch(() => undefined);
  await berth?.stop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
  await daemon?.stop();
  for (const repo of repos) await repo.remove();
  if (docker) await cleanupLabelled(docker, `${TEST_LABEL}=${FILE}`);
});

function stackName(prefix: string): string {
  const name = uniqueName(prefix).replace(/^berth-test-/, 'bt-');
  stacks.push(name);
  return name;
}

/** Two long-running services whose configuration is their ROLE, as the repository's compose file. */
function composeFile(roles: { a: string; b: string }): string {
  const service = (role: string) => `
    image: ${inject('testImage')}
    command: ["sh", "-c", "exec sleep 3600"]
    init: true
    environment:
      ROLE: ${role}
    labels:
      ${TEST_LABEL}: ${FILE}`;
  return `services:\n  a:${service(roles.a)}\n  b:${service(roles.b)}\n`;
}

/** A stack deployed from its own repository on the git daemon (branch main); answers both. */
async function gitStack(prefix: string): Promise<{ name: string; repo: WorkingRepo; commit: string }> {
  const name = stackName(prefix);
  const repo = await WorkingRepo.create(daemon.root, `${name}-repo`);
  repos.push(repo);
  await repo.write({ 'compose.yaml': composeFile({ a: 'one', b: 'one' }) });
  const commit = await repo.commitAndPush('first');
  const { deployStackFromGit } = await admin.query(DeployStackFromGit, {
    input: { name, repository: daemon.url(repo.name), ref: 'main', timeoutSeconds: 30 },
  });
  if (deployStackFromGit.__typename !== 'DeployStackFromGitSuccess' || !deployStackFromGit.deploy.ok) {
    throw new Error(`deploy failed: ${JSON.stringify(deployStackFromGit)}`);
  }
  return { name, repo, commit };
}

/** The container id of each service of the stack, from the engine. */
async function containerIds(stack: string): Promise<Record<string, string>> {
  const containers = await docker.listContainers({
    all: true,
    filters: { label: [`com.docker.compose.project=${stack}`] },
  });
  return Object.fromEntries(
    containers.map((container) => [container.Labels['com.docker.compose.service'] ?? '', container.Id]),
  );
}

async function sourceCommit(stack: string): Promise<string | null | undefined> {
  return (await admin.query(StackSource, { name: stack })).stack?.source?.commit;
}

async function rotate(stack: string) {
  const { rotateStackWebhook } = await admin.query(RotateStackWebhook, { stack });
  if (rotateStackWebhook.__typename !== 'RotateStackWebhookSuccess') {
    throw new Error(`rotate failed: ${JSON.stringify(rotateStackWebhook)}`);
  }
  return rotateStackWebhook;
}

const hubSignature = (secret: string, body: string) =>
  `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;

/** Posts a delivery to `path` (under the base path) as a forge would, from `address`. */
async function deliver(
  path: string,
  body: string,
  headers: Record<string, string>,
  address = nextAddress(),
): Promise<{ status: number; body: Record<string, unknown>; headers: Headers }> {
  const origin = new URL(berth.url).origin;
  const response = await fetch(`${origin}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-forwarded-for': address, ...headers },
    body,
  });
  return {
    status: response.status,
    body: (await response.json()) as Record<string, unknown>,
    headers: response.headers,
  };
}

const pushBody = (ref = 'refs/heads/main') =>
  JSON.stringify({ ref, before: '1'.repeat(40), after: '2'.repeat(40), repository: { name: 'r' } });

describe('stack webhooks', () => {
  it('syncs on a push signed as GitHub signs it, recreating only the changed service; GitLab’s token too; other branches are ignored', async () => {
    const { name, repo, commit: first } = await gitStack('wh-sync');
    const { secret } = await rotate(name);
    const path = `${BASE_PATH}/hooks/stacks/${name}`;
    const before = await containerIds(name);
    expect(Object.keys(before).sort()).toEqual(['a', 'b']);

    // GitHub: a push that changes b alone.
    await repo.write({ 'compose.yaml': composeFile({ a: 'one', b: 'two' }) });
    const second = await repo.commitAndPush('b: two');
    const githubBody = JSON.stringify({
      ref: 'refs/heads/main',
      before: first,
      after: second,
      deleted: false,
    });
    const github = await deliver(path, githubBody, {
      'x-github-event': 'push',
      'x-github-delivery': '72d3162e-cc78-11e3-81ab-4c9367dc0958',
      'x-hub-signature-256': hubSignature(secret, githubBody),
    });
    expect(github).toMatchObject({ status: 202, body: { accepted: true } });
    await waitFor(async () => (await sourceCommit(name)) === second, 60_000, 250);
    const afterGithub = await containerIds(name);
    expect(afterGithub['a']).toBe(before['a']);
    expect(afterGithub['b']).not.toBe(before['b']);
    const synced = await waitFor(async () => {
      const { stackWebhook } = await admin.query(StackWebhookQuery, { stack: name });
      return stackWebhook?.lastOutcome?.startsWith('synced') ? stackWebhook : false;
    });
    expect(synced.lastOutcome).toBe(
      `synced ${first.slice(0, 12)} -> ${second.slice(0, 12)}: 1 service(s) changed`,
    );

    // GitLab: the token itself, and GitLab's event names; this push changes a alone.
    await repo.write({ 'compose.yaml': composeFile({ a: 'two', b: 'two' }) });
    const third = await repo.commitAndPush('a: two');
    const gitlabBody = JSON.stringify({
      object_kind: 'push',
      ref: 'refs/heads/main',
      before: second,
      after: third,
    });
    const gitlab = await deliver(path, gitlabBody, {
      'x-gitlab-event': 'Push Hook',
      'x-gitlab-token': secret,
    });
    expect(gitlab).toMatchObject({ status: 202, body: { accepted: true } });
    await waitFor(async () => (await sourceCommit(name)) === third, 60_000, 250);
    const afterGitlab = await containerIds(name);
    expect(afterGitlab['a']).not.toBe(afterGithub['a']);
    expect(afterGitlab['b']).toBe(afterGithub['b']);

    // A push to another branch is ignored: nothing is fetched or recreated.
    await repo.write({ 'compose.yaml': composeFile({ a: 'three', b: 'three' }) });
    const onDev = await repo.commitAndPush('dev work', 'dev');
    const devBody = JSON.stringify({ ref: 'refs/heads/dev', before: third, after: onDev });
    const dev = await deliver(path, devBody, {
      'x-github-event': 'push',
      'x-hub-signature-256': hubSignature(secret, devBody),
    });
    expect(dev).toMatchObject({ status: 202, body: { accepted: false, ignored: true } });
    expect(await sourceCommit(name)).toBe(third);
    expect(await containerIds(name)).toEqual(afterGitlab);

    // Both syncs are audited as the webhook's, with the stack's history naming their commits.
    const { auditLog } = await admin.query(AuditLog, { first: 200, filter: { action: 'syncStack' } });
    const syncs = auditLog.entries.filter((entry) => entry.target === name);
    expect(syncs.map((entry) => [entry.tokenName, entry.result])).toEqual([
      [`webhook:${name}`, 'ok'],
      [`webhook:${name}`, 'ok'],
    ]);
    const { auditLog: deliveries } = await admin.query(AuditLog, { first: 200, filter: { action: ROUTE } });
    expect(
      deliveries.entries
        .filter((entry) => entry.target === name && entry.result === 'ok')
        .map((entry) => entry.detail),
    ).toEqual([`push of refs/heads/main at ${third}`, `push of refs/heads/main at ${second}`]);
    const { stackHistory } = await admin.query(StackHistory, { name });
    if (stackHistory.__typename !== 'StackHistorySuccess') throw new Error(JSON.stringify(stackHistory));
    expect(stackHistory.data.filter((entry) => entry.action === 'SYNC').map((entry) => entry.actor)).toEqual([
      `webhook:${name}`,
      `webhook:${name}`,
    ]);
  });

  it('coalesces a push that arrives while a sync runs into one more sync after it, never two at once', async () => {
    const { name, repo } = await gitStack('wh-coalesce');
    const { secret } = await rotate(name);
    const path = `${BASE_PATH}/hooks/stacks/${name}`;
    await repo.write({ 'compose.yaml': composeFile({ a: 'one', b: 'two' }) });
    const latest = await repo.commitAndPush('b: two');
    const body = JSON.stringify({ ref: 'refs/heads/main', after: latest });
    const headers = { 'x-github-event': 'push', 'x-hub-signature-256': hubSignature(secret, body) };
    // The first sync recreates b, which takes seconds (a new replica must stay up to count as ready).
    expect(await deliver(path, body, headers)).toMatchObject({ status: 202, body: { accepted: true } });
    expect(await deliver(path, body, headers)).toMatchObject({ status: 202, body: { accepted: true } });
    expect(await deliver(path, body, headers)).toMatchObject({ status: 202, body: { accepted: true } });
    // Two syncs in all: the first, and one for the two pushes that came during it (which finds
    // nothing new). Neither was refused as STACK_BUSY, so they never overlapped.
    const syncs = await waitFor(
      async () => {
        const { auditLog } = await admin.query(AuditLog, { first: 200, filter: { action: 'syncStack' } });
        const mine = auditLog.entries.filter((entry) => entry.target === name);
        return mine.length === 2 ? mine : false;
      },
      60_000,
      250,
    );
    expect(syncs.map((entry) => entry.result)).toEqual(['ok', 'ok']);
    expect(syncs.map((entry) => entry.detail)).toEqual([
      `up to date at ${latest.slice(0, 12)}`,
      expect.stringMatching(
        new RegExp(`^synced [0-9a-f]{12} -> ${latest.slice(0, 12)}: 1 service\\(s\\) changed$`),
      ),
    ]);
    const { auditLog } = await admin.query(AuditLog, { first: 200, filter: { action: ROUTE } });
    expect(
      auditLog.entries.filter(
        (entry) => entry.target === name && entry.detail?.endsWith('queued after the running sync'),
      ),
    ).toHaveLength(2);
    expect(await sourceCommit(name)).toBe(latest);
  });

  it('answers every refusal the same 401, audits each as a refusal, and keeps the secret out of answers and the database', async () => {
    const { name } = await gitStack('wh-refuse');
    const path = `${BASE_PATH}/hooks/stacks/${name}`;
    const body = pushBody();
    const someSecret = randomBytes(32).toString('base64url');

    // No webhook yet: refused as a wrong signature would be.
    const noWebhook = await deliver(path, body, {
      'x-github-event': 'push',
      'x-hub-signature-256': hubSignature(someSecret, body),
    });
    const { secret, webhook } = await rotate(name);
    expect(secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(webhook).toMatchObject({ url: path, lastDeliveryAt: null, lastOutcome: null });

    const refusals = [
      noWebhook,
      // Wrong secret.
      await deliver(path, body, {
        'x-github-event': 'push',
        'x-hub-signature-256': hubSignature(someSecret, body),
      }),
      // The right secret over another body.
      await deliver(path, body, {
        'x-github-event': 'push',
        'x-hub-signature-256': hubSignature(secret, `${body} `),
      }),
      // Unsigned.
      await deliver(path, body, { 'x-github-event': 'push' }),
      // No headers at all.
      await deliver(path, body, {}),
      // Malformed: the hex cut short, and no algorithm.
      await deliver(path, body, { 'x-hub-signature-256': hubSignature(secret, body).slice(0, 20) }),
      await deliver(path, body, { 'x-hub-signature-256': hubSignature(secret, body).slice(7) }),
      // GitLab's token, wrong.
      await deliver(path, body, { 'x-gitlab-event': 'Push Hook', 'x-gitlab-token': someSecret }),
      // A stack that does not exist, and a name that is not valid percent-encoding.
      await deliver(`${BASE_PATH}/hooks/stacks/bt-no-such-stack`, body, {
        'x-hub-signature-256': hubSignature(secret, body),
      }),
      await deliver(`${BASE_PATH}/hooks/stacks/%E0%A4%A`, body, {
        'x-hub-signature-256': hubSignature(secret, body),
      }),
    ];
    for (const refusal of refusals) {
      expect(refusal.status).toBe(401);
      expect(refusal.body).toEqual(refusals[0]!.body);
    }
    expect(refusals[0]!.body).toMatchObject({ error: { code: 'WEBHOOK_SIGNATURE_INVALID' } });

    const { auditLog } = await admin.query(AuditLog, { first: 200, filter: { action: ROUTE } });
    const refused = auditLog.entries.filter((entry) => entry.detail?.startsWith('WEBHOOK_SIGNATURE_INVALID'));
    expect(refused.reduce((sum, entry) => sum + entry.count, 0)).toBe(refusals.length);
    expect(refused.every((entry) => entry.result === 'denied' && entry.tokenId === null)).toBe(true);

    // Signed right, but a push of another branch: accepted as a delivery, nothing to sync.
    const dev = pushBody('refs/heads/dev');
    const otherBranch = await deliver(path, dev, {
      'x-github-event': 'push',
      'x-hub-signature-256': hubSignature(secret, dev),
    });
    expect(otherBranch).toMatchObject({
      status: 202,
      body: { accepted: false, ignored: true, reason: 'a push to refs/heads/dev; the stack follows main' },
    });
    const ping = await deliver(path, '{"zen":"Keep it logically awesome."}', {
      'x-github-event': 'ping',
      'x-hub-signature-256': hubSignature(secret, '{"zen":"Keep it logically awesome."}'),
    });
    expect(ping).toMatchObject({ status: 200, body: { ok: true, event: 'ping' } });
    const { stackWebhook } = await admin.query(StackWebhookQuery, { stack: name });
    expect(stackWebhook).toMatchObject({ url: path, lastOutcome: 'ping received' });
    expect(stackWebhook?.lastDeliveryAt).not.toBeNull();

    // The secret: in rotate's answer alone, and nowhere in the database's files, the log or the audit log.
    expect(log.lines.filter((line) => line.text.includes(secret))).toEqual([]);
    const { auditLog: everything } = await admin.query(AuditLog, { first: 200 });
    expect(JSON.stringify(everything)).not.toContain(secret);
    const carrying = answers.filter((answer) => answer.includes(secret));
    expect(carrying).toHaveLength(1);
    expect(carrying[0]).toContain('RotateStackWebhookSuccess');
    for (const file of await readdir(dataDir)) {
      if (!file.startsWith('berth.db')) continue;
      expect((await readFile(join(dataDir, file))).includes(secret), file).toBe(false);
    }
  });

  it('refuses a body over 1 MiB with 413 before checking it, and other methods with 405', async () => {
    const { name } = await gitStack('wh-large');
    const { secret } = await rotate(name);
    const path = `${BASE_PATH}/hooks/stacks/${name}`;
    const large = JSON.stringify({ ref: 'refs/heads/main', padding: 'x'.repeat(1024 * 1024) });
    const answer = await deliver(path, large, {
      'x-github-event': 'push',
      'x-hub-signature-256': hubSignature(secret, large),
    });
    expect(answer).toMatchObject({ status: 413, body: { error: { code: 'PAYLOAD_TOO_LARGE' } } });
    const origin = new URL(berth.url).origin;
    const get = await fetch(`${origin}${path}`);
    expect(get.status).toBe(405);
    expect(get.headers.get('allow')).toBe('POST');
    expect(await get.json()).toMatchObject({ error: { code: 'METHOD_NOT_ALLOWED' } });
  });

  it('limits failed deliveries per address with RATE_LIMITED, and still takes a correctly signed one from there', async () => {
    const { name } = await gitStack('wh-limit');
    const { secret } = await rotate(name);
    const path = `${BASE_PATH}/hooks/stacks/${name}`;
    const address = nextAddress();
    const body = pushBody();
    const wrong = { 'x-github-event': 'push', 'x-hub-signature-256': hubSignature('not the secret', body) };
    for (let attempt = 0; attempt < FAILURES_PER_MINUTE; attempt += 1) {
      expect((await deliver(path, body, wrong, address)).status).toBe(401);
    }
    const limited = await deliver(path, body, wrong, address);
    expect(limited).toMatchObject({ status: 429, body: { error: { code: 'RATE_LIMITED' } } });
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    // Another address is not held back by this one.
    expect((await deliver(path, body, wrong)).status).toBe(401);
    const ping = '{"zen":"hi"}';
    const signed = await deliver(
      path,
      ping,
      { 'x-github-event': 'ping', 'x-hub-signature-256': hubSignature(secret, ping) },
      address,
    );
    expect(signed.status).toBe(200);
    const { auditLog } = await admin.query(AuditLog, { first: 200, filter: { action: ROUTE } });
    expect(auditLog.entries.some((entry) => entry.detail === `RATE_LIMITED from ${address}`)).toBe(true);
  });

  it('gives the webhook to operators without its secret, makes it for admins alone, and removes it with its stack', async () => {
    const { name } = await gitStack('wh-roles');
    const operator = berth.asRole('operator', 'webhook-operator');
    const viewer = berth.asRole('viewer', 'webhook-viewer');
    const byOperator = await operator.graphql(RotateStackWebhook, { stack: name });
    expect(byOperator.errors?.[0]?.extensions?.['code']).toBe('FORBIDDEN');
    const { secret } = await rotate(name);
    const read = await operator.query(StackWebhookQuery, { stack: name });
    expect(read.stackWebhook?.url).toBe(`${BASE_PATH}/hooks/stacks/${name}`);
    expect(JSON.stringify(read)).not.toContain(secret);
    const byViewer = await viewer.graphql(StackWebhookQuery, { stack: name });
    expect(byViewer.errors?.[0]?.extensions?.['code']).toBe('FORBIDDEN');

    const { rotateStackWebhook: missing } = await admin.query(RotateStackWebhook, {
      stack: 'bt-no-such-stack',
    });
    expect(missing).toMatchObject({ __typename: 'StackNotFoundError', code: 'STACK_NOT_FOUND' });
    const { rotateStackWebhook: invalid } = await admin.query(RotateStackWebhook, { stack: 'Not A Name' });
    expect(invalid).toMatchObject({ __typename: 'InvalidInputError', code: 'INVALID_INPUT' });
    // A stack deployed from a file has nothing a push could sync.
    const fromFile = stackName('wh-file');
    const { deployStack } = await admin.query(DeployStack, {
      input: { name: fromFile, compose: composeFile({ a: 'one', b: 'one' }), timeoutSeconds: 30 },
    });
    expect(deployStack).toMatchObject({ __typename: 'DeployStackResult', ok: true });
    const { rotateStackWebhook: notGit } = await admin.query(RotateStackWebhook, { stack: fromFile });
    expect(notGit).toMatchObject({ __typename: 'InvalidInputError', code: 'INVALID_INPUT' });

    // A new secret replaces the old one at once.
    const { secret: next } = await rotate(name);
    const body = '{"zen":"hi"}';
    const path = `${BASE_PATH}/hooks/stacks/${name}`;
    expect(
      (
        await deliver(path, body, {
          'x-github-event': 'ping',
          'x-hub-signature-256': hubSignature(secret, body),
        })
      ).status,
    ).toBe(401);
    expect(
      (
        await deliver(path, body, {
          'x-github-event': 'ping',
          'x-hub-signature-256': hubSignature(next, body),
        })
      ).status,
    ).toBe(200);

    await admin.query(RemoveStack, { name, volumes: true });
    expect((await admin.query(StackWebhookQuery, { stack: name })).stackWebhook).toBeNull();
    expect(
      (
        await deliver(path, body, {
          'x-github-event': 'ping',
          'x-hub-signature-256': hubSignature(next, body),
        })
      ).status,
    ).toBe(401);
  });
});
