import { createServer, request as httpRequest, type IncomingMessage, type Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startBerth, type BerthClient, type RunningBerth } from '../support/berth.js';
import { AuditLog } from '../support/operations/audit.js';
import { wsClient } from '../support/subscriptions.js';
import { waitFor } from '../support/wait.js';

/**
 * berth behind a reverse proxy on loopback that appends the client's address to X-Forwarded-For,
 * as nginx's `$proxy_add_x_forwarded_for` does. Every client here really connects from 127.0.0.1;
 * the proxy takes the address it reports from the test's `x-test-client` header, standing for
 * clients on other machines. With BERTH_TRUSTED_PROXIES=127.0.0.1/32 berth counts failed
 * authentications (and audits them) per forwarded address; with the proxy not trusted it ignores
 * the header, so a client cannot choose the address it is limited under.
 */

const FAILURES_PER_MINUTE = 20;
const BAD_TOKEN = `berth_000000000000_${'A'.repeat(43)}`;

interface Proxy {
  url: string;
  close(): Promise<void>;
}

/** What the proxy adds: the client's address after whatever X-Forwarded-For the client sent. */
function forwardedHeaders(request: IncomingMessage): Record<string, string | string[] | undefined> {
  const { 'x-test-client': client, ...headers } = request.headers;
  const address = (client as string | undefined) ?? request.socket.remoteAddress ?? '';
  const prior = headers['x-forwarded-for'];
  return { ...headers, 'x-forwarded-for': prior ? `${String(prior)}, ${address}` : address };
}

/** A small HTTP and WebSocket reverse proxy to `target` (berth's origin) on a free loopback port. */
async function startProxy(target: string): Promise<Proxy> {
  const upstream = new URL(target);
  const server: Server = createServer((request, response) => {
    const forwarded = httpRequest(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: request.method,
        path: request.url,
        headers: forwardedHeaders(request),
      },
      (answer) => {
        response.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(response);
      },
    );
    forwarded.once('error', () => response.destroy());
    request.pipe(forwarded);
  });
  server.on('upgrade', (request: IncomingMessage, socket, head: Buffer) => {
    const forwarded = connect(Number(upstream.port), upstream.hostname, () => {
      const lines = Object.entries(forwardedHeaders(request)).flatMap(([name, value]) =>
        (Array.isArray(value) ? value : [value]).map((one) => `${name}: ${one}\r\n`),
      );
      forwarded.write(`${request.method} ${request.url} HTTP/1.1\r\n${lines.join('')}\r\n`);
      forwarded.write(head);
      socket.pipe(forwarded).pipe(socket);
    });
    forwarded.once('error', () => socket.destroy());
    socket.once('error', () => forwarded.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A bad-token GraphQL POST to `url`, as the client at `client` (through the proxy). */
async function badTokenRequest(url: string, headers: Record<string, string> = {}): Promise<number> {
  const response = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${BAD_TOKEN}`, ...headers },
    body: JSON.stringify({ query: '{ system { statsSource } }' }),
  });
  await response.arrayBuffer();
  return response.status;
}

/** The audit log's refusal entries, as `<action> <detail>` with their counts. */
async function refusals(admin: BerthClient): Promise<{ action: string; detail: string; count: number }[]> {
  const { auditLog } = await admin.query(AuditLog, { first: 200, filter: { result: 'denied' } });
  return auditLog.entries.map((entry) => ({
    action: entry.action,
    detail: entry.detail ?? '',
    count: entry.count,
  }));
}

describe('behind a trusted proxy (BERTH_TRUSTED_PROXIES=127.0.0.1/32)', () => {
  let berth: RunningBerth;
  let admin: BerthClient;
  let proxy: Proxy;

  beforeAll(async () => {
    berth = await startBerth(
      {
        BERTH_AUTH: 'on',
        BERTH_AUTH_FAILURES_PER_MINUTE: String(FAILURES_PER_MINUTE),
        BERTH_TRUSTED_PROXIES: '127.0.0.1/32, ::1/128',
      },
      { label: 'proxy' },
    );
    admin = berth.asRole('admin', 'proxy-admin');
    proxy = await startProxy(berth.url);
  });

  afterAll(async () => {
    await proxy?.close();
    await berth?.stop();
  });

  it('limits failed authentications per forwarded address, that address only, and audits it', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 30; i += 1) {
      statuses.push(await badTokenRequest(proxy.url, { 'x-test-client': '203.0.113.7' }));
    }
    expect(statuses.slice(0, FAILURES_PER_MINUTE)).toEqual(Array(FAILURES_PER_MINUTE).fill(401));
    expect(statuses.slice(FAILURES_PER_MINUTE)).toEqual(Array(30 - FAILURES_PER_MINUTE).fill(429));

    // Another client behind the same proxy is not held to what the first one tried.
    expect(await badTokenRequest(proxy.url, { 'x-test-client': '203.0.113.8' })).toBe(401);
    // A valid token through the proxy, from the limited address, still gets in.
    const allowed = await fetch(`${proxy.url}/graphql`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${admin.token}`,
        'x-test-client': '203.0.113.7',
      },
      body: JSON.stringify({ query: '{ system { statsSource } }' }),
    });
    expect(allowed.status).toBe(200);

    const entries = await refusals(admin);
    expect(entries).toEqual(
      expect.arrayContaining([
        { action: 'POST /graphql', detail: 'UNAUTHENTICATED from 203.0.113.7', count: FAILURES_PER_MINUTE },
        {
          action: 'POST /graphql',
          detail: 'RATE_LIMITED from 203.0.113.7',
          count: 30 - FAILURES_PER_MINUTE,
        },
        { action: 'POST /graphql', detail: 'UNAUTHENTICATED from 203.0.113.8', count: 1 },
      ]),
    );
    expect(entries.some((entry) => entry.detail.endsWith('127.0.0.1'))).toBe(false);
  });

  it('believes only what the proxy added, not an X-Forwarded-For the client sent', async () => {
    expect(
      await badTokenRequest(proxy.url, {
        'x-test-client': '203.0.113.9',
        'x-forwarded-for': '198.51.100.1',
      }),
    ).toBe(401);
    const entries = await refusals(admin);
    expect(entries).toContainEqual({
      action: 'POST /graphql',
      detail: 'UNAUTHENTICATED from 203.0.113.9',
      count: 1,
    });
    expect(entries.some((entry) => entry.detail.includes('198.51.100.1'))).toBe(false);
  });

  it('uses the forwarded address on the REST shim and for a WebSocket too', async () => {
    const rest = await fetch(`${proxy.url}/containers`, {
      headers: { authorization: `Bearer ${BAD_TOKEN}`, 'x-test-client': '203.0.113.10' },
    });
    expect(rest.status).toBe(401);

    class ForwardedWebSocket extends WebSocket {
      constructor(url: string | URL, protocols?: string | string[]) {
        super(url, protocols, { headers: { 'x-test-client': '203.0.113.11' } });
      }
    }
    const client = wsClient(proxy.url, {
      connectionParams: { authorization: `Bearer ${BAD_TOKEN}` },
      webSocketImpl: ForwardedWebSocket,
    });
    const closed = new Promise<number>((resolve) =>
      client.on('closed', (event) => resolve((event as CloseEvent).code)),
    );
    expect(await closed).toBe(4403);
    await client.dispose();

    await waitFor(async () => {
      const entries = await refusals(admin);
      expect(entries).toEqual(
        expect.arrayContaining([
          { action: 'GET /containers', detail: 'UNAUTHENTICATED from 203.0.113.10', count: 1 },
          { action: 'websocket', detail: 'UNAUTHENTICATED from 203.0.113.11', count: 1 },
        ]),
      );
    });
  });
});

describe('X-Forwarded-For from a peer that is not a trusted proxy', () => {
  it.each([
    ['no trusted proxies (the default)', {}],
    ['a trusted network that is not the peer', { BERTH_TRUSTED_PROXIES: '10.0.0.0/8' }],
  ])('is ignored with %s: a client cannot pick the address it is limited under', async (_name, env) => {
    const berth = await startBerth(
      { BERTH_AUTH: 'on', BERTH_AUTH_FAILURES_PER_MINUTE: String(FAILURES_PER_MINUTE), ...env },
      { label: 'proxy' },
    );
    try {
      const admin = berth.asRole('admin', 'spoof-admin');
      const statuses: number[] = [];
      for (let i = 0; i < 30; i += 1) {
        // A new made-up address every time, straight to berth.
        statuses.push(await badTokenRequest(berth.url, { 'x-forwarded-for': `198.51.100.${i + 1}` }));
      }
      expect(statuses.slice(0, FAILURES_PER_MINUTE)).toEqual(Array(FAILURES_PER_MINUTE).fill(401));
      expect(statuses.slice(FAILURES_PER_MINUTE)).toEqual(Array(30 - FAILURES_PER_MINUTE).fill(429));
      const entries = await refusals(admin);
      expect(entries.some((entry) => entry.detail.includes('198.51.100.'))).toBe(false);
      expect(entries).toContainEqual({
        action: 'POST /graphql',
        detail: 'UNAUTHENTICATED from 127.0.0.1',
        count: FAILURES_PER_MINUTE,
      });
    } finally {
      await berth.stop();
    }
  });
});
