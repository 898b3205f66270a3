import { createHmac, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  eventOf,
  parseHubSignature,
  parsePushEvent,
  presentedSignature,
  refMatches,
  signatureMatches,
} from '../../src/domain/stacks/webhook-signature.js';
import { StackWebhooks, type StackSyncPort, type StackSyncResult } from '../../src/domain/stacks/webhooks.js';
import { AuditLog } from '../../src/platform/audit/log.js';
import { SecretBox } from '../../src/platform/secrets/secret-box.js';
import { BerthDatabase } from '../../src/platform/store/database.js';
import {
  InvalidInputError,
  SecretKeyMissingError,
  StackBusyError,
  StackNotFoundError,
} from '../../src/shared/errors.js';
import { recordingLogger, type RecordingLogger } from '../support/log.js';
import { waitFor } from '../support/wait.js';

const KEY = randomBytes(32).toString('base64');
const hex = (secret: string, body: string) => createHmac('sha256', secret).update(body).digest('hex');
const headers = (entries: Record<string, string>) => new Headers(entries);

describe('webhook signatures', () => {
  const digest = 'ab'.repeat(32);

  it('reads sha256=<hex>, in either case, and nothing else', () => {
    expect(parseHubSignature(`sha256=${digest}`)).toEqual(Buffer.from(digest, 'hex'));
    expect(parseHubSignature(`sha256=${digest.toUpperCase()}`)).toEqual(Buffer.from(digest, 'hex'));
    expect(parseHubSignature(`SHA256=${digest}`)).toEqual(Buffer.from(digest, 'hex'));
    expect(parseHubSignature(` sha256=${digest} `)).toEqual(Buffer.from(digest, 'hex'));
    // Wrong length, either way.
    expect(parseHubSignature(`sha256=${digest.slice(2)}`)).toBeNull();
    expect(parseHubSignature(`sha256=${digest}ab`)).toBeNull();
    // Malformed: not hex, no algorithm, another algorithm, empty.
    expect(parseHubSignature(`sha256=${'zz'.repeat(32)}`)).toBeNull();
    expect(parseHubSignature(digest)).toBeNull();
    expect(parseHubSignature(`sha1=${'ab'.repeat(20)}`)).toBeNull();
    expect(parseHubSignature('sha256=')).toBeNull();
    expect(parseHubSignature('')).toBeNull();
  });

  it('tells an unsigned delivery from a malformed signature, and reads the GitLab token and Gitea form', () => {
    expect(presentedSignature(headers({}))).toBeNull();
    expect(presentedSignature(headers({ 'x-hub-signature-256': 'sha256=12' }))).toEqual({
      kind: 'malformed',
    });
    expect(presentedSignature(headers({ 'x-gitlab-token': '' }))).toEqual({ kind: 'malformed' });
    expect(presentedSignature(headers({ 'x-gitlab-token': 'tok' }))).toEqual({ kind: 'token', token: 'tok' });
    expect(presentedSignature(headers({ 'x-gitea-signature': digest }))).toEqual({
      kind: 'hmac-sha256',
      digest: Buffer.from(digest, 'hex'),
    });
    // X-Hub-Signature-256 wins over the others when both are sent.
    expect(
      presentedSignature(headers({ 'x-hub-signature-256': `sha256=${digest}`, 'x-gitlab-token': 'tok' })),
    ).toMatchObject({ kind: 'hmac-sha256' });
  });

  it('matches the HMAC GitHub computes, and the GitLab token, and nothing near them', () => {
    const secret = randomBytes(32).toString('base64url');
    const body = Buffer.from('{"ref":"refs/heads/main"}');
    const signed = presentedSignature(
      headers({ 'x-hub-signature-256': `sha256=${hex(secret, body.toString())}` }),
    );
    expect(signatureMatches(secret, signed!, body)).toBe(true);
    expect(signatureMatches(secret, signed!, Buffer.from('{"ref":"refs/heads/main" }'))).toBe(false);
    expect(signatureMatches(`${secret}x`, signed!, body)).toBe(false);
    const upper = presentedSignature(
      headers({ 'x-hub-signature-256': `sha256=${hex(secret, body.toString()).toUpperCase()}` }),
    );
    expect(signatureMatches(secret, upper!, body)).toBe(true);
    expect(signatureMatches(secret, { kind: 'token', token: secret }, body)).toBe(true);
    expect(signatureMatches(secret, { kind: 'token', token: secret.slice(1) }, body)).toBe(false);
    expect(signatureMatches(secret, { kind: 'token', token: `${secret}${secret}` }, body)).toBe(false);
    expect(signatureMatches(secret, { kind: 'malformed' }, body)).toBe(false);
  });

  it('reads the events of every forge', () => {
    expect(eventOf(headers({ 'x-github-event': 'ping' }))).toEqual({ kind: 'ping' });
    expect(eventOf(headers({ 'x-github-event': 'push' }))).toEqual({ kind: 'push' });
    expect(eventOf(headers({ 'x-gitea-event': 'push' }))).toEqual({ kind: 'push' });
    expect(eventOf(headers({ 'x-gitlab-event': 'Push Hook' }))).toEqual({ kind: 'push' });
    expect(eventOf(headers({ 'x-gitlab-event': 'Tag Push Hook' }))).toEqual({ kind: 'push' });
    expect(eventOf(headers({ 'x-github-event': 'issues' }))).toEqual({ kind: 'other', name: 'issues' });
    expect(eventOf(headers({}))).toEqual({ kind: 'other', name: '(none)' });
  });

  it('reads a push from JSON or GitHub’s form encoding, and a deletion either way', () => {
    const json = { ref: 'refs/heads/main', after: 'a'.repeat(40) };
    expect(parsePushEvent(Buffer.from(JSON.stringify(json)), 'application/json')).toEqual({
      ref: 'refs/heads/main',
      after: 'a'.repeat(40),
      deleted: false,
    });
    const form = `payload=${encodeURIComponent(JSON.stringify(json))}`;
    expect(parsePushEvent(Buffer.from(form), 'application/x-www-form-urlencoded')).toMatchObject({
      ref: 'refs/heads/main',
    });
    expect(parsePushEvent(Buffer.from(JSON.stringify({ ...json, deleted: true })), null)).toMatchObject({
      deleted: true,
    });
    expect(
      parsePushEvent(Buffer.from(JSON.stringify({ ...json, after: '0'.repeat(40) })), null),
    ).toMatchObject({ deleted: true });
    expect(parsePushEvent(Buffer.from('not json'), 'application/json')).toBeNull();
    expect(parsePushEvent(Buffer.from('{"zen":"hi"}'), 'application/json')).toBeNull();
  });

  it('matches a pushed ref against a followed branch, tag or full ref', () => {
    expect(refMatches('refs/heads/main', 'main')).toBe(true);
    expect(refMatches('refs/tags/v1', 'v1')).toBe(true);
    expect(refMatches('refs/heads/main', 'refs/heads/main')).toBe(true);
    expect(refMatches('refs/heads/dev', 'main')).toBe(false);
    expect(refMatches('refs/heads/feature/main', 'main')).toBe(false);
    expect(refMatches('refs/tags/main', 'refs/heads/main')).toBe(false);
  });
});

let dataDir: string;
let database: BerthDatabase;

beforeEach(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'berth-webhooks-'));
  database = BerthDatabase.open({ dataDir });
  database
    .prepare(
      `INSERT INTO stacks (name, compose, env, hash, deployed_at, deployed_by) VALUES ('web', '', '', 'h', 0, 't')`,
    )
    .run();
});
afterEach(() => {
  database.close();
  rmSync(dataDir, { recursive: true, force: true });
});

/** A sync port whose syncs end when the test says: stands in for git stacks to count overlaps. */
function controlledSync() {
  const waiting: (() => void)[] = [];
  let running = 0;
  let most = 0;
  let calls = 0;
  const port: StackSyncPort = {
    followedRef: () => 'main',
    async sync(): Promise<StackSyncResult> {
      calls += 1;
      running += 1;
      most = Math.max(most, running);
      await new Promise<void>((resolve) => waiting.push(resolve));
      running -= 1;
      return { changed: true, commit: 'b'.repeat(40), previousCommit: 'a'.repeat(40), deploy: null };
    },
  };
  return {
    port,
    finishOne: () => waiting.shift()?.(),
    get waiting() {
      return waiting.length;
    },
    get calls() {
      return calls;
    },
    get most() {
      return most;
    },
  };
}

function webhooksWith(sync: StackSyncPort | null, options: { key?: boolean; log?: RecordingLogger } = {}) {
  return new StackWebhooks(database, options.key === false ? undefined : SecretBox.fromSetting(KEY), {
    environment: 'local',
    sync,
    audit: new AuditLog(database),
    log: (options.log ?? recordingLogger()).logger,
    urlOf: (stack) => `/berth/hooks/stacks/${stack}`,
  });
}

const push = (secret: string, ref = 'refs/heads/main') => {
  const body = Buffer.from(JSON.stringify({ ref, after: 'c'.repeat(40) }));
  return {
    stack: 'web',
    body,
    headers: headers({
      'x-github-event': 'push',
      'x-hub-signature-256': `sha256=${hex(secret, body.toString())}`,
    }),
  };
};

describe('StackWebhooks', () => {
  it('makes a secret shown once, stored sealed, and a new one replaces it', () => {
    const webhooks = webhooksWith(null);
    const { webhook, secret } = webhooks.rotate('web');
    expect(secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(webhook).toMatchObject({
      url: '/berth/hooks/stacks/web',
      lastDeliveryAt: null,
      lastOutcome: null,
    });
    expect(webhooks.get('web')).toEqual(webhook);
    database.close();
    expect(readFileSync(join(dataDir, 'berth.db')).includes(secret)).toBe(false);
    database = BerthDatabase.open({ dataDir });
    const again = webhooksWith(null);
    const { secret: next } = again.rotate('web');
    expect(next).not.toBe(secret);
    expect(again.receive(push(secret))).toEqual({ kind: 'refused' });
  });

  it('refuses without a key (nothing stored) and for a stack berth does not keep', () => {
    expect(() => webhooksWith(null, { key: false }).rotate('web')).toThrow(SecretKeyMissingError);
    expect(webhooksWith(null).get('web')).toBeNull();
    expect(() => webhooksWith(null).rotate('other')).toThrow(StackNotFoundError);
  });

  it('is removed with its stack', () => {
    const webhooks = webhooksWith(null);
    webhooks.rotate('web');
    database.prepare(`DELETE FROM stacks WHERE name = 'web'`).run();
    expect(webhooks.get('web')).toBeNull();
  });

  it('refuses a delivery it cannot open (the key is gone), and tells the operator in lastOutcome', () => {
    const { secret } = webhooksWith(null).rotate('web');
    const log = recordingLogger();
    const keyless = webhooksWith(null, { key: false, log });
    expect(keyless.receive(push(secret))).toEqual({ kind: 'refused' });
    expect(keyless.get('web')).toMatchObject({
      lastDeliveryAt: null,
      lastOutcome: expect.stringMatching(/^refused: .*BERTH_SECRET_KEY/),
    });
    expect(keyless.receive(push(secret))).toEqual({ kind: 'refused' });
    // Said once, however many deliveries come.
    expect(log.lines.filter((line) => line.level === 'warn')).toHaveLength(1);
  });

  it('coalesces pushes that arrive while a sync runs into one more, never two at once (with a stand-in sync)', async () => {
    const sync = controlledSync();
    const webhooks = webhooksWith(sync.port);
    const { secret } = webhooks.rotate('web');
    expect(webhooks.receive(push(secret))).toMatchObject({ kind: 'accepted', queued: false });
    await waitFor(async () => sync.waiting === 1);
    expect(webhooks.receive(push(secret))).toMatchObject({ kind: 'accepted', queued: true });
    expect(webhooks.receive(push(secret))).toMatchObject({ kind: 'accepted', queued: true });
    sync.finishOne();
    await waitFor(async () => sync.waiting === 1 && sync.calls === 2);
    sync.finishOne();
    await waitFor(async () => !webhooks.syncing('web'));
    expect(sync.calls).toBe(2);
    expect(sync.most).toBe(1);
    expect(webhooks.get('web')?.lastOutcome).toBe(`synced ${'a'.repeat(12)} -> ${'b'.repeat(12)}`);
  });

  it('waits out another deploy of the stack rather than losing the push (with a stand-in sync that is busy once)', async () => {
    let calls = 0;
    const webhooks = webhooksWith({
      followedRef: () => 'main',
      async sync() {
        calls += 1;
        if (calls === 1) throw new StackBusyError('web');
        return { changed: false, commit: 'd'.repeat(40), previousCommit: 'd'.repeat(40), deploy: null };
      },
    });
    const { secret } = webhooks.rotate('web');
    expect(webhooks.receive(push(secret))).toMatchObject({ kind: 'accepted' });
    await waitFor(async () => !webhooks.syncing('web'), 10_000);
    expect(calls).toBe(2);
    expect(webhooks.get('web')?.lastOutcome).toBe(`up to date at ${'d'.repeat(12)}`);
  });

  it('refuses to make a webhook for a stack not from git', () => {
    const webhooks = webhooksWith({
      followedRef: () => null,
      sync: () => Promise.reject(new Error('unused')),
    });
    expect(() => webhooks.rotate('web')).toThrow(InvalidInputError);
    expect(webhooks.get('web')).toBeNull();
  });

  it('ignores pushes of other refs, deletions and other events, and answers a ping', () => {
    const webhooks = webhooksWith(controlledSync().port);
    const { secret } = webhooks.rotate('web');
    expect(webhooks.receive(push(secret, 'refs/heads/dev'))).toEqual({
      kind: 'ignored',
      reason: 'a push to refs/heads/dev; the stack follows main',
    });
    const body = Buffer.from(JSON.stringify({ zen: 'hi' }));
    const signature = `sha256=${hex(secret, body.toString())}`;
    expect(
      webhooks.receive({
        stack: 'web',
        body,
        headers: headers({ 'x-github-event': 'ping', 'x-hub-signature-256': signature }),
      }),
    ).toEqual({ kind: 'ping' });
    expect(webhooks.get('web')?.lastOutcome).toBe('ping received');
    expect(
      webhooks.receive({
        stack: 'web',
        body,
        headers: headers({ 'x-github-event': 'issues', 'x-hub-signature-256': signature }),
      }),
    ).toMatchObject({ kind: 'ignored' });
    expect(webhooks.syncing('web')).toBe(false);
  });
});
