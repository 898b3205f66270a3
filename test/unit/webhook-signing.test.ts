import { createHmac } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Webhook, WebhookVerificationError } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import {
  generateWebhookSecret,
  newMessageId,
  secretKey,
  secretProblem,
  signWebhook,
  standardSecret,
  webhookHeaders,
} from '../../src/domain/alerts/signing.js';
import { AlertRuleStore } from '../../src/domain/alerts/store.js';
import { BerthDatabase } from '../../src/platform/store/database.js';
import { MIGRATIONS } from '../../src/platform/store/migrations.js';

/** The reference vector of Standard Webhooks (its libraries' "sign function works" test). */
const VECTOR = {
  secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
  id: 'msg_p5jXN8AQM9LWM0D4loKWxJek',
  timestamp: 1614265330,
  body: '{"test": 2432232314}',
  signature: 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
};

const nowSeconds = () => Math.floor(Date.now() / 1000);
const secretOfBytes = (n: number) => `whsec_${Buffer.alloc(n, 7).toString('base64')}`;

describe('Standard Webhooks signatures', () => {
  it('signs the reference vector as the spec and its libraries do', () => {
    expect(signWebhook(VECTOR.secret, VECTOR.id, VECTOR.timestamp, VECTOR.body)).toBe(VECTOR.signature);
    expect(new Webhook(VECTOR.secret).sign(VECTOR.id, new Date(VECTOR.timestamp * 1000), VECTOR.body)).toBe(
      VECTOR.signature,
    );
  });

  it('signs the body as the UTF-8 bytes sent, the same as the library over those bytes', () => {
    const secret = generateWebhookSecret();
    const body = JSON.stringify({ message: 'CPU 97.4% – über 80 %', emoji: '🚢' });
    const timestamp = 1_700_000_000;
    expect(signWebhook(secret, 'msg_1', timestamp, body)).toBe(
      new Webhook(secret).sign('msg_1', new Date(timestamp * 1000), Buffer.from(body, 'utf8')),
    );
  });

  it('makes headers any receiver verifies; a tampered body, id, timestamp or another secret fails', () => {
    const secret = generateWebhookSecret();
    const body = '{"id":"a1","state":"FIRING"}';
    const headers = webhookHeaders(secret, newMessageId(), nowSeconds(), body);
    expect(Object.keys(headers).sort()).toEqual(['webhook-id', 'webhook-signature', 'webhook-timestamp']);
    expect(headers['webhook-timestamp']).toMatch(/^\d+$/);
    expect(new Webhook(secret).verify(body, headers)).toEqual({ id: 'a1', state: 'FIRING' });

    const fails =
      (b: string, h: Record<string, string>, s = secret) =>
      () =>
        new Webhook(s).verify(b, h);
    expect(fails(body.replace('FIRING', 'RESOLVED'), headers)).toThrow(WebhookVerificationError);
    expect(fails(`${body} `, headers)).toThrow(WebhookVerificationError);
    expect(fails(body, { ...headers, 'webhook-id': newMessageId() })).toThrow(WebhookVerificationError);
    expect(
      fails(body, { ...headers, 'webhook-timestamp': String(Number(headers['webhook-timestamp']) - 1) }),
    ).toThrow(WebhookVerificationError);
    expect(fails(body, headers, generateWebhookSecret())).toThrow(WebhookVerificationError);
  });

  it('a correctly signed message with a stale timestamp is refused by the receiver', () => {
    const secret = generateWebhookSecret();
    const stale = nowSeconds() - 10 * 60;
    const headers = webhookHeaders(secret, newMessageId(), stale, '{}');
    expect(() => new Webhook(secret).verify('{}', headers)).toThrow(/timestamp too old/);
  });

  it('gives each message an id of its own, without a "."', () => {
    const ids = new Set(Array.from({ length: 100 }, newMessageId));
    expect(ids.size).toBe(100);
    for (const id of ids) expect(id).toMatch(/^msg_[0-9a-f]{32}$/);
  });
});

describe('webhook secrets', () => {
  it('generates whsec_ secrets of 32 random bytes that the library takes as they are', () => {
    const secrets = new Set(Array.from({ length: 20 }, generateWebhookSecret));
    expect(secrets.size).toBe(20);
    for (const secret of secrets) {
      expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
      expect(secretKey(secret)).toHaveLength(32);
      expect(secretProblem(secret)).toBeNull();
    }
  });

  it('takes whsec_ secrets of 24 to 64 bytes, and text of 16 to 1024 characters as berth did before', () => {
    const whsecProblem = 'a whsec_ secret must be the base64 of 24 to 64 bytes';
    expect(secretProblem(VECTOR.secret)).toBeNull();
    expect(secretProblem(secretOfBytes(24))).toBeNull();
    expect(secretProblem(secretOfBytes(64))).toBeNull();
    expect(secretProblem(secretOfBytes(23))).toBe(whsecProblem);
    expect(secretProblem(secretOfBytes(65))).toBe(whsecProblem);
    expect(secretProblem('whsec_not base64 at all, is it?')).toBe(whsecProblem);
    expect(secretProblem(`whsec_${Buffer.alloc(30).toString('base64url')}-_`)).toBe(whsecProblem);
    expect(secretProblem('whsec_')).toBe(whsecProblem);
    expect(secretProblem('short')).toBe('must be at least 16 characters');
    expect(secretProblem('x'.repeat(1025))).toBe('must be at most 1024 characters');
    expect(secretProblem('alerts-test-secret-0123456789')).toBeNull();
  });

  it('keeps the key of a secret in the older form: its UTF-8 bytes, written as whsec_ and their base64', () => {
    const text = 'an-older-secret-0123456789';
    const secret = standardSecret(text);
    expect(secret).toBe(`whsec_${Buffer.from(text).toString('base64')}`);
    expect(standardSecret(secret)).toBe(secret);
    expect(secretKey(secret).toString('utf8')).toBe(text);
    // The same HMAC key berth signed with before, and receivers that hold the text can use it raw.
    const body = '{"state":"FIRING"}';
    const headers = webhookHeaders(secret, 'msg_older', nowSeconds(), body);
    const content = `msg_older.${headers['webhook-timestamp']}.${body}`;
    expect(headers['webhook-signature']).toBe(
      `v1,${createHmac('sha256', text).update(content).digest('base64')}`,
    );
    expect(new Webhook(text, { format: 'raw' }).verify(body, headers)).toEqual({ state: 'FIRING' });
    expect(new Webhook(secret).verify(body, headers)).toEqual({ state: 'FIRING' });

    // Text beyond ASCII: its UTF-8 bytes, as Node's HMAC took a string key before.
    const accented = 'geheimnis-ärger-über-alles';
    expect(secretKey(standardSecret(accented))).toEqual(Buffer.from(accented, 'utf8'));
    expect(signWebhook(standardSecret(accented), 'msg_x', 1, body)).toBe(
      `v1,${createHmac('sha256', accented).update(`msg_x.1.${body}`).digest('base64')}`,
    );
  });

  it('refuses to sign with a secret that is not in whsec_ form', () => {
    expect(() => signWebhook('plain-text-secret-123', 'msg_1', 1, '{}')).toThrow(/whsec_ form/);
  });
});

describe('migration 10', () => {
  it('rewrites stored secrets to whsec_ form with the same key, even one that began with whsec_', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'berth-migration-10-'));
    try {
      const before = BerthDatabase.open({ dataDir, migrations: MIGRATIONS.filter((m) => m.version < 10) });
      const insert = before.prepare<[string, string | null, string | null]>(
        `INSERT INTO alert_rules (id, name, kind, enabled, webhook_url, webhook_secret, created_at, updated_at)
         VALUES (?, 'r', 'OOM_KILLED', 1, ?, ?, 0, 0)`,
      );
      insert.run('aaaaaaaaaaaa', 'http://127.0.0.1:9/a', 'plain-older-secret-1234');
      insert.run('bbbbbbbbbbbb', 'http://127.0.0.1:9/b', 'whsec_looks-new-but-was-text');
      insert.run('cccccccccccc', null, null);
      before.close();

      const after = BerthDatabase.open({ dataDir });
      try {
        // Later steps run too; this one is the first of them.
        expect(after.migrations.applied[0]).toBe('10 webhook secrets in whsec_ form');
        const rules = new AlertRuleStore(after).list();
        const secretOf = (id: string) => rules.find((rule) => rule.id === id)?.webhook?.secret;
        expect(secretKey(secretOf('aaaaaaaaaaaa')!).toString()).toBe('plain-older-secret-1234');
        expect(secretKey(secretOf('bbbbbbbbbbbb')!).toString()).toBe('whsec_looks-new-but-was-text');
        expect(rules.find((rule) => rule.id === 'cccccccccccc')?.webhook).toBeNull();
      } finally {
        after.close();
      }
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
