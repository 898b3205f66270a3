import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createLogger } from 'graphql-yoga';
import { Webhook } from 'standardwebhooks';
import { afterEach, describe, expect, it } from 'vitest';
import type { AlertEvent } from '../../src/domain/alerts/evaluator.js';
import {
  validateRuleDefinition,
  type AlertRule,
  type DeliveryRecord,
} from '../../src/domain/alerts/rules.js';
import { WebhookDelivery, type WebhookOptions } from '../../src/domain/alerts/webhook.js';
import { waitFor } from '../support/wait.js';

/** A secret in the form berth took before: text, whose UTF-8 bytes are the key. */
const SECRET = 'a-webhook-secret-of-some-length';
/** The same key as Standard Webhooks writes it. */
const STANDARD_SECRET = `whsec_${Buffer.from(SECRET).toString('base64')}`;

interface Received {
  headers: IncomingMessage['headers'];
  body: string;
}

/** A real HTTP receiver on loopback; `answer` decides each response (it may never answer). */
async function receiver(answer: (n: number, res: ServerResponse) => void) {
  const received: Received[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      answer(received.length, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  servers.push(server);
  return { url, received };
}

const servers: Server[] = [];
const deliveries: WebhookDelivery[] = [];
afterEach(async () => {
  await Promise.all(deliveries.splice(0).map((d) => d.stop()));
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

function rule(url: string): AlertRule {
  return {
    id: 'r1',
    ...validateRuleDefinition({
      name: 'busy',
      kind: 'CPU_ABOVE',
      thresholdPercent: 50,
      webhook: { url, secret: SECRET },
    }),
    createdAt: new Date(),
    updatedAt: new Date(),
  };
}

function event(r: AlertRule, id: string, state: AlertEvent['state'] = 'FIRING'): AlertEvent {
  return {
    id,
    rule: r,
    containerId: 'c'.repeat(64),
    containerName: 'web',
    state,
    at: new Date('2026-03-01T12:00:00Z'),
    value: 97.5,
    message: 'CPU 97.5%, above 50.0% for 2 s',
  };
}

function delivery(options: Partial<WebhookOptions> = {}) {
  const outcomes: DeliveryRecord[] = [];
  const d = new WebhookDelivery(createLogger('error'), (_, record) => outcomes.push(record), {
    minDelayMs: 10,
    maxDelayMs: 50,
    ...options,
  });
  deliveries.push(d);
  return { d, outcomes };
}

/** What any receiver does: verify with a Standard Webhooks library, on the raw body. */
function verify(received: Received, secret = STANDARD_SECRET): boolean {
  try {
    new Webhook(secret).verify(received.body, received.headers as Record<string, string>);
    return true;
  } catch {
    return false;
  }
}

describe('webhook delivery (a real receiver on loopback)', () => {
  it('posts signed JSON that a receiver can verify, with the same delivery id on every attempt', async () => {
    const { url, received } = await receiver((n, res) => res.writeHead(n <= 2 ? 503 : 204).end());
    const { d, outcomes } = delivery();
    const r = rule(url);
    d.enqueue(r.id, r.webhook!, event(r, 'alert-1'));
    await waitFor(async () => expect(outcomes).toHaveLength(1));
    expect(outcomes[0]).toMatchObject({
      ok: true,
      attempts: 3,
      statusCode: 204,
      alertId: 'alert-1',
      state: 'FIRING',
    });
    expect(received).toHaveLength(3);
    expect(r.webhook!.secret).toBe(STANDARD_SECRET);
    expect(received.every((m) => verify(m))).toBe(true);
    expect(new Set(received.map((r) => r.headers['webhook-id'])).size).toBe(1);
    expect(received[0]!.headers['webhook-id']).toMatch(/^msg_[0-9a-f]{32}$/);
    expect(received[0]!.headers['content-type']).toBe('application/json');
    // Only the Standard Webhooks headers sign it; berth's earlier ones are gone.
    expect(Object.keys(received[0]!.headers).filter((h) => h.startsWith('x-berth'))).toEqual([]);
    expect(JSON.parse(received[0]!.body)).toEqual({
      type: 'alert.firing',
      timestamp: '2026-03-01T12:00:00.000Z',
      id: 'alert-1',
      state: 'FIRING',
      at: '2026-03-01T12:00:00.000Z',
      value: 97.5,
      message: 'CPU 97.5%, above 50.0% for 2 s',
      rule: {
        id: 'r1',
        name: 'busy',
        kind: 'CPU_ABOVE',
        thresholdPercent: 50,
        forSeconds: 0,
        restarts: null,
        windowSeconds: null,
      },
      container: { id: 'c'.repeat(64), name: 'web' },
    });
    // The secret never travels, in either form.
    expect(received[0]!.body).not.toContain(SECRET);
    expect(received[0]!.body).not.toContain(r.webhook!.secret.slice('whsec_'.length));
    // The text secret keeps its key: a receiver holding the text verifies it raw.
    expect(
      new Webhook(SECRET, { format: 'raw' }).verify(received[2]!.body, received[2]!.headers as never),
    ).toBeTruthy();
  });

  it('retries 429 and network failures, gives up after the bounded attempts, and does not retry a 4xx', async () => {
    const tooMany = await receiver((_, res) => res.writeHead(429).end());
    const notFound = await receiver((_, res) => res.writeHead(404).end());
    const { d, outcomes } = delivery({ retries: 2 });
    const a = rule(tooMany.url);
    const b = { ...rule(notFound.url), id: 'r2' };
    const closed = { ...rule('http://127.0.0.1:9/nothing-listens'), id: 'r3' };
    d.enqueue(a.id, a.webhook!, event(a, 'alert-a'));
    d.enqueue(b.id, b.webhook!, event(b, 'alert-b'));
    d.enqueue(closed.id, closed.webhook!, event(closed, 'alert-c'));
    await waitFor(async () => expect(outcomes).toHaveLength(3));
    const byAlert = Object.fromEntries(outcomes.map((o) => [o.alertId, o]));
    expect(byAlert['alert-a']).toMatchObject({
      ok: false,
      attempts: 3,
      statusCode: 429,
      error: 'the receiver answered HTTP 429',
    });
    expect(byAlert['alert-b']).toMatchObject({
      ok: false,
      attempts: 1,
      statusCode: 404,
      error: 'the receiver answered HTTP 404',
    });
    expect(byAlert['alert-c']).toMatchObject({ ok: false, attempts: 3, statusCode: null });
    expect(byAlert['alert-c']!.error).toMatch(/fetch failed/);
    expect(tooMany.received).toHaveLength(3);
    expect(notFound.received).toHaveLength(1);
  });

  it('keeps a rule’s messages in order, one at a time', async () => {
    const { url, received } = await receiver((n, res) =>
      setTimeout(() => res.writeHead(200).end(), n === 1 ? 100 : 0),
    );
    const { d, outcomes } = delivery();
    const r = rule(url);
    d.enqueue(r.id, r.webhook!, event(r, 'alert-1', 'FIRING'));
    d.enqueue(r.id, r.webhook!, event(r, 'alert-1', 'RESOLVED'));
    await waitFor(async () => expect(outcomes).toHaveLength(2));
    expect(received.map((m) => (JSON.parse(m.body) as { state: string }).state)).toEqual([
      'FIRING',
      'RESOLVED',
    ]);
  });

  it('bounds the queue of a receiver that never answers, dropping the oldest, and stops with nothing left', async () => {
    const { url, received } = await receiver(() => undefined);
    const { d, outcomes } = delivery({ maxQueuedPerRule: 5, requestTimeoutMs: 60_000 });
    const r = rule(url);
    for (let i = 1; i <= 20; i += 1) d.enqueue(r.id, r.webhook!, event(r, `alert-${i}`));
    // alert-1 is in flight (hanging); of the 19 behind it, 14 were dropped, oldest first.
    expect(d.queued).toBe(5);
    expect(outcomes.map((o) => o.alertId)).toEqual(Array.from({ length: 14 }, (_, i) => `alert-${i + 2}`));
    expect(outcomes.every((o) => !o.ok && o.attempts === 0 && o.error?.startsWith('dropped: '))).toBe(true);
    await waitFor(async () => expect(received).toHaveLength(1));
    await d.stop();
    expect(d.queued).toBe(0);
    expect(outcomes.at(-1)).toMatchObject({
      alertId: 'alert-1',
      ok: false,
      error: 'berth stopped before the delivery succeeded',
    });
    expect(received).toHaveLength(1);
    // After stop, nothing more is accepted.
    d.enqueue(r.id, r.webhook!, event(r, 'late'));
    expect(d.queued).toBe(0);
  });

  it('bounds all rules together too: past maxQueued, new messages are dropped', async () => {
    const { url } = await receiver(() => undefined);
    const { d, outcomes } = delivery({ maxQueued: 3, requestTimeoutMs: 60_000 });
    for (let i = 1; i <= 6; i += 1) {
      const r = { ...rule(url), id: `r${i}` };
      d.enqueue(r.id, r.webhook!, event(r, `alert-${i}`));
      d.enqueue(r.id, r.webhook!, event(r, `alert-${i}`, 'RESOLVED'));
    }
    expect(d.queued).toBeLessThanOrEqual(3);
    expect(outcomes.length).toBeGreaterThan(0);
    expect(outcomes.every((o) => o.error === 'dropped: more than 3 deliveries waiting')).toBe(true);
  });
});
