import { createHmac, randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { TEST_LABEL, cleanupLabelled, testDocker } from '../harness/docker.js';
import { startBerth, uniqueName, type BerthClient, type RunningBerth } from '../support/berth.js';
import {
  AuditLog,
  DeployStack,
  RemoveStack,
  RotateStackWebhook,
  StackWebhookQuery,
} from '../support/operations/index.js';

/**
 * Push webhooks of stacks, over real HTTP on loopback: a forge's delivery is signed as GitHub
 * signs it (HMAC-SHA256 of the raw body) or carries GitLab's token, computed here as the forge
 * would. Every refusal looks the same from outside, is audited and counts against the address.
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
const stacks: string[] = [];
/** Every GraphQL answer this file receives, as text, to look for secrets in. */
const answers: string[] = [];
let addressCounter = 0;

/** A fresh client address (berth trusts loopback's X-Forwarded-For here), so limits stay per test. */
const nextAddress = () => `192.0.2.${(addressCounter += 1)}`;

beforeAll(async () => {
  docker = testDocker(inject('dockerHost'));
  dataDir = await mkdtemp(join(tmpdir(), 'berth-webhook-data-'));
  berth = await startBerth(
    {
      BERTH_DATA_DIR: dataDir,
      BERTH_AUTH: 'on',
      BERTH_SECRET_KEY: SECRET_KEY,
      BERTH_BASE_PATH: BASE_PATH,
      BERTH_TRUSTED_PROXIES: '127.0.0.1/32',
      BERTH_AUTH_FAILURES_PER_MINUTE: String(FAILURES_PER_MINUTE),
    },
    { label: FILE },
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
  if (docker) await cleanupLabelled(docker, `${TEST_LABEL}=${FILE}`);
});

/** Deploys a one-service stack from a file (not from git), for the checks that need no sync. */
async function fileStack(prefix: string): Promise<string> {
  const name = uniqueName(prefix).replace(/^berth-test-/, 'bt-');
  stacks.push(name);
  const { deployStack } = await admin.query(DeployStack, {
    input: {
      name,
      compose: `services:\n  app:\n    image: ${inject('testImage')}\n    command: ["sleep", "3600"]\n    init: true\n    labels:\n      ${TEST_LABEL}: ${FILE}\n`,
      timeoutSeconds: 30,
    },
  });
  if (deployStack.__typename !== 'DeployStackResult' || !deployStack.ok) {
    throw new Error(`deploy failed: ${JSON.stringify(deployStack)}`);
  }
  return name;
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

describe('stack webhooks without git', () => {
  it('answers every refusal the same 401, audits each as a refusal, and keeps the secret out of answers and the database', async () => {
    const name = await fileStack('wh-refuse');
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

    // Signed right, but the stack is not deployed from git: accepted as a delivery, nothing to sync.
    const fromFile = await deliver(path, body, {
      'x-github-event': 'push',
      'x-hub-signature-256': hubSignature(secret, body),
    });
    expect(fromFile).toMatchObject({
      status: 202,
      body: { accepted: false, ignored: true, reason: 'the stack is not deployed from git' },
    });
    const ping = await deliver(path, '{"zen":"Keep it logically awesome."}', {
      'x-github-event': 'ping',
      'x-hub-signature-256': hubSignature(secret, '{"zen":"Keep it logically awesome."}'),
    });
    expect(ping).toMatchObject({ status: 200, body: { ok: true, event: 'ping' } });
    const { stackWebhook } = await admin.query(StackWebhookQuery, { stack: name });
    expect(stackWebhook).toMatchObject({ url: path, lastOutcome: 'ping received' });
    expect(stackWebhook?.lastDeliveryAt).not.toBeNull();

    // The secret: in rotate's answer alone, and nowhere in the database's files.
    const carrying = answers.filter((answer) => answer.includes(secret));
    expect(carrying).toHaveLength(1);
    expect(carrying[0]).toContain('RotateStackWebhookSuccess');
    for (const file of await readdir(dataDir)) {
      if (!file.startsWith('berth.db')) continue;
      expect((await readFile(join(dataDir, file))).includes(secret), file).toBe(false);
    }
  });

  it('refuses a body over 1 MiB with 413 before checking it, and other methods with 405', async () => {
    const name = await fileStack('wh-large');
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
    const name = await fileStack('wh-limit');
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
    const signed = await deliver(
      path,
      body,
      { 'x-github-event': 'push', 'x-hub-signature-256': hubSignature(secret, body) },
      address,
    );
    expect(signed.status).toBe(202);
    const { auditLog } = await admin.query(AuditLog, { first: 200, filter: { action: ROUTE } });
    expect(auditLog.entries.some((entry) => entry.detail === `RATE_LIMITED from ${address}`)).toBe(true);
  });

  it('gives the webhook to operators without its secret, makes it for admins alone, and removes it with its stack', async () => {
    const name = await fileStack('wh-roles');
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
